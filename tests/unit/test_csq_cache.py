"""Prepared consequences (hurtig.annotation.csq_cache, csq_prepare): csq's answers looked up.

The oracle is bcftools csq itself: an annotation that takes known alleles' consequences from the
prepared folder must be byte for byte the annotation in which csq sees every record near a gene,
for every genotype form, sample count, line shape and shard layout; lines that are not plain go
to csq. The compiled pieces (plain-line check, line writer, genotype masks) against plain Python.
"""

from __future__ import annotations

import gzip
import json
import random
import subprocess
from pathlib import Path

import numpy as np
import pytest

from builders.annotation import synthetic_annotation_set
from hurtig.annotation import csq_cache
from hurtig.annotation.csq_prepare import build_consequences
from hurtig.annotation.engine import annotate
from hurtig.annotation.prepared_cache import main as prepare_main
from hurtig.errors import InputError

GENOTYPES = ["0/0", "0/1", "1/0", "1/1", "./.", "./1", "1/.", "0|1", "1|0", "1|1", "1", "0", "."]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A three-contig synthetic genome (two with genes), gene model and calls (synth.py)."""
    return synthetic_annotation_set(tmp_path_factory.mktemp("synth"), 4000, 3)


def _records(synthetic: Path) -> tuple[list[str], list[str]]:
    with gzip.open(synthetic / "calls.vcf.gz", "rt") as handle:
        text = handle.read().splitlines()
    header = [x for x in text if x.startswith("##") and not x.startswith("##FORMAT")]
    body = [x.split("\t") for x in text if not x.startswith("#")]
    return header, ["\t".join(f[:8]) for f in body]


def _sample_mask(mask11: int, genotype: str) -> int:
    """A sample's FORMAT/BCSQ from the 1/1 mask and its GT, in plain Python (the rule)."""
    alleles = genotype.replace("|", "/").split("/")
    out = 0
    if alleles[0] == "1":
        out |= mask11 & csq_cache.EVEN
    if len(alleles) > 1 and alleles[1] == "1":
        out |= mask11 & csq_cache.ODD
    return out


def _write(path: Path, header: list[str], samples: list[str], body: list[str]) -> Path:
    head = [
        *header,
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
                  + (["FORMAT", *samples] if samples else [])),
    ]  # fmt: skip
    plain = path.with_suffix("")
    plain.write_text("\n".join(head + body) + "\n")
    subprocess.run(["bcftools", "sort", "-Oz", "-o", str(path), str(plain)], check=True,
                   capture_output=True)  # fmt: skip
    subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], check=True)
    return path


