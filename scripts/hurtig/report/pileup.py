"""The reads around a variant, taken from an alignment file: what a read view shows.

:func:`sample_reads` reads one sample's CRAM (or BAM) in a window around a variant and returns a
:class:`SampleReads`: every read's alignment in the window (start, end, strand, mapping quality,
the bases that differ from the reference, deletions and insertions), the allele each read carries
at the variant, and the allele counts. At most ``max_reads`` reads are kept, chosen
deterministically (a hash of the read's name, reads spanning the variant first); the counts are
of all reads. Unmapped, secondary, supplementary, QC-failed and duplicate reads are left out
(the duplicates are counted). :class:`ReadView` holds one variant's window and the reads of each
family member; the file of a report's views is :mod:`hurtig.report.read_views`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pysam

SKIPPED_FLAGS = 0x4 | 0x100 | 0x200 | 0x800
"""Unmapped, secondary, QC-failed and supplementary reads are not shown or counted."""

DUPLICATE_FLAG = 0x400
"""Duplicates (``samtools markdup``) are counted apart, not shown."""

LOW_MAPQ = 20
"""Reads with a mapping quality below this are drawn faded (and counted as such)."""

ALLELES = ("alt", "ref", "other", "")
"""A read's allele at the variant ("" when it does not span the variant); the display order."""

_ALIGNED = frozenset({0, 7, 8})  # M, =, X
_INSERTION, _DELETION, _SKIP, _SOFT_CLIP = 1, 2, 3, 4


