"""Sample identity checks that gate the clinical report: sex and family relatedness.

Two checks per family, written to one JSON file (``results/qc/checks/{family}.json``):

- **sex**: inferred from X and Y coverage relative to the autosomes (mosdepth per-contig means)
  and from X heterozygosity (allele balance of the sample's X calls in the family VCF, outside
  the pseudo-autosomal regions), compared with the declared sex. A reference without chrX and
  chrY cannot tell sex: the check then says so ("not assessable") rather than pass or fail.
- **relatedness**: the KING-robust kinship estimate of every pair of family members from their
  autosomal SNV genotypes, compared with the kinship the pedigree implies (parent-child 0.25,
  unrelated 0, ...), plus the Mendelian inconsistency rate of every trio.

A failing check makes the report NOT FOR CLINICAL USE, unless the run configuration overrides
that check by name with a reason (both are recorded in the JSON and printed in the report).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import pysam

from hurtig.errors import InputError
from hurtig.io.files import write_text_atomic
from hurtig.run.pedigree import Pedigree, Person, Sex, load_pedigree

CHECK_NAMES = ("sex", "relatedness")
PASS, FAIL, NOT_ASSESSABLE, INFO = "pass", "fail", "not assessable", "info"

# Pseudo-autosomal regions of chrX (1-based, inclusive): diploid in males, so not informative.
PAR_X = {
    "GRCh38": ((10_001, 2_781_479), (155_701_383, 156_030_895)),
    "GRCh37": ((60_001, 2_699_520), (154_931_044, 155_260_560)),
}
_AUTOSOME = re.compile(r"^(chr)?([1-9]|1[0-9]|2[0-2])$", re.IGNORECASE)


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


@dataclass(frozen=True)
class SexCheck:
    """Outcome of the sex check for one sample."""

    sample: str
    declared: str
    inferred: str
    status: str
    reason: str
    x_ratio: float | None = None
    y_ratio: float | None = None
    x_het_fraction: float | None = None
    x_het_sites: int = 0


@dataclass(frozen=True)
class PairCheck:
    """Observed against expected kinship for one pair of family members."""

    sample_a: str
    sample_b: str
    expected_kinship: float
    expected_relation: str
    kinship: float | None
    sites: int
    ibs0: float | None
    status: str
    reason: str


@dataclass(frozen=True)
class TrioCheck:
    """Mendelian consistency of one child with both parents."""

    child: str
    father: str
    mother: str
    sites: int
    inconsistent: int
    rate: float | None
    status: str
    reason: str


@dataclass(frozen=True)
class Genotypes:
    """Autosomal biallelic SNV genotypes (alt allele count, None = not usable) per sample."""

    samples: tuple[str, ...]
    dosages: tuple[tuple[int | None, ...], ...] = field(default_factory=tuple)

    def of(self, sample: str) -> list[int | None]:
        """Dosages of one sample over all sites."""
        index = self.samples.index(sample)
        return [site[index] for site in self.dosages]


# ---------------------------------------------------------------- contigs and coverage


def sex_contigs(names: Iterable[str]) -> tuple[list[str], str | None, str | None]:
    """Split contig names into autosomes, the X contig and the Y contig (None when absent)."""
    names = list(names)
    autosomes = [n for n in names if _AUTOSOME.match(n)]
    x = next((n for n in names if n.lower() in ("chrx", "x")), None)
    y = next((n for n in names if n.lower() in ("chry", "y")), None)
    return autosomes, x, y


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


def read_contig_depths(path: Path) -> dict[str, tuple[int, float]]:
    """Per-contig (length, mean depth) from a mosdepth summary.

    mosdepth's ``{contig}_region`` rows (over the ``--by`` regions: the pipeline passes the
    callable, non-N reference) are preferred to the whole-contig rows, which count N gaps as
    zero depth.
    """
    try:
        with path.open(encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    if not lines or not lines[0].startswith("chrom\tlength\tbases\tmean"):
        raise InputError(f"{path}: not a mosdepth summary (header 'chrom length bases mean ...')")
    whole: dict[str, tuple[int, float]] = {}
    region: dict[str, tuple[int, float]] = {}
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        try:
            length, mean = int(fields[1]), float(fields[3])
        except (IndexError, ValueError) as err:
            raise InputError(f"{path}: line {number}: bad length or mean") from err
        name = fields[0]
        if name in ("total", "total_region"):
            continue
        if name.endswith("_region"):
            region[name.removesuffix("_region")] = (length, mean)
        else:
            whole[name] = (length, mean)
    return {**whole, **region}


def _weighted_mean(values: Sequence[tuple[int, float]]) -> float | None:
    total = sum(length for length, _ in values)
    return sum(length * mean for length, mean in values) / total if total else None


# ---------------------------------------------------------------- X heterozygosity


def _in_par(pos: int, build: str) -> bool:
    return any(start <= pos <= end for start, end in PAR_X.get(build, ()))


def x_heterozygosity(
    vcf: Path, sample: str, x_contig: str, build: str, limits: SexLimits = SexLimits()
) -> tuple[int, int]:
    """Count the sample's X SNV sites carrying the alt allele, and those that look heterozygous.

    Uses allele depths (AD), not the called genotype: a sample declared male is called haploid
    on X, so its genotype cannot be heterozygous whatever its reads say.

    Returns:
        (sites where the sample carries the alt allele, sites with allele balance 0.2-0.8).
    """
    carriers = hets = 0
    with _open_vcf(vcf) as handle:
        if sample not in handle.header.samples:
            raise InputError(f"{vcf}: sample {sample} not in the VCF")
        if x_contig not in handle.header.contigs:
            return 0, 0
        for record in handle.fetch(x_contig):
            if not _good_snv(record, limits.min_qual) or _in_par(record.pos, build):
                continue
            call = record.samples[sample]
            ad = call.get("AD")
            if not ad or len(ad) < 2 or any(v is None for v in ad[:2]):
                continue
            ref_reads, alt_reads = ad[0], ad[1]
            depth = ref_reads + alt_reads
            if depth < limits.min_depth:
                continue
            balance = alt_reads / depth
            if balance >= 0.2:
                carriers += 1
                if balance <= 0.8:
                    hets += 1
    return carriers, hets


def _open_vcf(path: Path) -> pysam.VariantFile:
    try:
        return pysam.VariantFile(str(path))
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot open VCF ({err})") from err


def _good_snv(record: pysam.VariantRecord, min_qual: float) -> bool:
    alts = record.alts or ()
    if len(alts) != 1 or len(record.ref) != 1 or len(alts[0]) != 1 or alts[0] in "*.":
        return False
    filters = list(record.filter.keys())
    if filters and filters != ["PASS"]:
        return False
    return record.qual is None or record.qual >= min_qual


# ---------------------------------------------------------------- sex


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
        depths: per-contig (length, mean depth), see :func:`read_contig_depths`.
        contigs: contig names of the reference.
        het: (X alt-carrying sites, heterozygous-looking sites), or None when not computed.
        limits: decision limits.

    Returns:
        The check; status ``pass``, ``fail``, ``not assessable`` or ``info`` (declared unknown).
    """
    autosomes, x, y = sex_contigs(contigs)
    if x is None and y is None:
        return SexCheck(
            sample, declared, "not assessable", NOT_ASSESSABLE,
            "not assessable (reference has no chrX/chrY)",
        )  # fmt: skip
    auto_mean = _weighted_mean([depths[a] for a in autosomes if a in depths])
    if not auto_mean:
        return SexCheck(
            sample, declared, "not assessable", NOT_ASSESSABLE,
            "not assessable (no autosomal coverage to compare with)",
        )  # fmt: skip
    x_ratio = depths.get(x, (0, 0.0))[1] / auto_mean if x else None
    y_ratio = depths.get(y, (0, 0.0))[1] / auto_mean if y else None
    by_coverage = _sex_from_coverage(x_ratio, y_ratio, limits)
    het_sites, het_fraction = (het[0], het[1] / het[0]) if het and het[0] else (0, None)
    by_het = None
    if het_fraction is not None and het_sites >= limits.min_het_sites:
        if het_fraction <= limits.male_max_het:
            by_het = "male"
        elif het_fraction >= limits.female_min_het:
            by_het = "female"
    inferred = by_coverage
    if by_het is not None and by_coverage not in ("inconclusive", by_het):
        inferred = "inconclusive"
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
    if declared not in (Sex.MALE, Sex.FEMALE):
        status, reason = INFO, f"declared {declared}; inferred {inferred} ({evidence})"
    elif inferred == "inconclusive":
        status = FAIL
        reason = f"declared {declared} but sex chromosomes fit neither XX nor XY ({evidence})"
    elif inferred != declared:
        status, reason = FAIL, f"declared {declared} but inferred {inferred} ({evidence})"
    else:
        status, reason = PASS, f"declared {declared}, inferred {inferred} ({evidence})"
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
    return "inconclusive"


