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
- ``x_linked_hemizygous``: male proband, chrX outside PAR1/PAR2 of the run's genome build
  (:mod:`hurtig.run.genome_build`), alt allele (hom-alt, haploid,
  or het call with AB ≥ 0.8).
- ``x_linked_heterozygous``: female proband het on chrX outside the PARs.
- ``heterozygous_inherited_affected`` / ``heterozygous_origin_unknown``: dominant-compatible het.
- ``heterozygous_inherited_unaffected``: het from an unaffected parent (fits no dominant model).
- ``homozygous_in_unaffected_parent``: proband hom-alt but an unaffected parent is too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from hurtig.prioritise.genotypes import Call, FamilyVariant, Zygosity
from hurtig.run.genome_build import DEFAULT_BUILD, GenomeBuild, genome_build
from hurtig.run.pedigree import Pedigree, Person, Sex

DEFAULT_PARENT_MIN_GQ = 20
DEFAULT_PARENT_MIN_DP = 10
DEFAULT_MIN_AB = 0.2
HEMIZYGOUS_MIN_AB = 0.8
MAX_PARTNERS = 3
"""Compound-heterozygous partners (and in-cis notes) named in a variant's phrase."""

Key = tuple[str, int, str, str]
"""A record's ``(chrom, pos, ref, alt)``."""


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

_PATTERN_ORDER: tuple[Pattern, ...] = tuple(Pattern)


@dataclass(frozen=True)
class InheritanceSettings:
    """Thresholds for confident parental genotypes, and the genome build.

    Attributes:
        parent_min_gq: minimum parental GQ for a confident hom-ref call.
        parent_min_dp: minimum parental depth for a confident hom-ref call.
        min_ab: minimum proband allele balance for a de novo het.
        build: the reference genome build; its chrX PARs are treated as autosomal.
    """

    parent_min_gq: int = DEFAULT_PARENT_MIN_GQ
    parent_min_dp: int = DEFAULT_PARENT_MIN_DP
    min_ab: float = DEFAULT_MIN_AB
    build: GenomeBuild = field(default_factory=lambda: genome_build(DEFAULT_BUILD))


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


def _call_of(items: list[tuple[Pattern, str]], origin: str) -> InheritanceCall:
    """An :class:`InheritanceCall` of (pattern, phrase) items, sorted into enum order."""
    items = sorted(items, key=lambda item: _PATTERN_ORDER.index(item[0]))
    return InheritanceCall(tuple(p for p, _ in items), tuple(t for _, t in items), origin)


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


@dataclass(frozen=True)
class _Trio:
    """The proband and parents of one assessment, with the variant's parental origin."""

    proband: Person
    father: Person | None
    mother: Person | None
    origin: _Origin

    def role(self, parent: Person) -> str:
        """``father`` or ``mother``."""
        return "father" if parent is self.father else "mother"


def _parent_gts(v: FamilyVariant, father: Person | None, mother: Person | None) -> str:
    parts = []
    for role, p in (("father", father), ("mother", mother)):
        if p is None:
            continue
        c = v.call(p.sample)
        parts.append(f"{role} {c.gt if c else 'not sequenced'}")
    return f" ({', '.join(parts)})" if parts else ""


def _homozygous(v: FamilyVariant, trio: _Trio) -> tuple[Pattern, str]:
    """Homozygous, unless an unaffected parent is homozygous too."""
    unaffected_hom = [
        p
        for p in (trio.father, trio.mother)
        if p is not None
        and not p.affected
        and (pc := v.call(p.sample)) is not None
        and pc.zygosity == Zygosity.HOM_ALT
    ]
    if unaffected_hom:
        who = " and ".join(trio.role(p) for p in unaffected_hom)
        return Pattern.HOM_IN_UNAFFECTED_PARENT, f"homozygous, also in unaffected {who}"
    return Pattern.HOMOZYGOUS, f"homozygous{_parent_gts(v, trio.father, trio.mother)}"


