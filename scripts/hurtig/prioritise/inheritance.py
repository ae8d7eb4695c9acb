"""Inheritance patterns of a proband's variants from the family's genotypes.

Patterns (one variant can have several):

- ``de_novo``: proband carries the allele (het; hemizygous on male X), allele balance ≥
  ``min_ab``, and both parents are sequenced and confidently hom-ref (GQ ≥ ``parent_min_gq``,
  DP ≥ ``parent_min_dp``).
- ``homozygous``: proband hom-alt (autosome, PAR, or female X); no unaffected parent hom-alt.
- ``compound_heterozygous``: two het variants of one gene, in trans (one seen in the father only,
  the other in the mother only). Both from one parent → not compound heterozygous.
- ``possible_compound_heterozygous``: two het variants of one gene whose phase is unknown
  (singleton, one parent missing, or a de novo plus an inherited variant).
- ``x_linked_hemizygous``: male proband, chrX outside PAR1/PAR2, alt allele (hom-alt, haploid,
  or het call with AB ≥ 0.8).
- ``x_linked_heterozygous``: female proband het on chrX outside the PARs.
- ``heterozygous_inherited_affected`` / ``heterozygous_origin_unknown``: dominant-compatible het.
- ``heterozygous_inherited_unaffected``: het from an unaffected parent (fits no dominant model).
- ``homozygous_in_unaffected_parent``: proband hom-alt but an unaffected parent is too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from hurtig.run.pedigree import Pedigree, Person, Sex

PAR_GRCH38: tuple[tuple[int, int], ...] = ((10_001, 2_781_479), (155_701_383, 156_030_895))
"""chrX pseudo-autosomal regions (GRCh38, 1-based inclusive); treated as autosomal."""

DEFAULT_PARENT_MIN_GQ = 20
DEFAULT_PARENT_MIN_DP = 10
DEFAULT_MIN_AB = 0.2
HEMIZYGOUS_MIN_AB = 0.8


class Zygosity(StrEnum):
    """Genotype class of one sample for the record's ALT allele."""

    HOM_REF = "hom_ref"
    HET = "het"
    HOM_ALT = "hom_alt"
    HEMI = "hemi"
    MISSING = "missing"


class Pattern(StrEnum):
    """Inheritance patterns reported per variant."""

    DE_NOVO = "de_novo"
    HOMOZYGOUS = "homozygous"
    COMPOUND_HET = "compound_heterozygous"
    POSSIBLE_COMPOUND_HET = "possible_compound_heterozygous"
    X_HEMIZYGOUS = "x_linked_hemizygous"
    X_HETEROZYGOUS = "x_linked_heterozygous"
    HET_AFFECTED_PARENT = "heterozygous_inherited_affected"
    HET_UNKNOWN_ORIGIN = "heterozygous_origin_unknown"
    HET_UNAFFECTED_PARENT = "heterozygous_inherited_unaffected"
    HOM_IN_UNAFFECTED_PARENT = "homozygous_in_unaffected_parent"


SUPPORTED_MODES: dict[Pattern, frozenset[str]] = {
    Pattern.DE_NOVO: frozenset({"AD", "XD"}),
    Pattern.HOMOZYGOUS: frozenset({"AR", "XR"}),
    Pattern.COMPOUND_HET: frozenset({"AR", "XR"}),
    Pattern.POSSIBLE_COMPOUND_HET: frozenset({"AR", "XR"}),
    Pattern.X_HEMIZYGOUS: frozenset({"XR", "XD"}),
    Pattern.X_HETEROZYGOUS: frozenset({"XD"}),
    Pattern.HET_AFFECTED_PARENT: frozenset({"AD"}),
    Pattern.HET_UNKNOWN_ORIGIN: frozenset({"AD"}),
    Pattern.HET_UNAFFECTED_PARENT: frozenset(),
    Pattern.HOM_IN_UNAFFECTED_PARENT: frozenset(),
}
"""Panel modes of inheritance each pattern is compatible with."""


@dataclass(frozen=True)
class InheritanceSettings:
    """Thresholds for confident parental genotypes.

    Attributes:
        parent_min_gq: minimum parental GQ for a confident hom-ref call.
        parent_min_dp: minimum parental depth for a confident hom-ref call.
        min_ab: minimum proband allele balance for a de novo het.
    """

    parent_min_gq: int = DEFAULT_PARENT_MIN_GQ
    parent_min_dp: int = DEFAULT_PARENT_MIN_DP
    min_ab: float = DEFAULT_MIN_AB


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
        pos: position.
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


