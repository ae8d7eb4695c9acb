"""Which genomic shards a gene panel needs: interval overlap between BED files.

Used by the workflow to make each panel report depend on exactly the shards that overlap the
panel's regions, and to give those shards a higher scheduling priority (panel answer first).
Coordinates are BED: 0-based, half-open.
"""

from __future__ import annotations

import argparse
import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from hurtig.errors import InputError

Interval = tuple[int, int]


def read_bed(path: Path) -> dict[str, list[Interval]]:
    """Intervals per contig, sorted and merged, from a BED file (extra columns ignored).

    Raises:
        InputError: unreadable file or a malformed line.
    """
    by_contig: dict[str, list[Interval]] = defaultdict(list)
    try:
        with Path(path).open() as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip() or line.startswith(("#", "track", "browser")):
                    continue
                fields = line.split("\t")
                try:
                    start, end = int(fields[1]), int(fields[2])
                except (IndexError, ValueError) as err:
                    raise InputError(f"{path}: line {number} is not BED") from err
                if end < start:
                    raise InputError(f"{path}: line {number} ends before it starts")
                by_contig[fields[0]].append((start, end))
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    return {contig: merge(intervals) for contig, intervals in by_contig.items()}


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and merge overlapping or touching intervals."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def overlaps(query: Mapping[str, list[Interval]], target: Mapping[str, list[Interval]]) -> bool:
    """True when any interval of ``query`` overlaps (shares >= 1 base with) one of ``target``."""
    for contig, intervals in query.items():
        others = target.get(contig)
        if not others:
            continue
        starts = [s for s, _ in others]
        for start, end in intervals:
            i = bisect.bisect_left(starts, end)  # first target starting at or after our end
            if i > 0 and others[i - 1][1] > start:
                return True
    return False


def overlapping_shards(shard_beds: Mapping[str, Path], regions: Sequence[Path]) -> list[str]:
    """Ids of the shards whose intervals overlap any of the region BEDs, in shard order."""
    wanted: dict[str, list[Interval]] = defaultdict(list)
    for path in regions:
        for contig, intervals in read_bed(path).items():
            wanted[contig].extend(intervals)
    target = {contig: merge(intervals) for contig, intervals in wanted.items()}
    return [shard for shard, bed in sorted(shard_beds.items()) if overlaps(read_bed(bed), target)]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: print the shards (ids from file names shard_<id>.bed) that overlap the region BEDs."""
    parser = argparse.ArgumentParser(prog="hurtig panel-shards", description=__doc__)
    parser.add_argument("--shards", nargs="+", type=Path, required=True, help="shard_<id>.bed")
    parser.add_argument("--regions", nargs="+", type=Path, required=True, help="panel BEDs")
    args = parser.parse_args(argv)
    beds = {p.stem.removeprefix("shard_"): p for p in args.shards}
    for shard in overlapping_shards(beds, args.regions):
        print(shard)
    return 0