def _heterozygous(trio: _Trio, x_nonpar: bool) -> list[tuple[Pattern, str]]:
    """An inherited (not de novo) heterozygous call: X-linked, from whom, or origin unknown."""
    found: list[tuple[Pattern, str]] = []
    carriers = [
        p
        for p, c in (
            (trio.father, trio.origin.father_carries),
            (trio.mother, trio.origin.mother_carries),
        )
        if p is not None and c
    ]
    if x_nonpar and trio.proband.sex == Sex.FEMALE:
        found.append((Pattern.X_HETEROZYGOUS, "heterozygous on chrX (female)"))
    if carriers and any(p.affected for p in carriers):
        who = " and ".join(trio.role(p) for p in carriers if p.affected)
        found.append((Pattern.HET_AFFECTED_PARENT, f"heterozygous, from affected {who}"))
    elif carriers:
        who = " and ".join(trio.role(p) for p in carriers)
        found.append(
            (Pattern.HET_UNAFFECTED_PARENT, f"heterozygous, inherited from unaffected {who}")
        )
    else:
        found.append((Pattern.HET_UNKNOWN_ORIGIN, "heterozygous, parental origin unknown"))
    return found


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
        settings: thresholds and genome build (default: GRCh38).

    Returns:
        The patterns with their phrases; empty when the proband does not carry the allele.
    """
    s = settings or InheritanceSettings()
    call = v.call(proband.sample)
    if call is None or not call.carries:
        return InheritanceCall((), (), "unknown")
    father, mother = pedigree.parents(proband.sample)
    trio = _Trio(proband, father, mother, _origin(v, father, mother, s))
    found: list[tuple[Pattern, str]] = []
    x_nonpar = s.build.is_x_nonpar(v.chrom, v.pos)
    ab = call.ab
    male_x = x_nonpar and proband.sex == Sex.MALE
    hemi = male_x and (
        call.zygosity in (Zygosity.HOM_ALT, Zygosity.HEMI)
        or (ab is not None and ab >= HEMIZYGOUS_MIN_AB)
    )
    het_like = call.zygosity == Zygosity.HET or (call.zygosity == Zygosity.HEMI and not male_x)
    de_novo = (
        trio.origin.both_confident_ref and (het_like or hemi) and (ab is None or ab >= s.min_ab)
    )
    if de_novo:
        phrase = f"de novo (parents 0/0, GQ ≥ {s.parent_min_gq}, DP ≥ {s.parent_min_dp})"
        found.append((Pattern.DE_NOVO, phrase))
    if hemi:
        found.append((Pattern.X_HEMIZYGOUS, "hemizygous (male, chrX outside PAR)"))
        if father is not None and trio.origin.father_carries and not father.affected:
            found.append((Pattern.HET_UNAFFECTED_PARENT, "also in unaffected father"))
    elif call.zygosity == Zygosity.HOM_ALT:
        found.append(_homozygous(v, trio))
    elif het_like and not de_novo:
        found += _heterozygous(trio, x_nonpar)
    elif het_like and x_nonpar and proband.sex == Sex.FEMALE:
        found.append((Pattern.X_HETEROZYGOUS, "heterozygous on chrX (female)"))
    return _call_of(found, "de_novo" if de_novo else trio.origin.label)


def _compound_het_candidates(
    variants: Sequence[FamilyVariant], proband: Person, build: GenomeBuild
) -> dict[str, list[FamilyVariant]]:
    """The proband's heterozygous variants per gene (not on a male's non-PAR chrX)."""
    by_gene: dict[str, list[FamilyVariant]] = defaultdict(list)
    for v in variants:
        call = v.call(proband.sample)
        if call is None or call.zygosity != Zygosity.HET or not v.gene:
            continue
        if build.is_x_nonpar(v.chrom, v.pos) and proband.sex == Sex.MALE:
            continue
        by_gene[v.gene].append(v)
    for gene_vars in by_gene.values():
        gene_vars.sort(key=lambda v: (v.pos, v.ref, v.alt))
    return by_gene


@dataclass
class _PairFindings:
    """What pairing a gene's heterozygous variants found, per variant key."""

    pairs: dict[Key, list[tuple[Pattern, str]]] = field(default_factory=lambda: defaultdict(list))
    cis: dict[Key, list[str]] = field(default_factory=lambda: defaultdict(list))


