"""The demo trio's truth: phased genotypes of proband, father and mother, and their haplotypes.

The proband carries the phased Platinum Genomes NA12878 haplotypes (first haplotype = paternal,
second = maternal). The father transmits haplotype 1 and the mother haplotype 2; each parent's
other haplotype is drawn from real population allele frequencies (HapMap 3.3 ``AF``). Planted
variants (de novo, compound heterozygous) are read from ``planted_truth.tsv``. This module builds
those genotypes, applies a haplotype's variants to the reference sequence and renders the truth
VCF; :mod:`hurtig.devtools.simulate_reads` turns the haplotypes into reads.

Genotype conventions in ``trio_truth.vcf.gz`` (all phased): proband ``paternal|maternal``;
father and mother ``transmitted|untransmitted``.
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from hurtig.errors import InputError

SAMPLES: tuple[str, str, str] = ("proband", "father", "mother")
"""Sample names, in the column order of the truth VCF."""

PLANTED_COLUMNS: tuple[str, ...] = (
    "chrom",
    "pos",
    "ref",
    "alt",
    "gene",
    "kind",
    "proband_gt",
    "father_gt",
    "mother_gt",
    "expected_consequence",
    "note",
)
PLANTED_KINDS: frozenset[str] = frozenset({"de_novo", "compound_het"})

PLANTED_CLEARANCE = 50
"""No Platinum or population variant may lie within this many bp of a planted variant."""

Genotype = tuple[int, int]


@dataclass(frozen=True)
class Segment:
    """A real-sequence interval (0-based half-open, like BED)."""

    chrom: str
    start: int
    end: int

    @property
    def name(self) -> str:
        """Name with 1-based inclusive coordinates, e.g. ``chr21_24985581_26000306``."""
        return f"{self.chrom}_{self.start + 1}_{self.end}"

    def contains(self, pos: int, ref: str) -> bool:
        """Whether the 1-based variant span ``pos .. pos+len(ref)-1`` lies inside."""
        return self.start < pos and pos + len(ref) - 1 <= self.end


@dataclass(frozen=True)
class VcfRecord:
    """The few fields of a VCF record the simulator needs."""

    chrom: str
    pos: int
    ref: str
    alts: tuple[str, ...]
    gt: str = ""
    af: tuple[float, ...] = ()

    @property
    def end(self) -> int:
        """1-based inclusive end of the REF span."""
        return self.pos + len(self.ref) - 1


@dataclass(frozen=True)
class PlantedVariant:
    """One row of ``planted_truth.tsv``."""

    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str
    kind: str
    genotypes: dict[str, Genotype] = field(hash=False)
    expected_consequence: str = ""
    note: str = ""


@dataclass(frozen=True)
class TrioSite:
    """A site of the trio truth with phased genotypes of all three samples."""

    chrom: str
    pos: int
    ref: str
    alts: tuple[str, ...]
    genotypes: dict[str, Genotype] = field(hash=False)
    source: str = ""

    @property
    def end(self) -> int:
        """1-based inclusive end of the REF span."""
        return self.pos + len(self.ref) - 1


# --------------------------------------------------------------------------- input parsing


def parse_gt(text: str) -> tuple[Genotype, bool] | None:
    """Parse a diploid GT string.

    Args:
        text: e.g. ``0|1``, ``1/2``, ``./.``.

    Returns:
        ``((a, b), phased)`` or ``None`` when any allele is missing or the call is not diploid.
    """
    phased = "|" in text
    parts = text.replace("|", "/").split("/")
    if len(parts) != 2 or "." in parts:
        return None
    try:
        return (int(parts[0]), int(parts[1])), phased
    except ValueError:
        return None


def read_segments(path: Path) -> list[Segment]:
    """Read a BED file of real-sequence segments."""
    segments: list[Segment] = []
    for lineno, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        fields = line.split("\t")
        try:
            segment = Segment(fields[0], int(fields[1]), int(fields[2]))
        except (IndexError, ValueError) as err:
            raise InputError(f"{path}: line {lineno} is not BED") from err
        if segment.end <= segment.start:
            raise InputError(f"{path}: line {lineno} has end <= start")
        segments.append(segment)
    if not segments:
        raise InputError(f"{path}: no segments")
    return segments


def _info_af(info: str) -> tuple[float, ...]:
    for item in info.split(";"):
        if item.startswith("AF="):
            return tuple(float(x) if x != "." else 0.0 for x in item[3:].split(","))
    return ()


def read_vcf(path: Path, sample_column: int | None = 0) -> Iterator[VcfRecord]:
    """Yield records of a (b)gzipped or plain VCF.

    Args:
        path: the VCF.
        sample_column: index of the sample whose GT is returned (``None``: sites only).
    """
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 8:
                raise InputError(f"{path}: record with fewer than 8 columns")
            gt = ""
            if sample_column is not None and len(fields) > 9 + sample_column:
                keys = fields[8].split(":")
                if "GT" in keys:
                    gt = fields[9 + sample_column].split(":")[keys.index("GT")]
            yield VcfRecord(
                chrom=fields[0],
                pos=int(fields[1]),
                ref=fields[3].upper(),
                alts=tuple(a.upper() for a in fields[4].split(",")),
                gt=gt,
                af=_info_af(fields[7]),
            )


def read_planted(path: Path) -> list[PlantedVariant]:
    """Read ``planted_truth.tsv`` and check its genotypes.

    Raises:
        InputError: on a missing column, a bad genotype or kind, or a non-Mendelian
            ``compound_het`` row.
    """
    lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
    if not lines:
        raise InputError(f"{path}: empty")
    header = lines[0].split("\t")
    missing = [c for c in PLANTED_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{path}: missing columns {','.join(missing)}")
    planted: list[PlantedVariant] = []
    for lineno, line in enumerate(lines[1:], start=2):
        row = dict(zip(header, line.split("\t"), strict=False))
        genotypes: dict[str, Genotype] = {}
        for sample in SAMPLES:
            parsed = parse_gt(row.get(f"{sample}_gt", ""))
            if parsed is None or not parsed[1] or max(parsed[0]) > 1:
                raise InputError(f"{path}: line {lineno}: {sample}_gt must be phased 0/1 alleles")
            genotypes[sample] = parsed[0]
        kind = row.get("kind", "")
        if kind not in PLANTED_KINDS:
            raise InputError(f"{path}: line {lineno}: kind must be one of {sorted(PLANTED_KINDS)}")
        try:
            pos = int(row["pos"])
        except ValueError as err:
            raise InputError(f"{path}: line {lineno}: pos is not an integer") from err
        variant = PlantedVariant(
            chrom=row["chrom"],
            pos=pos,
            ref=row["ref"].upper(),
            alt=row["alt"].upper(),
            gene=row["gene"],
            kind=kind,
            genotypes=genotypes,
            expected_consequence=row.get("expected_consequence", ""),
            note=row.get("note", ""),
        )
        if sum(genotypes["proband"]) == 0:
            raise InputError(f"{path}: line {lineno}: the proband must carry the variant")
        if kind == "compound_het" and not is_mendelian(genotypes):
            raise InputError(f"{path}: line {lineno}: compound_het genotypes are not Mendelian")
        planted.append(variant)
    return planted


# --------------------------------------------------------------------------- genetics


def is_mendelian(genotypes: dict[str, Genotype]) -> bool:
    """Whether phased trio genotypes follow the transmission convention.

    The proband's first allele must equal the father's first (transmitted) allele and the
    proband's second allele the mother's first (transmitted) allele.
    """
    return (
        genotypes["proband"][0] == genotypes["father"][0]
        and genotypes["proband"][1] == genotypes["mother"][0]
    )


def is_mendelian_unphased(genotypes: dict[str, Genotype]) -> bool:
    """Phase-free Mendelian check: one proband allele from each parent."""
    a, b = genotypes["proband"]
    father, mother = set(genotypes["father"]), set(genotypes["mother"])
    return (a in father and b in mother) or (b in father and a in mother)


def assign_child_haplotypes(records: Iterable[VcfRecord], rng: random.Random) -> list[VcfRecord]:
    """Phase the truth genotypes of the proband.

    Phased genotypes keep their order (first = paternal). Unphased heterozygous genotypes are
    ordered with ``rng`` (one draw per unphased het, in input order); missing genotypes and
    hom-ref calls are dropped.

    Returns:
        Records whose ``gt`` is phased ``a|b``.
    """
    phased_records: list[VcfRecord] = []
    for record in records:
        parsed = parse_gt(record.gt)
        if parsed is None:
            continue
        (a, b), phased = parsed
        if a == 0 and b == 0:
            continue
        if not phased and a != b and rng.random() < 0.5:
            a, b = b, a
        phased_records.append(replace(record, gt=f"{a}|{b}"))
    return phased_records


def draw_allele(afs: Sequence[float], rng: random.Random) -> int:
    """Draw an allele index (0 = REF) from ALT allele frequencies with one ``rng`` draw."""
    u = rng.random()
    cumulative = 0.0
    for index, af in enumerate(afs, start=1):
        cumulative += max(af, 0.0)
        if u < cumulative:
            return index
    return 0


def draw_untransmitted(sites: Sequence[VcfRecord], rng: random.Random) -> list[int]:
    """Draw one parent's untransmitted haplotype at population sites (one draw per site)."""
    return [draw_allele(site.af, rng) for site in sites]


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]], pad: int) -> bool:
    return any(start <= e + pad and s <= end + pad for s, e in spans)


