"""The report's SV/CNV section: each reported deletion/duplication with its depth plot.

Rows are the prioritised variants whose ``variant_type`` is ``DEL`` or ``DUP``; the section also
becomes the XLSX sheet ``SV and CNV``. The depth plot (:mod:`hurtig.report.sv_plot`, made with
each report variant) is inline SVG.
"""

from __future__ import annotations

from hurtig.report.model import ReportModel, ReportSection

SV_TYPES = frozenset({"DEL", "DUP"})
COLUMNS: tuple[str, ...] = (
    "rank",
    "gene",
    "event",
    "size",
    "exons",
    "genotype",
    "inheritance",
    "callers",
    "caller evidence",
    "score",
)


def sv_events(model: ReportModel) -> ReportSection:
    """The section (an empty table says that no SV/CNV passed the filters)."""
    rows = []
    for v in model.variants:
        if v["variant_type"] not in SV_TYPES:
            continue
        detail = v.sv or {}
        rows.append(
            (
                v["rank"],
                v["gene"],
                detail.get("description", f"{v['variant_type']} {v['chrom']}:{v['pos']}"),
                detail.get("size", v["sv_length"]),
                f"{detail.get('exon_text', v['exons'])} ({v['transcript']})",
                v["genotype"],
                v["inheritance"],
                ", ".join(detail.get("callers", [])),
                "; ".join(detail.get("caller_evidence", [])),
                v["score"],
            )
        )
    return ReportSection(
        "sec-sv",
        "Structural and copy-number variants",
        nav_label=f"SV/CNV ({len(rows)})",
        template="section_sv.html.j2",
        columns=COLUMNS,
        rows=tuple(rows),
        intro=(
            "Deletions and duplications overlapping a panel transcript's exons (Delly, TIDDIT, "
            "CNVkit, merged per family); they are ranked with the small variants above. The plot "
            "shows each family member's normalised read depth (CNVkit log2 copy ratio) over the "
            "event (shaded) and its flanks."
        ),
        sheet="SV and CNV",
    )
