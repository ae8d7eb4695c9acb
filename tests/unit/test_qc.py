"""Tests for hurtig.qc.tool_outputs: fastp, samtools stats and mosdepth parsers."""

from __future__ import annotations

import dataclasses
import gzip
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hurtig.errors import InputError
from hurtig.qc import tool_outputs as qc

needs_fastp = pytest.mark.skipif(shutil.which("fastp") is None, reason="fastp not installed")
needs_samtools = pytest.mark.skipif(
    shutil.which("samtools") is None, reason="samtools not installed"
)


def fastp_json(
    path: Path, reads: int, bases: int, q30: float, dup: float | None, peak: int | None = None
) -> Path:
    block = {"total_reads": reads, "total_bases": bases, "q30_rate": q30, "q20_rate": 1.0}
    data: dict[str, Any] = {
        "summary": {
            "fastp_version": "0.23.2",
            "sequencing": "paired end (50 cycles + 50 cycles)",
            "before_filtering": block,
            "after_filtering": {**block, "total_reads": reads - 2, "total_bases": bases - 100},
        }
    }
    if dup is not None:
        data["duplication"] = {"rate": dup}
    if peak is not None:
        data["insert_size"] = {"peak": peak}
    path.write_text(json.dumps(data))
    return path


@needs_fastp
def test_parse_real_fastp(tmp_path: Path) -> None:
    seq = "ACGTTGCAAGGCTTACCGATCGATCGGATCCATGCAAGTCAGGT"
    for mate in (1, 2):
        with (tmp_path / f"r{mate}.fq").open("w") as handle:
            for i in range(10):
                handle.write(f"@read{i}/{mate}\n{seq}\n+\n{'I' * 30}{'#' * 14}\n")
    out = tmp_path / "fastp.json"
    subprocess.run(
        ["fastp", "-i", tmp_path / "r1.fq", "-I", tmp_path / "r2.fq", "-o", tmp_path / "o1.fq",
         "-O", tmp_path / "o2.fq", "-j", out, "-h", tmp_path / "f.html", "-w", "1"],
        check=True, capture_output=True,
    )  # fmt: skip
    report = qc.parse_fastp(out)
    assert report.reads_before == 20
    assert report.bases_before == 20 * len(seq)
    assert report.q30_rate_before == pytest.approx(30 / 44, abs=0.01)
    assert report.duplication_rate is not None
    assert report.insert_size_peak is not None
    assert report.version
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.reads_before = 1  # type: ignore[misc]


def test_parse_fastp_single_end_and_combine(tmp_path: Path) -> None:
    a = qc.parse_fastp(fastp_json(tmp_path / "a.json", 100, 10000, 0.9, 0.1, peak=300))
    b = qc.parse_fastp(fastp_json(tmp_path / "b.json", 300, 30000, 0.8, None))
    assert a.insert_size_peak == 300 and a.duplication_rate == 0.1
    assert b.insert_size_peak is None and b.duplication_rate is None
    assert a.pass_rate == pytest.approx(0.98)
    total = qc.combine_fastp([a, b])
    assert total.units == 2
    assert total.reads_before == 400 and total.reads_after == 396
    assert total.q30_rate_before == pytest.approx((0.9 * 10000 + 0.8 * 30000) / 40000)
    assert total.duplication_rate == pytest.approx(0.1)  # only units that report it
    empty = qc.combine_fastp([])
    assert empty.q30_rate_before is None and empty.duplication_rate is None