def resolve_haplotype_overlaps(sites: list[TrioSite], sample: str) -> tuple[list[TrioSite], int]:
    """Set to REF any allele that overlaps an earlier ALT allele on the same haplotype.

    Returns:
        The updated sites and the number of alleles reset.
    """
    last_end = [0, 0]
    reset = 0
    result: list[TrioSite] = []
    for site in sorted(sites, key=lambda s: (s.pos, s.end)):
        gt = list(site.genotypes[sample])
        for hap in (0, 1):
            if gt[hap] == 0:
                continue
            if site.pos <= last_end[hap]:
                gt[hap] = 0
                reset += 1
            else:
                last_end[hap] = site.end
        genotypes = dict(site.genotypes)
        genotypes[sample] = (gt[0], gt[1])
        result.append(replace(site, genotypes=genotypes))
    return result, reset


def build_trio(
    platinum: Sequence[VcfRecord],
    population: Sequence[VcfRecord],
    planted: Sequence[PlantedVariant],
    segments: Sequence[Segment],
    seed: int,
) -> list[TrioSite]:
    """Build the phased trio genotypes.

    Args:
        platinum: the proband's truth records (GT of NA12878).
        population: sites with ``AF`` for the parents' untransmitted haplotypes.
        planted: planted variants (their genotypes are used as given).
        segments: real-sequence segments; variants outside them are ignored.
        seed: base seed (proband phasing ``seed``; untransmitted alleles: father
            ``seed + 1`` and ``seed + 3``, mother ``seed + 2`` and ``seed + 4``).

    Returns:
        Sorted sites with at least one ALT allele, ALT lists trimmed to the alleles used.

    Raises:
        InputError: when a Platinum variant lies within ``PLANTED_CLEARANCE`` bp of a planted one.
    """

    def inside(record: VcfRecord | PlantedVariant) -> bool:
        return any(s.chrom == record.chrom and s.contains(record.pos, record.ref) for s in segments)

    planted_spans = [(p.pos, p.pos + len(p.ref) - 1) for p in planted]
    for planted_variant in planted:
        if not inside(planted_variant):
            raise InputError(f"planted variant {planted_variant.pos} is outside real sequence")

    usable = [r for r in population if r.af and len(r.af) == len(r.alts) and inside(r)]
    sites = _platinum_sites([r for r in platinum if inside(r)], planted_spans, seed)
    sites = untransmitted_at_proband_sites(sites, usable, seed)
    for p in planted:
        sites.append(
            TrioSite(p.chrom, p.pos, p.ref, (p.alt,), dict(p.genotypes), source=f"planted_{p.kind}")
        )
    sites += _population_sites(usable, sites, planted_spans, seed)
    trimmed = (trim_alleles(s) for s in sorted(sites, key=lambda s: (s.chrom, s.pos, s.end)))
    return [s for s in trimmed if s.alts]


