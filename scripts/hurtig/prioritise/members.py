"""Per-member evidence of a prioritised variant: each family member's call, as the VCF has it.

For every sample of the family VCF the prioritised results record the genotype, the allele
depths (REF, ALT), the depth and the genotype quality (FORMAT ``GT``, ``AD``, ``DP``, ``GQ``),
with the member's relation to the proband and affected status from the pedigree. The JSON holds
them as :class:`MemberCall` objects (``members``); the TSV as three columns appended after the
others, written like ``family_genotypes`` (``sample=value`` joined by ``;``, a missing value
empty): ``family_allele_depths`` (``ref,alt``), ``family_depths`` and ``family_gq``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from hurtig.prioritise.genotypes import FamilyVariant
from hurtig.run.pedigree import Pedigree, Person

MEMBER_COLUMNS: tuple[str, ...] = ("family_allele_depths", "family_depths", "family_gq")
"""The TSV columns of the per-member evidence (after the other extra columns)."""


@dataclass(frozen=True)
class MemberCall:
    """One family member's call at a prioritised variant.

    Attributes:
        sample: sample id.
        relation: ``proband``, ``father``, ``mother``, ``sibling``, ``child`` or ``relative``.
        affected: affected status from the pedigree (``None`` when not in the pedigree).
        gt: genotype as written (``0/1``, ``./.``).
        ad_ref: reads supporting REF, or ``None``.
        ad_alt: reads supporting ALT, or ``None``.
        dp: depth, or ``None``.
        gq: genotype quality, or ``None``.
    """

    sample: str
    relation: str
    affected: bool | None
    gt: str
    ad_ref: int | None
    ad_alt: int | None
    dp: int | None
    gq: int | None

    def to_json(self) -> dict[str, object]:
        """The JSON object."""
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> MemberCall:
        """Rebuild from :meth:`to_json` output.

        Raises:
            KeyError: a missing key.
        """
        return cls(**{name: doc[name] for name in cls.__dataclass_fields__})


def relation(sample: str, proband: Person, pedigree: Pedigree) -> str:
    """How a family member is related to the proband."""
    if sample == proband.sample:
        return "proband"
    if sample == proband.father:
        return "father"
    if sample == proband.mother:
        return "mother"
    other = next((p for p in pedigree.people if p.sample == sample), None)
    if other is None:
        return "relative"
    if proband.sample in (other.father, other.mother):
        return "child"
    shared = {proband.father, proband.mother} & {other.father, other.mother} - {None}
    return "sibling" if shared else "relative"


def member_calls(
    variant: FamilyVariant, proband: Person, pedigree: Pedigree
) -> tuple[MemberCall, ...]:
    """Every member's call at a variant, in VCF sample order."""
    affected = {p.sample: p.affected for p in pedigree.people}
    return tuple(
        MemberCall(
            sample=sample,
            relation=relation(sample, proband, pedigree),
            affected=affected.get(sample),
            gt=call.gt,
            ad_ref=call.ad_ref,
            ad_alt=call.ad_alt,
            dp=call.dp,
            gq=call.gq,
        )
        for sample, call in variant.calls
    )


def _value(value: int | None) -> str:
    return "" if value is None else str(value)


class MemberCells(TypedDict):
    """The TSV cells of :data:`MEMBER_COLUMNS` (keyword arguments of a prioritised variant)."""

    family_allele_depths: str
    family_depths: str
    family_gq: str


def member_cells(members: Sequence[MemberCall]) -> MemberCells:
    """The TSV cells of :data:`MEMBER_COLUMNS`."""
    return {
        "family_allele_depths": ";".join(
            f"{m.sample}={'' if m.ad_ref is None or m.ad_alt is None else f'{m.ad_ref},{m.ad_alt}'}"
            for m in members
        ),
        "family_depths": ";".join(f"{m.sample}={_value(m.dp)}" for m in members),
        "family_gq": ";".join(f"{m.sample}={_value(m.gq)}" for m in members),
    }
