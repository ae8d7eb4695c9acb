"""Structural variants planted into the demo trio (``resources/demo/planted_sv.tsv``).

Each row is a deletion (``DEL``: bases ``start..end`` removed) or a tandem duplication (``DUP``:
a second copy of ``start..end`` inserted right after ``end``) on named haplotypes, with the same
genotype convention as ``planted_truth.tsv``: proband ``paternal|maternal``, parents
``transmitted|untransmitted`` (1-based inclusive coordinates).

Small variants (Platinum, population, planted) that lie inside a deletion are removed from the
haplotype carrying the deletion (:func:`mask_sites`), so the small-variant truth VCF still says
what was simulated. :func:`haplotype_edits` turns a haplotype's small variants and SVs into the
non-overlapping edits :func:`hurtig.devtools.trio_truth.apply_variants` applies.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from hurtig.devtools.trio_truth import (
    SAMPLES,
    Genotype,
    Segment,
    TrioSite,
    is_mendelian,
    parse_gt,
)
from hurtig.errors import InputError

SV_COLUMNS: tuple[str, ...] = (
    "chrom",
    "start",
    "end",
    "svtype",
    "gene",
    "kind",
    "proband_gt",
    "father_gt",
    "mother_gt",
    "exons",
    "note",
)
SV_TYPES: frozenset[str] = frozenset({"DEL", "DUP"})
SV_KINDS: frozenset[str] = frozenset({"de_novo", "compound_het", "inherited"})

Edit = tuple[int, str, str]
"""``(pos (1-based), ref, alt)``."""


@dataclass(frozen=True)
class PlantedSv:
    """One row of ``planted_sv.tsv``."""

    chrom: str
    start: int
    end: int
    svtype: str
    gene: str
    kind: str
    genotypes: dict[str, Genotype] = field(hash=False)
    exons: str = ""
    note: str = ""

    @property
    def length(self) -> int:
        """Bases deleted or duplicated."""
        return self.end - self.start + 1


def _row_sv(path: Path, lineno: int, row: dict[str, str]) -> PlantedSv:
    genotypes: dict[str, Genotype] = {}
    for sample in SAMPLES:
        parsed = parse_gt(row.get(f"{sample}_gt", ""))
        if parsed is None or not parsed[1] or max(parsed[0]) > 1:
            raise InputError(f"{path}: line {lineno}: {sample}_gt must be phased 0/1 alleles")
        genotypes[sample] = parsed[0]
    try:
        start, end = int(row["start"]), int(row["end"])
    except ValueError as err:
        raise InputError(f"{path}: line {lineno}: start/end are not integers") from err
    if end <= start:
        raise InputError(f"{path}: line {lineno}: end must be after start")
    if row["svtype"] not in SV_TYPES or row["kind"] not in SV_KINDS:
        raise InputError(f"{path}: line {lineno}: svtype must be DEL/DUP, kind one of {SV_KINDS}")
    sv = PlantedSv(
        row["chrom"],
        start,
        end,
        row["svtype"],
        row["gene"],
        row["kind"],
        genotypes,
        row.get("exons", ""),
        row.get("note", ""),
    )
    if sum(genotypes["proband"]) == 0:
        raise InputError(f"{path}: line {lineno}: the proband must carry the SV")
    if sv.kind != "de_novo" and not is_mendelian(genotypes):
        raise InputError(f"{path}: line {lineno}: inherited genotypes are not Mendelian")
    return sv


def read_planted_sv(path: Path) -> list[PlantedSv]:
    """Read ``planted_sv.tsv`` (empty list when the file does not exist).

    Raises:
        InputError: a missing column, bad genotype, type or kind, or overlapping SVs.
    """
    if not path.is_file():
        return []
    lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
    header = lines[0].split("\t") if lines else []
    missing = [c for c in SV_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{path}: missing columns {','.join(missing)}")
    svs = [
        _row_sv(path, n, dict(zip(header, line.split("\t"), strict=False)))
        for n, line in enumerate(lines[1:], start=2)
    ]
    svs.sort(key=lambda s: (s.chrom, s.start))
    for a, b in itertools.pairwise(svs):
        if a.chrom == b.chrom and b.start <= a.end + 1:
            raise InputError(f"{path}: SVs at {a.start} and {b.start} overlap")
    return svs


def check_inside(svs: Iterable[PlantedSv], segments: Sequence[Segment], path: Path) -> None:
    """Every SV (with one flanking base) lies inside one real-sequence segment.

    Raises:
        InputError: naming the first SV that does not.
    """
    for sv in svs:
        if not any(
            s.chrom == sv.chrom and s.start < sv.start - 1 and sv.end + 1 <= s.end for s in segments
        ):
            raise InputError(f"{path}: SV {sv.chrom}:{sv.start}-{sv.end} is outside real sequence")


def _deleted(svs: Iterable[PlantedSv], sample: str, hap: int) -> list[PlantedSv]:
    return [sv for sv in svs if sv.svtype == "DEL" and sv.genotypes[sample][hap]]


def mask_sites(sites: Sequence[TrioSite], svs: Sequence[PlantedSv]) -> list[TrioSite]:
    """Set to REF the alleles that lie (partly) inside a deletion of the same haplotype.

    Returns:
        The sites that still carry an ALT allele in some sample.
    """
    out: list[TrioSite] = []
    for site in sites:
        genotypes = dict(site.genotypes)
        for sample, gt in site.genotypes.items():
            alleles = list(gt)
            for hap in (0, 1):
                if any(
                    sv.chrom == site.chrom and site.pos <= sv.end and sv.start - 1 <= site.end
                    for sv in _deleted(svs, sample, hap)
                ):
                    alleles[hap] = 0
            genotypes[sample] = (alleles[0], alleles[1])
        if any(a for gt in genotypes.values() for a in gt):
            out.append(replace(site, genotypes=genotypes))
    return out


def sv_edit(sv: PlantedSv, sequence: str, offset: int) -> Edit:
    """The edit of one SV on a segment's sequence (0-based ``offset`` of ``sequence[0]``).

    A deletion is anchored on the base before ``start`` (VCF style); a duplication inserts the
    copy after ``end``.
    """
    span = sequence[sv.start - 1 - offset : sv.end - offset]
    if sv.svtype == "DEL":
        anchor = sequence[sv.start - 2 - offset]
        return (sv.start - 1, anchor + span, anchor)
    last = sequence[sv.end - 1 - offset]
    return (sv.end, last, last + span)


def haplotype_edits(
    small: Sequence[Edit],
    svs: Sequence[PlantedSv],
    sample: str,
    hap: int,
    segment: Segment,
    sequence: str,
) -> list[Edit]:
    """A haplotype's small-variant edits with its SVs added, sorted and non-overlapping.

    Small edits overlapping an SV edit's REF span are dropped (:func:`mask_sites` already
    removed those inside deletions from the truth).
    """
    carried = [
        sv
        for sv in svs
        if sv.genotypes[sample][hap]
        and sv.chrom == segment.chrom
        and segment.start < sv.start - 1
        and sv.end + 1 <= segment.end
    ]
    big = [sv_edit(sv, sequence, segment.start) for sv in carried]
    spans = [(pos, pos + len(ref) - 1) for pos, ref, _ in big]
    kept = [
        e
        for e in small
        if not any(e[0] <= end and start <= e[0] + len(e[1]) - 1 for start, end in spans)
    ]
    return sorted(kept + big, key=lambda e: e[0])
