"""The sections of the report's body, in order: where a new report section is registered.

Each entry of :data:`REPORT_SECTIONS` makes one :class:`~hurtig.report.model.ReportSection`
from the :class:`~hurtig.report.model.ReportModel` (or None to leave it out of this report). The
HTML template renders them in this order, each with its partial (``templates/section_*.html.j2``),
and lists those with a ``nav_label`` in the table of contents; a section with ``columns`` and
``rows`` also becomes a sheet of the XLSX workbook. See the recipe in :mod:`hurtig.report`.
"""

from __future__ import annotations

from hurtig.report.evidence_sections import acmg_suggestions, family_calls
from hurtig.report.model import (
    ReportInputs,
    ReportModel,
    ReportOptions,
    ReportSection,
    SectionBuilder,
    build_report_model,
)
from hurtig.report.read_view_section import read_views
from hurtig.report.sv_section import sv_events


def not_examined_summary(model: ReportModel) -> ReportSection:
    """The alert listing what was not fully examined (shown only when something was not)."""
    return ReportSection(
        "not-examined-summary",
        "Not fully examined",
        template="section_not_examined_summary.html.j2",
    )


def prioritised_variants(model: ReportModel) -> ReportSection:
    """The sortable, filterable table of prioritised variants."""
    return ReportSection(
        "sec-variants",
        "Prioritised variants",
        nav_label=f"Variants ({len(model.variants)})",
        template="section_variants.html.j2",
    )


def panel_coverage(model: ReportModel) -> ReportSection:
    """Panel coverage: genes not examined, exons below the threshold, coverage per gene/exon."""
    return ReportSection(
        "sec-coverage",
        "Panel coverage — what was and was not examined",
        nav_label="Coverage & not examined",
        template="section_coverage.html.j2",
    )


def not_examined(model: ReportModel) -> ReportSection:
    """What this analysis did not examine: variant classes, and panel genes they concern."""
    scope = model.scope
    classes = tuple(("variant class", name, detail, "") for name, detail in scope.not_assessed)
    genes = tuple(
        ("panel gene", m.gene, f"{m.mechanism}: {m.locus} — {m.condition}", f"{m.source} {m.url}")
        for m in scope.genes
    )
    return ReportSection(
        "sec-not-examined",
        "What this analysis did not examine",
        nav_label="Not examined",
        template="section_not_examined.html.j2",
        columns=("kind", "not examined", "details", "source"),
        rows=(
            ("assessed", "SNVs, small indels, deletions and duplications", scope.assessed, ""),
            *classes,
            *genes,
        ),
        intro=f"This analysis assessed only {scope.assessed}.",
        sheet="Not examined",
    )


def variant_evidence(model: ReportModel) -> ReportSection:
    """Each variant's facts, links and evidence items; the settings applied."""
    return ReportSection(
        "sec-details",
        "Variant evidence",
        nav_label="Variant evidence",
        template="section_variant_evidence.html.j2",
    )


def sample_checks(model: ReportModel) -> ReportSection:
    """The sex and relatedness checks of the family."""
    return ReportSection(
        "sec-checks",
        "Sample checks (sex, relatedness)",
        nav_label="Sample checks",
        template="section_sample_checks.html.j2",
    )


def sequencing_qc(model: ReportModel) -> ReportSection:
    """Read and alignment QC (fastp, samtools stats, mosdepth)."""
    return ReportSection(
        "sec-qc",
        "Sequencing QC",
        nav_label="Sequencing QC",
        template="section_sequencing_qc.html.j2",
    )


def provenance(model: ReportModel) -> ReportSection:
    """Pipeline version, tool versions and input checksums."""
    return ReportSection(
        "sec-provenance",
        "Provenance",
        nav_label="Provenance",
        template="section_provenance.html.j2",
    )


REPORT_SECTIONS: tuple[SectionBuilder, ...] = (
    not_examined_summary,
    prioritised_variants,
    sv_events,
    panel_coverage,
    not_examined,
    variant_evidence,
    family_calls,
    acmg_suggestions,
    read_views,
    sample_checks,
    sequencing_qc,
    provenance,
)
"""The report's body, in order. Add a new section's builder here."""


def report_model(
    inputs: ReportInputs,
    options: ReportOptions | None = None,
    sections: tuple[SectionBuilder, ...] | None = None,
) -> ReportModel:
    """The report model with its sections (:data:`REPORT_SECTIONS` unless ``sections`` is given)."""
    chosen = REPORT_SECTIONS if sections is None else sections
    return build_report_model(inputs, options or ReportOptions(), chosen)
