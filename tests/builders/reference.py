"""Reference-side inputs for tests: FASTA files (plain or bgzipped, with .fai) and BED files.

fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "ACGT" * 500}, bgzip=True)  # ref.fa.gz
bed = write_bed(tmp_path / "panel.bed", [("chr1", 10, 20, "GENE")])  # 0-based, half-open
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pysam

FASTA_LINE = 60


def write_fasta(path: Path, contigs: Mapping[str, str], *, bgzip: bool = False) -> Path:
    """Write contigs as FASTA (60 bases a line) and index it with samtools faidx.

    Args:
        path: the plain FASTA to write (``ref.fa``).
        contigs: contig name to sequence, in reference order.
        bgzip: also compress it with bgzip to ``<path>.gz`` (indexed .fai and .gzi).

    Returns:
        The indexed FASTA: ``path``, or ``<path>.gz`` when bgzip is set.
    """
    with path.open("w") as handle:
        for name, seq in contigs.items():
            handle.write(f">{name}\n")
            for i in range(0, len(seq), FASTA_LINE):
                handle.write(seq[i : i + FASTA_LINE] + "\n")
    if bgzip:
        gz = Path(f"{path}.gz")
        pysam.tabix_compress(str(path), str(gz), force=True)
        path = gz
    pysam.faidx(str(path))
    return path


def write_bed(path: Path, rows: Iterable[Sequence[object]]) -> Path:
    """Write BED rows (chrom, 0-based start, end, further columns...) as given, one a line.

    Args:
        path: the BED file to write.
        rows: the rows; every value is written with ``str``.

    Returns:
        The path written.
    """
    path.write_text("".join("\t".join(str(value) for value in row) + "\n" for row in rows))
    return path