def _csq_lines(synthetic: Path, vcf: Path) -> list[list[str]]:
    done = subprocess.run(
        ["bcftools", "csq", "-l", "-f", str(synthetic / "genome.fa"),
         "-g", str(synthetic / "genes.gff3.gz"), "-Ov", str(vcf)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return [x.split("\t") for x in done.stdout.splitlines() if not x.startswith("#")]


def test_a_samples_mask_is_the_1_1_mask_of_its_alt_haplotypes(
    tmp_path: Path, synthetic: Path
) -> None:
    header, body = _records(synthetic)
    samples = [f"s{i}" for i in range(len(GENOTYPES) + 1)]
    lines = ["\t".join([x, "GT", "1/1", *GENOTYPES]) for x in body]
    out = _csq_lines(synthetic, _write(tmp_path / "gt.vcf.gz", header, samples, lines))
    checked = 0
    for fields in out:
        if "BCSQ" not in fields[8].split(":"):
            continue
        masks = [int(s.rpartition(":")[2]) for s in fields[9:]]
        assert masks[1:] == [_sample_mask(masks[0], gt) for gt in GENOTYPES], fields[:5]
        checked += masks[0] > 0
    assert checked > 50


def _variety(synthetic: Path) -> tuple[list[str], list[str], list[str]]:
    """Calls with every genotype form and line shape, three samples; the alleles to prepare."""
    header, body = _records(synthetic)
    rng = random.Random(3)
    shapes = []
    for x in body:
        f = x.split("\t")
        kind = rng.random()
        gts = [rng.choice(GENOTYPES) for _ in range(3)]
        if kind < 0.5:
            shapes.append("\t".join([*f[:8], "GT:AD", *(f"{g}:3,4" for g in gts)]))
        elif kind < 0.6:
            shapes.append("\t".join([*f[:7], ".", "GT", *gts]))  # INFO "."
        elif kind < 0.65:
            shapes.append("\t".join([*f[:8], ".", ".", ".", "."]))  # FORMAT "." (not plain)
        elif kind < 0.7:
            shapes.append("\t".join([*f[:8], "DP:GT", "3:0/1", "4:1/1", "5:0/0"]))  # not GT first
        elif kind < 0.75:
            shapes.append("\t".join([*f[:8], "GT:AD", "0/1", "1/1:2,3", "0/0:1,0"]))  # short
        else:
            shapes.append("\t".join([*f[:8], "GT", *gts]))
    alleles = [x for x in body if rng.random() < 0.8]  # a fifth are novel: csq sees them
    return header, shapes, alleles


def test_annotation_from_prepared_consequences_equals_csq_on_every_record(
    tmp_path: Path, synthetic: Path
) -> None:
    header, shapes, alleles = _variety(synthetic)
    calls = _write(tmp_path / "calls.vcf.gz", header, ["a", "b", "c"], shapes)
    known = _write(tmp_path / "known.vcf.gz", header, ["x"],
                   [f"{x}\tGT\t0/1" for x in alleles])  # fmt: skip
    gff3, fasta = synthetic / "genes.gff3.gz", synthetic / "genome.fa"
    plain_cache, prepared = tmp_path / "plain", tmp_path / "prepared"
    folder, n, built = build_consequences(str(known), str(gff3), str(fasta), prepared, 2)
    assert built and n > 1000 and folder.parent.name == "consequences"
    assert build_consequences(str(known), str(gff3), str(fasta), prepared)[2] is False  # kept
    runs = {}
    layouts = (("csq", plain_cache, 1), ("csq3", plain_cache, 3), ("cached", prepared, 1),
               ("cached3", prepared, 3))  # fmt: skip
    for label, cache_dir, threads in layouts:
        out = tmp_path / f"{label}.vcf.gz"
        counts = annotate(calls, out, fasta=fasta, gff3=gff3, threads=threads, cache_dir=cache_dir)
        assert ("csq_cached" in counts) == label.startswith("cached")
        with gzip.open(out, "rt") as handle:
            runs[label] = [x for x in handle.read().splitlines() if not x.startswith("#")]
        runs[f"{label}.n"] = [str(counts.get("csq_cached", 0))]
    # a BCF input (the pipeline's shards) is read through bcftools view: same records
    bcf = tmp_path / "calls.bcf"
    subprocess.run(["bcftools", "view", "-Ob", "-o", str(bcf), str(calls)], check=True)
    subprocess.run(["bcftools", "index", str(bcf)], check=True)
    counts = annotate(bcf, tmp_path / "bcf.vcf.gz", fasta=fasta, gff3=gff3, threads=3,
                      cache_dir=prepared)  # fmt: skip
    runs["bcf"] = _body(tmp_path / "bcf.vcf.gz")
    assert str(counts["csq_cached"]) == runs["cached.n"][0]
    assert runs["csq"] == runs["csq3"] == runs["cached"] == runs["cached3"] == runs["bcf"]
    cut = tmp_path / "cut.bcf"  # damaged: bcftools view's own message, not fewer records
    cut.write_bytes(bcf.read_bytes()[: bcf.stat().st_size // 2])
    subprocess.run(["cp", f"{bcf}.csi", f"{cut}.csi"], check=True)
    with pytest.raises(InputError, match=r"cut\.bcf: .*(bcftools view failed|index)"):
        annotate(cut, tmp_path / "cut.vcf.gz", fasta=fasta, gff3=gff3, cache_dir=prepared)
    cached = int(runs["cached.n"][0])
    annotated = sum("BCSQ=" in x for x in runs["csq"])
    assert cached > 500 and annotated > cached // 2
    assert int(runs["cached3.n"][0]) == cached
    # sites only (no FORMAT): INFO/BCSQ alone
    sites = _write(tmp_path / "sites.vcf.gz", header, [], alleles)
    for label, cache_dir in (("csq", plain_cache), ("cached", prepared)):
        annotate(sites, tmp_path / f"s.{label}.vcf.gz", fasta=fasta, gff3=gff3, cache_dir=cache_dir)
    assert _body(tmp_path / "s.csq.vcf.gz") == _body(tmp_path / "s.cached.vcf.gz")
    assert sum("BCSQ=" in x for x in _body(tmp_path / "s.cached.vcf.gz")) > 500


def _body(path: Path) -> list[str]:
    with gzip.open(path, "rt") as handle:
        return [x for x in handle.read().splitlines() if not x.startswith("#")]


@pytest.mark.parametrize(
    "shape",
    [
        "GT\t0/1\t1/1",  # a sample short of the header's three: csq drops the record
        "GT\t0/1\t1/1\t0/0\t0/1",  # one sample too many: csq writes three
        None,  # no FORMAT and no samples in a file with samples
        "END",  # INFO/END: htslib takes the record's length from it, csq its overlaps
    ],
)
def test_lines_csq_would_reject_or_rewrite_are_left_to_csq(
    tmp_path: Path, synthetic: Path, shape: str | None
) -> None:
    header, body = _records(synthetic)
    known = _write(tmp_path / "known.vcf.gz", header, ["x"], [f"{x}\tGT\t0/1" for x in body])
    gff3, fasta = synthetic / "genes.gff3.gz", synthetic / "genome.fa"
    build_consequences(str(known), str(gff3), str(fasta), tmp_path / "prepared")
    # the target: a coding SNV csq annotates (so it is in the prepared consequences)
    coding = [
        f[:2] for f in _csq_lines(synthetic, known)
        if len(f[3]) == len(f[4]) == 1 and ("missense" in f[7] or "synonymous" in f[7])
    ]  # fmt: skip
    at = next(i for i, x in enumerate(body) if x.split("\t")[:2] == coding[len(coding) // 2])
    lines = [f"{x}\tGT\t0/1\t1/1\t0/0" for x in body[max(at - 150, 0) : at + 150]]
    k = min(at, 150)
    target = body[at].split("\t")
    if shape == "END":
        end = int(target[1]) + 1500
        lines[k] = "\t".join([*target[:7], f"DP=9;END={end}", "GT", "0/1", "1/1", "0/0"])
    else:
        lines[k] = "\t".join(target[:8]) + ("" if shape is None else "\t" + shape)
    head = [*header, '##INFO=<ID=END,Number=1,Type=Integer,Description="End position">',
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb\tc"]  # fmt: skip
    plain = tmp_path / "calls.vcf"
    plain.write_text("\n".join(head + lines) + "\n")
    subprocess.run(["bgzip", "-f", str(plain)], check=True)
    calls = tmp_path / "calls.vcf.gz"
    subprocess.run(["tabix", "-p", "vcf", str(calls)], check=True)
    outcome = {}
    for label, cache_dir in (("csq", tmp_path / "plain"), ("cached", tmp_path / "prepared")):
        try:
            counts = annotate(calls, tmp_path / f"{label}.vcf.gz", fasta=fasta, gff3=gff3,
                              cache_dir=cache_dir)  # fmt: skip
            outcome[label] = _body(tmp_path / f"{label}.vcf.gz")
            assert label == "csq" or counts["csq_cached"] > 50
        except InputError as err:
            outcome[label] = [str(err).replace(str(tmp_path), "")]
    if shape is None:  # csq fails on it, or repairs it when an earlier record warmed it up
        failed = "/calls.vcf.gz: bcftools csq failed: [vbuf_flush] Error: cannot write to"
        assert outcome["cached"] in (outcome["csq"], [f"{failed} standard output"])
    else:
        assert outcome["cached"] == outcome["csq"]


def test_an_edited_gene_model_does_not_use_the_old_consequences(
    tmp_path: Path, synthetic: Path
) -> None:
    header, body = _records(synthetic)
    calls = _write(tmp_path / "calls.vcf.gz", header, ["a"], [f"{x}\tGT\t0/1" for x in body])
    gff3 = tmp_path / "genes.gff3.gz"
    gff3.write_bytes((synthetic / "genes.gff3.gz").read_bytes())
    fasta = synthetic / "genome.fa"
    build_consequences(str(calls), str(gff3), str(fasta), tmp_path / "cache")
    counts = annotate(calls, tmp_path / "a.vcf.gz", fasta=fasta, gff3=gff3,
                      cache_dir=tmp_path / "cache")  # fmt: skip
    assert counts["csq_cached"] > 500
    # the same gene model rewritten (a new modification time): csq is asked again
    gff3.write_bytes(gff3.read_bytes())
    counts = annotate(calls, tmp_path / "b.vcf.gz", fasta=fasta, gff3=gff3,
                      cache_dir=tmp_path / "cache")  # fmt: skip
    assert "csq_cached" not in counts


def test_prepare_source_builds_them_and_a_bad_reference_is_csqs_error(
    tmp_path: Path, synthetic: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header, body = _records(synthetic)
    calls = _write(tmp_path / "calls.vcf.gz", header, ["a"], [f"{x}\tGT\t0/1" for x in body])
    gff3, fasta = synthetic / "genes.gff3.gz", synthetic / "genome.fa"
    done = tmp_path / "done.json"
    args = ["--out", str(tmp_path / "c"), "--gnomad", str(calls), "--gff3", str(gff3),
            "--fasta", str(fasta), "--consequences", "--only", "consequences",
            "--done", str(done)]  # fmt: skip
    assert prepare_main(args) == 0
    (note,) = json.loads(done.read_text())
    assert note["source"] == "consequences" and note["built"] and note["alleles"] > 1000
    with pytest.raises(InputError, match="--consequences needs --gnomad, --gff3 and --fasta"):
        prepare_main(["--out", str(tmp_path / "c"), "--gff3", str(gff3), "--consequences"])
    bare = tmp_path / "bare.vcf.gz"  # no index: an error, not an empty folder
    bare.write_bytes(calls.read_bytes())
    with pytest.raises(InputError, match=r"bare\.vcf\.gz: needs a tabix or CSI index"):
        build_consequences(str(bare), str(gff3), str(fasta), tmp_path / "bare")
    other = tmp_path / "other.fa"
    text = (synthetic / "genome.fa").read_text().replace("A", "C")
    other.write_text(text)
    subprocess.run(["samtools", "faidx", str(other)], check=True)
    with pytest.raises(InputError, match=r"bcftools csq on chr.'s alleles failed: .*REF"):
        build_consequences(str(calls), str(gff3), str(other), tmp_path / "bad")
    assert not list((tmp_path / "bad" / "consequences").glob("*/manifest.json"))


def _plain_reference(line: str, n_samples: int) -> bool:
    f = line.split("\t")
    info_keys = [i.split("=")[0] for i in f[7].split(";")] if len(f) > 7 else []
    if line.endswith("\r") or len(f) < 8 or not f[7] or {"BCSQ", "END"} & set(info_keys):
        return False
    if len(f) == 8:
        return n_samples == 0
    keys = f[8].split(":")
    if n_samples == 0 or len(f) - 9 != n_samples or keys[0] != "GT" or "BCSQ" in keys:
        return False
    for s in f[9:]:
        parts = s.split(":")
        gt = parts[0]
        ok = (len(gt) == 1 and gt in "01.") or (
            len(gt) == 3 and gt[0] in "01." and gt[1] in "/|" and gt[2] in "01."
        )
        if len(parts) != len(keys) or not ok:
            return False
    return True


@pytest.mark.parametrize("seed", range(4))
def test_plain_line_and_the_writer_match_plain_python(seed: int) -> None:
    rng = random.Random(seed)
    infos = [".", "DP=3", "DP=3;BCSQ=x", "BCSQ", "XBCSQ=1", "A=1;BCSQX=2", "", "END=9",
             "DP=1;END=7", "XEND=1", "DP=3\r"]  # fmt: skip
    formats = [None, "GT", "GT:AD", "AD:GT", "GT:BCSQ", "GTX", ".", "G"]
    samples = ["0/1", "1", "./.", "1|1", "0/2", "10/1", "0/1:3,4", ".", "1/1:.", "", "0/1/1"]
    lines = []
    for _ in range(300):
        fields = ["c", "5", ".", "A", "C", "50", "PASS", rng.choice(infos)]
        fmt = rng.choice(formats)
        if fmt is not None:
            fields += [fmt, *(rng.choice(samples) for _ in range(rng.randint(0, 3)))]
        lines.append("\t".join(fields))
    text = ("\n".join(lines) + "\n").encode()
    arr = np.frombuffer(text, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    starts = np.concatenate([[0], ends[:-1] + 1])
    for line, lo, end in zip(lines, starts.tolist(), ends.tolist(), strict=True):
        alt_end = lo + len("\t".join(line.split("\t")[:5]))
        for n in range(4):  # the header's samples
            assert csq_cache.plain_line(arr, alt_end, end, n) == _plain_reference(line, n), line
    # the writer: every plain line gets BCSQ (text 0 or 1, mask 0..2^30), the others are copied
    plain = np.array([_plain_reference(x, max(x.count("\t") - 8, 0)) for x in lines])
    entries = np.where(plain & (np.arange(len(lines)) % 3 > 0), np.arange(len(lines)) % 2, -1)
    mask = np.array([rng.randrange(1 << 30), 0], dtype=np.int64)
    tid = np.array([0, 1], dtype=np.int64)
    texts = [b"missense|G|T|protein_coding|+|1A>1C|5A>C", b"intron|G|T|protein_coding"]
    toff = np.array([0, len(texts[0]), len(texts[0]) + len(texts[1])], dtype=np.int64)
    blob = np.frombuffer(b"".join(texts), dtype=np.uint8)
    out, line_ends = csq_cache.build_lines(arr, starts, ends + 1, entries, mask, tid, toff, blob)
    got = out.tobytes().decode().split("\n")[:-1]
    assert (line_ends == np.cumsum([len(x) + 1 for x in got])).all()
    for line, new, e in zip(lines, got, entries.tolist(), strict=True):
        if e < 0:
            assert new == line
            continue
        f = line.split("\t")
        info = "" if f[7] == "." else f[7] + ";"
        want = [*f[:7], info + "BCSQ=" + texts[e].decode()]
        if len(f) > 8:
            want.append(f[8] + ":BCSQ")
            want += [f"{s}:{_sample_mask(int(mask[e]), s.split(':')[0])}" for s in f[9:]]
        assert new == "\t".join(want)