@dataclass(frozen=True)
class InheritanceCall:
    """Result for one variant.

    Attributes:
        patterns: patterns, in enum order.
        texts: one phrase per pattern, same order.
        origin: ``paternal``, ``maternal``, ``both``, ``de_novo``, ``unknown``.
    """

    patterns: tuple[Pattern, ...]
    texts: tuple[str, ...]
    origin: str

    @property
    def label(self) -> str:
        """Patterns joined by ``,`` (the TSV ``inheritance`` column)."""
        return ",".join(p.value for p in self.patterns)

    @property
    def modes(self) -> frozenset[str]:
        """Union of panel modes the patterns support."""
        out: set[str] = set()
        for p in self.patterns:
            out |= SUPPORTED_MODES[p]
        return frozenset(out)


def is_x_nonpar(chrom: str, pos: int) -> bool:
    """True on chrX (``X``/``chrX``) outside the GRCh38 PARs."""
    if chrom not in ("X", "chrX"):
        return False
    return not any(lo <= pos <= hi for lo, hi in PAR_GRCH38)


def _confident_ref(call: Call | None, s: InheritanceSettings) -> bool:
    return (
        call is not None
        and call.zygosity == Zygosity.HOM_REF
        and call.gq is not None
        and call.gq >= s.parent_min_gq
        and call.dp is not None
        and call.dp >= s.parent_min_dp
    )


@dataclass(frozen=True)
class _Origin:
    father_carries: bool | None  # None = unknown (no father or missing call)
    mother_carries: bool | None
    both_confident_ref: bool

    @property
    def label(self) -> str:
        if self.father_carries and self.mother_carries:
            return "both"
        if self.father_carries and self.mother_carries is False:
            return "paternal"
        if self.mother_carries and self.father_carries is False:
            return "maternal"
        if self.both_confident_ref:
            return "de_novo"
        if self.father_carries:
            return "paternal_or_unknown"
        if self.mother_carries:
            return "maternal_or_unknown"
        return "unknown"


def _parent_carries(call: Call | None) -> bool | None:
    if call is None or call.zygosity == Zygosity.MISSING:
        return None
    return call.carries


def _origin(
    v: FamilyVariant, father: Person | None, mother: Person | None, s: InheritanceSettings
) -> _Origin:
    fc = v.call(father.sample) if father else None
    mc = v.call(mother.sample) if mother else None
    return _Origin(
        father_carries=_parent_carries(fc),
        mother_carries=_parent_carries(mc),
        both_confident_ref=father is not None
        and mother is not None
        and _confident_ref(fc, s)
        and _confident_ref(mc, s),
    )