# ---------------------------------------------------------------- relatedness


def read_genotypes(
    vcf: Path, samples: Sequence[str], min_depth: int = 10, min_gq: int = 20, min_qual: float = 30
) -> Genotypes:
    """Autosomal biallelic SNV dosages of the given samples from a (family) VCF.

    A genotype is usable when it is diploid, fully called, and has FORMAT/DP ≥ ``min_depth`` and
    GQ ≥ ``min_gq`` (when those fields exist); other genotypes are ``None``.
    """
    rows: list[tuple[int | None, ...]] = []
    with _open_vcf(vcf) as handle:
        missing = [s for s in samples if s not in handle.header.samples]
        if missing:
            raise InputError(f"{vcf}: sample(s) {', '.join(missing)} not in the VCF")
        autosomes, _, _ = sex_contigs(handle.header.contigs)
        for contig in autosomes:
            try:
                records = handle.fetch(contig)
            except ValueError:
                continue
            for record in records:
                if not _good_snv(record, min_qual):
                    continue
                rows.append(tuple(_dosage(record.samples[s], min_depth, min_gq) for s in samples))
    return Genotypes(tuple(samples), tuple(rows))


def _dosage(call: Any, min_depth: int, min_gq: int) -> int | None:
    gt = call.get("GT")
    if not gt or len(gt) != 2 or any(a is None for a in gt):
        return None
    depth, gq = call.get("DP"), call.get("GQ")
    if (depth is not None and depth < min_depth) or (gq is not None and gq < min_gq):
        return None
    return sum(1 for a in gt if a > 0)


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