def _platinum_sites(
    platinum: Iterable[VcfRecord], planted_spans: Sequence[tuple[int, int]], seed: int
) -> list[TrioSite]:
    """The proband's phased truth sites; each parent transmits one of its haplotypes.

    Raises:
        InputError: when a Platinum variant lies within ``PLANTED_CLEARANCE`` bp of a planted one.
    """
    sites: list[TrioSite] = []
    for record in assign_child_haplotypes(platinum, random.Random(seed)):
        if _overlaps(record.pos, record.end, planted_spans, PLANTED_CLEARANCE):
            raise InputError(
                f"Platinum variant {record.chrom}:{record.pos} is within "
                f"{PLANTED_CLEARANCE} bp of a planted variant"
            )
        parsed = parse_gt(record.gt)
        assert parsed is not None
        (a, b), _ = parsed
        sites.append(
            TrioSite(record.chrom, record.pos, record.ref, record.alts, {"proband": (a, b)})
        )
    sites, _reset = resolve_haplotype_overlaps(sites, "proband")
    return [
        replace(
            s,
            genotypes={
                "proband": s.genotypes["proband"],
                "father": (s.genotypes["proband"][0], 0),
                "mother": (s.genotypes["proband"][1], 0),
            },
            source="platinum",
        )
        for s in sites
    ]


