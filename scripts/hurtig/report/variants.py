"""The report's variant entries: the prioritised row, its evidence, extra facts and links out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from hurtig.report.acmg import Suggestions
from hurtig.report.member_view import MemberRow
from hurtig.report.prioritised_input import PrioritisedVariant
from hurtig.report.sv_plot import depth_svg
from hurtig.run.genome_build import genome_build

EXTRA_LABELS = {
    "gq": "Genotype quality (GQ)",
    "gnomad_popmax_af": "gnomAD popmax AF",
    "clinvar_stars": "ClinVar review stars",
    "family_genotypes": "Family genotypes",
    "panel_inheritance": "Panel inheritance",
}
"""TSV columns beyond the contract shown in a variant's details, with their labels."""


@dataclass(frozen=True)
class Variant:
    """One prioritised variant row plus its evidence and outgoing links.

    ``members`` (each family member's call), ``acmg`` (the suggested ACMG/AMP criteria),
    ``gene`` (what the panel says about the gene) and ``labels`` (the row's tokens in words) are
    filled in by :mod:`hurtig.report.variant_view`.
    """

    row: dict[str, str]
    evidence: tuple[dict[str, Any], ...]
    links: dict[str, str]
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    members: tuple[MemberRow, ...] = ()
    acmg: Suggestions | None = None
    gene_context: tuple[tuple[str, str], ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    sv: dict[str, Any] | None = None
    depth_svg: str = ""

    def __getitem__(self, key: str) -> str:
        """A TSV column's value ('' when absent); the templates write ``v.gene`` for it."""
        return self.row.get(key, "")


def variant_links(row: dict[str, str], build: str) -> dict[str, str]:
    """Outgoing https links (gnomAD, ClinVar, UCSC) for a variant row on a genome build."""
    genome = genome_build(build)
    chrom, pos, ref, alt = row["chrom"], row["pos"], row["ref"], row["alt"]
    bare = chrom[3:] if chrom.lower().startswith("chr") else chrom
    links: dict[str, str] = {}
    if pos.isdigit():
        start, end = int(pos), int(pos) + max(len(ref), 1) - 1
        variant_id = quote(f"{bare}-{pos}-{ref}-{alt}", safe="-")
        links["gnomAD"] = (
            f"https://gnomad.broadinstitute.org/variant/{variant_id}"
            f"?dataset={genome.gnomad_dataset}"
        )
        clinvar_id = row.get("clinvar_id", "")
        if clinvar_id.isdigit():
            links["ClinVar"] = f"https://www.ncbi.nlm.nih.gov/clinvar/variation/{clinvar_id}/"
        else:
            term = quote(f"{bare}[chr] AND {start}:{end}[{genome.clinvar_position_key}]", safe="")
            links["ClinVar"] = f"https://www.ncbi.nlm.nih.gov/clinvar/?term={term}"
        ucsc_chrom = chrom if chrom.lower().startswith("chr") else f"chr{chrom}"
        position = quote(f"{ucsc_chrom}:{max(start - 25, 1)}-{end + 25}", safe=":-")
        links["UCSC"] = (
            f"https://genome.ucsc.edu/cgi-bin/hgTracks?db={genome.ucsc_db}&position={position}"
            f"&highlight={genome.ucsc_db}.{quote(ucsc_chrom, safe='')}:{start}-{end}"
        )
    return links


def report_variant(variant: PrioritisedVariant, build: str) -> Variant:
    """The report's entry for one prioritised variant."""
    row = variant.row
    extra = tuple((label, row.get(key, "")) for key, label in EXTRA_LABELS.items() if row.get(key))
    sv = variant.sv
    svg = Markup(depth_svg(sv.get("depth") or {})) if sv else Markup("")
    return Variant(
        row=row,
        evidence=variant.evidence,
        links=variant_links(row, build),
        extra=extra,
        sv=sv,
        depth_svg=svg,
    )
