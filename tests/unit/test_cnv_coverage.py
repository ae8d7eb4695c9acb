"""Tests for hurtig cnv-coverage: CNVkit's per-bin depth from a tiny CRAM, against CNVkit itself."""

from __future__ import annotations

import math
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from builders import ReadsBuilder, write_bed, write_fasta
from hurtig.errors import InputError, run_cli
from hurtig.sv import cnv_coverage

rng = random.Random(21)
SEQUENCE = "".join(rng.choice("ACGT") for _ in range(3000))
READ = 50
BINS = [("chr1", 0, 500), ("chr1", 500, 1000), ("chr1", 1000, 1700), ("chr1", 2500, 3000)]


def build_cram(tmp_path: Path) -> tuple[Path, Path, int, int]:
    """A CRAM whose bin sums are known: counted reads, a deletion, and reads bedcov leaves out.

    Returns:
        The FASTA, the CRAM, and the expected base sums of the first two bins.
    """
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": SEQUENCE})
    reads = ReadsBuilder(fasta, sample="S1", read_length=READ)
    for i in range(20):  # 20 reads inside bin 1 (1-based 101..)
        reads.add_read("chr1", 101 + 10 * i, strand="+-"[i % 2])
    reads.add_read("chr1", 150, mapq=0)  # counted: cnvkit batch sets no MAPQ floor
    reads.add_read("chr1", 600, deletion=(620, 5))  # 55 reference bases, the deleted 5 counted
    reads.add_read("chr1", 481)  # 481..530: 20 bases in bin 1, 30 in bin 2
    reads.add_read("chr1", 200).is_duplicate = True  # left out, like the others below
    reads.add_read("chr1", 210).is_secondary = True
    reads.add_read("chr1", 220).is_qcfail = True
    cram = reads.to_path(tmp_path / "S1.cram")
    return fasta, cram, 21 * READ + 20, 30 + READ + 5


def write_bins(tmp_path: Path) -> Path:
    """CNVkit's target BED of the bins (gene column ``-``)."""
    return write_bed(tmp_path / "bins.bed", [(*b, "-") for b in BINS])


def test_bin_sums_match_the_read_layout_and_full_decoding(tmp_path: Path) -> None:
    fasta, cram, first, second = build_cram(tmp_path)
    bins = cnv_coverage.read_bins(write_bins(tmp_path))
    counts = cnv_coverage.bedcov(bins, cram, fasta, tmp_path)
    assert counts == [first, second, 0, 0]
    full = subprocess.run(  # what CNVkit runs: every field decoded
        ["samtools", "bedcov", "--reference", str(fasta), str(tmp_path / "bins.bed"), str(cram)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert [int(line.split("\t")[-1]) for line in full.splitlines()] == counts


def test_table_has_depth_log2_and_cnvkit_empty_bins(tmp_path: Path) -> None:
    fasta, cram, first, second = build_cram(tmp_path)
    out = tmp_path / "out" / "S1.targetcoverage.cnn"
    args = ["--bins", str(write_bins(tmp_path)), "--alignments", str(cram), "--fasta", str(fasta)]
    assert run_cli(cnv_coverage.main, [*args, "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "chromosome\tstart\tend\tgene\tdepth\tlog2"
    rows = [line.split("\t") for line in lines[1:]]
    assert [r[:4] for r in rows] == [[c, str(s), str(e), "-"] for c, s, e in BINS]
    assert float(rows[0][4]) == first / 500 and float(rows[0][5]) == math.log2(first / 500)
    assert float(rows[1][4]) == second / 500
    assert rows[2][4:] == ["0.0", "-20.0"] and rows[3][4:] == ["0.0", "-20.0"]
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no leftovers


def test_chunks_side_by_side_give_the_same_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fasta, cram, _, _ = build_cram(tmp_path)
    bins = write_bins(tmp_path)
    one, many = tmp_path / "one.cnn", tmp_path / "many.cnn"
    cnv_coverage.bin_coverage(bins, cram, fasta, one, threads=1)
    monkeypatch.setattr(cnv_coverage, "CHUNK_BINS", 1)
    cnv_coverage.bin_coverage(bins, cram, fasta, many, threads=3)
    assert many.read_bytes() == one.read_bytes()


@pytest.mark.skipif(shutil.which("cnvkit") is None, reason="cnvkit is not installed")
def test_same_values_as_cnvkit_coverage(tmp_path: Path) -> None:
    fasta, cram, _, _ = build_cram(tmp_path)
    bins = write_bins(tmp_path)
    ours, theirs = tmp_path / "ours.cnn", tmp_path / "theirs.cnn"
    cnv_coverage.bin_coverage(bins, cram, fasta, ours, threads=2)
    subprocess.run(
        ["cnvkit", "coverage", str(cram), str(bins), "-f", str(fasta), "-o", str(theirs)],
        capture_output=True, check=True,
    )  # fmt: skip

    def values(path: Path) -> list[list[str]]:
        rows = [line.split("\t") for line in path.read_text().splitlines()[1:]]
        return [r[:4] + [f"{float(x):.6g}" for x in r[4:6]] for r in rows]

    assert values(ours) == values(theirs)


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    fasta, cram, _, _ = build_cram(tmp_path)
    bad = write_bed(tmp_path / "bad.bed", [("chr1", 10, 5)])
    with pytest.raises(InputError, match=r"bad\.bed: line 1: empty or reversed bin"):
        cnv_coverage.read_bins(bad)
    with pytest.raises(InputError, match=r"empty\.bed: no bins"):
        cnv_coverage.read_bins(write_bed(tmp_path / "empty.bed", []))
    unknown = cnv_coverage.read_bins(write_bed(tmp_path / "chr9.bed", [("chr9", 0, 100)]))
    with pytest.raises(InputError, match=r"S1\.cram: samtools bedcov"):
        cnv_coverage.bedcov(unknown, cram, fasta, tmp_path)
    with pytest.raises(InputError, match=r"missing\.cram: samtools bedcov failed"):
        cnv_coverage.bedcov(unknown, tmp_path / "missing.cram", fasta, tmp_path)