def untransmitted_at_proband_sites(
    sites: Sequence[TrioSite], population: Sequence[VcfRecord], seed: int
) -> list[TrioSite]:
    """Draw the parents' untransmitted alleles at proband sites that are population SNVs.

    Without this, a parent's untransmitted haplotype would carry REF wherever the proband has a
    variant, so the parents would look too alike at common sites and too unlike the proband (the
    sample identity check measures exactly that). At a proband site with the same position and
    REF as a population SNV, each parent's untransmitted allele is drawn from its ``AF`` (father
    ``seed + 3``, mother ``seed + 4``; one draw per site and parent); a drawn ALT the site does
    not list is appended to its ALTs. Other proband sites keep REF there.
    """
    snvs = {
        (r.chrom, r.pos, r.ref): r
        for r in population
        if len(r.ref) == 1 and all(len(a) == 1 for a in r.alts)
    }
    rngs = {"father": random.Random(seed + 3), "mother": random.Random(seed + 4)}
    result: list[TrioSite] = []
    for site in sites:
        record = snvs.get((site.chrom, site.pos, site.ref))
        if record is None:
            result.append(site)
            continue
        alts, genotypes = list(site.alts), dict(site.genotypes)
        for parent, rng in rngs.items():
            drawn = draw_allele(record.af, rng)
            if drawn:
                alt = record.alts[drawn - 1]
                if alt not in alts:
                    alts.append(alt)
                genotypes[parent] = (genotypes[parent][0], alts.index(alt) + 1)
        result.append(replace(site, alts=tuple(alts), genotypes=genotypes))
    for parent in rngs:
        result, _reset = resolve_haplotype_overlaps(result, parent)
    return result