def expected_kinships(family: Sequence[Person]) -> dict[tuple[str, str], float]:
    """Kinship coefficients implied by the pedigree (founders unrelated and not inbred)."""
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
            status = NOT_ASSESSABLE
            reason = f"{a}–{b}: too few genotyped sites ({sites}) to estimate kinship"
        elif kinship >= 0.4 > want:
            status = FAIL
            reason = (
                f"{a}–{b}: kinship {kinship:.3f}: the same person or identical twins, but the "
                f"pedigree says {relation} ({sites} sites)"
            )
        elif frozenset((a, b)) in in_trio:
            status = INFO
            reason = (
                f"{a}–{b}: kinship {kinship:.3f} (pedigree: {relation}, {want:.3f}; {sites} "
                "sites); decided by the trio's Mendelian consistency"
            )
        elif abs(kinship - want) > tolerance:
            status = FAIL
            reason = (
                f"{a}–{b}: kinship {kinship:.3f} looks {relation_name(kinship)}, but the pedigree "
                f"says {relation} (expected {want:.3f}; {sites} sites)"
            )
        else:
            status = PASS
            reason = f"{a}–{b}: kinship {kinship:.3f}, {relation} as declared ({sites} sites)"
        checks.append(PairCheck(a, b, want, relation, kinship, sites, ibs0, status, reason))
    return checks


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
        if person.father not in members or person.mother not in members:
            continue
        assert person.father is not None and person.mother is not None
        sites, bad = mendelian(
            genotypes.of(person.sample), genotypes.of(person.father), genotypes.of(person.mother)
        )
        rate = bad / sites if sites else None
        trio = f"{person.sample} with parents {person.father} and {person.mother}"
        if rate is None or sites < min_sites:
            status, reason = NOT_ASSESSABLE, f"{trio}: too few genotyped sites ({sites})"
        elif rate > max_rate:
            status = FAIL
            reason = (
                f"{trio}: {rate * 100:.1f} % of {sites} sites are Mendelian-inconsistent "
                f"(at most {max_rate * 100:g} % expected)"
            )
        else:
            status = PASS
            reason = f"{trio}: {rate * 100:.2f} % of {sites} sites Mendelian-inconsistent"
        checks.append(
            TrioCheck(person.sample, person.father, person.mother, sites, bad, rate, status, reason)
        )
    return checks


