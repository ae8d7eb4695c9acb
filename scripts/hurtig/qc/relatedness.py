"""The relatedness check: observed kinship and Mendelian consistency against the pedigree.

- **kinship**: the KING-robust kinship estimate of every pair of family members from their
  autosomal SNV genotypes, compared with the kinship the pedigree implies (parent-child 0.25,
  unrelated 0, ...);
- **Mendelian consistency**: the rate of Mendelian-inconsistent sites of every complete trio.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from hurtig.errors import InputError
from hurtig.qc.checks_file import CheckStatus, PairCheck, TrioCheck
from hurtig.qc.family_vcf import Genotypes
from hurtig.run.pedigree import Person


def king_kinship(
    a: Sequence[int | None], b: Sequence[int | None]
) -> tuple[float | None, int, float | None]:
    """KING-robust kinship of two samples (Manichaikul et al. 2010, between-family estimator).

    ``(N(Aa,Aa) - 2 N(AA,aa)) / (N(Aa) in a + N(Aa) in b)`` over sites genotyped in both;
    sites where both are homozygous reference add nothing, so a variant-only VCF suffices.

    Returns:
        (kinship or None without heterozygous sites, sites compared, IBS0 fraction among sites
        where either carries the alt allele).
    """
    both_het = opposite = het_a = het_b = sites = informative = 0
    for x, y in zip(a, b, strict=True):
        if x is None or y is None:
            continue
        sites += 1
        if x or y:
            informative += 1
        het_a += x == 1
        het_b += y == 1
        both_het += x == 1 and y == 1
        opposite += {x, y} == {0, 2}
    denominator = het_a + het_b
    kinship = (both_het - 2 * opposite) / denominator if denominator else None
    return kinship, sites, (opposite / informative if informative else None)


def _ancestors_first(family: Sequence[Person]) -> list[str]:
    """Family members ordered so that parents come before their children."""
    by_id = {p.sample: p for p in family}
    order: list[str] = []

    def visit(sample: str, path: tuple[str, ...] = ()) -> None:
        if sample in order or sample not in by_id:
            return
        if sample in path:
            raise InputError(f"pedigree: {sample} is their own ancestor")
        person = by_id[sample]
        for parent in (person.father, person.mother):
            if parent:
                visit(parent, (*path, sample))
        order.append(sample)

    for person in family:
        visit(person.sample)
    return order


def expected_kinships(family: Sequence[Person]) -> dict[tuple[str, str], float]:
    """Kinship coefficients implied by the pedigree (founders unrelated and not inbred)."""
    by_id = {p.sample: p for p in family}
    order = _ancestors_first(family)
    phi: dict[tuple[str, str], float] = {}

    def get(i: str | None, j: str | None) -> float:
        if i is None or j is None or i not in by_id or j not in by_id:
            return 0.0
        return phi[(i, j)]

    for n, i in enumerate(order):
        person = by_id[i]
        for j in order[:n]:
            value = 0.5 * (get(person.father, j) + get(person.mother, j))
            phi[(i, j)] = phi[(j, i)] = value
        phi[(i, i)] = 0.5 * (1 + get(person.father, person.mother))
    return phi


def relation_name(kinship: float) -> str:
    """A plain name for an (expected) kinship coefficient."""
    if kinship >= 0.4:
        return "duplicate or identical twin"
    if kinship >= 0.2:
        return "first-degree (parent-child or siblings)"
    if kinship >= 0.1:
        return "second-degree"
    if kinship >= 0.05:
        return "third-degree"
    return "unrelated"


def trio_pairs(family: Sequence[Person]) -> set[frozenset[str]]:
    """Pairs of members of a complete sequenced trio (child, father, mother)."""
    members = {p.sample for p in family}
    pairs: set[frozenset[str]] = set()
    for person in family:
        if person.father in members and person.mother in members:
            trio = (person.sample, person.father, person.mother)
            pairs |= {frozenset(pair) for pair in combinations(trio, 2)}
    return pairs


def check_pairs(
    family: Sequence[Person], genotypes: Genotypes, tolerance: float = 0.1, min_sites: int = 100
) -> list[PairCheck]:
    """Compare observed and expected kinship for every pair of family members.

    Pairs inside a complete trio are decided by the trio's Mendelian consistency, which needs no
    population allele frequencies; their kinship is shown for information and fails only when it
    reveals a duplicate sample. Other pairs (duos, siblings, ...) fail when the kinship differs
    from the pedigree's by more than ``tolerance``.
    """
    expected = expected_kinships(family)
    in_trio = trio_pairs(family)
    checks = []
    for a, b in combinations([p.sample for p in family], 2):
        want = expected[(a, b)]
        kinship, sites, ibs0 = king_kinship(genotypes.of(a), genotypes.of(b))
        relation = relation_name(want)
        if kinship is None or sites < min_sites:
            status = CheckStatus.NOT_ASSESSABLE
            reason = f"{a}–{b}: too few genotyped sites ({sites}) to estimate kinship"
        else:
            trio = frozenset((a, b)) in in_trio
            status, reason = _pair_verdict(a, b, kinship, want, sites, trio, tolerance)
        checks.append(PairCheck(a, b, want, relation, kinship, sites, ibs0, status, reason))
    return checks


def _pair_verdict(
    a: str, b: str, kinship: float, want: float, sites: int, in_trio: bool, tolerance: float
) -> tuple[CheckStatus, str]:
    relation = relation_name(want)
    if kinship >= 0.4 > want:
        return CheckStatus.FAIL, (
            f"{a}–{b}: kinship {kinship:.3f}: the same person or identical twins, but the "
            f"pedigree says {relation} ({sites} sites)"
        )
    if in_trio:
        return CheckStatus.INFO, (
            f"{a}–{b}: kinship {kinship:.3f} (pedigree: {relation}, {want:.3f}; {sites} "
            "sites); decided by the trio's Mendelian consistency"
        )
    if abs(kinship - want) > tolerance:
        return CheckStatus.FAIL, (
            f"{a}–{b}: kinship {kinship:.3f} looks {relation_name(kinship)}, but the pedigree "
            f"says {relation} (expected {want:.3f}; {sites} sites)"
        )
    return CheckStatus.PASS, (
        f"{a}–{b}: kinship {kinship:.3f}, {relation} as declared ({sites} sites)"
    )


def mendelian(
    child: Sequence[int | None],
    father: Sequence[int | None],
    mother: Sequence[int | None],
) -> tuple[int, int]:
    """Count (sites with all three genotyped and any alt allele, Mendelian-inconsistent sites)."""
    sites = bad = 0
    for c, f, m in zip(child, father, mother, strict=True):
        if c is None or f is None or m is None or not (c or f or m):
            continue
        sites += 1
        from_father = {0, 1} if f == 1 else {f // 2}
        from_mother = {0, 1} if m == 1 else {m // 2}
        if c not in {x + y for x in from_father for y in from_mother}:
            bad += 1
    return sites, bad


def check_trios(
    family: Sequence[Person], genotypes: Genotypes, max_rate: float = 0.02, min_sites: int = 100
) -> list[TrioCheck]:
    """Mendelian inconsistency rate of every child with both parents sequenced."""
    members = {p.sample for p in family}
    checks = []
    for person in family:
        father, mother = person.father, person.mother
        if father is None or mother is None or father not in members or mother not in members:
            continue
        sites, bad = mendelian(
            genotypes.of(person.sample), genotypes.of(father), genotypes.of(mother)
        )
        rate = bad / sites if sites else None
        trio = f"{person.sample} with parents {father} and {mother}"
        if rate is None or sites < min_sites:
            status, reason = (
                CheckStatus.NOT_ASSESSABLE,
                f"{trio}: too few genotyped sites ({sites})",
            )
        elif rate > max_rate:
            status = CheckStatus.FAIL
            reason = (
                f"{trio}: {rate * 100:.1f} % of {sites} sites are Mendelian-inconsistent "
                f"(at most {max_rate * 100:g} % expected)"
            )
        else:
            status = CheckStatus.PASS
            reason = f"{trio}: {rate * 100:.2f} % of {sites} sites Mendelian-inconsistent"
        checks.append(TrioCheck(person.sample, father, mother, sites, bad, rate, status, reason))
    return checks
