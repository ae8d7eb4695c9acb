"""The sex check: inferred sex from X/Y coverage and X heterozygosity against the declared sex.

Coverage: mean depth of chrX and chrY relative to the autosomes (mosdepth per-contig means).
Heterozygosity: allele balance of the sample's X SNV calls in the family VCF, outside the
pseudo-autosomal regions of the genome build. A reference without chrX and chrY cannot tell sex:
the check then says so ("not assessable") rather than pass or fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hurtig.errors import InputError
from hurtig.qc.checks_file import CheckStatus, SexCheck
from hurtig.qc.family_vcf import good_snv, open_vcf, sex_contigs
from hurtig.run.genome_build import GenomeBuild
from hurtig.run.pedigree import Sex

INCONCLUSIVE = "inconclusive"
NOT_ASSESSED = "not assessable"


@dataclass(frozen=True)
class SexLimits:
    """Decision limits of the sex inference (ratios are to the autosomal mean depth)."""

    female_min_x: float = 0.75
    male_x: tuple[float, float] = (0.3, 0.7)
    male_min_y: float = 0.1
    female_max_y: float = 0.05
    min_het_sites: int = 20
    male_max_het: float = 0.15
    female_min_het: float = 0.3
    min_depth: int = 10
    min_qual: float = 30.0


def read_fai(path: Path) -> dict[str, int]:
    """Contig lengths from a samtools ``.fai`` index."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    contigs: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        fields = line.split("\t")
        if len(fields) < 2 or not fields[1].isdigit():
            raise InputError(f"{path}: line {number} is not a .fai line")
        contigs[fields[0]] = int(fields[1])
    return contigs


def x_heterozygosity(
    vcf: Path, sample: str, x_contig: str, build: GenomeBuild, limits: SexLimits = SexLimits()
) -> tuple[int, int]:
    """Count the sample's X SNV sites carrying the alt allele, and those that look heterozygous.

    Uses allele depths (AD), not the called genotype: a sample declared male is called haploid
    on X, so its genotype cannot be heterozygous whatever its reads say. Sites in the build's
    pseudo-autosomal regions are skipped.

    Returns:
        (sites where the sample carries the alt allele, sites with allele balance 0.2-0.8).
    """
    carriers = hets = 0
    with open_vcf(vcf) as handle:
        if sample not in handle.header.samples:
            raise InputError(f"{vcf}: sample {sample} not in the VCF")
        if x_contig not in handle.header.contigs:
            return 0, 0
        for record in handle.fetch(x_contig):
            if not good_snv(record, limits.min_qual) or build.in_par_x(record.pos):
                continue
            ad = record.samples[sample].get("AD")
            if not ad or len(ad) < 2 or any(v is None for v in ad[:2]):
                continue
            depth = ad[0] + ad[1]
            if depth < limits.min_depth:
                continue
            balance = ad[1] / depth
            if balance >= 0.2:
                carriers += 1
                if balance <= 0.8:
                    hets += 1
    return carriers, hets


def _weighted_mean(values: Sequence[tuple[int, float]]) -> float | None:
    total = sum(length for length, _ in values)
    return sum(length * mean for length, mean in values) / total if total else None


def infer_sex(
    declared: str,
    sample: str,
    depths: dict[str, tuple[int, float]],
    contigs: Sequence[str],
    het: tuple[int, int] | None,
    limits: SexLimits = SexLimits(),
) -> SexCheck:
    """Infer sex from sex-chromosome coverage and X heterozygosity; compare with the declared sex.

    Args:
        declared: sex from the sample sheet (male, female or unknown).
        sample: sample id.
        depths: per-contig (length, mean depth), see
            :func:`hurtig.qc.tool_outputs.read_contig_depths`.
        contigs: contig names of the reference.
        het: (X alt-carrying sites, heterozygous-looking sites), or None when not computed.
        limits: decision limits.

    Returns:
        The check; status ``pass``, ``fail``, ``not assessable`` or ``info`` (declared unknown).
    """
    autosomes, x, y = sex_contigs(contigs)
    if x is None and y is None:
        return SexCheck(
            sample, declared, NOT_ASSESSED, CheckStatus.NOT_ASSESSABLE,
            "not assessable (reference has no chrX/chrY)",
        )  # fmt: skip
    auto_mean = _weighted_mean([depths[a] for a in autosomes if a in depths])
    if not auto_mean:
        return SexCheck(
            sample, declared, NOT_ASSESSED, CheckStatus.NOT_ASSESSABLE,
            "not assessable (no autosomal coverage to compare with)",
        )  # fmt: skip
    x_ratio = depths.get(x, (0, 0.0))[1] / auto_mean if x else None
    y_ratio = depths.get(y, (0, 0.0))[1] / auto_mean if y else None
    by_coverage = _sex_from_coverage(x_ratio, y_ratio, limits)
    het_sites, het_fraction, by_het = _sex_from_heterozygosity(het, limits)
    inferred = by_coverage
    if by_het is not None and by_coverage not in (INCONCLUSIVE, by_het):
        inferred = INCONCLUSIVE
    evidence = ", ".join(
        part
        for part in (
            f"X/autosome depth {x_ratio:.2f}" if x_ratio is not None else "",
            f"Y/autosome depth {y_ratio:.2f}" if y_ratio is not None else "",
            f"X heterozygosity {het_fraction:.2f} over {het_sites} sites"
            if het_fraction is not None
            else "",
        )
        if part
    )
    status, reason = _sex_verdict(declared, inferred, evidence)
    return SexCheck(
        sample, str(declared), inferred, status, reason, x_ratio, y_ratio, het_fraction, het_sites
    )


def _sex_from_coverage(x_ratio: float | None, y_ratio: float | None, limits: SexLimits) -> str:
    low, high = limits.male_x
    x_female = x_ratio is None or x_ratio >= limits.female_min_x
    x_male = x_ratio is None or low <= x_ratio <= high
    y_female = y_ratio is None or y_ratio <= limits.female_max_y
    y_male = y_ratio is None or y_ratio >= limits.male_min_y
    if x_female and y_female and not (x_male and y_male):
        return "female"
    if x_male and y_male and not (x_female and y_female):
        return "male"
    return INCONCLUSIVE


def _sex_from_heterozygosity(
    het: tuple[int, int] | None, limits: SexLimits
) -> tuple[int, float | None, str | None]:
    """(X sites, heterozygous fraction, the sex it indicates or None when it is not decisive)."""
    sites, fraction = (het[0], het[1] / het[0]) if het and het[0] else (0, None)
    if fraction is None or sites < limits.min_het_sites:
        return sites, fraction, None
    if fraction <= limits.male_max_het:
        return sites, fraction, "male"
    if fraction >= limits.female_min_het:
        return sites, fraction, "female"
    return sites, fraction, None


def _sex_verdict(declared: str, inferred: str, evidence: str) -> tuple[CheckStatus, str]:
    if declared not in (Sex.MALE, Sex.FEMALE):
        return CheckStatus.INFO, f"declared {declared}; inferred {inferred} ({evidence})"
    if inferred == INCONCLUSIVE:
        return (
            CheckStatus.FAIL,
            f"declared {declared} but sex chromosomes fit neither XX nor XY ({evidence})",
        )
    if inferred != declared:
        return CheckStatus.FAIL, f"declared {declared} but inferred {inferred} ({evidence})"
    return CheckStatus.PASS, f"declared {declared}, inferred {inferred} ({evidence})"
