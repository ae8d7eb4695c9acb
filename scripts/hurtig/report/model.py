"""The report model: everything one sample × panel report shows, built once from its inputs.

:func:`build_report_model` reads the prioritised variants (:mod:`hurtig.report.prioritised_input`),
the QC tool outputs (:mod:`hurtig.qc.tool_outputs`), the family checks
(:mod:`hurtig.qc.checks_file`) and the provenance (:mod:`hurtig.report.provenance_file`) into one
:class:`ReportModel`. The renderers only present it: :mod:`hurtig.report.html` (and so the PDF)
and :mod:`hurtig.report.xlsx`. The report's body is the model's ordered list of
:class:`ReportSection` (see :mod:`hurtig.report.sections`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hurtig import __version__
from hurtig.errors import InputError
from hurtig.io.files import sha256_file
from hurtig.qc.checks_file import read_checks
from hurtig.qc.tool_outputs import (
    ExonCoverage,
    FastpSummary,
    FastpTotals,
    GeneCoverage,
    MosdepthSummary,
    SamtoolsStats,
    combine_fastp,
    panel_fraction_at_threshold,
    panel_mean_depth,
    parse_coverage,
    parse_fastp,
    parse_mosdepth_summary,
    parse_samtools_stats,
    summarise_genes,
)
from hurtig.report.clinical_use import ClinicalUse, clinical_use, preliminary_use
from hurtig.report.prioritised_input import PrioritisedInput, read_prioritised
from hurtig.report.provenance_file import InputFile, Provenance, read_provenance
from hurtig.report.qc_verdict import (
    PanelVerdict,
    Thresholds,
    Verdict,
    not_examined_lines,
    panel_verdict,
    preliminary_qc_verdict,
    qc_verdict,
)
from hurtig.report.read_views import ReadViews
from hurtig.report.scope import CATALOGUE_LABEL, Scope, report_scope
from hurtig.report.variant_view import VariantContext, gnomad_release, parentage, report_variants
from hurtig.report.variants import Variant

TABLE_TEMPLATE = "section_table.html.j2"
"""The partial that renders a table section (columns and rows)."""


@dataclass(frozen=True)
class ReportInputs:
    """The files a report is built from (the JSON and provenance are needed by the HTML only)."""

    tsv: Path
    json: Path | None
    fastp: tuple[Path, ...]
    samtools_stats: Path | None
    mosdepth_summary: Path | None
    coverage_thresholds: Path
    coverage_regions: Path
    provenance: Path | None
    checks: Path | None = None
    read_views: Path | None = None


@dataclass(frozen=True)
class ReportOptions:
    """Settings of a report that are not in its input files.

    Attributes:
        thresholds: QC thresholds (depth used for coverage, verdict limits).
        build: genome build for the outgoing links (GRCh38 or GRCh37).
        sex: sample sex, used when the prioritisation JSON has no `sex` key.
        sample: sample id when there is no prioritisation JSON (the spreadsheet's command line).
        panel: panel id when there is no prioritisation JSON.
        preliminary: a preliminary report of the panel fast path: no genome-wide QC, no sample
            checks, no SVs/CNVs yet (it says so); the final report supersedes it.
    """

    thresholds: Thresholds = field(default_factory=Thresholds)
    build: str = "GRCh38"
    sex: str | None = None
    sample: str | None = None
    panel: str | None = None
    preliminary: bool = False


@dataclass(frozen=True)
class PanelFacts:
    """The panel as resolved, and which of its genes were not examined."""

    id: str
    version: str
    display_name: str
    sha256: str
    genes: tuple[dict[str, Any], ...]
    inheritance: dict[str, Any]
    missing_genes: tuple[str, ...]
    uncovered_genes: tuple[str, ...]
    # transcripts as written: symbol -> "ENST...N / NM_...", and the panel transcript fallback
    transcripts: dict[str, str]
    transcript_notes: dict[str, str]


@dataclass(frozen=True)
class Coverage:
    """Panel coverage at the threshold depth (mosdepth ``--by`` the panel regions)."""

    threshold: int
    exons: tuple[ExonCoverage, ...]
    genes: tuple[GeneCoverage, ...]
    low_exons: tuple[ExonCoverage, ...]
    fraction_at_threshold: float | None
    mean_depth: float | None
    bases: int


@dataclass(frozen=True)
class SequencingQC:
    """Read and alignment QC, with the verdict."""

    fastp_units: tuple[FastpSummary, ...]
    fastp: FastpTotals
    samtools: SamtoolsStats | None
    mosdepth: MosdepthSummary | None
    verdict: Verdict


@dataclass(frozen=True)
class PipelineFacts:
    """The pipeline version and commit a report names."""

    version: str
    git_commit: str
    dirty: bool


@dataclass(frozen=True)
class ProvenanceView:
    """The provenance as the report shows it (input names made unique, lists sorted)."""

    pipeline: PipelineFacts
    config_sha256: str | None
    created: str | None
    tools: tuple[tuple[str, str], ...]
    inputs: tuple[tuple[str, InputFile], ...]


@dataclass(frozen=True)
class ReportSection:
    """One section of the report's body.

    Attributes:
        id: the HTML anchor of its heading (``sec-...``).
        title: its heading; also the XLSX sheet name (cut to 31 characters) of a table section.
        nav_label: its link text in the table of contents ("" for no link).
        template: the jinja partial that renders it (under ``report/templates/``).
        columns: column headings of a table section (none for a partial-only section).
        rows: the table's rows; a section with columns also becomes an XLSX sheet.
        intro: one sentence under the heading of a table section.
        sheet: the XLSX sheet name when not the title (31 characters at most).
    """

    id: str
    title: str
    nav_label: str = ""
    template: str = TABLE_TEMPLATE
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    intro: str = ""
    sheet: str = ""

    @property
    def sheet_title(self) -> str:
        """The XLSX sheet name (spreadsheets allow 31 characters)."""
        return (self.sheet or self.title)[:31]


@dataclass(frozen=True)
class ReportModel:
    """Everything one sample × panel report shows.

    ``verdict`` is the panel verdict (the headline: PASS, INCOMPLETE or CHECK), ``qc.verdict``
    the sequencing QC's part of it, ``clinical_use`` the sample checks' verdict and ``scope``
    what the analysis did not examine.
    """

    sample: str
    family: str
    sex: str
    affected: bool | None
    build: str
    panel: PanelFacts
    settings: tuple[tuple[str, str], ...]
    columns: tuple[str, ...]
    variants: tuple[Variant, ...]
    coverage: Coverage
    qc: SequencingQC
    thresholds: Thresholds
    clinical_use: ClinicalUse
    verdict: PanelVerdict
    scope: Scope
    provenance: ProvenanceView | None
    report_inputs: tuple[tuple[str, str, str], ...]
    created: str
    report_version: str
    sections: tuple[ReportSection, ...] = ()
    sources: tuple[dict[str, str], ...] = ()
    read_views: ReadViews | None = None
    preliminary: bool = False


SectionBuilder = Callable[[ReportModel], ReportSection | None]
"""Makes one section from the model (None: the section has nothing to show for this report)."""


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Flatten nested settings into (dotted.key, JSON value) pairs, sorted by key."""
    if isinstance(value, dict):
        items: list[tuple[str, str]] = []
        for key in sorted(value, key=str):
            items.extend(flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return items
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return [(prefix, text)]


def creation_time() -> str:
    """UTC creation time; `SOURCE_DATE_EPOCH` makes it reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def describe_missing_gene(gene: Any) -> str:
    """One readable line for a panel gene the gene model lacks (dict from panels or str)."""
    if not isinstance(gene, dict):
        return str(gene)
    symbol = str(gene.get("symbol") or "?")
    hgnc = f" ({gene['hgnc_id']})" if gene.get("hgnc_id") else ""
    reason = f": {gene['reason']}" if gene.get("reason") else ""
    return f"{symbol}{hgnc}{reason}"


def transcript_label(gene: dict[str, Any]) -> str:
    """A panel gene's transcript as clinicians write it: ``ENST...N / NM_...N`` when known."""
    ids = [str(gene.get("transcript_versioned") or gene.get("transcript") or "")]
    return " / ".join([*ids, *(str(r) for r in gene.get("refseq", []))])


def panel_facts(panel: dict[str, Any], covered: set[str]) -> PanelFacts:
    """The panel's facts; ``covered`` are the genes with coverage regions."""
    genes = [g for g in panel.get("genes", []) if isinstance(g, dict)]
    missing = panel.get("missing_genes", [])
    missing_symbols = {str(g.get("symbol")) if isinstance(g, dict) else str(g) for g in missing}
    uncovered = [
        str(g.get("symbol", ""))
        for g in genes
        if g.get("symbol") and g["symbol"] not in covered and g["symbol"] not in missing_symbols
    ]
    info = {key: str(panel.get(key) or "") for key in ("id", "version", "display_name", "sha256")}
    return PanelFacts(
        **info,
        genes=tuple(genes),
        inheritance={str(g.get("symbol", "")): g.get("inheritance", "") for g in genes},
        missing_genes=tuple(describe_missing_gene(g) for g in missing),
        uncovered_genes=tuple(uncovered),
        transcripts={str(g.get("symbol", "")): transcript_label(g) for g in genes},
        transcript_notes={
            str(g.get("symbol", "")): str(g["transcript_note"])
            for g in genes
            if g.get("transcript_note")
        },
    )


def read_coverage(inputs: ReportInputs, threshold: int) -> Coverage:
    """Panel coverage from mosdepth's thresholds and regions files."""
    exons = parse_coverage(inputs.coverage_thresholds, inputs.coverage_regions, threshold)
    low = sorted(
        (e for e in exons if e.bases_below_threshold > 0),
        key=lambda e: (e.fraction_at_threshold, e.gene, e.chrom, e.start),
    )
    return Coverage(
        threshold=threshold,
        exons=tuple(exons),
        genes=tuple(summarise_genes(exons)),
        low_exons=tuple(low),
        fraction_at_threshold=panel_fraction_at_threshold(exons),
        mean_depth=panel_mean_depth(exons),
        bases=sum(e.length for e in exons),
    )


def read_sequencing_qc(
    inputs: ReportInputs, panel_fraction: float | None, thresholds: Thresholds
) -> SequencingQC:
    """fastp, samtools stats and mosdepth figures, and the QC verdict."""
    units = tuple(parse_fastp(p) for p in inputs.fastp)
    if inputs.samtools_stats is None or inputs.mosdepth_summary is None:
        # a preliminary report: genome-wide QC not done yet, never shown as passed
        return SequencingQC(
            fastp_units=units,
            fastp=combine_fastp(units),
            samtools=None,
            mosdepth=None,
            verdict=preliminary_qc_verdict(panel_fraction, thresholds),
        )
    samtools = parse_samtools_stats(inputs.samtools_stats)
    mosdepth = parse_mosdepth_summary(inputs.mosdepth_summary)
    return SequencingQC(
        fastp_units=units,
        fastp=combine_fastp(units),
        samtools=samtools,
        mosdepth=mosdepth,
        verdict=qc_verdict(samtools, mosdepth, panel_fraction, thresholds),
    )


def provenance_view(record: Provenance) -> ProvenanceView:
    """The provenance as shown: repeated input names numbered ("fastq (2)"), lists sorted."""
    named: dict[str, InputFile] = {}
    for entry in record.inputs:
        unique, number = entry.name, 2
        while unique in named:
            unique, number = f"{entry.name} ({number})", number + 1
        named[unique] = entry
    config_sha256 = record.config.sha256 if record.config is not None else None
    return ProvenanceView(
        pipeline=PipelineFacts(
            version=record.pipeline.version,
            git_commit=record.pipeline.git_commit,
            dirty=bool(record.pipeline.git_dirty),
        ),
        config_sha256=config_sha256,
        created=record.created_utc,
        tools=tuple(sorted(record.tools.items())),
        inputs=tuple(sorted(named.items(), key=lambda item: item[0])),
    )


def input_digests(inputs: ReportInputs) -> tuple[tuple[str, str, str], ...]:
    """(label, path, SHA-256) of every file the report is built from."""
    named: list[tuple[str, Path | None]] = [
        ("prioritised TSV", inputs.tsv),
        ("prioritised JSON", inputs.json),
        ("samtools stats", inputs.samtools_stats),
        ("mosdepth summary", inputs.mosdepth_summary),
        ("coverage thresholds", inputs.coverage_thresholds),
        ("coverage regions", inputs.coverage_regions),
        ("provenance", inputs.provenance),
        *((f"fastp {i + 1}", p) for i, p in enumerate(inputs.fastp)),
        ("sample checks", inputs.checks),
        ("read views", inputs.read_views),
    ]
    return tuple((label, str(path), sha256_file(path)) for label, path in named if path)


def min_allele_balance(settings: Any) -> str | None:
    """The filters' ``min_allele_balance`` as written in the settings (None when absent)."""
    filters = settings.get("filters") if isinstance(settings, dict) else None
    value = filters.get("min_allele_balance") if isinstance(filters, dict) else None
    return None if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def report_verdict(panel: PanelFacts, coverage: Coverage, qc: SequencingQC) -> PanelVerdict:
    """The panel verdict: what of the panel was not examined, and the sequencing QC."""
    incomplete = not_examined_lines(
        panel.missing_genes,
        panel.uncovered_genes,
        coverage.low_exons,
        len(coverage.exons),
        coverage.threshold,
    )
    return panel_verdict(incomplete, qc.verdict)


def panel_scope(
    panel: dict[str, Any], facts: PanelFacts, settings: Any, sv_assessed: bool = False
) -> Scope:
    """What the analysis did not examine, for all the panel's genes (resolved or not)."""
    missing = panel.get("missing_genes", [])
    symbols = [str(g.get("symbol", "")) if isinstance(g, dict) else str(g) for g in missing]
    symbols += [str(g.get("symbol", "")) for g in facts.genes]
    return report_scope(symbols, min_allele_balance(settings), sv_assessed)


def _identity(prioritised: PrioritisedInput, options: ReportOptions) -> tuple[str, dict[str, Any]]:
    """The sample id and panel: from the prioritisation JSON, else from the options."""
    sample = prioritised.sample if prioritised.sample is not None else options.sample
    if options.sample is not None and sample != options.sample:
        raise InputError(f"the prioritisation JSON is for sample {sample}, not {options.sample}")
    if sample is None:
        raise InputError("the report needs the sample id (the prioritisation JSON or --sample)")
    panel = prioritised.panel if prioritised.panel is not None else {"id": options.panel or ""}
    return sample, panel


def read_views_of(
    inputs: ReportInputs, sample: str, panel: str, prioritised: PrioritisedInput
) -> ReadViews | None:
    """The read views file, when given; it must be of this sample, panel and these variants.

    Raises:
        InputError: unreadable, or of another sample, panel or variant.
    """
    if inputs.read_views is None:
        return None
    views = ReadViews.read(inputs.read_views)
    if (views.sample, views.panel) != (sample, panel):
        raise InputError(
            f"{inputs.read_views}: the read views are of {views.sample} × {views.panel},"
            f" not {sample} × {panel}"
        )
    views.check_against((v.row for v in prioritised.variants), inputs.read_views)
    return views


def build_report_model(
    inputs: ReportInputs,
    options: ReportOptions = ReportOptions(),
    sections: Sequence[SectionBuilder] = (),
) -> ReportModel:
    """Read a report's inputs into its model.

    Args:
        inputs: input file paths.
        options: settings not in the files.
        sections: the builders of the report's body sections, in order
            (:data:`hurtig.report.sections.REPORT_SECTIONS`).

    Raises:
        InputError: any input is missing or malformed.
    """
    prioritised = read_prioritised(inputs.tsv, inputs.json)
    sample, panel = _identity(prioritised, options)
    coverage = read_coverage(inputs, options.thresholds.depth)
    qc = read_sequencing_qc(inputs, coverage.fraction_at_threshold, options.thresholds)
    provenance = read_provenance(inputs.provenance) if inputs.provenance else None
    checks = read_checks(inputs.checks) if inputs.checks else None
    facts = panel_facts(panel, {g.gene for g in coverage.genes})
    scope = panel_scope(panel, facts, prioritised.settings, prioritised.sv_assessed)
    catalogue = ("mechanism catalogue", CATALOGUE_LABEL, scope.catalogue_sha256)
    use = preliminary_use() if options.preliminary else clinical_use(checks, sample)
    context = VariantContext(
        build=options.build,
        gnomad_release=gnomad_release(prioritised.sources),
        genes={str(g.get("symbol", "")): g for g in facts.genes},
        identity=parentage(use),
    )
    model = ReportModel(
        sample=sample,
        family=prioritised.family,
        sex=str(prioritised.sex or options.sex or "not recorded"),
        affected=prioritised.affected,
        build=options.build,
        panel=facts,
        settings=tuple(flatten(prioritised.settings)),
        columns=prioritised.columns,
        variants=report_variants(prioritised.variants, context),
        coverage=coverage,
        qc=qc,
        thresholds=options.thresholds,
        clinical_use=use,
        verdict=report_verdict(facts, coverage, qc),
        scope=scope,
        provenance=provenance_view(provenance) if provenance else None,
        report_inputs=(*input_digests(inputs), catalogue),
        created=creation_time(),
        report_version=__version__,
        sources=prioritised.sources,
        read_views=read_views_of(inputs, sample, facts.id, prioritised),
        preliminary=options.preliminary,
    )
    built = (builder(model) for builder in sections)
    return replace(model, sections=tuple(s for s in built if s is not None))
