"""Genotypes of a family at one record: each sample's call and the record with all of them.

These are the facts inheritance and ranking reason about; :mod:`hurtig.prioritise.calls`
reads them from the family VCF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Zygosity(StrEnum):
    """Genotype class of one sample for the record's ALT allele."""

    HOM_REF = "hom_ref"
    HET = "het"
    HOM_ALT = "hom_alt"
    HEMI = "hemi"
    MISSING = "missing"


@dataclass(frozen=True)
class Call:
    """One sample's genotype at one record.

    Attributes:
        gt: genotype string as written (``0/1``, ``1``, ``./.``).
        zygosity: class for the record's ALT (allele index 1).
        gq: genotype quality or ``None``.
        dp: depth or ``None``.
        ad_ref: reference allele depth or ``None``.
        ad_alt: ALT allele depth or ``None``.
    """

    gt: str
    zygosity: Zygosity
    gq: int | None = None
    dp: int | None = None
    ad_ref: int | None = None
    ad_alt: int | None = None

    @property
    def ab(self) -> float | None:
        """ALT allele balance AD_alt / (AD_ref + AD_alt), or ``None``."""
        if self.ad_ref is None or self.ad_alt is None or self.ad_ref + self.ad_alt == 0:
            return None
        return self.ad_alt / (self.ad_ref + self.ad_alt)

    @property
    def carries(self) -> bool:
        """True when the ALT allele is called."""
        return self.zygosity in (Zygosity.HET, Zygosity.HOM_ALT, Zygosity.HEMI)


def zygosity_of(alleles: Sequence[int]) -> Zygosity:
    """Class of a genotype given allele indices (``-1`` = missing).

    Args:
        alleles: allele indices, e.g. ``[0, 1]``; other ALT indices count as non-ALT.

    Returns:
        The zygosity for ALT allele 1.
    """
    called = [a for a in alleles if a >= 0]
    if not called:
        return Zygosity.MISSING
    n_alt = sum(1 for a in called if a == 1)
    if len(called) == 1:
        return Zygosity.HEMI if n_alt else Zygosity.HOM_REF
    if n_alt == 0:
        return Zygosity.HOM_REF
    if n_alt == len(called):
        return Zygosity.HOM_ALT
    return Zygosity.HET


@dataclass(frozen=True)
class FamilyVariant:
    """A record with the family's calls.

    Attributes:
        chrom: chromosome.
        pos: position (1-based).
        ref: REF.
        alt: ALT.
        gene: gene symbol the variant is assigned to.
        calls: ``(sample, Call)`` pairs.
    """

    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str
    calls: tuple[tuple[str, Call], ...]

    @property
    def key(self) -> tuple[str, int, str, str]:
        """(chrom, pos, ref, alt)."""
        return (self.chrom, self.pos, self.ref, self.alt)

    @property
    def label(self) -> str:
        """``chrom:pos ref>alt``."""
        return f"{self.chrom}:{self.pos} {self.ref}>{self.alt}"

    def call(self, sample: str) -> Call | None:
        """The sample's call or ``None`` when the sample is not in the VCF."""
        for name, call in self.calls:
            if name == sample:
                return call
        return None