def assess_variant(
    v: FamilyVariant,
    proband: Person,
    pedigree: Pedigree,
    settings: InheritanceSettings | None = None,
) -> InheritanceCall:
    """Single-variant patterns (everything except compound heterozygosity).

    Args:
        v: the record with the family's calls.
        proband: the analysed sample.
        pedigree: the sample sheet.
        settings: thresholds.

    Returns:
        The patterns with their phrases; empty when the proband does not carry the allele.
    """
    s = settings or InheritanceSettings()
    call = v.call(proband.sample)
    if call is None or not call.carries:
        return InheritanceCall((), (), "unknown")
    father, mother = pedigree.parents(proband.sample)
    origin = _origin(v, father, mother, s)
    found: list[tuple[Pattern, str]] = []
    x_nonpar = is_x_nonpar(v.chrom, v.pos)
    ab = call.ab
    male_x = x_nonpar and proband.sex == Sex.MALE
    hemi = male_x and (
        call.zygosity in (Zygosity.HOM_ALT, Zygosity.HEMI)
        or (ab is not None and ab >= HEMIZYGOUS_MIN_AB)
    )
    het_like = call.zygosity == Zygosity.HET or (call.zygosity == Zygosity.HEMI and not male_x)
    if origin.both_confident_ref and (het_like or hemi) and (ab is None or ab >= s.min_ab):
        found.append(
            (
                Pattern.DE_NOVO,
                f"de novo (parents 0/0, GQ ≥ {s.parent_min_gq}, DP ≥ {s.parent_min_dp})",
            )
        )
    if hemi:
        found.append((Pattern.X_HEMIZYGOUS, "hemizygous (male, chrX outside PAR)"))
        if father is not None and origin.father_carries and not father.affected:
            found.append((Pattern.HET_UNAFFECTED_PARENT, "also in unaffected father"))
    elif call.zygosity == Zygosity.HOM_ALT:
        unaffected_hom = [
            p
            for p in (father, mother)
            if p is not None
            and not p.affected
            and (pc := v.call(p.sample)) is not None
            and pc.zygosity == Zygosity.HOM_ALT
        ]
        if unaffected_hom:
            who = " and ".join("father" if p is father else "mother" for p in unaffected_hom)
            found.append(
                (Pattern.HOM_IN_UNAFFECTED_PARENT, f"homozygous, also in unaffected {who}")
            )
        else:
            parents_txt = _parent_gts(v, father, mother)
            found.append((Pattern.HOMOZYGOUS, f"homozygous{parents_txt}"))
    elif het_like and Pattern.DE_NOVO not in {p for p, _ in found}:
        carriers = [
            p
            for p, c in ((father, origin.father_carries), (mother, origin.mother_carries))
            if p is not None and c
        ]
        if x_nonpar and proband.sex == Sex.FEMALE:
            found.append((Pattern.X_HETEROZYGOUS, "heterozygous on chrX (female)"))
        if carriers and any(p.affected for p in carriers):
            who = " and ".join(
                ("father" if p is father else "mother") for p in carriers if p.affected
            )
            found.append((Pattern.HET_AFFECTED_PARENT, f"heterozygous, from affected {who}"))
        elif carriers:
            who = " and ".join("father" if p is father else "mother" for p in carriers)
            found.append(
                (Pattern.HET_UNAFFECTED_PARENT, f"heterozygous, inherited from unaffected {who}")
            )
        else:
            found.append((Pattern.HET_UNKNOWN_ORIGIN, "heterozygous, parental origin unknown"))
    elif het_like and x_nonpar and proband.sex == Sex.FEMALE:
        found.append((Pattern.X_HETEROZYGOUS, "heterozygous on chrX (female)"))
    found.sort(key=lambda item: list(Pattern).index(item[0]))
    return InheritanceCall(
        tuple(p for p, _ in found),
        tuple(t for _, t in found),
        "de_novo" if Pattern.DE_NOVO in {p for p, _ in found} else origin.label,
    )


def _parent_gts(v: FamilyVariant, father: Person | None, mother: Person | None) -> str:
    parts = []
    for role, p in (("father", father), ("mother", mother)):
        if p is None:
            continue
        c = v.call(p.sample)
        parts.append(f"{role} {c.gt if c else 'not sequenced'}")
    return f" ({', '.join(parts)})" if parts else ""