# ---------------------------------------------------------------- the family result


def _status(statuses: Iterable[str]) -> str:
    statuses = list(statuses)
    if FAIL in statuses:
        return FAIL
    if not statuses or all(s in (NOT_ASSESSABLE, INFO) for s in statuses):
        return NOT_ASSESSABLE if NOT_ASSESSABLE in statuses or not statuses else INFO
    return PASS


def family_checks(
    pedigree: Pedigree,
    family: str,
    vcf: Path,
    fai: Path,
    mosdepth: dict[str, Path],
    build: str = "GRCh38",
    overrides: Sequence[str] = (),
    override_reason: str = "",
) -> dict[str, Any]:
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

    Returns:
        The JSON-ready result: per-check status and details, ``failures`` (reasons),
        ``overridden`` and ``clinical_use`` (False when a non-overridden check failed).
    """
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
    contigs = list(read_fai(fai))
    _, x, _ = sex_contigs(contigs)
    sex = []
    for person in members:
        het = x_heterozygosity(vcf, person.sample, x, build) if x else None
        depths = read_contig_depths(mosdepth[person.sample])
        sex.append(infer_sex(person.sex, person.sample, depths, contigs, het))
    genotypes = read_genotypes(vcf, [p.sample for p in members])
    pairs = check_pairs(members, genotypes) if len(members) > 1 else []
    trios = check_trios(members, genotypes)
    results = {
        "sex": {"status": _status(s.status for s in sex), "samples": [asdict(s) for s in sex]},
        "relatedness": {
            "status": _status([p.status for p in pairs] + [t.status for t in trios]),
            "sites": len(genotypes.dosages),
            "pairs": [asdict(p) for p in pairs],
            "trios": [asdict(t) for t in trios],
        },
    }
    failures = [
        {"check": "sex", "reason": s.reason} for s in sex if s.status == FAIL
    ] + [
        {"check": "relatedness", "reason": c.reason}
        for c in [*pairs, *trios]
        if c.status == FAIL
    ]  # fmt: skip
    overridden = sorted({f["check"] for f in failures if f["check"] in overrides})
    return {
        "family": family,
        "build": build,
        "checks": results,
        "failures": failures,
        "override_checks": list(overrides),
        "override_reason": override_reason if overrides else "",
        "overridden": overridden,
        "clinical_use": all(f["check"] in overrides for f in failures),
    }


def load_checks(path: Path) -> dict[str, Any]:
    """Read a checks JSON written by this module (for the report and the spreadsheet)."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(data, dict) or not {"checks", "failures", "clinical_use"} <= set(data):
        raise InputError(f"{path}: not a hurtig checks file (needs checks, failures, clinical_use)")
    return data


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        prog="hurtig check-family",
        description="Sex and relatedness checks of one family (gate the clinical report).",
    )
    parser.add_argument("--samples", required=True, type=Path, help="samples.tsv")
    parser.add_argument("--family", required=True)
    parser.add_argument("--vcf", required=True, type=Path, help="family VCF (bgzip + index)")
    parser.add_argument("--fai", required=True, type=Path, help="reference .fai")
    parser.add_argument(
        "--mosdepth",
        required=True,
        nargs="+",
        metavar="SAMPLE=SUMMARY",
        help="mosdepth summary per sample, as sample=path",
    )
    parser.add_argument("--genome-build", choices=sorted(PAR_X), default="GRCh38")
    parser.add_argument("--override", nargs="*", default=[], choices=CHECK_NAMES)
    parser.add_argument("--override-reason", default="")
    parser.add_argument("--out", required=True, type=Path, help="output JSON")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    args = parse_args(argv)
    summaries: dict[str, Path] = {}
    for item in args.mosdepth:
        sample, sep, path = item.partition("=")
        if not sep or not sample or not path:
            raise InputError(f"--mosdepth: expected sample=path, got {item!r}")
        summaries[sample] = Path(path)
    result = family_checks(
        load_pedigree(args.samples),
        args.family,
        args.vcf,
        args.fai,
        summaries,
        build=args.genome_build,
        overrides=args.override,
        override_reason=args.override_reason,
    )
    write_text_atomic(args.out, json.dumps(result, indent=1) + "\n")
    return 0
