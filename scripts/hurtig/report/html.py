"""Clinical HTML report for one sample × one panel: the report model rendered with jinja.

ONE self-contained HTML file: all CSS and JavaScript inline, nothing loaded from the network
(links out to gnomAD, ClinVar and UCSC are plain `<a>` links). The output is deterministic except
for the creation timestamp, which honours `SOURCE_DATE_EPOCH`. The content comes from
:mod:`hurtig.report.model`; the body is the model's sections (:mod:`hurtig.report.sections`).
"""

from __future__ import annotations

import argparse
import importlib.resources
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from hurtig.errors import InputError
from hurtig.io.files import write_text_atomic
from hurtig.report.clinical_use import DISCLAIMER
from hurtig.report.formatting import FILTERS
from hurtig.report.model import ReportInputs, ReportModel, ReportOptions
from hurtig.report.qc_verdict import Thresholds
from hurtig.report.read_view_section import FILTERS as READ_VIEW_FILTERS
from hurtig.report.read_view_section import GLOBALS as READ_VIEW_GLOBALS
from hurtig.report.sections import report_model
from hurtig.run.genome_build import BUILDS

TEMPLATES = importlib.resources.files("hurtig.report") / "templates"


def make_environment() -> jinja2.Environment:
    """The jinja2 environment (autoescape on, undefined variables are errors)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("hurtig.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    env.filters.update(READ_VIEW_FILTERS)
    env.globals.update(READ_VIEW_GLOBALS)
    return env


def template_context(model: ReportModel) -> dict[str, Any]:
    """The names the templates use; ``model`` itself is there too (for new sections)."""
    if model.provenance is None:
        raise InputError("the HTML report needs the provenance record (--provenance)")
    coverage, qc, provenance = model.coverage, model.qc, model.provenance
    return {
        "model": model,
        "sections": model.sections,
        "sample": model.sample,
        "family": model.family,
        "sex": model.sex,
        "checks": model.clinical_use,
        "affected": model.affected,
        "panel": model.panel,
        "panel_genes": model.panel.genes,
        "missing_genes": model.panel.missing_genes,
        "uncovered_genes": model.panel.uncovered_genes,
        "inheritance": model.panel.inheritance,
        "settings": model.settings,
        "variants": model.variants,
        "fastp_units": qc.fastp_units,
        "fastp": qc.fastp,
        "samtools": qc.samtools,
        "mosdepth": qc.mosdepth,
        "verdict": model.verdict,
        "disclaimer": DISCLAIMER,
        "exons": coverage.exons,
        "genes": coverage.genes,
        "low_exons": coverage.low_exons,
        "panel_fraction": coverage.fraction_at_threshold,
        "panel_mean": coverage.mean_depth,
        "panel_bases": coverage.bases,
        "thresholds": model.thresholds,
        "provenance": provenance,
        "pipeline": provenance.pipeline,
        "tools": provenance.tools,
        "prov_inputs": provenance.inputs,
        "report_inputs": model.report_inputs,
        "build": model.build,
        "created": model.created,
        "report_version": model.report_version,
    }


def render_html(model: ReportModel) -> str:
    """The complete self-contained HTML document of a report model."""
    template = make_environment().get_template("template.html.j2")
    return template.render(
        css=Markup((TEMPLATES / "report.css").read_text(encoding="utf-8")),
        js=Markup((TEMPLATES / "report.js").read_text(encoding="utf-8")),
        **template_context(model),
    )


def render_report(
    inputs: ReportInputs,
    thresholds: Thresholds | None = None,
    build: str = "GRCh38",
    sex: str | None = None,
    preliminary: bool = False,
) -> str:
    """Build the report model from its inputs and render it.

    Args:
        inputs: input file paths.
        thresholds: QC thresholds (depth used for coverage, verdict limits; default
            :class:`~hurtig.report.qc_verdict.Thresholds`).
        build: genome build for the outgoing links (GRCh38 or GRCh37).
        sex: sample sex, used when the prioritisation JSON has no `sex` key.
        preliminary: a preliminary report of the panel fast path (no genome-wide QC yet).

    Returns:
        The complete self-contained HTML document.

    Raises:
        InputError: any input is missing or malformed.
    """
    options = ReportOptions(
        thresholds=thresholds or Thresholds(), build=build, sex=sex, preliminary=preliminary
    )
    return render_html(report_model(inputs, options))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        prog="hurtig render-report",
        description="Write the self-contained clinical HTML report for one sample × one panel.",
    )
    parser.add_argument("--tsv", required=True, type=Path, help="prioritised variants TSV")
    parser.add_argument("--json", required=True, type=Path, help="prioritised variants JSON")
    parser.add_argument("--fastp", required=True, nargs="+", type=Path, help="fastp JSON(s)")
    parser.add_argument("--samtools-stats", type=Path, help="required unless --preliminary")
    parser.add_argument("--mosdepth-summary", type=Path, help="required unless --preliminary")
    parser.add_argument("--coverage-thresholds", required=True, type=Path)
    parser.add_argument("--coverage-regions", required=True, type=Path)
    parser.add_argument("--provenance", required=True, type=Path)
    parser.add_argument(
        "--checks",
        type=Path,
        help="family sample checks JSON (hurtig check-family); required for use",
    )
    parser.add_argument(
        "--read-views", type=Path, help="read views JSON (hurtig read-views), drawn in the report"
    )
    parser.add_argument("--out", required=True, type=Path, help="output HTML")
    parser.add_argument(
        "--coverage-threshold",
        type=int,
        default=20,
        help="depth for the per-base coverage figures (a mosdepth --thresholds value; default 20)",
    )
    parser.add_argument("--min-mean-coverage", type=float, default=20.0)
    parser.add_argument(
        "--min-panel-percent", type=float, default=95.0, help="panel bases ≥ threshold, in %%"
    )
    parser.add_argument("--min-mapping-percent", type=float, default=95.0)
    parser.add_argument("--genome-build", choices=sorted(BUILDS), default="GRCh38")
    parser.add_argument("--sex", help="sample sex, when the JSON has no 'sex' key")
    parser.add_argument(
        "--preliminary",
        action="store_true",
        help="a preliminary report of the panel fast path: no genome-wide QC, sample checks or"
        " SVs/CNVs yet, and it says so (never with --samtools-stats/--mosdepth-summary/--checks)",
    )
    args = parser.parse_args(argv)
    genome_wide = (args.samtools_stats, args.mosdepth_summary, args.checks)
    if args.preliminary and any(genome_wide):
        parser.error("--preliminary takes no genome-wide QC or sample checks")
    if not args.preliminary and not (args.samtools_stats and args.mosdepth_summary):
        parser.error("--samtools-stats and --mosdepth-summary are required")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    args = parse_args(argv)
    inputs = ReportInputs(
        tsv=args.tsv,
        json=args.json,
        fastp=tuple(args.fastp),
        samtools_stats=args.samtools_stats,
        mosdepth_summary=args.mosdepth_summary,
        coverage_thresholds=args.coverage_thresholds,
        coverage_regions=args.coverage_regions,
        provenance=args.provenance,
        checks=args.checks,
        read_views=args.read_views,
    )
    thresholds = Thresholds(
        depth=args.coverage_threshold,
        min_mean_coverage=args.min_mean_coverage,
        min_panel_fraction=args.min_panel_percent / 100,
        min_mapping_rate=args.min_mapping_percent / 100,
    )
    html = render_report(
        inputs, thresholds, build=args.genome_build, sex=args.sex, preliminary=args.preliminary
    )
    write_text_atomic(args.out, html)
    return 0
