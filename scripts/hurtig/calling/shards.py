"""Cut a reference genome into N contiguous shards of near-equal callable bases.

Usage::

    hurtig make-shards --fasta REF.fa[.gz] --n N --outdir DIR [--min-gap 1000] \
        [--no-split] [--contigs chr1,chr2,...]

Writes ``DIR/shard_0000.bed`` … ``DIR/shard_{N-1:04d}.bed`` (BED3, 0-based half-open) and
``DIR/shards.tsv``. Callable = every base outside runs of ``N`` at least ``--min-gap`` long
(shorter N runs count as callable). Shards follow reference order (shard i ends before shard i+1
starts), so concatenating per-shard VCFs in shard order gives a sorted VCF.

Cut points: the ideal cut k sits after ``k * total / N`` callable bases. A cut moves to the nearest
"natural" boundary (the start of a callable segment, i.e. a gap or contig boundary, or the start
of a shorter N run) within 1% of the per-shard target; otherwise the segment is split at the ideal
base. With ``--no-split`` cuts go only to natural boundaries (balance is then best effort).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pysam

from hurtig.errors import InputError
from hurtig.io.files import write_text_atomic

Interval = tuple[str, int, int]
CHUNK = 1 << 23  # bases read per fetch: bounds memory for any contig size
TOLERANCE = 0.01  # a cut may move this fraction of the per-shard target to a natural boundary
_N, _CASE = ord("N"), 0x20


@dataclass
class Layout:
    """Callable segments of a genome and natural cut points, in reference order.

    Attributes:
        contigs: contig names, by index.
        seg_contig: contig index of each segment.
        seg_start: 0-based start of each segment.
        seg_end: end (exclusive) of each segment.
        short_runs: ``(segment index, 0-based start)`` of N runs shorter than the gap threshold
            that lie inside segments (preferred split points).
    """

    contigs: list[str]
    seg_contig: np.ndarray
    seg_start: np.ndarray
    seg_end: np.ndarray
    short_runs: tuple[np.ndarray, np.ndarray]

    @property
    def total(self) -> int:
        """Callable bases."""
        return int((self.seg_end - self.seg_start).sum())


def n_runs(fasta: pysam.FastaFile, contig: str, chunk: int = CHUNK) -> Iterator[tuple[int, int]]:
    """Yield ``(start0, end)`` of every run of N/n in a contig, reading ``chunk`` bases at a time.

    Args:
        fasta: an open, indexed FASTA.
        contig: contig name.
        chunk: bases per read.

    Yields:
        Runs in order, 0-based half-open.
    """
    length = fasta.get_reference_length(contig)
    open_start: int | None = None
    prev = 0
    for offset in range(0, length, chunk):
        seq = fasta.fetch(contig, offset, min(length, offset + chunk))
        arr = np.frombuffer(seq.encode("ascii", "replace"), dtype=np.uint8)
        flags = np.empty(arr.size + 1, dtype=np.int8)
        flags[0] = prev
        np.equal(arr | _CASE, _N | _CASE, out=flags[1:].view(np.bool_))
        step = np.diff(flags)
        starts = np.flatnonzero(step == 1) + offset
        ends = np.flatnonzero(step == -1) + offset
        prev = int(flags[-1])
        start_list = starts.tolist()
        if open_start is not None:
            start_list.insert(0, open_start)
        end_list = ends.tolist()
        yield from zip(start_list, end_list, strict=False)
        open_start = start_list[-1] if len(start_list) > len(end_list) else None
    if open_start is not None:
        yield open_start, length


def _open_fasta(path: Path) -> pysam.FastaFile:
    """The indexed FASTA (index built by pysam when missing)."""
    if not path.is_file():
        raise InputError(f"{path}: reference FASTA not found")
    try:
        return pysam.FastaFile(str(path))
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot open as an indexed FASTA ({err})") from err


def _selected_contigs(path: Path, names: list[str], contigs: Sequence[str] | None) -> list[str]:
    """The FASTA's contigs, reduced to ``contigs`` when given (reference order kept)."""
    if contigs is None:
        return names
    missing = [c for c in contigs if c not in set(names)]
    if missing:
        raise InputError(f"{path}: contigs not in the FASTA: {', '.join(missing[:5])}")
    keep = set(contigs)
    return [n for n in names if n in keep]


