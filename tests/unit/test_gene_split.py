"""The gene model cut by sequence (hurtig.annotation.gene_split) and shards reading their cut.

Each shard's ``bcftools csq`` reads only the comment lines and its own contigs' features; the
annotated output must be the same as when every shard reads the whole gene model (real bcftools
on a two-contig synthetic genome from perf/annotation/synth.py), and the same as one shard for
everything (csq's run-dependent ``FORMAT/BCSQ`` is filled in: hurtig.annotation.csq_cache).
"""

from __future__ import annotations

import gzip
import json
import random
import subprocess
from pathlib import Path

import pytest

from builders.annotation import synthetic_annotation_set
from hurtig.annotation import prepared_cache
from hurtig.annotation.engine import annotate
from hurtig.annotation.gene_split import gene_model_parts, name_runs
from hurtig.errors import InputError

REPO = Path(__file__).resolve().parents[2]


def _reference_runs(block: bytes) -> list[tuple[int, int, bytes]]:
    runs: list[tuple[int, int, bytes]] = []
    at = 0
    for line in block.splitlines(keepends=True):
        name = b"#" if line.startswith(b"#") else line.rstrip(b"\n").split(b"\t", 1)[0]
        if runs and runs[-1][2] == name:
            runs[-1] = (runs[-1][0], at + len(line), name)
        else:
            runs.append((at, at + len(line), name))
        at += len(line)
    return runs


@pytest.mark.parametrize("seed", range(6))
def test_name_runs_match_plain_python(seed: int) -> None:
    rng = random.Random(seed)
    names = ["chr1", "chr2", "c", "x" * 70, "x" * 71, "KI270728.1", ""]
    lines = []
    for _ in range(rng.randint(1, 300)):
        kind = rng.random()
        if kind < 0.1:
            lines.append(rng.choice(["##gff-version 3", "###", "#c"]))
        elif kind < 0.15:
            lines.append(rng.choice(names))  # no tab at all
        else:
            lines.append(
                f"{rng.choice(names)}\tsrc\tgene\t{rng.randint(1, 99)}\t100\t.\t+\t.\tID=g"
            )
        if rng.random() < 0.8 and len(lines) > 1:  # runs: repeat the previous line
            lines.append(lines[-2])
    block = ("\n".join(lines) + "\n").encode()
    assert name_runs(block) == _reference_runs(block)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-contig synthetic genome, gene model and calls (perf/annotation/synth.py)."""
    return synthetic_annotation_set(tmp_path_factory.mktemp("synth"), 3000, 3)


def _lines(path: Path) -> list[bytes]:
    with gzip.open(path, "rb") as handle:
        return handle.read().splitlines()


def test_cut_holds_every_line_once(tmp_path: Path, synthetic: Path) -> None:
    gff3 = str(synthetic / "genes.gff3.gz")
    parts = gene_model_parts(gff3, tmp_path)
    assert parts is not None
    contigs = [c for c in parts.files if c != "#"]
    assert sorted(contigs) == ["chr1", "chr2"]
    cut = b"".join(Path(p).read_bytes() for p in parts.files_for(contigs)).splitlines()
    assert sorted(cut) == sorted(_lines(synthetic / "genes.gff3.gz"))
    one = parts.files_for(["chr2", "chrX"])
    assert [Path(p).name for p in one] == ["common.gff3", parts.files["chr2"]]
    kept = b"".join(Path(p).read_bytes() for p in one).splitlines()
    assert all(line.startswith((b"#", b"chr2\t")) for line in kept)
    # Built once: a second call reuses the folder; a missing file gets it rebuilt.
    stamp = (parts.folder / "parts.json").stat().st_mtime_ns
    again = gene_model_parts(gff3, tmp_path)
    assert again is not None and (again.folder / "parts.json").stat().st_mtime_ns == stamp
    Path(one[1]).unlink()
    rebuilt = gene_model_parts(gff3, tmp_path)
    assert rebuilt is not None and Path(rebuilt.files_for(["chr2"])[1]).is_file()


def _body_and_header(path: Path) -> tuple[list[bytes], list[bytes]]:
    lines = _lines(path)
    header = [h.split(b"; Date=")[0] for h in lines if h.startswith(b"#")]
    return [x for x in lines if not x.startswith(b"#")], header


def test_shards_reading_their_cut_annotate_the_same(tmp_path: Path, synthetic: Path) -> None:
    gff3, fasta = synthetic / "genes.gff3.gz", synthetic / "genome.fa"
    calls = synthetic / "calls.vcf.gz"
    cache = tmp_path / "cache"
    outs = {}
    for label, cache_dir, threads in (("whole", None, 2), ("cut", cache, 2), ("one", None, 1)):
        out = tmp_path / f"{label}.vcf.gz"
        annotate(calls, out, fasta=fasta, gff3=gff3, threads=threads, cache_dir=cache_dir)
        outs[label] = _body_and_header(out)
    assert list((cache / "gene_model").iterdir()), "the cut was not made"
    body, header = outs["cut"]
    assert body == outs["whole"][0] == outs["one"][0]
    assert sum(b"BCSQ=" in line for line in body) > 100
    # csq's command line in the header names the gene model, not the pipe it read; with the
    # cut it read the records near genes from stdin (hurtig.annotation.csq_feed): "-Ov -".
    command = b"##bcftools/csqCommand"
    assert [h for h in header if not h.startswith(command)] == [
        h for h in outs["whole"][1] if not h.startswith(command)
    ]
    (line,) = [h for h in header if h.startswith(command)]
    assert str(gff3).encode() in line and line.endswith(b" -Ov -")
    # The output index answers queries on both contigs.
    for contig in (b"chr1", b"chr2"):
        region = subprocess.run(
            ["tabix", str(tmp_path / "cut.vcf.gz"), contig.decode()],
            capture_output=True,
            check=True,
        ).stdout.splitlines()
        assert region == [line for line in body if line.startswith(contig + b"\t")]


def test_many_sequences_interleaved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More sequences than open files, each in two runs: every part keeps its lines in order."""
    monkeypatch.setattr("hurtig.annotation.gene_split._OPEN_FILES", 3)
    lines = ["##gff-version 3"]
    for rnd in range(2):
        lines += [f"s{i}\tsrc\tgene\t{rnd + 1}\t9\t.\t+\t.\tID=g{i}_{rnd}" for i in range(10)]
    gff3 = tmp_path / "genes.gff3"
    gff3.write_text("\n".join(lines))  # no final newline
    parts = gene_model_parts(str(gff3), tmp_path / "cache")
    assert parts is not None
    for i in range(10):
        text = Path(parts.files_for([f"s{i}"])[1]).read_text()
        want = [f"s{i}\tsrc\tgene\t{r + 1}\t9\t.\t+\t.\tID=g{i}_{r}\n" for r in range(2)]
        assert text == "".join(want)
    assert Path(parts.files_for([])[0]).read_text() == "##gff-version 3\n"


