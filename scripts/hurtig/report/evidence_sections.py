"""Per-member calls and suggested ACMG/AMP criteria as tables: XLSX sheets of the report model.

The HTML shows both per variant (the variant table and each variant's evidence); these two
sections give the spreadsheet the same facts, one row per family member and per criterion, with
the inheritance in words (the ``Variants`` sheet keeps the TSV's tokens).
"""

from __future__ import annotations

from hurtig.report.model import ReportModel, ReportSection

SHEET_ONLY_TEMPLATE = "section_sheet_only.html.j2"
"""The partial of a section the HTML already shows elsewhere (renders nothing)."""


def _variant(v: object) -> str:
    row = getattr(v, "row", {})
    return (
        row.get("hgvs_c")
        or f"{row.get('chrom')}:{row.get('pos')} {row.get('ref')}>{row.get('alt')}"
    )


def family_calls(model: ReportModel) -> ReportSection | None:
    """Every family member's genotype, allele depths, depth and GQ at each reported variant."""
    rows = tuple(
        (
            int(v["rank"]),
            v["gene"],
            _variant(v),
            v.labels.get("inheritance", ""),
            m.relation,
            m.sample,
            m.affected,
            m.gt,
            m.ad,
            m.dp,
            m.gq,
        )
        for v in model.variants
        for m in v.members
    )
    if not rows:
        return None
    return ReportSection(
        "sec-family-calls",
        "Family calls",
        template=SHEET_ONLY_TEMPLATE,
        columns=(
            "rank",
            "gene",
            "variant",
            "inheritance",
            "member",
            "sample",
            "status",
            "genotype",
            "allele depths (ref,alt)",
            "depth",
            "GQ",
        ),
        rows=rows,
    )


def acmg_suggestions(model: ReportModel) -> ReportSection | None:
    """The suggested ACMG/AMP criteria of each variant, with their reasons."""
    rows: list[tuple[object, ...]] = []
    for v in model.variants:
        if v.acmg is None:
            continue
        for c in v.acmg.criteria:
            rows.append((int(v["rank"]), v["gene"], _variant(v), c.label, "suggested", c.reason))
        for c in v.acmg.to_check:
            rows.append((int(v["rank"]), v["gene"], _variant(v), c.code, "to check", c.reason))
        if v.acmg.clinvar:
            rows.append(
                (int(v["rank"]), v["gene"], _variant(v), "ClinVar", "review", v.acmg.clinvar)
            )
    if not rows:
        return None
    return ReportSection(
        "sec-acmg",
        "ACMG suggestions",
        template=SHEET_ONLY_TEMPLATE,
        columns=("rank", "gene", "variant", "criterion", "kind", "reason"),
        rows=tuple(rows),
        sheet="ACMG suggestions",
    )