def _pair_text(
    status: Pattern, this: FamilyVariant, other: FamilyVariant, origins: dict[Key, str]
) -> str:
    if status == Pattern.COMPOUND_HET:
        return (
            f"compound heterozygous in trans with {other.label} "
            f"({origins[this.key]}/{origins[other.key]})"
        )
    return f"possible compound heterozygous with {other.label} (phase unknown)"


def _pair_gene(
    gene_vars: Sequence[FamilyVariant],
    origins: dict[Key, str],
    father: Person | None,
    mother: Person | None,
    found: _PairFindings,
) -> None:
    """Pair every two heterozygous variants of one gene; record pairs and cis notes."""
    for i, a in enumerate(gene_vars):
        for b in gene_vars[i + 1 :]:
            status = _pair_status(origins[a.key], origins[b.key])
            if status is None:
                parent = "father" if origins[a.key] == "paternal" else "mother"
                for this, other in ((a, b), (b, a)):
                    found.cis[this.key].append(
                        f"in cis with {other.label} (both from {parent}), not compound heterozygous"
                    )
                continue
            blocker = _unaffected_parent_blocks(a, b, father, mother)
            if blocker is not None:
                for this, other in ((a, b), (b, a)):
                    found.cis[this.key].append(
                        f"not compound heterozygous with {other.label} ({blocker})"
                    )
                continue
            for this, other in ((a, b), (b, a)):
                found.pairs[this.key].append((status, _pair_text(status, this, other, origins)))


def _with_pairs(
    base: InheritanceCall, pairs: list[tuple[Pattern, str]], cis: list[str]
) -> InheritanceCall:
    """A variant's single-variant call joined with its compound-heterozygous findings."""
    items = list(zip(base.patterns, base.texts, strict=True))
    if pairs:
        # the parental origin is part of the compound-heterozygous call
        items = [(p, t) for p, t in items if p != Pattern.HET_UNAFFECTED_PARENT]
    elif cis:
        items = [
            (p, f"{t}; {cis[0]}" if p == Pattern.HET_UNAFFECTED_PARENT else t) for p, t in items
        ]
    # a confirmed in-trans partner makes "possible" pairs redundant for the same variant
    if any(p == Pattern.COMPOUND_HET for p, _ in pairs):
        pairs = [(p, t) for p, t in pairs if p == Pattern.COMPOUND_HET]
    seen: set[Pattern] = set()
    for p, _ in pairs:
        if p in seen:
            continue
        seen.add(p)
        # name up to MAX_PARTNERS partners (an SV partner is as telling as a SNV), count the rest
        texts = [u for q, u in pairs if q == p]
        shown, more = texts[:MAX_PARTNERS], len(texts) - MAX_PARTNERS
        text = "; ".join(shown) + (f" and {more} more" if more > 0 else "")
        if p == Pattern.COMPOUND_HET and cis:
            text += "; " + "; ".join(cis[:MAX_PARTNERS])
        items.append((p, text))
    return _call_of(items, base.origin)


def assess_family(
    variants: Sequence[FamilyVariant],
    proband: Person,
    pedigree: Pedigree,
    settings: InheritanceSettings | None = None,
) -> dict[Key, InheritanceCall]:
    """All patterns, including compound heterozygosity across a gene's variants.

    Pass only the variants that passed the filters: pairs are formed among them.

    Args:
        variants: filtered records (any order) with their gene.
        proband: the analysed sample.
        pedigree: the sample sheet.
        settings: thresholds and genome build (default: GRCh38).

    Returns:
        ``(chrom, pos, ref, alt)`` → call.
    """
    s = settings or InheritanceSettings()
    single = {v.key: assess_variant(v, proband, pedigree, s) for v in variants}
    father, mother = pedigree.parents(proband.sample)
    found = _PairFindings()
    for gene_vars in _compound_het_candidates(variants, proband, s.build).values():
        origins = {v.key: single[v.key].origin for v in gene_vars}
        _pair_gene(gene_vars, origins, father, mother, found)
    return {
        v.key: _with_pairs(single[v.key], found.pairs.get(v.key, []), found.cis.get(v.key, []))
        for v in variants
    }


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