@dataclass(frozen=True)
class ReadLine:
    """One read as drawn: positions 1-based on the reference, as in VCF.

    Attributes:
        start: the first reference position the read is aligned to.
        end: the last reference position the read is aligned to.
        strand: "+" or "-".
        mapq: mapping quality.
        allele: "ref", "alt" or "other" at the variant; "" when the read does not span it.
        mismatches: (position, read base, base quality) where the read differs from the
            reference, inside the window.
        deletions: (first deleted position, length) inside the window.
        insertions: (position the insertion follows, length) inside the window.
    """

    start: int
    end: int
    strand: str
    mapq: int
    allele: str
    mismatches: tuple[tuple[int, str, int], ...] = ()
    deletions: tuple[tuple[int, int], ...] = ()
    insertions: tuple[tuple[int, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The JSON object (lists for tuples)."""
        return {
            "start": self.start,
            "end": self.end,
            "strand": self.strand,
            "mapq": self.mapq,
            "allele": self.allele,
            "mismatches": [list(m) for m in self.mismatches],
            "deletions": [list(d) for d in self.deletions],
            "insertions": [list(i) for i in self.insertions],
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ReadLine:
        """Rebuild from :meth:`to_json` output (KeyError, TypeError, ValueError if malformed)."""
        allele = str(doc["allele"])
        if allele not in ALLELES or doc["strand"] not in ("+", "-"):
            raise ValueError(f"bad read allele or strand: {allele!r}, {doc['strand']!r}")
        return cls(
            start=int(doc["start"]),
            end=int(doc["end"]),
            strand=str(doc["strand"]),
            mapq=int(doc["mapq"]),
            allele=allele,
            mismatches=tuple((int(p), str(b), int(q)) for p, b, q in doc["mismatches"]),
            deletions=tuple((int(p), int(n)) for p, n in doc["deletions"]),
            insertions=tuple((int(p), int(n)) for p, n in doc["insertions"]),
        )


@dataclass(frozen=True)
class AlleleCounts:
    """Reads at the variant: ``depth`` spanning it = ``ref`` + ``alt`` + ``other``.

    ``low_mapq`` of the spanning reads have a mapping quality below :data:`LOW_MAPQ`;
    ``duplicates`` were marked duplicate and are not counted in the others.
    """

    depth: int = 0
    ref: int = 0
    alt: int = 0
    other: int = 0
    low_mapq: int = 0
    duplicates: int = 0

    def to_json(self) -> dict[str, int]:
        """The JSON object."""
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> AlleleCounts:
        """Rebuild from :meth:`to_json` output."""
        return cls(**{key: int(doc[key]) for key in cls().__dict__})


@dataclass(frozen=True)
class SampleReads:
    """One family member's reads around a variant.

    Attributes:
        role: "proband", "father" or "mother".
        sample: the sample id (the alignment file's read-group SM).
        counts: allele counts of all reads at the variant.
        in_window: the reads in the window (all of them, before choosing ``reads``).
        reads: the reads shown, in display order (alt, ref, other, not spanning; by start).
    """

    role: str
    sample: str
    counts: AlleleCounts
    in_window: int
    reads: tuple[ReadLine, ...]

    def to_json(self) -> dict[str, Any]:
        """The JSON object."""
        return {
            "role": self.role,
            "sample": self.sample,
            "counts": self.counts.to_json(),
            "in_window": self.in_window,
            "reads": [r.to_json() for r in self.reads],
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> SampleReads:
        """Rebuild from :meth:`to_json` output."""
        return cls(
            role=str(doc["role"]),
            sample=str(doc["sample"]),
            counts=AlleleCounts.from_json(doc["counts"]),
            in_window=int(doc["in_window"]),
            reads=tuple(ReadLine.from_json(r) for r in doc["reads"]),
        )


@dataclass(frozen=True)
class ReadView:
    """One variant's read view: the reference window and each family member's reads.

    Attributes:
        rank: the variant's rank in the prioritised results.
        gene: its gene.
        chrom: contig.
        pos: VCF position (1-based).
        ref: REF allele.
        alt: ALT allele.
        start: the window's first position (1-based); the window is ``len(bases)`` long.
        bases: the reference bases of the window (upper case).
        samples: the family members' reads (proband first).
    """

    rank: int
    gene: str
    chrom: str
    pos: int
    ref: str
    alt: str
    start: int
    bases: str
    samples: tuple[SampleReads, ...]

    @property
    def end(self) -> int:
        """The window's last position (1-based)."""
        return self.start + len(self.bases) - 1

    def to_json(self) -> dict[str, Any]:
        """The JSON object."""
        keys = ("rank", "gene", "chrom", "pos", "ref", "alt", "start", "bases")
        return {
            **{key: getattr(self, key) for key in keys},
            "samples": [s.to_json() for s in self.samples],
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ReadView:
        """Rebuild from :meth:`to_json` output."""
        return cls(
            rank=int(doc["rank"]),
            gene=str(doc["gene"]),
            chrom=str(doc["chrom"]),
            pos=int(doc["pos"]),
            ref=str(doc["ref"]),
            alt=str(doc["alt"]),
            start=int(doc["start"]),
            bases=str(doc["bases"]),
            samples=tuple(SampleReads.from_json(s) for s in doc["samples"]),
        )


@dataclass(frozen=True)
class Variant:
    """The variant a view is centred on (1-based ``pos``, as in VCF)."""

    chrom: str
    pos: int
    ref: str
    alt: str

    @property
    def span(self) -> tuple[int, int]:
        """The REF allele's 0-based half-open span."""
        return self.pos - 1, self.pos - 1 + len(self.ref)


@dataclass(frozen=True)
class Window:
    """A window of the reference: 0-based ``start``, its ``bases``."""

    start: int
    bases: str

    @property
    def end(self) -> int:
        """0-based exclusive end."""
        return self.start + len(self.bases)


def _walk(read: pysam.AlignedSegment) -> Iterator[tuple[int, int, int, int]]:
    """(operation, reference pos, query pos, length) of each CIGAR operation, 0-based."""
    rpos, qpos = read.reference_start, 0
    for op, length in read.cigartuples or ():
        yield op, rpos, qpos, length
        if op in _ALIGNED or op in (_DELETION, _SKIP):
            rpos += length
        if op in _ALIGNED or op in (_INSERTION, _SOFT_CLIP):
            qpos += length


def _allele(read: pysam.AlignedSegment, variant: Variant) -> str:
    """The read's allele at the variant ("" when the read does not span it).

    The read's bases over the REF span, with insertions after any base of the span, are
    compared with REF and ALT. An indel needs a reference base after the span too (the read
    must show what follows the insertion or deletion).
    """
    start, end = variant.span
    indel = len(variant.ref) != len(variant.alt)
    if read.reference_start > start or (read.reference_end or 0) < end + (1 if indel else 0):
        return ""
    seq, parts = read.query_sequence or "", []
    for op, rpos, qpos, length in _walk(read):
        if op in _ALIGNED:
            lo, hi = max(rpos, start), min(rpos + length, end)
            if lo < hi:
                parts.append(seq[qpos + lo - rpos : qpos + hi - rpos])
        elif op == _INSERTION and start < rpos <= end:
            parts.append(seq[qpos : qpos + length])
    allele = "".join(parts).upper()
    if allele == variant.alt.upper():
        return "alt"
    return "ref" if allele == variant.ref.upper() else "other"


def read_line(read: pysam.AlignedSegment, window: Window, variant: Variant) -> ReadLine:
    """One read as drawn: its extent, and how it differs from the reference in the window."""
    seq, quals = read.query_sequence or "", read.query_qualities
    mismatches, deletions, insertions = [], [], []
    for op, rpos, qpos, length in _walk(read):
        if op in _ALIGNED:
            for i in range(max(rpos, window.start) - rpos, min(rpos + length, window.end) - rpos):
                base, ref = seq[qpos + i].upper(), window.bases[rpos + i - window.start]
                if base != ref and ref != "N":
                    qual = int(quals[qpos + i]) if quals is not None else 0
                    mismatches.append((rpos + i + 1, base, qual))
        elif op == _DELETION and rpos < window.end and rpos + length > window.start:
            deletions.append((rpos + 1, length))
        elif op == _INSERTION and window.start < rpos <= window.end:
            insertions.append((rpos, length))
    return ReadLine(
        start=read.reference_start + 1,
        end=read.reference_end or read.reference_start + 1,
        strand="-" if read.is_reverse else "+",
        mapq=read.mapping_quality,
        allele=_allele(read, variant),
        mismatches=tuple(mismatches),
        deletions=tuple(deletions),
        insertions=tuple(insertions),
    )


def sampling_key(read: pysam.AlignedSegment) -> str:
    """A deterministic, well-mixed order of reads: a hash of the name and mate number."""
    mate = "2" if read.is_read2 else "1"
    return hashlib.sha256(f"{read.query_name}/{mate}".encode()).hexdigest()


def count_alleles(lines: list[ReadLine], duplicates: int) -> AlleleCounts:
    """Allele counts of the reads spanning the variant."""
    spanning = [line for line in lines if line.allele]
    return AlleleCounts(
        depth=len(spanning),
        ref=sum(line.allele == "ref" for line in spanning),
        alt=sum(line.allele == "alt" for line in spanning),
        other=sum(line.allele == "other" for line in spanning),
        low_mapq=sum(line.mapq < LOW_MAPQ for line in spanning),
        duplicates=duplicates,
    )


def sample_reads(
    alignments: pysam.AlignmentFile,
    window: Window,
    variant: Variant,
    max_reads: int,
    identity: tuple[str, str],
) -> SampleReads:
    """One member's reads in the window, the counts at the variant and the reads shown.

    Args:
        alignments: the member's indexed alignment file (a CRAM opened with its reference).
        window: the reference window.
        variant: the variant.
        max_reads: at most this many reads are kept (spanning reads first, by hash).
        identity: the member's (role, sample id).
    """
    keyed: list[tuple[str, ReadLine]] = []
    duplicates = 0
    for read in alignments.fetch(variant.chrom, window.start, window.end):
        if read.flag & SKIPPED_FLAGS:
            continue
        if read.flag & DUPLICATE_FLAG:
            start, end = variant.span
            duplicates += read.reference_start < end and (read.reference_end or 0) > start
            continue
        keyed.append((sampling_key(read), read_line(read, window, variant)))
    chosen = sorted(keyed, key=lambda item: (not item[1].allele, item[0]))[:max_reads]
    shown = sorted(
        (line for _, line in chosen), key=lambda r: (ALLELES.index(r.allele), r.start, r.end)
    )
    return SampleReads(
        role=identity[0],
        sample=identity[1],
        counts=count_alleles([line for _, line in keyed], duplicates),
        in_window=len(keyed),
        reads=tuple(shown),
    )
