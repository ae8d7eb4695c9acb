"""csq fed only the records near genes (hurtig.annotation.csq_feed): same output, loud failures.

The pieces against plain Python or htslib (BGZF reading, the tabix offsets, the feature spans,
the near-gene scan), and the whole annotation with and without the feed on a synthetic genome
with hand-made records at the edges (deletions reaching into a gene from outside, symbolic and
breakend ALTs, a contig without genes), real bcftools csq.
"""

from __future__ import annotations

import gzip
import random
import subprocess
from pathlib import Path

import numpy as np
import pytest

from builders.annotation import synthetic_annotation_set
from hurtig.annotation import csq_feed
from hurtig.annotation.engine import annotate
from hurtig.annotation.gene_split import gene_model_parts
from hurtig.errors import InputError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A three-contig synthetic genome (two with genes), gene model and calls (synth.py)."""
    return synthetic_annotation_set(tmp_path_factory.mktemp("synth"), 4000, 3)


def _bgzip(text: bytes, path: Path) -> Path:
    path.with_suffix("").write_bytes(text)
    subprocess.run(["bgzip", "-f", str(path.with_suffix(""))], check=True)
    return path


def test_bgzf_text_is_the_file_and_starts_where_tabix_says(synthetic: Path) -> None:
    calls = synthetic / "calls.vcf.gz"
    with gzip.open(calls, "rb") as handle:
        whole = handle.read()
    assert b"".join(csq_feed.bgzf_text(str(calls))) == whole
    offsets = csq_feed.first_offsets(str(calls))
    contigs = sorted({line.split(b"\t", 1)[0] for line in whole.splitlines() if line[:1] != b"#"})
    assert sorted(offsets) == [c.decode() for c in contigs]
    for contig, offset in offsets.items():
        text = b"".join(csq_feed.bgzf_text(str(calls), offset))
        assert text.startswith(contig.encode() + b"\t")
        assert whole.endswith(text)


def test_a_damaged_input_is_an_error_not_fewer_records(tmp_path: Path) -> None:
    lines = "".join(f"c\t{i}\t.\tA\tC\t50\tPASS\t.\n" for i in range(1, 40000))
    good = _bgzip(lines.encode(), tmp_path / "x.vcf.gz")
    data = bytearray(good.read_bytes())
    bad = tmp_path / "bad.vcf.gz"
    data[40] ^= 0xFF  # inside the first block's deflate data
    bad.write_bytes(bytes(data))
    with pytest.raises(InputError, match="corrupt BGZF block"):
        b"".join(csq_feed.bgzf_text(str(bad)))
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(good.read_bytes()[: len(data) // 2])
    with pytest.raises(InputError, match="truncated BGZF file"):
        b"".join(csq_feed.bgzf_text(str(cut)))
    assert not csq_feed.is_bgzf_vcf(str(good))  # no ##fileformat line: not a VCF
    assert not csq_feed.is_bgzf_vcf(str(tmp_path / "missing.vcf.gz"))


def test_feature_spans_merge_genes_and_skip_whole_sequences(tmp_path: Path) -> None:
    part = tmp_path / "c.gff3"
    part.write_text(
        "c\tsrc\tchromosome\t1\t900000\t.\t.\t.\tID=c\n"
        "c\tsrc\tgene\t1000\t2000\t.\t+\t.\tID=g1\n"
        "c\tsrc\texon\t1500\t1600\t.\t+\t.\tParent=t1\n"
        "c\tsrc\tbiological_region\t5000\t6000\t.\t.\t.\tID=r\n"
        "c\tsrc\tgene\t2150\t2400\t.\t-\t.\tID=g2\n"
        "c\tsrc\tgene\t9000\t9100\t.\t-\t.\tID=g3\n"
    )
    starts, stops = csq_feed.feature_spans(str(part))
    m = csq_feed.MARGIN
    assert starts.tolist() == [999 - m, 8999 - m]
    assert stops.tolist() == [2400 + m, 9100 + m]
    assert Path(f"{part}.spans.npy").is_file()
    part.write_text("")  # the cached spans are used from now on
    assert csq_feed.feature_spans(str(part))[0].tolist() == [999 - m, 8999 - m]


def _near_reference(line: str, spans: list[tuple[int, int]]) -> bool:
    fields = line.split("\t")
    beg = int(fields[1]) - 1
    end = beg + max(len(fields[3]), 1)
    alt = fields[4]
    if alt[:1] in "<[]" or alt[-1:] in "[]":
        return True
    return any(s < end and beg < e for s, e in spans)


@pytest.mark.parametrize("seed", range(5))
def test_the_scan_marks_what_plain_python_marks(seed: int) -> None:
    rng = random.Random(seed)
    spans = sorted((s, s + rng.randint(1, 300)) for s in rng.sample(range(0, 20000, 400), 20))
    starts = np.array([s for s, _ in spans], dtype=np.int64)
    stops = np.array([e for _, e in spans], dtype=np.int64)
    lines = []
    for _ in range(rng.randint(1, 400)):
        ref = "".join(rng.choice("ACGT") for _ in range(rng.choice([1, 1, 2, 40, 300])))
        alt = rng.choice(["C", "<DEL>", "N[chr2:5[", "]chr2:9]N", "AT", ref[0]])
        lines.append(f"c\t{rng.randint(1, 21000)}\t.\t{ref}\t{alt}\t50\tPASS\t.")
    lines.append("d\t5\t.\tA\tC\t.\t.\t.")  # the next contig: the scan stops before it
    block = ("\n".join(lines) + "\n").encode()
    arr = np.frombuffer(block, dtype=np.uint8)
    ends = np.zeros(len(lines) + 1, dtype=np.int64)
    mask = np.zeros(len(lines) + 1, dtype=np.bool_)
    name = np.frombuffer(b"c", dtype=np.uint8)
    n, at = csq_feed._scan_kernel(arr, 0, name, starts, stops, ends, mask, 0)
    assert n == len(lines) - 1 and block[at:].startswith(b"d\t5")
    assert mask[:n].tolist() == [_near_reference(x, spans) for x in lines[:-1]]
    assert (ends[:n] == np.flatnonzero(arr == 10)[:n] + 1).all()
    bad = np.frombuffer(b"c\tx12\t.\tA\tC\n", dtype=np.uint8)
    assert csq_feed._scan_kernel(bad, 0, name, starts, stops, ends, mask, 0)[0] == -1


def _edge_records(synthetic: Path) -> list[str]:
    """Records at the edges of chr1's genes and on chr3 (no genes)."""
    parts = gene_model_parts(str(synthetic / "genes.gff3.gz"), synthetic / "edge_cut")
    assert parts is not None
    starts, _ = csq_feed.feature_spans(parts.files_for(["chr1"])[1])
    m = csq_feed.MARGIN
    fasta = synthetic / "genome.fa"
    out = []
    for gene_start in starts[1:4].tolist():  # 0-based span start = gene start - 1 - margin
        first = gene_start + m + 1  # the gene's first base (1-based)
        for pos, length in ((first - m - 30, m + 31), (first - m - 5, 3), (first - m - 1, 1)):
            ref = subprocess.run(
                ["samtools", "faidx", str(fasta), f"chr1:{pos}-{pos + length - 1}"],
                capture_output=True, text=True, check=True,
            ).stdout.split("\n", 1)[1].replace("\n", "")  # fmt: skip
            alt = ref[0] if length > 1 else ("A" if ref != "A" else "C")
            out.append(f"chr1\t{pos}\t.\t{ref}\t{alt}\t60\tPASS\tDP=30\tGT\t0/1")
    return out


