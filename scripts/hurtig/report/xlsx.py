"""The report as a spreadsheet (XLSX) for labs that work in spreadsheets.

Sheets: ``Summary`` (sample, panel, clinical-use verdict with the reasons), ``Variants`` (the
prioritised TSV, same columns in the same order, numbers as numbers), ``Gene coverage`` and
``Exon coverage`` (mosdepth figures at the coverage threshold), ``QC`` (fastp, samtools stats,
mosdepth) and ``Sample checks`` (sex and relatedness, from ``hurtig.qc.sample_checks``).
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hurtig.errors import InputError
from hurtig.qc.sample_checks import load_checks
from hurtig.qc.tool_outputs import (
    combine_fastp,
    parse_coverage,
    parse_fastp,
    parse_mosdepth_summary,
    parse_samtools_stats,
    summarise_genes,
)
from hurtig.report.html import clinical_use, read_tsv

BOLD = Font(bold=True)
NUMERIC = frozenset(
    ("rank", "pos", "depth", "allele_balance", "gnomad_af", "score", "gq", "gnomad_popmax_af",
     "clinvar_stars")
)  # fmt: skip
WARN = PatternFill("solid", fgColor="FDECEA")


def cell_value(text: str) -> int | float | str:
    """A TSV cell as a number when it is one (so spreadsheets sort numerically), else text."""
    if text.lstrip("-").isdigit() and not (text.startswith("0") and len(text) > 1):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return text
    return number if text.strip().lower() not in ("nan", "inf", "-inf", "infinity") else text


def _write(sheet: Worksheet, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = BOLD
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[index - 1])) for r in rows[:200]])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)


def build_workbook(
    sample: str,
    panel: str,
    tsv: Path,
    fastp: Sequence[Path],
    samtools_stats: Path,
    mosdepth_summary: Path,
    coverage_thresholds: Path,
    coverage_regions: Path,
    checks: Path,
    threshold: int = 20,
) -> Workbook:
    """Build the workbook (see the module docstring for the sheets)."""
    rows = read_tsv(tsv)
    with tsv.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle, delimiter="\t"))
    exons = parse_coverage(coverage_thresholds, coverage_regions, threshold)
    genes = summarise_genes(exons)
    totals = combine_fastp([parse_fastp(p) for p in fastp])
    stats = parse_samtools_stats(samtools_stats)
    depth = parse_mosdepth_summary(mosdepth_summary)
    check_data = load_checks(checks)
    verdict = clinical_use(check_data, sample)

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    status = "for clinical use (sample checks passed)" if verdict.usable else "NOT FOR CLINICAL USE"
    _write(
        summary,
        ["item", "value"],
        [
            ["sample", sample],
            ["panel", panel],
            ["status", status],
            *(["failed check: " + c, r] for c, r in verdict.failures),
            *(["overridden check: " + c, r] for c, r in verdict.overridden),
            *([["override reason", verdict.override_reason]] if verdict.overridden else []),
            ["inferred sex", verdict.sex_reason],
            ["variants", len(rows)],
            ["coverage threshold", threshold],
        ],
    )
    if not verdict.usable:
        for cell in summary[4]:
            cell.font, cell.fill = BOLD, WARN

    _write(
        book.create_sheet("Variants"),
        header,
        [
            [
                cell_value(row.get(column, "")) if column in NUMERIC else row.get(column, "")
                for column in header
            ]
            for row in rows
        ],
    )
    _write(
        book.create_sheet("Gene coverage"),
        [
            "gene",
            "transcript",
            "exons",
            "bases",
            f"fraction_ge_{threshold}x",
            "mean_depth",
            "exons_not_fully_covered",
        ],
        [
            [
                g.gene,
                g.transcript,
                g.exons,
                g.length,
                round(g.fraction_at_threshold, 6),
                round(g.mean_depth, 4),
                g.low_exons,
            ]
            for g in genes
        ],
    )
    _write(
        book.create_sheet("Exon coverage"),
        [
            "gene",
            "transcript",
            "exon",
            "chrom",
            "start",
            "end",
            "length",
            f"bases_ge_{threshold}x",
            f"fraction_ge_{threshold}x",
            "mean_depth",
        ],
        [
            [
                e.gene,
                e.transcript,
                e.exon,
                e.chrom,
                e.start,
                e.end,
                e.length,
                e.bases_at_threshold,
                round(e.fraction_at_threshold, 6),
                e.mean_depth,
            ]
            for e in exons
        ],
    )
    _write(
        book.create_sheet("QC"),
        ["metric", "value", "source"],
        [
            ["reads before filtering", totals.reads_before, "fastp"],
            ["reads after filtering", totals.reads_after, "fastp"],
            ["q30 rate before", totals.q30_rate_before, "fastp"],
            ["q30 rate after", totals.q30_rate_after, "fastp"],
            ["duplication rate (estimate)", totals.duplication_rate, "fastp"],
            ["raw total sequences", stats.raw_total_sequences, "samtools stats"],
            ["reads mapped", stats.reads_mapped, "samtools stats"],
            ["mapping rate", stats.mapping_rate, "samtools stats"],
            ["reads duplicated", stats.reads_duplicated, "samtools stats"],
            ["duplication rate", stats.duplication_rate, "samtools stats"],
            ["insert size average", stats.insert_size_average, "samtools stats"],
            ["error rate", stats.error_rate, "samtools stats"],
            ["mean coverage (genome)", depth.total_mean, "mosdepth"],
            ["mean coverage (callable genome)", depth.region_mean, "mosdepth"],
        ],
    )
    _write(
        book.create_sheet("Sample checks"),
        ["check", "status", "detail"],
        [list(row) for row in verdict.rows],
    )
    return book


def save_atomic(book: Workbook, out: Path) -> None:
    """Save a workbook to a temporary file in the same folder (mode 0600), then rename."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:
        book.save(name)
        os.replace(name, out)
    finally:
        Path(name).unlink(missing_ok=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        prog="hurtig write-xlsx", description="Write the report spreadsheet (XLSX)."
    )
    parser.add_argument("--sample", required=True)
    parser.add_argument("--panel", required=True)
    parser.add_argument("--tsv", required=True, type=Path, help="prioritised variants TSV")
    parser.add_argument("--fastp", required=True, nargs="+", type=Path)
    parser.add_argument("--samtools-stats", required=True, type=Path)
    parser.add_argument("--mosdepth-summary", required=True, type=Path)
    parser.add_argument("--coverage-thresholds", required=True, type=Path)
    parser.add_argument("--coverage-regions", required=True, type=Path)
    parser.add_argument("--checks", required=True, type=Path, help="hurtig.qc.sample_checks JSON")
    parser.add_argument("--coverage-threshold", type=int, default=20)
    parser.add_argument("--out", required=True, type=Path, help="output .xlsx")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    args = parse_args(argv)
    if args.out.suffix != ".xlsx":
        raise InputError(f"{args.out}: the output must end in .xlsx")
    book = build_workbook(
        args.sample,
        args.panel,
        args.tsv,
        args.fastp,
        args.samtools_stats,
        args.mosdepth_summary,
        args.coverage_thresholds,
        args.coverage_regions,
        args.checks,
        args.coverage_threshold,
    )
    save_atomic(book, args.out)
    return 0
