"""Read-depth profiles of an event and its flanks from CNVkit's per-bin ``.cnr`` files.

The profile is what the report's depth plot draws: each sample's normalised coverage (CNVkit
log2 copy ratio, GC-corrected, against a flat reference) in the bins of the event and of one
event length (at least :data:`MIN_FLANK` bp, at most :data:`MAX_FLANK`) on each side.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

from hurtig.errors import InputError

MIN_FLANK = 5_000
MAX_FLANK = 100_000

Bin = tuple[int, int, float]
"""``(start (1-based), end, log2)``."""


def read_bins(path: Path, chrom: str, lo: int, hi: int) -> list[Bin]:
    """The bins of a ``.cnr`` file on ``chrom`` overlapping ``lo..hi``.

    Raises:
        InputError: unreadable file or a malformed row.
    """
    bins: list[Bin] = []
    try:
        with path.open(newline="") as handle:
            for n, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
                if row.get("chromosome") != chrom:
                    continue
                try:
                    start, end, log2 = int(row["start"]) + 1, int(row["end"]), float(row["log2"])
                except (KeyError, ValueError) as err:
                    raise InputError(f"{path}: line {n}: bad start/end/log2") from err
                if start <= hi and lo <= end:
                    bins.append((start, end, round(log2, 3)))
    except OSError as err:
        raise InputError(f"{path}: cannot read CNVkit bins ({err})") from err
    return bins


def depth_profiles(cnr: Mapping[str, Path], chrom: str, start: int, end: int) -> dict[str, object]:
    """The event's window and each sample's bins in it (empty when no ``.cnr`` is given)."""
    flank = min(MAX_FLANK, max(MIN_FLANK, end - start + 1))
    lo, hi = max(1, start - flank), end + flank
    return {
        "chrom": chrom,
        "start": start,
        "end": end,
        "window": [lo, hi],
        "samples": {sample: read_bins(path, chrom, lo, hi) for sample, path in cnr.items()},
    }