def test_annotation_with_the_feed_equals_csq_reading_everything(
    tmp_path: Path, synthetic: Path
) -> None:
    with gzip.open(synthetic / "calls.vcf.gz", "rt") as handle:
        text = handle.read().splitlines()
    header = [x for x in text if x.startswith("#")]
    body = [x for x in text if not x.startswith("#")]
    body = [x for x in body if not x.startswith("chr3\t")] + [
        "chr3\t1000\t.\tA\t<DEL>\t60\tPASS\tDP=30;END=2000;SVTYPE=DEL\tGT\t0/1",
        "chr3\t5000\t.\tC\tT\t60\tPASS\tDP=30\tGT\t0/1",
    ]
    body += _edge_records(synthetic)
    header = [h for h in header if not h.startswith("##FORMAT") or "ID=GT," in h]
    header.insert(1, '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">')
    header.insert(1, '##INFO=<ID=END,Number=1,Type=Integer,Description="End">')
    header.insert(1, '##ALT=<ID=DEL,Description="Deletion">')
    body = [b if b.count("\t") == 9 and b.split("\t")[8] == "GT" else _gt_only(b) for b in body]
    plain = tmp_path / "calls.vcf"
    plain.write_text("\n".join(header + body) + "\n")
    calls = tmp_path / "calls.vcf.gz"
    subprocess.run(["bcftools", "sort", "-Oz", "-o", str(calls), str(plain)], check=True)
    subprocess.run(["tabix", "-p", "vcf", str(calls)], check=True)
    gff3, fasta = synthetic / "genes.gff3.gz", synthetic / "genome.fa"
    cache = tmp_path / "cache"
    runs = {}
    layouts = (("whole", None, 1), ("whole3", None, 3), ("fed1", cache, 1), ("fed3", cache, 3))
    for label, cache_dir, threads in layouts:
        out = tmp_path / f"{label}.vcf.gz"
        annotate(calls, out, fasta=fasta, gff3=gff3, threads=threads, cache_dir=cache_dir)
        with gzip.open(out, "rt") as handle:
            lines = handle.read().splitlines()
        runs[label] = [x for x in lines if not x.startswith("#")]
        command = [x for x in lines if x.startswith("##bcftools/csqCommand")]
        assert command and command[0].split("; Date")[0].endswith("-Ov -") == label.startswith(
            "fed"
        )
    # Byte for byte, whatever the shard layout (csq's FORMAT/BCSQ filled in:
    # hurtig.annotation.csq_cache).
    assert runs["fed1"] == runs["whole"] == runs["whole3"] == runs["fed3"]
    annotated = [x for x in runs["whole"] if "BCSQ=" in x]
    assert len(annotated) > 100
    # the deletions reaching into a gene from outside its margin were annotated
    edge = {x.split("\t")[1] for x in _edge_records(synthetic)}
    assert any(x.split("\t")[1] in edge for x in annotated if x.startswith("chr1\t"))


