"""The report as a spreadsheet (XLSX) for labs that work in spreadsheets: the report model's sheets.

Sheets: ``Summary`` (sample, panel, the sample checks' verdict and the panel verdict with their
reasons, in the HTML's words), ``Variants`` (the
prioritised TSV, same columns in the same order, numbers as numbers), ``Gene coverage`` and
``Exon coverage`` (mosdepth figures at the coverage threshold), ``QC`` (fastp, samtools stats,
mosdepth) and ``Sample checks`` (each check's verdict -- passed, failed or not assessable -- then
every sample, pair and trio, from ``hurtig check-family``); then one
sheet per table section of the model (:mod:`hurtig.report.sections`).
"""

from __future__ import annotations

import argparse
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
from hurtig.report.clinical_use import DISCLAIMER, PASSED, ClinicalUse
from hurtig.report.model import ReportInputs, ReportModel, ReportOptions
from hurtig.report.qc_verdict import PASS, Thresholds
from hurtig.report.sections import report_model

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


def _summary_rows(model: ReportModel) -> list[list[Any]]:
    checks, panel = model.clinical_use, model.verdict
    return [
        ["sample", model.sample],
        ["panel", model.panel.id],
        ["status", checks.headline],
        *(["failed check: " + c, r] for c, r in checks.failures),
        *(["not assessable check: " + c, r] for c, r in checks.not_assessable),
        ["not assessable policy", _policy(checks)],
        *(["overridden check: " + c, r] for c, r in checks.overridden),
        *([["override reason", checks.override_reason]] if checks.overridden else []),
        ["panel verdict", panel.status],
        *(["not examined", line] for line in panel.incomplete),
        *(["failed QC", reason] for reason in panel.qc.reasons),
        *(["not assessed: " + m.gene, f"{m.mechanism}: {m.locus}"] for m in model.scope.genes),
        ["note", DISCLAIMER],
        ["inferred sex", checks.sex_reason],
        ["variants", len(model.variants)],
        ["coverage threshold", model.coverage.threshold],
    ]


def _policy(checks: ClinicalUse) -> str:
    """The not-assessable policy in the HTML's words."""
    if checks.not_assessable_blocks:
        return "a not-assessable check blocks the report (report.not_assessable_blocks: true)"
    return "a not-assessable check does not block the report (report.not_assessable_blocks: false)"


def _summary_sheet(book: Workbook, model: ReportModel) -> None:
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    rows = _summary_rows(model)
    _write(summary, ["item", "value"], rows)
    for number, (item, value) in enumerate(rows, start=2):
        flagged = (item == "status" and model.clinical_use.identity != PASSED) or (
            item == "panel verdict" and value != PASS
        )
        if flagged:
            for cell in summary[number]:
                cell.font, cell.fill = BOLD, WARN


def _coverage_sheets(book: Workbook, model: ReportModel) -> None:
    threshold = model.coverage.threshold
    _write(
        book.create_sheet("Gene coverage"),
        ["gene", "transcript", "exons", "bases", f"fraction_ge_{threshold}x", "mean_depth",
         "exons_not_fully_covered"],
        [
            [g.gene, g.transcript, g.exons, g.length, round(g.fraction_at_threshold, 6),
             round(g.mean_depth, 4), g.low_exons]
            for g in model.coverage.genes
        ],
    )  # fmt: skip
    _write(
        book.create_sheet("Exon coverage"),
        ["gene", "transcript", "exon", "chrom", "start", "end", "length",
         f"bases_ge_{threshold}x", f"fraction_ge_{threshold}x", "mean_depth"],
        [
            [e.gene, e.transcript, e.exon, e.chrom, e.start, e.end, e.length,
             e.bases_at_threshold, round(e.fraction_at_threshold, 6), e.mean_depth]
            for e in model.coverage.exons
        ],
    )  # fmt: skip