def test_one_job_for_one_contig_reads_only_its_genes(tmp_path: Path, synthetic: Path) -> None:
    """A pipeline shard (one job, records on one contig) with the cut prepared by prepare-source.

    Same body and header as with the whole gene model, and csq read only that contig's part.
    """
    gff3, fasta = synthetic / "genes.gff3.gz", synthetic / "genome.fa"
    shard = tmp_path / "shard.bcf"
    calls = str(synthetic / "calls.vcf.gz")
    subprocess.run(["bcftools", "view", "-r", "chr2", "-Ob", "-o", str(shard), calls], check=True)
    subprocess.run(["bcftools", "index", str(shard)], check=True)
    cache = tmp_path / "cache"
    note = tmp_path / "gene_model.json"
    assert prepared_cache.main(
        ["--out", str(cache), "--gff3", str(gff3), "--only", "gene_model", "--done", str(note)]
    ) == 0  # fmt: skip
    (entry,) = json.loads(note.read_text())
    assert entry["source"] == "gene_model" and entry["sequences"] == 2
    # csq reads a cut file through a pipe: make chr1's part unreadable garbage to prove that a
    # chr2 shard never reads it (a whole-model csq would fail on it)
    parts = gene_model_parts(str(gff3), cache)
    assert parts is not None
    Path(parts.files_for(["chr1"])[1]).write_text("chr1\tbroken line\n")
    outs = {}
    for label, cache_dir in (("whole", None), ("cut", cache)):
        out = tmp_path / f"{label}.vcf.gz"
        annotate(shard, out, fasta=fasta, gff3=gff3, threads=1, cache_dir=cache_dir)
        outs[label] = _body_and_header(out)
    assert outs["cut"][0] == outs["whole"][0]
    command = b"##bcftools/csqCommand"  # the cut BCF shard is fed through a pipe: "-Ov -"
    assert [h for h in outs["cut"][1] if not h.startswith(command)] == [
        h for h in outs["whole"][1] if not h.startswith(command)
    ]
    assert next(h for h in outs["cut"][1] if h.startswith(command)).endswith(b"-Ov -")
    assert sum(b"BCSQ=" in line for line in outs["cut"][0]) > 20
    # and it did read the cut: with chr2's part emptied, no consequences
    Path(parts.files_for(["chr2"])[1]).write_text("")
    annotate(shard, tmp_path / "empty.vcf.gz", fasta=fasta, gff3=gff3, cache_dir=cache)
    assert not any(b"BCSQ=" in line for line in _body_and_header(tmp_path / "empty.vcf.gz")[0])


def test_prepare_source_refuses_a_missing_gene_model(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="gene model not found"):
        prepared_cache.main(["--out", str(tmp_path), "--gff3", str(tmp_path / "no.gff3")])