def _gt_only(line: str) -> str:
    fields = line.split("\t")
    return "\t".join([*fields[:8], "GT", fields[9].split(":", 1)[0]])


def test_csq_failing_is_reported_with_its_own_message(tmp_path: Path, synthetic: Path) -> None:
    fasta = tmp_path / "other.fa"
    fasta.write_text(">other\n" + "ACGT" * 50 + "\n")
    subprocess.run(["samtools", "faidx", str(fasta)], check=True)
    with pytest.raises(InputError, match=r"bcftools csq failed: .*not present"):
        annotate(
            synthetic / "calls.vcf.gz", tmp_path / "out.vcf.gz", fasta=fasta,
            gff3=synthetic / "genes.gff3.gz", cache_dir=tmp_path / "cache", threads=2,
        )  # fmt: skip
    assert not list(tmp_path.glob("out.vcf.gz*"))


@pytest.mark.parametrize("fed", [True, False])
def test_an_index_older_than_its_file_is_an_error(
    tmp_path: Path, synthetic: Path, fed: bool
) -> None:
    """A stale index would make the feed read the wrong records: refused, not trusted.

    A BCF, read through bcftools view with the index's regions, fails in bcftools.
    """
    suffix, kind = (".vcf.gz", "z") if fed else (".bcf", "b")
    calls = tmp_path / f"calls{suffix}"
    subprocess.run(
        ["bcftools", "view", f"-O{kind}", "-o", str(calls), str(synthetic / "calls.vcf.gz")],
        check=True,
    )
    subprocess.run(["bcftools", "index", "-t" if fed else "-c", str(calls)], check=True)
    fewer = tmp_path / f"fewer{suffix}"
    subprocess.run(
        ["bcftools", "view", f"-O{kind}", "-o", str(fewer), "-e", "POS % 3 == 0", str(calls)],
        check=True,
    )
    fewer.replace(calls)  # the index stays: it now lists records the file does not hold
    message = r"index (lists|does not)" if fed else r"(index lists|bcftools view failed: .*read)"
    with pytest.raises(InputError, match=message):
        annotate(
            calls, tmp_path / "out.vcf.gz", fasta=synthetic / "genome.fa",
            gff3=synthetic / "genes.gff3.gz", cache_dir=tmp_path / "cache", threads=2,
        )  # fmt: skip
    assert not list(tmp_path.glob("out.vcf.gz*"))


@pytest.mark.parametrize("bad", ["\n", "chr1\n", "chr1\t12\t.\tA\n", "chr1\tx\t.\tA\tC\n"])
def test_a_malformed_record_stops_the_feed_with_its_line(tmp_path: Path, bad: str) -> None:
    """An empty or short line, or a bad POS: one error line, no hang and no skipped record."""
    header = "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=1000>\n#CHROM\tPOS\tID\tREF\tALT\n"
    text = header + "chr1\t5\t.\tA\tC\t.\t.\t.\n" + bad + "chr1\t9\t.\tA\tC\t.\t.\t.\n"
    vcf = _bgzip(text.encode(), tmp_path / "in.vcf.gz")
    sink = tmp_path / "csq_in.txt"
    with open(sink, "wb") as handle:
        feeder = csq_feed.RecordFeeder(str(vcf), ["#CHROM"], None, {}, handle)
        feeder._run()  # in this thread: the error is handed on like a block
    items = list(feeder.blocks.queue)
    assert isinstance(items[-1], InputError) and "malformed record" in str(items[-1])