def _qc_rows(model: ReportModel) -> list[list[Any]]:
    totals, stats, depth = model.qc.fastp, model.qc.samtools, model.qc.mosdepth
    rows: list[list[Any]] = [
        ["reads before filtering", totals.reads_before, "fastp"],
        ["reads after filtering", totals.reads_after, "fastp"],
        ["q30 rate before", totals.q30_rate_before, "fastp"],
        ["q30 rate after", totals.q30_rate_after, "fastp"],
        ["duplication rate (estimate)", totals.duplication_rate, "fastp"],
    ]
    if stats is None or depth is None:
        return [*rows, ["alignment and genome coverage", "not done yet", "preliminary report"]]
    return [
        *rows,
        ["raw total sequences", stats.raw_total_sequences, "samtools stats"],
        ["reads mapped", stats.reads_mapped, "samtools stats"],
        ["mapping rate", stats.mapping_rate, "samtools stats"],
        ["reads duplicated", stats.reads_duplicated, "samtools stats"],
        ["duplication rate", stats.duplication_rate, "samtools stats"],
        ["insert size average", stats.insert_size_average, "samtools stats"],
        ["error rate", stats.error_rate, "samtools stats"],
        ["mean coverage (genome)", depth.total_mean, "mosdepth"],
        ["mean coverage (callable genome)", depth.region_mean, "mosdepth"],
    ]


def build_workbook(model: ReportModel) -> Workbook:
    """The workbook of a report model (see the module docstring for the sheets)."""
    book = Workbook()
    _summary_sheet(book, model)
    columns = model.columns
    _write(
        book.create_sheet("Variants"),
        columns,
        [
            [cell_value(v.row.get(c, "")) if c in NUMERIC else v.row.get(c, "") for c in columns]
            for v in model.variants
        ],
    )
    _coverage_sheets(book, model)
    _write(book.create_sheet("QC"), ["metric", "value", "source"], _qc_rows(model))
    _write(
        book.create_sheet("Sample checks"),
        ["check", "status", "detail"],
        [
            *(["verdict: " + c, v, r] for c, v, r in model.clinical_use.verdicts),
            *(list(row) for row in model.clinical_use.rows),
        ],
    )
    for section in model.sections:
        if section.columns:
            _write(book.create_sheet(section.sheet_title), section.columns, section.rows)
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
    parser.add_argument(
        "--json", required=True, type=Path, help="prioritised variants JSON (the panel, settings)"
    )
    parser.add_argument("--fastp", required=True, nargs="+", type=Path)
    parser.add_argument("--samtools-stats", required=True, type=Path)
    parser.add_argument("--mosdepth-summary", required=True, type=Path)
    parser.add_argument("--coverage-thresholds", required=True, type=Path)
    parser.add_argument("--coverage-regions", required=True, type=Path)
    parser.add_argument("--checks", required=True, type=Path, help="hurtig check-family JSON")
    parser.add_argument("--coverage-threshold", type=int, default=20)
    parser.add_argument(
        "--read-views", type=Path, help="read views JSON (hurtig read-views): 'Read counts' sheet"
    )
    parser.add_argument("--out", required=True, type=Path, help="output .xlsx")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    args = parse_args(argv)
    if args.out.suffix != ".xlsx":
        raise InputError(f"{args.out}: the output must end in .xlsx")
    inputs = ReportInputs(
        tsv=args.tsv,
        json=args.json,
        fastp=tuple(args.fastp),
        samtools_stats=args.samtools_stats,
        mosdepth_summary=args.mosdepth_summary,
        coverage_thresholds=args.coverage_thresholds,
        coverage_regions=args.coverage_regions,
        provenance=None,
        checks=args.checks,
        read_views=args.read_views,
    )
    options = ReportOptions(
        thresholds=Thresholds(depth=args.coverage_threshold), sample=args.sample, panel=args.panel
    )
    book = build_workbook(report_model(inputs, options))
    save_atomic(book, args.out)
    return 0
