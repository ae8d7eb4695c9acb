"""The read screen of the panel fast path: the read pairs of a family's panel regions, unaligned.

With ``fast_path.screen_reads`` the fast path does not wait for the whole-genome alignment: each
unit's trimmed read chunks are screened against the k-mers of the reference sequence in the
family's read regions (:mod:`hurtig.panels.fast_regions`), and only the pairs that share a k-mer
with them are aligned (to the whole reference, with the genome path's command) for the panel
calls. Two commands:

* ``hurtig panel-kmers``: the canonical k-mers (default k = 31, :data:`DEFAULT_K`) of the read
  regions' reference sequence, as a hash table (``.npz``; :mod:`hurtig.panels.kmer_kernels`);
* ``hurtig screen-reads``: stream FASTQ pairs (gzip, decompressed in blocks by a reader thread)
  and write every pair where either mate shares ``--min-hits`` (default 1) k-mers with the
  table, both records unchanged, to a gzip FASTQ pair; with counts in a JSON file.

Why so generous (one shared 31-mer of either mate): a read over a panel position must never be
lost, while an extra read costs only its alignment, which places it elsewhere in the genome. A
read that overlaps the region by 31 error-free bases shares a k-mer; the read regions extend
``read_padding`` (1000 bp) beyond the calling regions, so every read reaching a calling position
overlaps them by its whole length. Soft-masked (lower-case) reference bases are taken like upper
case, repeats included: skipping them would lose the reads of a panel exon next to a repeat that
share no other k-mer; the price is the reads of the repeat's other copies (measured in
perf/RESULTS.md, docs/FAST_PATH.md). k = 31 is the largest k packed in 64 bits: the fewest chance
hits between unrelated sequences (4^31 ≈ 4.6e18 k-mers), and still 120 k-mers in a 150 bp read,
so a read with a sequencing error or a variant every 30 bases still matches.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pysam
from zlib_ng import gzip_ng_threaded

from hurtig.calling.regions import read_bed
from hurtig.errors import InputError
from hurtig.io.files import temp_path, write_text_atomic
from hurtig.panels.kmer_kernels import (
    CODES,
    EMPTY,
    MAX_K,
    canonical_kmers,
    count_copies,
    fill_filter,
    fill_table,
    screen_block,
)

DEFAULT_K = 31
#: Decompressed bytes read from each FASTQ of a pair at a time.
BLOCK = 1 << 22
#: Reference bases read at a time when counting the copies of the k-mers.
WINDOW = 1 << 24


@dataclass(frozen=True)
class KmerTable:
    """A hash set of canonical k-mers (:mod:`hurtig.panels.kmer_kernels`).

    Attributes:
        k: the k-mer length.
        table: the open-addressing table (power-of-two ``uint64`` array, ``EMPTY`` free slots).
        bits: its bit filter (power-of-two ``uint64`` words, 16 bits a k-mer).
        kmers: how many distinct k-mers it holds.
    """

    k: int
    table: np.ndarray
    bits: np.ndarray
    kmers: int


@dataclass(frozen=True)
class ScreenCounts:
    """What a screen read and kept.

    Attributes:
        pairs: read pairs read.
        kept: read pairs kept.
        seconds: wall time of the screen (s).
    """

    pairs: int
    kept: int
    seconds: float


def _hash_set(kmers: np.ndarray, k: int) -> KmerTable:
    """The table (and filter) of distinct canonical ``kmers``."""
    size = 1 << max(4, int(2 * max(kmers.size, 1) - 1).bit_length())
    table = np.full(size, EMPTY, dtype=np.uint64)
    fill_table(table, kmers)
    bits = np.zeros(max(1, size // 8), dtype=np.uint64)
    fill_filter(bits, kmers)
    return KmerTable(k, table, bits, int(kmers.size))


def drop_high_copy(table: KmerTable, reference: pysam.FastaFile, max_copies: int) -> KmerTable:
    """The table without the k-mers found more than ``max_copies`` times in the whole reference.

    Every contig is read in windows of :data:`WINDOW` bases (overlapping by k - 1) and each
    occurrence of a table k-mer counted, on either strand.
    """
    counts = np.zeros(table.table.size, dtype=np.int64)
    for contig, length in zip(reference.references, reference.lengths, strict=True):
        for start in range(0, length, WINDOW):
            seq = reference.fetch(contig, start, min(start + WINDOW + table.k - 1, length))
            count_copies(table.table, counts, np.frombuffer(seq.encode(), np.uint8), table.k, CODES)
    held = table.table != EMPTY
    return _hash_set(np.sort(table.table[held & (counts <= max_copies)]), table.k)


def build_table(fasta: Path, bed: Path, k: int = DEFAULT_K, max_copies: int = 0) -> KmerTable:
    """The canonical k-mers of the reference sequence in the regions of ``bed``.

    With ``max_copies`` > 0 the k-mers found more than that many times in the whole reference
    are left out (:func:`drop_high_copy`).

    Raises:
        InputError: k out of range, an unreadable FASTA or BED, a contig missing from the FASTA.
    """
    if not 1 <= k <= MAX_K:
        raise InputError(f"k must be 1..{MAX_K}, not {k}")
    if max_copies < 0:
        raise InputError(f"--max-copies cannot be negative ({max_copies})")
    regions = read_bed(bed)
    parts: list[np.ndarray] = []
    try:
        with pysam.FastaFile(str(fasta)) as reference:
            for contig, intervals in regions.items():
                if contig not in reference.references:
                    raise InputError(f"{bed}: contig {contig} is not in {fasta}")
                for start, end in intervals:
                    seq = np.frombuffer(reference.fetch(contig, start, end).encode(), np.uint8)
                    out = np.empty(max(seq.size - k + 1, 0), dtype=np.uint64)
                    parts.append(out[: canonical_kmers(seq, k, CODES, out)])
            kmers = np.unique(np.concatenate(parts)) if parts else np.empty(0, np.uint64)
            table = _hash_set(kmers, k)
            return drop_high_copy(table, reference, max_copies) if max_copies else table
    except OSError as err:
        raise InputError(f"{fasta}: cannot read ({err})") from err


def save_table(table: KmerTable, path: Path) -> None:
    """Write the table to ``path`` (``.npz``) atomically."""
    tmp = temp_path(path, ".npz")
    try:
        np.savez(
            tmp,
            k=np.int64(table.k),
            table=table.table,
            bits=table.bits,
            kmers=np.int64(table.kmers),
        )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_table(path: Path) -> KmerTable:
    """Read a table :func:`save_table` wrote.

    Raises:
        InputError: unreadable or not such a table.
    """
    try:
        with np.load(path) as data:
            table = KmerTable(
                int(data["k"]), data["table"].copy(), data["bits"].copy(), int(data["kmers"])
            )
    except (OSError, KeyError, ValueError) as err:
        raise InputError(f"{path}: not a k-mer table of hurtig panel-kmers ({err})") from err
    arrays = (table.table, table.bits)
    if (
        any(a.dtype != np.uint64 or a.ndim != 1 or a.size & (a.size - 1) for a in arrays)
        or not 1 <= table.k <= MAX_K
    ):
        raise InputError(f"{path}: not a k-mer table of hurtig panel-kmers")
    return table


def _refill(handle: BinaryIO, rest: bytes, want: int) -> tuple[bytes, bool]:
    """``rest`` topped up from ``handle`` to ``want`` bytes; and whether the file ended."""
    more = handle.read(max(want - len(rest), 0))
    return rest + more, len(more) < want - len(rest)


def screen_pair(
    r1: Path,
    r2: Path,
    table: KmerTable,
    hits: tuple[int, int],
    out1: BinaryIO,
    out2: BinaryIO,
) -> tuple[int, int]:
    """Screen one FASTQ pair (gzip) into ``out1``/``out2``; returns (pairs read, pairs kept).

    ``hits`` is (k-mers a mate must share, stride of the k-mers looked up).

    Raises:
        InputError: not 4-line FASTQ, or R1 and R2 hold different numbers of records.
    """
    pairs = kept = 0
    want = BLOCK
    rest1 = rest2 = b""
    with gzip_ng_threaded.open(r1, "rb") as in1, gzip_ng_threaded.open(r2, "rb") as in2:
        while True:
            buf1, end1 = _refill(in1, rest1, want)
            buf2, end2 = _refill(in2, rest2, want)
            a1 = np.frombuffer(buf1, np.uint8)
            a2 = np.frombuffer(buf2, np.uint8)
            o1 = np.empty(a1.size, np.uint8)
            o2 = np.empty(a2.size, np.uint8)
            arrays = (table.table, table.bits)
            used1, used2, n, k, w1, w2, error = screen_block(
                a1, a1.size, a2, a2.size, table.k, CODES, *arrays, hits[1], hits[0], o1, o2
            )
            if error:
                raise InputError(f"{r1}, {r2}: a record after {pairs + n} pairs is not FASTQ")
            out1.write(o1[:w1].tobytes())
            out2.write(o2[:w2].tobytes())
            pairs += n
            kept += k
            rest1, rest2 = buf1[used1:], buf2[used2:]
            if end1 and end2 and n == 0:
                break
            # a record longer than the block: read more before the next try
            want = want * 2 if n == 0 else BLOCK
    if rest1.strip() or rest2.strip():
        raise InputError(f"{r1}, {r2}: different numbers of records, or a truncated record")
    return pairs, kept


def screen_reads(
    pairs: Sequence[tuple[Path, Path]],
    table: KmerTable,
    out_r1: Path,
    out_r2: Path,
    min_hits: int = 1,
    stride: int = 1,
) -> ScreenCounts:
    """Screen FASTQ pairs (gzip) into one gzip FASTQ pair, written atomically.

    A pair is kept when either mate shares ``min_hits`` k-mers with ``table``, looking up the
    k-mers that end at every ``stride``-th base of a read (1: every k-mer; s: a read overlapping
    the regions by k + s - 1 bases without a mismatch still shares one).

    Raises:
        InputError: see :func:`screen_pair`; ``min_hits`` or ``stride`` below 1.
    """
    if min_hits < 1 or stride < 1:
        raise InputError("--min-hits and --stride must be at least 1")
    start = time.perf_counter()
    total = kept = 0
    tmp1, tmp2 = temp_path(out_r1, ".fastq.gz"), temp_path(out_r2, ".fastq.gz")
    try:
        with (
            gzip_ng_threaded.open(tmp1, "wb", compresslevel=1) as out1,
            gzip_ng_threaded.open(tmp2, "wb", compresslevel=1) as out2,
        ):
            for r1, r2 in pairs:
                n, k = screen_pair(r1, r2, table, (min_hits, stride), out1, out2)
                total += n
                kept += k
        os.replace(tmp1, out_r1)
        os.replace(tmp2, out_r2)
    finally:
        tmp1.unlink(missing_ok=True)
        tmp2.unlink(missing_ok=True)
    return ScreenCounts(total, kept, round(time.perf_counter() - start, 3))


def chunk_pairs(folder: Path) -> list[tuple[Path, Path]]:
    """The read chunk pairs of a trimmed unit folder (``0001.R1.fastq.gz``/``0001.R2...``).

    Raises:
        InputError: no chunks, or a chunk without its mate file.
    """
    firsts = sorted(Path(folder).glob("*.R1.fastq.gz"))
    if not firsts:
        raise InputError(f"{folder}: no read chunks (*.R1.fastq.gz)")
    pairs = [(r1, r1.with_name(r1.name.replace(".R1.", ".R2."))) for r1 in firsts]
    for _, r2 in pairs:
        if not r2.is_file():
            raise InputError(f"{r2}: missing (the mate file of a read chunk)")
    return pairs


def kmers_main(argv: Sequence[str] | None = None) -> int:
    """CLI ``hurtig panel-kmers``: the k-mer table of a family's read regions."""
    parser = argparse.ArgumentParser(
        prog="hurtig panel-kmers", description="k-mers of the reference in the read regions"
    )
    parser.add_argument("--fasta", type=Path, required=True, help="reference FASTA (.fai)")
    parser.add_argument("--bed", type=Path, required=True, help="regions (BED)")
    parser.add_argument("--k", type=int, default=DEFAULT_K, help=f"k (default {DEFAULT_K})")
    parser.add_argument(
        "--max-copies",
        type=int,
        default=0,
        help="leave out k-mers found more often than this in the whole reference (0: keep all)",
    )
    parser.add_argument("--out", type=Path, required=True, help="the table (.npz)")
    args = parser.parse_args(argv)
    table = build_table(args.fasta, args.bed, args.k, args.max_copies)
    save_table(table, args.out)
    print(f"hurtig panel-kmers: {table.kmers} distinct {table.k}-mers", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """CLI ``hurtig screen-reads``: the read pairs that share k-mers with the panel regions."""
    parser = argparse.ArgumentParser(
        prog="hurtig screen-reads", description="keep the read pairs of the panel regions"
    )
    parser.add_argument("--kmers", type=Path, required=True, help="hurtig panel-kmers' table")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--chunks", type=Path, help="a trimmed unit's folder of read chunks")
    source.add_argument("--r1", type=Path, nargs="+", help="R1 FASTQs (gzip), with --r2")
    parser.add_argument("--r2", type=Path, nargs="+", help="R2 FASTQs, in the order of --r1")
    parser.add_argument("--min-hits", type=int, default=1, help="k-mers a mate shares (1)")
    parser.add_argument("--stride", type=int, default=1, help="look up every n-th k-mer (1)")
    parser.add_argument("--out-r1", type=Path, required=True)
    parser.add_argument("--out-r2", type=Path, required=True)
    parser.add_argument("--stats", type=Path, required=True, help="counts (JSON)")
    args = parser.parse_args(argv)
    if args.chunks is not None:
        pairs = chunk_pairs(args.chunks)
    elif args.r2 is None or len(args.r2) != len(args.r1):
        raise InputError("--r1 and --r2 need the same number of files")
    else:
        pairs = list(zip(args.r1, args.r2, strict=True))
    table = load_table(args.kmers)
    counts = screen_reads(pairs, table, args.out_r1, args.out_r2, args.min_hits, args.stride)
    stats = {
        **asdict(counts),
        "k": table.k,
        "kmers": table.kmers,
        "min_hits": args.min_hits,
        "stride": args.stride,
    }
    write_text_atomic(args.stats, json.dumps(stats, indent=1) + "\n")
    print(f"hurtig screen-reads: kept {counts.kept} of {counts.pairs} pairs", file=sys.stderr)
    return 0
