"""Suggested ACMG/AMP criteria for a prioritised variant, from the evidence the pipeline has.

These are SUGGESTIONS for the geneticist who classifies the variant, never a classification:
each names the criterion, the strength it is suggested at and the reason, in the pipeline's own
facts (docs/ACMG.md). What is suggested (Richards et al. 2015, with the ClinGen Sequence
Variant Interpretation (SVI) group's later recommendations):

- **PVS1** (null variant: stop gained, frameshift, canonical splice site, start lost) only where
  the panel states loss of function as the gene's mechanism; otherwise it is listed under "to
  check", with the reason (the SVI PVS1 decision tree starts with that question).
- **PS2** (de novo, maternity and paternity confirmed) when the variant is de novo in the trio and
  every sample check passed (relatedness confirms the parents; identity verified); else **PM6**
  (assumed de novo), saying which check did not pass.
- **PM3** (in trans with another variant in a recessive gene) for a compound heterozygous pair
  phased by the parents; its strength depends on the other variant's classification (SVI).
- **PM2** at *supporting* strength (SVI 2020): absent from gnomAD, or rarer than 1 in 10 000 in a
  recessive gene.
- **BA1** (gnomAD popmax AF > 5 %), **BS1** (popmax AF > 1 % in a recessive or > 0.1 % in a
  dominant gene: greater than expected for a rare Mendelian disorder), **BS2** (the genotype in an
  unaffected parent: heterozygous in a dominant gene, homozygous in a recessive one).

ClinVar is shown as evidence to review, not as a criterion: the SVI retired PP5 and BP6.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

NULL_CONSEQUENCES = frozenset(
    {
        "stop_gained",
        "frameshift_variant",
        "splice_acceptor_variant",
        "splice_donor_variant",
        "start_lost",
    }
)
"""SO terms of a null (loss-of-function) variant for PVS1."""

LOF_MECHANISMS = frozenset({"loss of function", "lof", "haploinsufficiency", "loss-of-function"})
"""Panel mechanism texts that state loss of function (compared in lower case)."""

DEFAULT_STRENGTH = {
    "PVS": "very strong",
    "PS": "strong",
    "PM": "moderate",
    "PP": "supporting",
    "BA": "stand-alone",
    "BS": "strong",
    "BP": "supporting",
}
"""Each criterion family's default strength (a criterion at another strength is named
``PM2_Supporting``)."""

BA1_AF = 0.05
BS1_AF_RECESSIVE = 0.01
BS1_AF_DOMINANT = 0.001
PM2_AF_RECESSIVE = 0.0001


@dataclass(frozen=True)
class Criterion:
    """One suggested criterion.

    Attributes:
        code: ``PVS1``, ``PS2``, ``PM6``, ``PM3``, ``PM2``, ``BA1``, ``BS1``, ``BS2``.
        strength: ``very strong``, ``strong``, ``moderate``, ``supporting`` or ``stand-alone``.
        reason: why, in the pipeline's facts.
        pathogenic: True for a pathogenic criterion, False for a benign one.
    """

    code: str
    strength: str
    reason: str
    pathogenic: bool = True

    @property
    def label(self) -> str:
        """``PM2_Supporting`` style (the strength named when not the criterion's default)."""
        if DEFAULT_STRENGTH.get(self.code.rstrip("0123456789")) == self.strength:
            return self.code
        return f"{self.code}_{self.strength.title().replace(' ', '')}"


@dataclass(frozen=True)
class Suggestions:
    """The criteria suggested for a variant, those to check, and ClinVar to review.

    Attributes:
        criteria: suggested criteria.
        to_check: criteria that may apply but need a fact the pipeline lacks, with the reason.
        clinvar: ClinVar's assertion as evidence to review (empty when not in ClinVar).
    """

    criteria: tuple[Criterion, ...]
    to_check: tuple[Criterion, ...]
    clinvar: str


@dataclass(frozen=True)
class GeneContext:
    """What the panel says about the gene.

    Attributes:
        modes: modes of inheritance (``AD``, ``AR``, ``XR``, ``XD``, ``MT``).
        mechanism: the disease mechanism as the panel states it (empty when not stated).
    """

    modes: frozenset[str]
    mechanism: str = ""

    @property
    def dominant(self) -> bool:
        """Only dominant modes."""
        return bool(self.modes) and self.modes <= {"AD", "XD"}

    @property
    def recessive(self) -> bool:
        """Only recessive modes."""
        return bool(self.modes) and self.modes <= {"AR", "XR"}


def _float(text: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _pvs1(row: Mapping[str, str], gene: GeneContext) -> tuple[Criterion | None, Criterion | None]:
    """(suggested, to check) PVS1."""
    terms = set(row.get("consequence", "").split("&"))
    null = sorted(terms & NULL_CONSEQUENCES)
    if not null:
        return None, None
    what = f"null variant ({', '.join(t.replace('_', ' ') for t in null)})"
    if gene.mechanism.strip().lower() in LOF_MECHANISMS:
        reason = f"{what}; the panel gives loss of function as the mechanism of {row['gene']}"
        return Criterion("PVS1", "very strong", reason), None
    stated = f"states '{gene.mechanism}'" if gene.mechanism else "does not state the mechanism"
    reason = (
        f"{what}, but the panel {stated} of {row['gene']}: apply PVS1 only where loss of "
        "function is a known mechanism (ClinGen SVI PVS1 decision tree; NMD and last-exon "
        "rules not assessed)"
    )
    return None, Criterion("PVS1", "very strong", reason)


def _de_novo(patterns: set[str], identity: tuple[bool, str]) -> Criterion | None:
    if "de_novo" not in patterns:
        return None
    confirmed, why = identity
    if confirmed:
        return Criterion("PS2", "strong", f"de novo in the trio; {why}")
    return Criterion("PM6", "moderate", f"de novo in the trio, parentage not confirmed: {why}")


def _frequency(row: Mapping[str, str], gene: GeneContext) -> list[Criterion]:
    af = _float(row.get("gnomad_af", ""))
    popmax = _float(row.get("gnomad_popmax_af", ""))
    top = max((v for v in (af, popmax) if v is not None), default=None)
    if top is None or top == 0:
        return [Criterion("PM2", "supporting", "absent from gnomAD")]
    shown = f"gnomAD {'popmax ' if popmax is not None and top == popmax else ''}AF {top:.2g}"
    if top > BA1_AF:
        return [Criterion("BA1", "stand-alone", f"{shown} > {BA1_AF:g}", pathogenic=False)]
    limit = BS1_AF_DOMINANT if gene.dominant else BS1_AF_RECESSIVE
    if top > limit:
        kind = "dominant" if gene.dominant else "recessive or unknown-mode"
        reason = f"{shown} > {limit:g} (more than expected for a {kind} rare disorder)"
        return [Criterion("BS1", "strong", reason, pathogenic=False)]
    if gene.recessive and top < PM2_AF_RECESSIVE:
        return [Criterion("PM2", "supporting", f"{shown} < {PM2_AF_RECESSIVE:g} (recessive gene)")]
    return []


def _family(patterns: set[str], row: Mapping[str, str], gene: GeneContext) -> list[Criterion]:
    found = []
    if "compound_heterozygous" in patterns and not gene.dominant:
        reason = (
            "compound heterozygous, in trans (one variant from each parent); strength depends "
            "on the other variant's classification (ClinGen SVI PM3 points)"
        )
        found.append(Criterion("PM3", "moderate", reason))
    if "heterozygous_inherited_unaffected" in patterns and gene.dominant:
        reason = (
            "heterozygous in an unaffected parent, dominant gene (unless penetrance is reduced)"
        )
        found.append(Criterion("BS2", "strong", reason, pathogenic=False))
    if "homozygous_in_unaffected_parent" in patterns and gene.recessive:
        reason = "homozygous in an unaffected parent, recessive gene"
        found.append(Criterion("BS2", "strong", reason, pathogenic=False))
    return found


def clinvar_evidence(row: Mapping[str, str]) -> str:
    """ClinVar's assertion, to review (not a criterion)."""
    sig = row.get("clinvar", "")
    if not sig:
        return ""
    stars = row.get("clinvar_stars", "")
    review = f", {stars} review star{'s' if stars != '1' else ''}" if stars else ""
    return (
        f"ClinVar: {sig.replace('_', ' ').replace(',', '; ')}{review} — evidence to review, "
        "not an ACMG criterion (ClinGen SVI retired PP5/BP6)"
    )


def suggest(row: Mapping[str, str], gene: GeneContext, identity: tuple[bool, str]) -> Suggestions:
    """The suggested criteria of one prioritised variant.

    Args:
        row: the prioritised TSV row.
        gene: what the panel says about the gene.
        identity: (parentage confirmed, the sentence saying why or why not).
    """
    patterns = set(row.get("inheritance", "").split(","))
    pvs1, pvs1_check = _pvs1(row, gene)
    criteria = [
        c
        for c in (pvs1, _de_novo(patterns, identity), *_family(patterns, row, gene))
        if c is not None
    ]
    criteria += _frequency(row, gene)
    order = ("PVS", "PS", "PM", "PP", "BA", "BS", "BP")
    criteria.sort(key=lambda c: next(i for i, p in enumerate(order) if c.code.startswith(p)))
    return Suggestions(
        criteria=tuple(criteria),
        to_check=(pvs1_check,) if pvs1_check else (),
        clinvar=clinvar_evidence(row),
    )
