"""The report's read-view section: the reads around each variant, drawn as static SVG.

:func:`read_views` (registered in :data:`hurtig.report.sections.REPORT_SECTIONS`) shows, for
each variant with a view in the model's read views (``hurtig render-report --read-views``), a
collapsible figure of the proband's and the parents' reads (:mod:`hurtig.report.pileup_svg`),
anchored ``reads-{rank}`` so the variant table links to it. Its table (rank, member, counts)
becomes the "Read counts" sheet of the XLSX workbook; the figures are in the HTML only (the PDF
prints a note instead: they would add pages per variant).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from hurtig.report.model import ReportModel, ReportSection
from hurtig.report.pileup import LOW_MAPQ
from hurtig.report.pileup_svg import PILEUP_CSS, read_view_svg

COLUMNS = (
    "Rank",
    "Gene",
    "Variant",
    "Member",
    "Sample",
    "Reads spanning",
    "REF reads",
    "ALT reads",
    "Other reads",
    f"MAPQ < {LOW_MAPQ}",
    "Duplicates left out",
)


def read_views(model: ReportModel) -> ReportSection | None:
    """The read views of the reported variants (None when there are none: no empty section)."""
    views = model.read_views
    if views is None or not views.views:
        return None
    rows = tuple(
        (
            view.rank,
            view.gene,
            f"{view.chrom}:{view.pos} {view.ref}>{view.alt}",
            member.role,
            member.sample,
            member.counts.depth,
            member.counts.ref,
            member.counts.alt,
            member.counts.other,
            member.counts.low_mapq,
            member.counts.duplicates,
        )
        for view in views.views
        for member in view.samples
    )
    return ReportSection(
        "sec-reads",
        "Read views",
        nav_label="Read views",
        template="section_read_views.html.j2",
        columns=COLUMNS,
        rows=rows,
        intro=(
            f"The reads around each variant, ±{views.flank} bases, at most {views.max_reads}"
            " reads per sample (chosen by a hash of the read name, reads spanning the variant"
            " first); the counts are of all reads."
        ),
        sheet="Read counts",
    )


def view_ranks(model: ReportModel) -> frozenset[int]:
    """The ranks of the variants that have a read view."""
    views = model.read_views
    return frozenset(v.rank for v in views.views) if views else frozenset()


FILTERS: dict[str, Any] = {"read_view_svg": lambda view: Markup(read_view_svg(view))}
"""Jinja filters of the section's template (the SVG is built and escaped by pileup_svg)."""

GLOBALS: dict[str, Any] = {"pileup_css": Markup(PILEUP_CSS), "read_view_ranks": view_ranks}
"""Jinja globals of the templates: the figures' styles, the ranks with a view."""
