"""Sample identity checks that gate the clinical report: sex and relatedness of one family.

Runs the sex check (:mod:`hurtig.qc.sex`) of every member and the relatedness checks
(:mod:`hurtig.qc.relatedness`) of the family, and decides whether the family's reports may be
used clinically. Each check's verdict is passed, failed or not assessable
(:func:`hurtig.qc.checks_file.check_verdicts`). A failed check makes the reports NOT FOR CLINICAL
USE, and so does a not-assessable one when the policy ``report.not_assessable_blocks`` says so,
unless the run configuration overrides that check by name with a reason (the verdicts, the policy
and the overrides are recorded in the checks file, :mod:`hurtig.qc.checks_file`, and printed in
the report).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations
from pathlib import Path

from hurtig.errors import InputError
from hurtig.qc.checks_file import (
    CHECK_NAMES,
    CheckStatus,
    CheckVerdict,
    Failure,
    FamilyChecks,
    PairCheck,
    RelatednessChecks,
    SexChecks,
    TrioCheck,
    Verdict,
    check_verdicts,
)
from hurtig.qc.family_vcf import read_genotypes, sex_contigs
from hurtig.qc.identity import check_identity_pairs, read_site_genotypes
from hurtig.qc.relatedness import check_pairs, check_trios, expected_kinships, relation_name
from hurtig.qc.sex import infer_sex, read_fai, x_heterozygosity
from hurtig.qc.tool_outputs import read_contig_depths
from hurtig.run.genome_build import genome_build
from hurtig.run.pedigree import Pedigree, Person


def overall_status(statuses: Iterable[CheckStatus]) -> CheckStatus:
    """One status for several: fail if any failed, pass if any passed, else not assessable/info."""
    statuses = list(statuses)
    if CheckStatus.FAIL in statuses:
        return CheckStatus.FAIL
    if not statuses or all(s in (CheckStatus.NOT_ASSESSABLE, CheckStatus.INFO) for s in statuses):
        if CheckStatus.NOT_ASSESSABLE in statuses or not statuses:
            return CheckStatus.NOT_ASSESSABLE
        return CheckStatus.INFO
    return CheckStatus.PASS


def blocking_checks(
    failures: Iterable[Failure], verdicts: Iterable[CheckVerdict], not_assessable_blocks: bool
) -> set[str]:
    """Names of the checks that block the report: failed, or not assessable under the policy."""
    blocking = {f.check for f in failures}
    if not_assessable_blocks:
        blocking |= {v.check for v in verdicts if v.verdict == Verdict.NOT_ASSESSABLE}
    return blocking


def _validate(
    pedigree: Pedigree,
    family: str,
    mosdepth: dict[str, Path],
    overrides: Sequence[str],
    override_reason: str,
) -> tuple[Person, ...]:
    """The family's members, after checking the overrides and the per-sample inputs."""
    unknown = [name for name in overrides if name not in CHECK_NAMES]
    if unknown:
        raise InputError(f"report.override_checks: unknown check(s) {', '.join(unknown)}")
    if overrides and not override_reason.strip():
        raise InputError("report.override_checks needs report.override_reason")
    members = pedigree.family(family)
    if not members:
        raise InputError(f"samples sheet: no samples in family {family}")
    missing = [p.sample for p in members if p.sample not in mosdepth]
    if missing:
        raise InputError(f"no mosdepth summary for {', '.join(missing)}")
    return members


def _relatedness(
    members: Sequence[Person], vcf: Path, sites_vcf: Path | None, no_sites_reason: str | None
) -> tuple[list[PairCheck], list[TrioCheck], int]:
    """Pairs, trios and site count: from the identity sites, the family VCF, or not assessable."""
    samples = [p.sample for p in members]
    if sites_vcf is not None:
        genotypes = read_site_genotypes(sites_vcf, samples)
        pairs = check_identity_pairs(members, genotypes)
    elif no_sites_reason is not None:
        expected = expected_kinships(members)
        pairs = [
            PairCheck(
                a,
                b,
                expected[(a, b)],
                relation_name(expected[(a, b)]),
                None,
                0,
                None,
                CheckStatus.NOT_ASSESSABLE,
                f"{a}–{b}: kinship not assessable: {no_sites_reason}",
            )
            for a, b in combinations(samples, 2)
        ]
        return pairs, [], 0
    else:
        genotypes = read_genotypes(vcf, samples)
        pairs = check_pairs(members, genotypes)
    return pairs, check_trios(members, genotypes), len(genotypes.dosages)


def family_checks(
    pedigree: Pedigree,
    family: str,
    vcf: Path,
    fai: Path,
    mosdepth: dict[str, Path],
    build: str = "GRCh38",
    overrides: Sequence[str] = (),
    override_reason: str = "",
    not_assessable_blocks: bool = False,
    sites_vcf: Path | None = None,
    no_sites_reason: str | None = None,
) -> FamilyChecks:
    """Run the sex and relatedness checks of one family.

    Args:
        pedigree: the sample sheet.
        family: family id.
        vcf: the family's joint-called VCF (bgzip + index).
        fai: the reference ``.fai`` (which contigs the reference has).
        mosdepth: mosdepth summary per sample of the family.
        build: genome build (pseudo-autosomal regions).
        overrides: check names whose failure the run configuration overrides.
        override_reason: why (required with ``overrides``).
        not_assessable_blocks: a not-assessable check blocks the reports like a failure.
        sites_vcf: the family genotyped at the identity sites (:mod:`hurtig.qc.identity`); when
            given, relatedness is decided from it instead of from ``vcf``.
        no_sites_reason: there is no identity site list (why): relatedness is not assessable.

    Returns:
        The checks: per-check status and details, the failures (reasons), the overridden checks
        and whether the family's reports may be used clinically.
    """
    members = _validate(pedigree, family, mosdepth, overrides, override_reason)
    genome = genome_build(build)
    contigs = list(read_fai(fai))
    _, x, _ = sex_contigs(contigs)
    sex = []
    for person in members:
        het = x_heterozygosity(vcf, person.sample, x, genome) if x else None
        depths = read_contig_depths(mosdepth[person.sample])
        sex.append(infer_sex(person.sex, person.sample, depths, contigs, het))
    pairs, trios, sites = _relatedness(members, vcf, sites_vcf, no_sites_reason)
    failures = [
        *(Failure("sex", s.reason) for s in sex if s.status == CheckStatus.FAIL),
        *(Failure("relatedness", p.reason) for p in pairs if p.status == CheckStatus.FAIL),
        *(Failure("relatedness", t.reason) for t in trios if t.status == CheckStatus.FAIL),
    ]
    sex_checks = SexChecks(overall_status(s.status for s in sex), tuple(sex))
    relatedness = RelatednessChecks(
        status=overall_status([p.status for p in pairs] + [t.status for t in trios]),
        sites=sites,
        pairs=tuple(pairs),
        trios=tuple(trios),
    )
    verdicts = check_verdicts(sex_checks, relatedness)
    blocking = blocking_checks(failures, verdicts, not_assessable_blocks)
    return FamilyChecks(
        family=family,
        build=build,
        sex=sex_checks,
        relatedness=relatedness,
        failures=tuple(failures),
        override_checks=tuple(overrides),
        override_reason=override_reason if overrides else "",
        overridden=tuple(sorted(blocking & set(overrides))),
        clinical_use=blocking <= set(overrides),
        not_assessable_blocks=not_assessable_blocks,
    )