def scan_genome(
    fasta_path: str | os.PathLike[str],
    min_gap: int = 1000,
    contigs: Sequence[str] | None = None,
    chunk: int = CHUNK,
) -> Layout:
    """Find callable segments (outside N runs ≥ ``min_gap``) of an indexed FASTA.

    Args:
        fasta_path: FASTA, plain or bgzip, with .fai (and .gzi); built by pysam when missing.
        min_gap: shortest N run that is a gap.
        contigs: keep only these contigs (reference order is kept); None = all.
        chunk: bases read at a time.

    Returns:
        The layout.
    """
    path = Path(fasta_path)
    fasta = _open_fasta(path)
    names = _selected_contigs(path, list(fasta.references), contigs)
    seg_contig: list[int] = []
    seg_start: list[int] = []
    seg_end: list[int] = []
    run_seg: list[int] = []
    run_start: list[int] = []
    with fasta:
        for idx, contig in enumerate(names):
            length = fasta.get_reference_length(contig)
            cursor = 0
            pending_short: list[int] = []
            for start, end in n_runs(fasta, contig, chunk):
                if end - start >= min_gap:
                    if start > cursor:
                        _add_segment(
                            idx, cursor, start, pending_short, seg_contig, seg_start, seg_end,
                            run_seg, run_start,
                        )  # fmt: skip
                    pending_short = []
                    cursor = end
                else:
                    pending_short.append(start)
            if length > cursor:
                _add_segment(
                    idx, cursor, length, pending_short, seg_contig, seg_start, seg_end,
                    run_seg, run_start,
                )  # fmt: skip
    return Layout(
        contigs=names,
        seg_contig=np.asarray(seg_contig, dtype=np.int64),
        seg_start=np.asarray(seg_start, dtype=np.int64),
        seg_end=np.asarray(seg_end, dtype=np.int64),
        short_runs=(np.asarray(run_seg, dtype=np.int64), np.asarray(run_start, dtype=np.int64)),
    )


def _add_segment(
    contig: int,
    start: int,
    end: int,
    shorts: list[int],
    seg_contig: list[int],
    seg_start: list[int],
    seg_end: list[int],
    run_seg: list[int],
    run_start: list[int],
) -> None:
    seg = len(seg_start)
    seg_contig.append(contig)
    seg_start.append(start)
    seg_end.append(end)
    for pos in shorts:
        if start < pos < end:
            run_seg.append(seg)
            run_start.append(pos)


