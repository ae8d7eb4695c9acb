"""Small BAMs and CRAMs for tests: reads placed on a reference, with chosen base changes.

Reads copy the reference at their position (so they align without mismatches) except where a
test asks for a change; built on fgpyo's ``SamBuilder``, sorted and indexed by samtools::

    reads = ReadsBuilder(fasta, sample="kid", read_length=50)
    reads.tile("chr1", 1, 400, step=5)                           # 10x over chr1:1-400
    reads.tile("chr1", 101, 300, step=10, changes={200: "T"})     # plus 5 reads with T at 200
    bam = reads.to_path(tmp_path / "kid.bam")                    # or kid.cram (with .crai)
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import pysam
from fgpyo.sam.builder import SamBuilder


class ReadsBuilder:
    """Unpaired or paired reads on one reference, for one sample (one read group).

    Positions are 1-based, as in SAM and VCF. Reads are gapless (a CIGAR of one M operation);
    a change replaces the base at a reference position in every read that covers it.
    """

    def __init__(
        self,
        reference: Path,
        *,
        sample: str = "sample",
        read_length: int = 100,
        base_quality: int = 30,
        mapping_quality: int = 60,
    ) -> None:
        """Start an empty set of reads.

        Args:
            reference: an indexed FASTA (plain or bgzipped); small, it is read into memory.
            sample: the read group's sample (SM) and id.
            read_length: the length of every read.
            base_quality: the quality of every base.
            mapping_quality: the mapping quality of every read.
        """
        self.reference = reference
        with pysam.FastaFile(str(reference)) as fasta:
            self.sequences = {name: fasta.fetch(name).upper() for name in fasta.references}
        self.read_length = read_length
        self._builder = SamBuilder(
            r1_len=read_length,
            r2_len=read_length,
            base_quality=base_quality,
            mapping_quality=mapping_quality,
            sd=[{"SN": name, "LN": len(seq)} for name, seq in self.sequences.items()],
            rg={"ID": sample, "SM": sample, "LB": "lib", "PL": "ILLUMINA"},
        )

    def bases(self, contig: str, pos: int, changes: Mapping[int, str] | None = None) -> str:
        """The bases of a read starting at 1-based ``pos``: the reference with the changes.

        Raises:
            ValueError: when the read would run past the end of the contig.
        """
        seq = self.sequences[contig]
        end = pos - 1 + self.read_length
        if pos < 1 or end > len(seq):
            raise ValueError(f"read {contig}:{pos}-{end} is outside the contig ({len(seq)} bp)")
        read = list(seq[pos - 1 : end])
        for at, base in (changes or {}).items():
            if pos <= at <= end:
                read[at - pos] = base
        return "".join(read)

    def add_read(
        self,
        contig: str,
        pos: int,
        *,
        changes: Mapping[int, str] | None = None,
        strand: str = "+",
        name: str | None = None,
        deletion: tuple[int, int] | None = None,
        mapq: int | None = None,
    ) -> pysam.AlignedSegment:
        """Add one unpaired read starting at 1-based ``pos`` on ``strand`` ("+" or "-").

        ``deletion`` is (1-based first deleted position, length): the read skips those reference
        bases (CIGAR ``aMnDbM``) and still has ``read_length`` bases. ``mapq`` overrides the
        builder's mapping quality.
        """
        bases, cigar = self.bases(contig, pos, changes), None
        if deletion is not None:
            at, length = deletion
            before = at - pos
            if not 0 < before < self.read_length:
                raise ValueError(f"deletion at {at} is not inside the read at {pos}")
            after = self.read_length - before
            bases = bases[:before] + self.bases(contig, at + length, changes)[:after]
            cigar = f"{before}M{length}D{after}M"
        return self._builder.add_single(
            name=name,
            bases=bases,
            chrom=contig,
            start=pos - 1,
            strand=strand,
            cigar=cigar,
            mapq=mapq,
        )

    def add_pair(
        self,
        contig: str,
        pos1: int,
        pos2: int,
        *,
        changes: Mapping[int, str] | None = None,
        name: str | None = None,
    ) -> tuple[pysam.AlignedSegment, pysam.AlignedSegment]:
        """Add a read pair: R1 forward at ``pos1``, R2 reverse at ``pos2`` (1-based)."""
        return self._builder.add_pair(
            name=name,
            bases1=self.bases(contig, pos1, changes),
            bases2=self.bases(contig, pos2, changes),
            chrom=contig,
            start1=pos1 - 1,
            start2=pos2 - 1,
        )

    def tile(
        self,
        contig: str,
        start: int,
        end: int,
        *,
        step: int,
        changes: Mapping[int, str] | None = None,
    ) -> int:
        """Add unpaired reads every ``step`` bases from ``start`` while they end by ``end``.

        Depth over the middle of the span is ``read_length / step``; reads alternate strands.

        Returns:
            The number of reads added.
        """
        starts = range(start, end - self.read_length + 2, step)
        for i, pos in enumerate(starts):
            self.add_read(contig, pos, changes=changes, strand="+-"[i % 2])
        return len(starts)

    def to_path(self, path: Path) -> Path:
        """Write the reads sorted and indexed: BAM (``.bai``) or CRAM (``.crai``) by the name.

        Args:
            path: ``*.bam`` or ``*.cram`` (a CRAM refers to this builder's reference).

        Returns:
            The path written.
        """
        if path.suffix == ".cram":
            with tempfile.TemporaryDirectory() as tmp:
                bam = self._builder.to_path(Path(tmp) / "reads.bam", index=False)
                cram = ("-C", "-T", str(self.reference), "-o", str(path), str(bam))
                pysam.view(*cram, catch_stdout=False)
        else:
            self._builder.to_path(path, index=False)
        pysam.index(str(path))
        return path