def test_parse_fastp_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.json: cannot read"):
        qc.parse_fastp(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        qc.parse_fastp(bad)
    bad.write_text('{"summary": {}}')
    with pytest.raises(InputError, match="not a fastp JSON report"):
        qc.parse_fastp(bad)


SAM = (
    "@SQ\tSN:chr1\tLN:1000\n"
    "r1\t99\tchr1\t100\t60\t10M\t=\t200\t110\tACGTACGTAC\tIIIIIIIIII\tNM:i:1\n"
    "r1\t147\tchr1\t200\t60\t10M\t=\t100\t-110\tACGTACGTAC\tIIIIIIIIII\tNM:i:0\n"
    "r2\t1107\tchr1\t100\t60\t10M\t=\t200\t110\tACGTACGTAC\tIIIIIIIIII\tNM:i:0\n"
    "r2\t1187\tchr1\t200\t60\t10M\t=\t100\t-110\tACGTACGTAC\tIIIIIIIIII\tNM:i:0\n"
    "r3\t77\t*\t0\t0\t*\t*\t0\t0\tACGTACGTAC\tIIIIIIIIII\n"
    "r3\t141\t*\t0\t0\t*\t*\t0\t0\tACGTACGTAC\tIIIIIIIIII\n"
)


@needs_samtools
def test_parse_real_samtools_stats(tmp_path: Path) -> None:
    sam = tmp_path / "tiny.sam"
    sam.write_text(SAM)
    out = tmp_path / "stats.txt"
    out.write_text(
        subprocess.run(
            ["samtools", "stats", str(sam)], check=True, capture_output=True, text=True
        ).stdout
    )
    stats = qc.parse_samtools_stats(out)
    assert stats.raw_total_sequences == 6
    assert stats.reads_mapped == 4
    assert stats.reads_duplicated == 2
    assert stats.bases_mapped == 40
    assert stats.insert_size_average == pytest.approx(110.0)
    assert stats.error_rate == pytest.approx(1 / 40)
    assert stats.mapping_rate == pytest.approx(4 / 6)
    assert stats.duplication_rate == pytest.approx(0.5)


def test_samtools_stats_errors(tmp_path: Path) -> None:
    bad = tmp_path / "stats.txt"
    bad.write_text("# nothing\nSN\treads mapped:\t4\n")
    with pytest.raises(InputError, match="no SN raw total sequences"):
        qc.parse_samtools_stats(bad)
    bad.write_text(
        "SN\traw total sequences:\tmany\nSN\treads mapped:\t4\nSN\treads duplicated:\t0\n"
        "SN\tinsert size average:\t1\nSN\terror rate:\t0\nSN\tbases mapped:\t1\n"
    )
    with pytest.raises(InputError, match="not a number"):
        qc.parse_samtools_stats(bad)
    zero = qc.SamtoolsStats(0, 0, 0, 0.0, 0.0, 0)
    assert zero.mapping_rate is None and zero.duplication_rate is None


def test_parse_mosdepth_summary(tmp_path: Path) -> None:
    path = tmp_path / "S.mosdepth.summary.txt"
    path.write_text(
        "chrom\tlength\tbases\tmean\tmin\tmax\nchr1\t1000\t30000\t30.00\t0\t50\n"
        "total\t1000\t30000\t30.00\t0\t50\ntotal_region\t100\t2500\t25.00\t0\t50\n"
    )
    summary = qc.parse_mosdepth_summary(path)
    assert summary == qc.MosdepthSummary(total_mean=30.0, total_length=1000, region_mean=25.0)
    path.write_text("chrom\tlength\tbases\tmean\tmin\tmax\nchr1\t1000\t30000\t30.00\t0\t50\n")
    with pytest.raises(InputError, match="no 'total' row"):
        qc.parse_mosdepth_summary(path)
    path.write_text("garbage\n")
    with pytest.raises(InputError, match="not a mosdepth summary"):
        qc.parse_mosdepth_summary(path)


def write_coverage(
    tmp_path: Path, rows: list[tuple[str, int, int, str, float, int]], column: str = "20X"
) -> tuple[Path, Path]:
    thresholds = tmp_path / "c.thresholds.bed.gz"
    regions = tmp_path / "c.regions.bed.gz"
    with gzip.open(thresholds, "wt") as t, gzip.open(regions, "wt") as r:
        t.write(f"#chrom\tstart\tend\tregion\t{column}\n")
        for chrom, start, end, name, depth, bases in rows:
            t.write(f"{chrom}\t{start}\t{end}\t{name}\t{bases}\n")
            r.write(f"{chrom}\t{start}\t{end}\t{name}\t{depth}\n")
    return thresholds, regions


ROWS = [
    ("chr1", 0, 100, "AAA|ENST1|exon1", 40.0, 100),
    ("chr1", 200, 250, "AAA|ENST1|exon2", 10.0, 10),
    ("chr2", 0, 50, "BBB|ENST2|exon1", 30.0, 50),
]


def test_parse_coverage_and_summaries(tmp_path: Path) -> None:
    exons = qc.parse_coverage(*write_coverage(tmp_path, ROWS))
    assert [e.name for e in exons] == [r[3] for r in ROWS]
    low = exons[1]
    assert (low.gene, low.transcript, low.exon) == ("AAA", "ENST1", "exon2")
    assert low.length == 50 and low.bases_below_threshold == 40
    assert low.fraction_at_threshold == pytest.approx(0.2)
    genes = qc.summarise_genes(exons)
    assert [g.gene for g in genes] == ["AAA", "BBB"]
    aaa = genes[0]
    assert aaa.exons == 2 and aaa.length == 150 and aaa.low_exons == 1
    assert aaa.fraction_at_threshold == pytest.approx(110 / 150)
    assert aaa.mean_depth == pytest.approx((40 * 100 + 10 * 50) / 150)
    assert qc.panel_fraction_at_threshold(exons) == pytest.approx(160 / 200)
    assert qc.panel_mean_depth(exons) == pytest.approx((4000 + 500 + 1500) / 200)
    assert qc.panel_fraction_at_threshold([]) is None


def test_parse_coverage_errors(tmp_path: Path) -> None:
    thresholds, regions = write_coverage(tmp_path, ROWS, column="10X")
    with pytest.raises(InputError, match="no 20X column"):
        qc.parse_coverage(thresholds, regions, 20)
    assert len(qc.parse_coverage(thresholds, regions, 10)) == 3
    thresholds, regions = write_coverage(tmp_path, ROWS)
    with gzip.open(regions, "wt") as handle:
        handle.write("chr1\t0\t100\tAAA|ENST1|exon1\t40.0\n")
    with pytest.raises(InputError, match="regions differ"):
        qc.parse_coverage(thresholds, regions)
    regions.write_bytes(b"not gzip")
    with pytest.raises(InputError, match=r"c\.regions\.bed\.gz"):
        qc.parse_coverage(thresholds, regions)


@needs_samtools
@pytest.mark.skipif(shutil.which("mosdepth") is None, reason="mosdepth not installed")
def test_real_mosdepth_outputs(tmp_path: Path) -> None:
    sam = tmp_path / "tiny.sam"
    sam.write_text(SAM)
    bam = tmp_path / "tiny.bam"
    subprocess.run(["samtools", "sort", "-o", bam, sam], check=True, capture_output=True)
    subprocess.run(["samtools", "index", bam], check=True, capture_output=True)
    bed = tmp_path / "panel.bed"
    bed.write_text(
        "chr1\t95\t115\tGENE|ENST9|exon1\t0\t+\nchr1\t195\t215\tGENE|ENST9|exon2\t0\t+\n"
    )
    prefix = tmp_path / "S"
    subprocess.run(
        ["mosdepth", "--by", bed, "--thresholds", "1,20", prefix, bam],
        check=True, capture_output=True,
    )  # fmt: skip
    summary = qc.parse_mosdepth_summary(Path(f"{prefix}.mosdepth.summary.txt"))
    assert summary.region_mean is not None and summary.total_mean > 0
    exons = qc.parse_coverage(
        Path(f"{prefix}.thresholds.bed.gz"), Path(f"{prefix}.regions.bed.gz"), 1
    )
    assert [e.exon for e in exons] == ["exon1", "exon2"]
    assert all(e.bases_at_threshold == 10 for e in exons)  # 10 bp read, 20 bp region
    exons20 = qc.parse_coverage(
        Path(f"{prefix}.thresholds.bed.gz"), Path(f"{prefix}.regions.bed.gz"), 20
    )
    assert all(e.bases_at_threshold == 0 for e in exons20)