def choose_cuts(layout: Layout, n: int, split: bool = True) -> np.ndarray:
    """Callable-base offsets of the N-1 cuts (strictly increasing, inside ``(0, total)``).

    Args:
        layout: callable segments.
        n: number of shards.
        split: allow cutting inside a callable stretch when no natural boundary is near.

    Returns:
        Array of N-1 offsets.
    """
    total = layout.total
    lengths = layout.seg_end - layout.seg_start
    cum = np.concatenate(([0], np.cumsum(lengths)))
    run_seg, run_pos = layout.short_runs
    natural = np.concatenate(
        (cum[1:-1], cum[run_seg] + (run_pos - layout.seg_start[run_seg]) if run_seg.size else [])
    ).astype(np.int64)
    natural = np.unique(natural[(natural > 0) & (natural < total)])
    ideal = (np.arange(1, n, dtype=np.int64) * total + n // 2) // n
    if n == 1:
        return ideal
    if not split:
        if natural.size < n - 1:
            raise InputError(
                f"cannot make {n} shards without splitting callable stretches: only "
                f"{natural.size + 1} pieces; allow splitting or use fewer shards"
            )
        cuts = np.empty(n - 1, dtype=np.int64)
        lo = 0
        for k, x in enumerate(ideal.tolist()):
            hi = natural.size - (n - 1 - k)  # leave enough natural points for later cuts
            i = int(np.searchsorted(natural, x))
            i0, i1 = min(max(i - 1, lo), hi), min(max(i, lo), hi)
            best = i0 if abs(int(natural[i0]) - x) <= abs(int(natural[i1]) - x) else i1
            cuts[k] = natural[best]
            lo = best + 1
        return cuts
    tol = int(TOLERANCE * total / n)
    cuts = ideal.copy()
    if natural.size and tol > 0:
        idx = np.searchsorted(natural, ideal)
        left = natural[np.clip(idx - 1, 0, natural.size - 1)]
        right = natural[np.clip(idx, 0, natural.size - 1)]
        nearest = np.where(np.abs(left - ideal) <= np.abs(right - ideal), left, right)
        cuts = np.where(np.abs(nearest - ideal) <= tol, nearest, ideal)
    return cuts


def make_shards(
    fasta: str | os.PathLike[str],
    n: int,
    min_gap: int = 1000,
    split: bool = True,
    contigs: Sequence[str] | None = None,
) -> list[list[Interval]]:
    """Shard a reference into ``n`` contiguous groups of callable intervals.

    Args:
        fasta: indexed FASTA (plain or bgzip).
        n: number of shards (≥ 1).
        min_gap: shortest N run treated as a gap.
        split: allow splitting a callable stretch (else cut only at N runs or contig ends).
        contigs: restrict to these contigs; None = all.

    Returns:
        ``n`` lists of ``(contig, start0, end)``, in reference order, each non-empty.
    """
    if n < 1:
        raise InputError(f"--n must be at least 1 (got {n})")
    if min_gap < 1:
        raise InputError(f"--min-gap must be at least 1 (got {min_gap})")
    layout = scan_genome(fasta, min_gap=min_gap, contigs=contigs)
    if layout.total < n:
        raise InputError(
            f"{fasta}: only {layout.total} callable bases, fewer than the {n} shards asked for"
        )
    return split_layout(layout, choose_cuts(layout, n, split))


def split_layout(layout: Layout, cuts: np.ndarray) -> list[list[Interval]]:
    """Turn callable-offset cuts into per-shard interval lists."""
    shards: list[list[Interval]] = [[]]
    cut_list = [int(c) for c in cuts]
    k = 0
    offset = 0
    for contig_idx, start, end in zip(
        layout.seg_contig.tolist(), layout.seg_start.tolist(), layout.seg_end.tolist(), strict=True
    ):
        name = layout.contigs[contig_idx]
        seg_off = offset
        pos = start
        while k < len(cut_list) and cut_list[k] < seg_off + (end - start):
            cut_at = start + (cut_list[k] - seg_off)
            if cut_at > pos:
                shards[-1].append((name, pos, cut_at))
            pos = cut_at
            shards.append([])
            k += 1
        if end > pos:
            shards[-1].append((name, pos, end))
        offset += end - start
    return shards


def _region(interval: Interval) -> str:
    contig, start, end = interval
    return f"{contig}:{start + 1}-{end}"


def write_shards(shards: list[list[Interval]], outdir: str | os.PathLike[str]) -> None:
    """Write ``shard_NNNN.bed`` files and ``shards.tsv`` (each atomically)."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    rows = ["shard\tn_intervals\tcallable_bp\tfirst_region\tlast_region"]
    for i, intervals in enumerate(shards):
        bed = "".join(f"{contig}\t{start}\t{end}\n" for contig, start, end in intervals)
        write_text_atomic(out / f"shard_{i:04d}.bed", bed)
        size = sum(end - start for _, start, end in intervals)
        rows.append(
            f"{i:04d}\t{len(intervals)}\t{size}\t{_region(intervals[0])}\t{_region(intervals[-1])}"
        )
    write_text_atomic(out / "shards.tsv", "\n".join(rows) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="hurtig make-shards",
        description="Cut a reference into N contiguous BED shards of near-equal callable bases.",
    )
    parser.add_argument("--fasta", required=True, help="indexed FASTA (.fa or bgzip .fa.gz)")
    parser.add_argument("--n", type=int, required=True, help="number of shards")
    parser.add_argument("--outdir", required=True, help="folder for shard_NNNN.bed, shards.tsv")
    parser.add_argument("--min-gap", type=int, default=1000, help="N run length that is a gap")
    parser.add_argument(
        "--no-split",
        action="store_true",
        help="never cut inside a callable stretch (only at N runs and contig ends)",
    )
    parser.add_argument("--contigs", help="comma-separated contigs to use (default: all)")
    args = parser.parse_args(argv)
    contigs = [c for c in args.contigs.split(",") if c] if args.contigs else None
    shards = make_shards(
        args.fasta, args.n, min_gap=args.min_gap, split=not args.no_split, contigs=contigs
    )
    write_shards(shards, args.outdir)
    sizes = [sum(e - s for _, s, e in sh) for sh in shards]
    print(
        f"hurtig.calling.shards: {len(shards)} shards, {sum(sizes)} callable bp, "
        f"min {min(sizes)}, max {max(sizes)}",
        file=sys.stderr,
    )
    return 0
