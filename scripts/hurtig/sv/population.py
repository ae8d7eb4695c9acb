"""An SV population-frequency file the user configures (``sv.population``, gnomAD-SV style).

The file is a sites VCF, bgzipped and indexed (``.tbi`` or ``.csi``), whose header declares
``INFO/SVTYPE``, ``INFO/AF`` and ``INFO/END`` or ``INFO/SVLEN`` (gnomAD-SV v2.1 and v4 do).
:func:`check_population` refuses anything else with one ``hurtig error:`` line, when the run is
checked (before any job starts) and again by ``hurtig sv-annotate``.

**Matching** (:meth:`PopulationFile.max_af`): a population record matches an event when it is on
the same contig (``chr1`` and ``1`` are the same contig), has the same SVTYPE and the two overlap
reciprocally by at least 50 % (:data:`hurtig.sv.merge.MIN_RECIPROCAL_OVERLAP`). Its span is
``POS+1`` to ``END`` (or ``POS+|SVLEN|`` without END; a symbolic record's POS is the base before
the event). The event's population AF is the highest AF of its matches (0 when nothing matches);
an event on a contig the file does not have gets no value (nothing is claimed).
"""

from __future__ import annotations

import os
from pathlib import Path

import pysam

from hurtig.errors import InputError
from hurtig.sv.merge import MIN_RECIPROCAL_OVERLAP, reciprocal_overlap

REQUIRED_INFO: tuple[str, ...] = ("SVTYPE", "AF")


def _index_of(path: Path) -> Path | None:
    for suffix in (".tbi", ".csi"):
        candidate = Path(f"{path}{suffix}")
        if candidate.is_file():
            return candidate
    return None


def check_population(path: str | os.PathLike[str]) -> None:
    """Refuse a population file that is missing, not bgzipped, not indexed or lacks INFO fields.

    Raises:
        InputError: ``<file>: <problem>``.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: SV population file not found")
    try:
        vcf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: not a readable VCF ({err})") from err
    with vcf:
        if vcf.compression != "BGZF":
            raise InputError(f"{path}: SV population file is not bgzip-compressed (bgzip it)")
        if _index_of(path) is None:
            raise InputError(f"{path}: SV population file has no .tbi/.csi index (tabix -p vcf)")
        declared = set(vcf.header.info)
    missing = [key for key in REQUIRED_INFO if key not in declared]
    if "END" not in declared and "SVLEN" not in declared:
        missing.append("END or SVLEN")
    if missing:
        raise InputError(f"{path}: SV population file does not declare INFO {', '.join(missing)}")


def _span(rec: pysam.VariantRecord) -> tuple[int, int] | None:
    start = rec.pos + 1
    # pysam reads INFO/END into rec.stop; without END, stop is POS + len(REF)
    if "END" in rec.header.info and rec.stop != rec.pos + len(rec.ref or "N"):
        return start, int(rec.stop)
    svlen = rec.info.get("SVLEN") if "SVLEN" in rec.header.info else None
    if isinstance(svlen, tuple):
        svlen = svlen[0] if svlen else None
    if svlen is None:
        return None
    return start, rec.pos + abs(int(svlen))


def _af(rec: pysam.VariantRecord) -> float | None:
    value = rec.info.get("AF")
    values = value if isinstance(value, tuple) else (value,)
    numbers = [float(f"{float(v):.6g}") for v in values if v is not None]  # float32 in the VCF
    return max(numbers) if numbers else None


class PopulationFile:
    """An open, checked population file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Check and open the file."""
        check_population(path)
        self.path = Path(path)
        self._vcf = pysam.VariantFile(str(path))
        self._contigs = set(self._vcf.header.contigs) | set(self._vcf.index or ())

    def close(self) -> None:
        """Close the file."""
        self._vcf.close()

    def contig(self, chrom: str) -> str | None:
        """The file's name of ``chrom`` (with or without ``chr``), ``None`` when absent."""
        other = chrom[3:] if chrom.startswith("chr") else f"chr{chrom}"
        return next((c for c in (chrom, other) if c in self._contigs), None)

    def max_af(self, chrom: str, start: int, end: int, svtype: str) -> float | None:
        """Highest AF of the matching records; 0.0 when none match, None for an unknown contig."""
        contig = self.contig(chrom)
        if contig is None:
            return None
        length = end - start + 1
        best = 0.0
        # a match is at most twice as long as the event and overlaps it
        try:
            records = list(self._vcf.fetch(contig, max(0, start - 2 * length - 1), end))
        except ValueError:  # a contig of the header with no record in the index
            records = []
        for rec in records:
            if str(rec.info.get("SVTYPE", "")) != svtype:
                continue
            span, af = _span(rec), _af(rec)
            if span is None or af is None:
                continue
            if reciprocal_overlap(span[0], span[1], start, end) >= MIN_RECIPROCAL_OVERLAP:
                best = max(best, af)
        return best