def assess_family(
    variants: Sequence[FamilyVariant],
    proband: Person,
    pedigree: Pedigree,
    settings: InheritanceSettings | None = None,
) -> dict[tuple[str, int, str, str], InheritanceCall]:
    """All patterns, including compound heterozygosity across a gene's variants.

    Pass only the variants that passed the filters: pairs are formed among them.

    Args:
        variants: filtered records (any order) with their gene.
        proband: the analysed sample.
        pedigree: the sample sheet.
        settings: thresholds.

    Returns:
        ``(chrom, pos, ref, alt)`` → call.
    """
    s = settings or InheritanceSettings()
    single = {v.key: assess_variant(v, proband, pedigree, s) for v in variants}
    by_gene: dict[str, list[FamilyVariant]] = defaultdict(list)
    for v in variants:
        call = v.call(proband.sample)
        if call is None or call.zygosity != Zygosity.HET or not v.gene:
            continue
        if is_x_nonpar(v.chrom, v.pos) and proband.sex == Sex.MALE:
            continue
        by_gene[v.gene].append(v)
    extra: dict[tuple[str, int, str, str], list[tuple[Pattern, str]]] = defaultdict(list)
    cis: dict[tuple[str, int, str, str], list[str]] = defaultdict(list)
    father, mother = pedigree.parents(proband.sample)
    for gene_vars in by_gene.values():
        gene_vars.sort(key=lambda v: (v.pos, v.ref, v.alt))
        origins = {v.key: single[v.key].origin for v in gene_vars}
        for i, a in enumerate(gene_vars):
            for b in gene_vars[i + 1 :]:
                status = _pair_status(origins[a.key], origins[b.key])
                if status is None:
                    parent = "father" if origins[a.key] == "paternal" else "mother"
                    for this, other in ((a, b), (b, a)):
                        cis[this.key].append(
                            f"in cis with {other.label} (both from {parent}), "
                            "not compound heterozygous"
                        )
                    continue
                blocker = _unaffected_parent_blocks(a, b, father, mother)
                if blocker is not None:
                    for this, other in ((a, b), (b, a)):
                        cis[this.key].append(
                            f"not compound heterozygous with {other.label} ({blocker})"
                        )
                    continue
                for this, other in ((a, b), (b, a)):
                    if status == Pattern.COMPOUND_HET:
                        text = (
                            f"compound heterozygous in trans with {other.label} "
                            f"({origins[this.key]}/{origins[other.key]})"
                        )
                    else:
                        text = f"possible compound heterozygous with {other.label} (phase unknown)"
                    extra[this.key].append((status, text))
    out: dict[tuple[str, int, str, str], InheritanceCall] = {}
    for v in variants:
        base = single[v.key]
        items = list(zip(base.patterns, base.texts, strict=True))
        pairs = extra.get(v.key, [])
        if pairs:
            # the parental origin is part of the compound-heterozygous call
            items = [(p, t) for p, t in items if p != Pattern.HET_UNAFFECTED_PARENT]
        elif cis.get(v.key):
            items = [
                (p, f"{t}; {cis[v.key][0]}" if p == Pattern.HET_UNAFFECTED_PARENT else t)
                for p, t in items
            ]
        # a confirmed in-trans partner makes "possible" pairs redundant for the same variant
        if any(p == Pattern.COMPOUND_HET for p, _ in pairs):
            pairs = [(p, t) for p, t in pairs if p == Pattern.COMPOUND_HET]
        seen: set[Pattern] = set()
        for p, t in pairs:
            if p in seen:
                continue
            seen.add(p)
            more = sum(1 for q, _ in pairs if q == p) - 1
            items.append((p, t + (f" and {more} more" if more else "")))
        items.sort(key=lambda item: list(Pattern).index(item[0]))
        out[v.key] = InheritanceCall(
            tuple(p for p, _ in items), tuple(t for _, t in items), base.origin
        )
    return out


def _unaffected_parent_blocks(
    a: FamilyVariant, b: FamilyVariant, father: Person | None, mother: Person | None
) -> str | None:
    """Why an unaffected parent rules a pair out, or ``None``.

    Assuming full penetrance: an unaffected parent who carries both variants cannot carry them
    in trans, so the child cannot either (the pair is in cis or not inherited together); and a
    variant homozygous in an unaffected parent is not a recessive disease allele.
    """
    for role, parent in (("father", father), ("mother", mother)):
        if parent is None or parent.affected:
            continue
        ca, cb = a.call(parent.sample), b.call(parent.sample)
        if ca is None or cb is None:
            continue
        for v, c in ((a, ca), (b, cb)):
            if c.zygosity == Zygosity.HOM_ALT:
                return f"{v.label} is homozygous in the unaffected {role}"
        if ca.carries and cb.carries:
            return f"both also in the unaffected {role}"
    return None


def _pair_status(la: str, lb: str) -> Pattern | None:
    """Pair status from the two parental-origin labels."""
    if {la, lb} == {"paternal", "maternal"}:
        return Pattern.COMPOUND_HET
    # both clearly from the same single parent: cis, not compound heterozygous
    if la == lb and la in ("paternal", "maternal"):
        return None
    return Pattern.POSSIBLE_COMPOUND_HET


def panel_fit(call: InheritanceCall, panel_modes: Sequence[str]) -> tuple[bool | None, str]:
    """Does the variant's pattern fit the gene's panel inheritance?

    Args:
        call: the variant's inheritance call.
        panel_modes: the gene's modes (``AD``, ``AR``, ``XD``, ``XR``); empty = unknown.

    Returns:
        (``True``/``False``, or ``None`` when the panel gives no mode; a phrase).
    """
    modes = [m for m in panel_modes if m]
    if not modes:
        return None, "panel inheritance not given"
    fitting = [m for m in modes if m in call.modes]
    joined = "/".join(modes)
    if fitting:
        return True, f"fits {'/'.join(fitting)} panel inheritance"
    return False, f"does not fit {joined} panel inheritance"
