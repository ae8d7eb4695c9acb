r"""``hurtig simulate-sv-set``: a seeded set of deletions and duplications for SV validation.

CLI::

    hurtig simulate-sv-set --segments resources/demo/reference/real_sequence.bed \
        --n 24 --seed 7 --out DIR/planted_sv.tsv

Writes a ``planted_sv.tsv`` (:mod:`hurtig.devtools.sv_truth`) of ``n`` heterozygous proband
events (``kind`` de_novo, parents reference), alternately DEL and DUP, sizes log-uniform between
:data:`MIN_SIZE` and :data:`MAX_SIZE`, on a random haplotype, inside the real-sequence segments
and at least :data:`SPACING` bp from each other and from segment ends. Copy the demo folder's
other files next to it and run ``hurtig simulate-demo --demo-dir DIR`` to get reads.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Sequence
from pathlib import Path

from hurtig.devtools.sv_truth import SV_COLUMNS
from hurtig.devtools.trio_truth import Segment, read_segments
from hurtig.errors import InputError
from hurtig.io.files import write_text_atomic

MIN_SIZE = 500
MAX_SIZE = 50_000
SPACING = 5_000
MAX_TRIES = 100_000


def draw_events(
    segments: Sequence[Segment], n: int, seed: int
) -> list[tuple[str, int, int, str, int]]:
    """``(chrom, start, end, svtype, haplotype)`` of ``n`` non-overlapping events, sorted.

    Raises:
        InputError: when ``n`` events do not fit.
    """
    rng = random.Random(seed)
    weights = [s.end - s.start for s in segments]
    placed: list[tuple[str, int, int, str, int]] = []
    for _ in range(MAX_TRIES):
        if len(placed) == n:
            break
        size = round(math.exp(rng.uniform(math.log(MIN_SIZE), math.log(MAX_SIZE))))
        seg = rng.choices(segments, weights)[0]
        lo, hi = seg.start + SPACING, seg.end - SPACING - size
        if hi <= lo:
            continue
        start = rng.randint(lo, hi)
        end = start + size - 1
        if any(
            c == seg.chrom and start <= e + SPACING and s <= end + SPACING
            for c, s, e, _, _ in placed
        ):
            continue
        svtype = "DEL" if len(placed) % 2 == 0 else "DUP"
        placed.append((seg.chrom, start, end, svtype, rng.randint(0, 1)))
    if len(placed) < n:
        raise InputError(f"only {len(placed)} of {n} events fit the segments")
    return sorted(placed)


def planted_tsv(events: Sequence[tuple[str, int, int, str, int]]) -> str:
    """The ``planted_sv.tsv`` text of the events."""
    lines = ["\t".join(SV_COLUMNS)]
    for chrom, start, end, svtype, hap in events:
        gt = "1|0" if hap == 0 else "0|1"
        lines.append(
            "\t".join(
                [chrom, str(start), str(end), svtype, ".", "de_novo", gt, "0|0", "0|0", "", "sim"]
            )
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="hurtig simulate-sv-set", description=__doc__)
    parser.add_argument("--segments", required=True, type=Path, help="real_sequence.bed")
    parser.add_argument("--n", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    events = draw_events(read_segments(args.segments), args.n, args.seed)
    write_text_atomic(args.out, planted_tsv(events))
    return 0