def _population_sites(
    population: Iterable[VcfRecord],
    sites: Sequence[TrioSite],
    planted_spans: Sequence[tuple[int, int]],
    seed: int,
) -> list[TrioSite]:
    """Sites where a parent's untransmitted haplotype carries a population allele.

    A population site is used when it is clear of planted variants and overlaps no proband or
    planted site and no earlier population site; each parent's alleles are drawn from ``AF``.
    """
    occupied = {base for s in sites for base in range(s.pos, s.end + 1)}
    kept: list[VcfRecord] = []
    last_end = 0
    for record in sorted(population, key=lambda r: (r.pos, r.end)):
        if record.pos <= last_end:
            continue
        if _overlaps(record.pos, record.end, planted_spans, PLANTED_CLEARANCE):
            continue
        if any(base in occupied for base in range(record.pos, record.end + 1)):
            continue
        kept.append(record)
        last_end = record.end
    father = draw_untransmitted(kept, random.Random(seed + 1))
    mother = draw_untransmitted(kept, random.Random(seed + 2))
    return [
        TrioSite(
            record.chrom,
            record.pos,
            record.ref,
            record.alts,
            {"proband": (0, 0), "father": (0, f_allele), "mother": (0, m_allele)},
            source="population",
        )
        for record, f_allele, m_allele in zip(kept, father, mother, strict=True)
        if f_allele != 0 or m_allele != 0
    ]


def trim_alleles(site: TrioSite) -> TrioSite:
    """Drop ALT alleles no sample carries and renumber the genotypes."""
    used = sorted({a for gt in site.genotypes.values() for a in gt if a > 0})
    mapping = {0: 0} | {old: new for new, old in enumerate(used, start=1)}
    return replace(
        site,
        alts=tuple(site.alts[i - 1] for i in used),
        genotypes={k: (mapping[a], mapping[b]) for k, (a, b) in site.genotypes.items()},
    )


# --------------------------------------------------------------------------- sequences


def haplotype_variants(sites: Iterable[TrioSite], sample: str, hap: int) -> list[TrioSite]:
    """Sites where ``sample`` carries an ALT allele on haplotype ``hap`` (0 or 1)."""
    return [s for s in sites if s.genotypes[sample][hap] > 0]


def apply_variants(sequence: str, offset: int, edits: Iterable[tuple[int, str, str]]) -> str:
    """Apply non-overlapping edits to a sequence.

    Args:
        sequence: the reference sequence of a segment.
        offset: 0-based genome position of ``sequence[0]``.
        edits: ``(pos (1-based), ref, alt)`` sorted by position, not overlapping.

    Raises:
        InputError: when REF does not match the sequence or edits overlap.
    """
    pieces: list[str] = []
    cursor = 0
    for pos, ref, alt in edits:
        start = pos - 1 - offset
        if start < cursor:
            raise InputError(f"overlapping variants at position {pos}")
        if sequence[start : start + len(ref)].upper() != ref:
            raise InputError(f"REF {ref} does not match the reference at position {pos}")
        pieces.append(sequence[cursor:start])
        pieces.append(alt)
        cursor = start + len(ref)
    pieces.append(sequence[cursor:])
    return "".join(pieces)


# --------------------------------------------------------------------------- truth VCF


def truth_vcf_lines(sites: Sequence[TrioSite], contigs: dict[str, int], seed: int) -> list[str]:
    """Render the trio truth VCF."""
    header = [
        "##fileformat=VCFv4.2",
        *(f"##contig=<ID={name},length={length}>" for name, length in contigs.items()),
        "##INFO=<ID=SOURCE,Number=1,Type=String,Description="
        '"platinum (proband NA12878 truth), population (parent drawn from HapMap AF), '
        'planted_de_novo or planted_compound_het">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Phased genotype: proband '
        'paternal|maternal; parents transmitted|untransmitted">',
        f"##hurtig_simulate=<seed={seed},family=demo>",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(SAMPLES),
    ]
    body = [
        "\t".join(
            [
                s.chrom,
                str(s.pos),
                ".",
                s.ref,
                ",".join(s.alts),
                ".",
                "PASS",
                f"SOURCE={s.source}",
                "GT",
                *(f"{s.genotypes[n][0]}|{s.genotypes[n][1]}" for n in SAMPLES),
            ]
        )
        for s in sites
    ]
    return header + body
