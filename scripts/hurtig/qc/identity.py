"""Sample identity from genotypes at a fixed set of common SNP sites (as peddy and somalier do).

Every family member is genotyped at the same common biallelic SNVs (population allele frequency
0.2-0.8) straight from its alignments, whether it carries the alternative allele or not
(``bcftools mpileup -R sites | bcftools call -m`` without ``-v``; rule
``genotype_identity_sites``). Unlike the variant-only panel calls, homozygous-reference genotypes
are then known, so the KING-robust kinship and the IBS0 rate of a pair are estimated from
hundreds of informative sites.

Thresholds (documented in docs/VALIDATION.md):

- a genotype is used when FORMAT/DP ≥ :data:`MIN_DEPTH` and GQ ≥ :data:`MIN_GQ`; a pair is
  compared over the sites usable in both, and needs at least :data:`MIN_SITES` of them, else the
  pair is *not assessable* (the count is stated);
- every pair passes when its kinship is within :data:`TOLERANCE` of the pedigree's;
- a declared parent-child pair also needs an IBS0 rate (opposite homozygotes, i.e. Mendelian
  errors, among the sites where either carries the alternative allele) ≤ :data:`MAX_PARENT_IBS0`:
  a parent and a child always share an allele, full siblings do not;
- a duplicate (kinship ≥ 0.4) of two declared-distinct people always fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import pysam

from hurtig.errors import InputError
from hurtig.qc.checks_file import CheckStatus, PairCheck
from hurtig.qc.family_vcf import Genotypes, open_vcf, sex_contigs
from hurtig.qc.relatedness import expected_kinships, king_kinship, relation_name
from hurtig.run.pedigree import Person

MIN_DEPTH = 10
"""Minimum FORMAT/DP of a usable site genotype."""
MIN_GQ = 20
"""Minimum FORMAT/GQ of a usable site genotype."""
MIN_SITES = 200
"""Fewest sites usable in both samples for a pair to be assessable."""
TOLERANCE = 0.1
"""Largest difference between observed and expected kinship that passes."""
MAX_PARENT_IBS0 = 0.02
"""Largest IBS0 rate (opposite homozygotes among informative sites) of a parent-child pair."""


def shipped_sites(folder: Path, build: str) -> Path:
    """The shipped site list of a genome build: ``{folder}/{build}.sites.vcf.gz``."""
    return folder / f"{build}.sites.vcf.gz"


def choose_sites(
    identity: dict[str, Any], shipped: Path, reference: Sequence[str]
) -> tuple[Path | None, str]:
    """The identity site list of a run, or None and why there is none.

    ``identity.sites`` (a path) wins; ``null`` means no list. Without the key, the shipped list
    of the build is used when the reference has the contigs it names.

    Raises:
        InputError: the configured list is missing or not bgzipped and indexed.
    """
    if "sites" in identity and not identity["sites"]:
        return None, "identity.sites is null (no common SNP site list)"
    if identity.get("sites"):
        path = Path(identity["sites"])
        _indexed_contigs("identity.sites", path)
        return path, ""
    if not shipped.is_file():
        return None, f"no common SNP site list is shipped for this build ({shipped.name} missing)"
    contigs = set(_indexed_contigs("shipped identity sites", shipped))
    if not contigs & set(reference):
        return None, (
            f"the shipped common SNP site list {shipped.name} names contigs "
            f"({', '.join(sorted(contigs))}) the reference does not have; set identity.sites"
        )
    return shipped, ""


def _indexed_contigs(where: str, path: Path) -> list[str]:
    """The contigs of a bgzipped, tabix-indexed VCF (an input error naming it otherwise)."""
    try:
        with pysam.TabixFile(str(path)) as handle:
            return [str(c) for c in handle.contigs]
    except (OSError, ValueError) as err:
        raise InputError(
            f"{where}: {path}: cannot read it as a bgzipped, tabix-indexed VCF ({err})"
        ) from err


def site_allele(record: pysam.VariantRecord) -> bool:
    """True for a site record of a single-base REF with no ALT or one single-base ALT."""
    ref, alts = record.ref or "", [a for a in (record.alts or ()) if a not in ("<*>", ".")]
    return len(ref) == 1 and (not alts or (len(alts) == 1 and len(alts[0]) == 1))


def read_site_genotypes(
    vcf: Path, samples: Sequence[str], min_depth: int = MIN_DEPTH, min_gq: int = MIN_GQ
) -> Genotypes:
    """Dosages (0, 1, 2; None = not usable) of the samples at every site of a sites VCF.

    Homozygous-reference calls count (the sites VCF is genotyped without ``-v``); a genotype is
    usable when diploid, fully called, and its DP and GQ reach the minimums (a call without DP or
    GQ is not usable: a sites VCF must carry both).
    """
    rows: list[tuple[int | None, ...]] = []
    with open_vcf(vcf) as handle:
        missing = [s for s in samples if s not in handle.header.samples]
        if missing:
            raise InputError(f"{vcf}: sample(s) {', '.join(missing)} not in the sites VCF")
        autosomes = set(sex_contigs(str(c) for c in handle.header.contigs)[0])
        for record in handle:
            if record.chrom in autosomes and site_allele(record):
                rows.append(tuple(_dosage(record.samples[s], min_depth, min_gq) for s in samples))
    return Genotypes(tuple(samples), tuple(rows))


def _dosage(call: Any, min_depth: int, min_gq: int) -> int | None:
    gt = call.get("GT")
    if not gt or len(gt) != 2 or any(a is None for a in gt):
        return None
    depth, gq = call.get("DP"), call.get("GQ")
    if depth is None or gq is None or depth < min_depth or gq < min_gq:
        return None
    return sum(1 for a in gt if a > 0)


def parent_child_pairs(family: Sequence[Person]) -> set[frozenset[str]]:
    """Declared parent-child pairs whose both members are in the family."""
    members = {p.sample for p in family}
    return {
        frozenset((person.sample, parent))
        for person in family
        for parent in (person.father, person.mother)
        if parent and parent in members
    }


def check_identity_pairs(
    family: Sequence[Person], genotypes: Genotypes, min_sites: int = MIN_SITES
) -> list[PairCheck]:
    """Decide every pair of family members from their site genotypes (kinship and IBS0)."""
    expected = expected_kinships(family)
    parent_child = parent_child_pairs(family)
    checks = []
    for a, b in combinations([p.sample for p in family], 2):
        want = expected[(a, b)]
        kinship, sites, ibs0 = king_kinship(genotypes.of(a), genotypes.of(b))
        relation = "parent-child" if frozenset((a, b)) in parent_child else relation_name(want)
        if kinship is None or ibs0 is None or sites < min_sites:
            status = CheckStatus.NOT_ASSESSABLE
            reason = (
                f"{a}–{b}: {sites} common SNP sites genotyped in both (DP ≥ {MIN_DEPTH}, "
                f"GQ ≥ {MIN_GQ}); at least {min_sites} are needed to estimate kinship"
            )
        else:
            is_parent = relation == "parent-child"
            status, reason = _verdict(a, b, kinship, ibs0, want, sites, relation, is_parent)
        checks.append(PairCheck(a, b, want, relation, kinship, sites, ibs0, status, reason))
    return checks


def _verdict(
    a: str,
    b: str,
    kinship: float,
    ibs0: float,
    want: float,
    sites: int,
    relation: str,
    parent_child: bool,
) -> tuple[CheckStatus, str]:
    measured = f"kinship {kinship:.3f}, IBS0 {ibs0:.3f}; {sites} sites"
    if kinship >= 0.4 > want:
        return CheckStatus.FAIL, (
            f"{a}–{b}: the same person or identical twins ({measured}), but the pedigree says "
            f"{relation}"
        )
    if abs(kinship - want) > TOLERANCE:
        looks = relation_name(kinship)
        if looks == relation_name(want):
            looks = f"kinship far from the {want:.3f} expected"
        else:
            looks = f"looks {looks}"
        return CheckStatus.FAIL, (
            f"{a}–{b}: {looks} ({measured}), but the pedigree says {relation} "
            f"(expected kinship {want:.3f})"
        )
    if parent_child and ibs0 > MAX_PARENT_IBS0:
        return CheckStatus.FAIL, (
            f"{a}–{b}: opposite homozygotes at {ibs0 * 100:.1f} % of informative sites "
            f"({measured}): not parent and child as declared (siblings or a wrong parent)"
        )
    return CheckStatus.PASS, f"{a}–{b}: {relation} as declared ({measured})"
