"""A reported variant with everything the geneticist reads next to it.

:func:`report_variants` turns the prioritised variants into :class:`~hurtig.report.variants.Variant`
entries with each family member's call (:mod:`hurtig.report.member_view`), the suggested ACMG/AMP
criteria (:mod:`hurtig.report.acmg`), the gene–disease context the panel gives, the row's tokens
in words (:mod:`hurtig.report.labels`) and the outgoing links matched to the build and the gnomAD
release of the data (:mod:`hurtig.report.links`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from hurtig.report.acmg import GeneContext, suggest
from hurtig.report.clinical_use import ClinicalUse
from hurtig.report.labels import (
    clinvar_terms,
    consequence_label,
    inheritance_label,
    modes_label,
    stars,
)
from hurtig.report.links import all_links
from hurtig.report.member_view import member_rows
from hurtig.report.prioritised_input import PrioritisedVariant
from hurtig.report.variants import Variant, report_variant

CONTEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("phenotypes", "Phenotypes (panel)"),
    ("omim", "OMIM"),
    ("mechanism", "Mechanism (panel)"),
)
"""Panel gene keys shown as gene–disease context, with their labels (when the panel has them)."""


@dataclass(frozen=True)
class VariantContext:
    """What the variant entries need beyond their own row.

    Attributes:
        build: genome build.
        gnomad_release: the gnomAD release of the annotation (``r2.0``; empty when not known).
        genes: the panel's genes by symbol (``inheritance``, and ``phenotypes``, ``omim``,
            ``mechanism`` when the panel has them).
        identity: (parentage confirmed, why) for PS2/PM6.
    """

    build: str
    gnomad_release: str
    genes: Mapping[str, Mapping[str, Any]]
    identity: tuple[bool, str]


def parentage(checks: ClinicalUse) -> tuple[bool, str]:
    """(confirmed, why): parentage counts as confirmed only when every sample check passed."""
    verdicts = {check: (verdict, reason) for check, verdict, reason in checks.verdicts}
    relatedness = verdicts.get("relatedness")
    if relatedness is None:
        return False, "no relatedness check recorded"
    if relatedness[0] != "passed":
        return False, f"relatedness {relatedness[0]}"
    if checks.identity != "passed":
        return (
            False,
            f"relatedness passed, but sample identity {checks.identity} ({checks.headline})",
        )
    return True, "maternity and paternity confirmed (relatedness passed; identity verified)"


def gnomad_release(sources: Sequence[Mapping[str, str]]) -> str:
    """The gnomAD release among the annotation sources (empty when not known)."""
    return next((s.get("release", "") for s in sources if s.get("id") == "gnomad"), "")


def _context(gene: Mapping[str, Any], modes: str) -> tuple[tuple[str, str], ...]:
    items = [("Inheritance (panel)", modes_label(modes))]
    for key, label in CONTEXT_FIELDS:
        value = gene.get(key)
        text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")
        items.append((label, text))
    return tuple((label, text) for label, text in items if text)


def report_variants(
    variants: Sequence[PrioritisedVariant], context: VariantContext
) -> tuple[Variant, ...]:
    """The report's variant entries."""
    entries = []
    for variant in variants:
        row = variant.row
        gene = context.genes.get(row.get("gene", ""), {})
        modes = str(gene.get("inheritance") or row.get("panel_inheritance", ""))
        facts = GeneContext(
            frozenset(m for m in modes.replace(",", "/").split("/") if m),
            str(gene.get("mechanism", "")),
        )
        labels = {
            "inheritance": inheritance_label(row.get("inheritance", "")),
            "consequence": consequence_label(row.get("consequence", "")),
            "clinvar": clinvar_terms(row.get("clinvar", "")),
            "stars": stars(row.get("clinvar_stars", "")) if row.get("clinvar") else "",
        }
        base = report_variant(variant, context.build)
        members = member_rows(row, variant.members)
        shown = {"Panel inheritance"} | ({"Family genotypes"} if members else set())
        entries.append(
            replace(
                base,
                extra=tuple((label, value) for label, value in base.extra if label not in shown),
                links=all_links(
                    row, context.build, context.gnomad_release, str(gene.get("omim", ""))
                ),
                members=members,
                acmg=suggest(row, facts, context.identity),
                gene_context=_context(gene, modes),
                labels=labels,
            )
        )
    return tuple(entries)
