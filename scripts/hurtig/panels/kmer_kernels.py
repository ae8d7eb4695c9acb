"""Compiled kernels of the read screen (:mod:`hurtig.panels.read_screen`): k-mers and a hash set.

A k-mer (k ≤ 31) is packed 2 bits a base (A 0, C 1, G 2, T 3; lower case as upper case) into an
``uint64``; its **canonical** form is the smaller of the packed k-mer and its reverse
complement, so a read matches whichever strand it came from. A k-mer holding any other letter
(``N``, IUPAC codes) is skipped. The set is an open-addressing hash table (linear probing) of
canonical k-mers in a power-of-two ``uint64`` array at most half full, :data:`EMPTY` marking free
slots: a lookup is one or two cache lines, where a sorted array's binary search is ~20. In front
of it a one-hash bit filter of 16 bits a k-mer (2 bytes a k-mer, cache-resident for panels of a
few Mbp) answers most misses, which are nearly all lookups (a read from elsewhere in the genome),
with one bit: 1.5-2x faster on 2 M k-mers (measured while writing this module).

The kernels are compiled by numba once per installation and cached (``cache=True``, as
:mod:`hurtig.annotation.text_blocks` does).
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: A free slot of the hash table (no canonical 31-mer packs to all ones: that needs 32 bases).
EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)
#: Base letter (byte) to its 2-bit code; 4 for every other byte.
CODES = np.full(256, 4, dtype=np.uint8)
for _letter, _code in zip(b"ACGT", range(4), strict=True):
    CODES[_letter] = _code
    CODES[_letter + 32] = _code  # lower case (soft-masked) bases count as bases
#: The largest k: a 2-bit packed k-mer and the all-ones empty marker in 64 bits.
MAX_K = 31
_NL = 10
_AT = 64


_FILTER_SHIFT = np.uint64(24)


@njit(cache=True, nogil=True)
def _mix(kmer: np.uint64) -> np.uint64:  # pragma: no cover (compiled)
    """The splitmix64 finaliser of a k-mer's bits: its hash."""
    z = kmer
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True)
def fill_filter(bits: np.ndarray, kmers: np.ndarray) -> None:  # pragma: no cover (compiled)
    """Set the filter bit of each k-mer (``bits``: zeroed ``uint64`` words, a power of two)."""
    mask = np.uint64(bits.size * 64 - 1)
    for kmer in kmers:
        at = (_mix(kmer) >> _FILTER_SHIFT) & mask
        bits[at >> np.uint64(6)] |= np.uint64(1) << (at & np.uint64(63))


@njit(cache=True, nogil=True)
def _contains(table: np.ndarray, bits: np.ndarray, kmer: np.uint64) -> bool:  # pragma: no cover
    """Whether the canonical ``kmer`` is in ``table`` (its filter ``bits`` first)."""
    z = _mix(kmer)
    fmask = np.uint64(bits.size * 64 - 1)
    fat = (z >> _FILTER_SHIFT) & fmask
    if not (bits[fat >> np.uint64(6)] >> (fat & np.uint64(63))) & np.uint64(1):
        return False
    mask = np.uint64(table.size - 1)
    at = z & mask
    while True:
        held = table[at]
        if held == kmer:
            return True
        if held == EMPTY:
            return False
        at = (at + np.uint64(1)) & mask


@njit(cache=True, nogil=True)
def fill_table(table: np.ndarray, kmers: np.ndarray) -> int:  # pragma: no cover (compiled)
    """Insert ``kmers`` into the empty-initialised ``table``; returns how many were new."""
    mask = np.uint64(table.size - 1)
    added = 0
    for kmer in kmers:
        at = _mix(kmer) & mask
        while table[at] != EMPTY and table[at] != kmer:
            at = (at + np.uint64(1)) & mask
        if table[at] == EMPTY:
            table[at] = kmer
            added += 1
    return added


@njit(cache=True, nogil=True)
def count_copies(
    table: np.ndarray, counts: np.ndarray, seq: np.ndarray, k: int, codes: np.ndarray
) -> None:  # pragma: no cover (compiled)
    """Count in ``counts[slot]`` each occurrence in ``seq`` (bytes) of ``table[slot]``'s k-mer."""
    mask = np.uint64((1 << (2 * k)) - 1)
    shift = np.uint64(2 * (k - 1))
    tmask = np.uint64(table.size - 1)
    fwd = np.uint64(0)
    rev = np.uint64(0)
    run = 0
    for i in range(seq.size):
        code = codes[seq[i]]
        if code > 3:
            run = 0
            continue
        fwd = ((fwd << np.uint64(2)) | np.uint64(code)) & mask
        rev = (rev >> np.uint64(2)) | (np.uint64(3 - code) << shift)
        run += 1
        if run < k:
            continue
        kmer = min(fwd, rev)
        at = _mix(kmer) & tmask
        while table[at] != EMPTY:
            if table[at] == kmer:
                counts[at] += 1
                break
            at = (at + np.uint64(1)) & tmask


@njit(cache=True, nogil=True)
def canonical_kmers(
    seq: np.ndarray, k: int, codes: np.ndarray, out: np.ndarray
) -> int:  # pragma: no cover (compiled)
    """Write the canonical k-mers of the bases ``seq`` (bytes) into ``out``; returns the count.

    K-mers holding a letter other than A/C/G/T (either case) are skipped.
    """
    mask = np.uint64((1 << (2 * k)) - 1)
    shift = np.uint64(2 * (k - 1))
    fwd = np.uint64(0)
    rev = np.uint64(0)
    run = 0
    n = 0
    for i in range(seq.size):
        code = codes[seq[i]]
        if code > 3:
            run = 0
            continue
        fwd = ((fwd << np.uint64(2)) | np.uint64(code)) & mask
        rev = (rev >> np.uint64(2)) | (np.uint64(3 - code) << shift)
        run += 1
        if run >= k:
            out[n] = fwd if fwd < rev else rev
            n += 1
    return n


@njit(cache=True, nogil=True)
def _hits(
    buf: np.ndarray,
    lo: int,
    hi: int,
    k: int,
    codes: np.ndarray,
    table: np.ndarray,
    bits: np.ndarray,
    stride: int,
    enough: int,
) -> int:  # pragma: no cover (compiled)
    """How many k-mers of ``buf[lo:hi]`` are in ``table``, counting up to ``enough``.

    Only the k-mers ending at every ``stride``-th base are looked up.
    """
    mask = np.uint64((1 << (2 * k)) - 1)
    shift = np.uint64(2 * (k - 1))
    fwd = np.uint64(0)
    rev = np.uint64(0)
    run = 0
    hits = 0
    for i in range(lo, hi):
        code = codes[buf[i]]
        if code > 3:
            run = 0
            continue
        fwd = ((fwd << np.uint64(2)) | np.uint64(code)) & mask
        rev = (rev >> np.uint64(2)) | (np.uint64(3 - code) << shift)
        run += 1
        if run >= k and (i - lo) % stride == 0 and _contains(table, bits, min(fwd, rev)):
            hits += 1
            if hits >= enough:
                return hits
    return hits


@njit(cache=True, nogil=True)
def _record_end(buf: np.ndarray, at: int, size: int, lines: np.ndarray) -> int:  # pragma: no cover
    """End (one past the 4th newline) of the FASTQ record at ``buf[at]``, or -1 if incomplete.

    ``lines[0..3]`` receive the end of each of its four lines (the newline's position).
    """
    pos = at
    for line in range(4):
        while pos < size and buf[pos] != _NL:
            pos += 1
        if pos >= size:
            return -1
        lines[line] = pos
        pos += 1
    return pos


@njit(cache=True, nogil=True)
def screen_block(
    buf1: np.ndarray,
    size1: int,
    buf2: np.ndarray,
    size2: int,
    k: int,
    codes: np.ndarray,
    table: np.ndarray,
    bits: np.ndarray,
    stride: int,
    min_hits: int,
    out1: np.ndarray,
    out2: np.ndarray,
) -> tuple[int, int, int, int, int, int, int]:  # pragma: no cover (compiled)
    """Screen the whole read pairs at the start of ``buf1[:size1]`` (R1) and ``buf2[:size2]`` (R2).

    A pair is kept, both records copied unchanged to ``out1``/``out2`` (each at least as large as
    its input), when either mate's sequence has ``min_hits`` k-mers in ``table`` (its filter
    ``bits``), looking up the k-mers that end at every ``stride``-th base of a read.

    Returns:
        (bytes of R1 consumed, of R2 consumed, pairs read, pairs kept, bytes written to
        ``out1``, to ``out2``, error) where error is 0, or 1 when a record does not start with
        ``@`` (not 4-line FASTQ; the counts then stop before it).
    """
    lines1 = np.empty(4, dtype=np.int64)
    lines2 = np.empty(4, dtype=np.int64)
    p1 = 0
    p2 = 0
    n1 = 0
    n2 = 0
    pairs = 0
    kept = 0
    while True:
        e1 = _record_end(buf1, p1, size1, lines1)
        if e1 < 0:
            break
        e2 = _record_end(buf2, p2, size2, lines2)
        if e2 < 0:
            break
        if buf1[p1] != _AT or buf2[p2] != _AT:
            return p1, p2, pairs, kept, n1, n2, 1
        keep = _hits(buf1, lines1[0] + 1, lines1[1], k, codes, table, bits, stride, min_hits)
        if keep < min_hits:
            keep = _hits(buf2, lines2[0] + 1, lines2[1], k, codes, table, bits, stride, min_hits)
        if keep >= min_hits:
            out1[n1 : n1 + e1 - p1] = buf1[p1:e1]
            n1 += e1 - p1
            out2[n2 : n2 + e2 - p2] = buf2[p2:e2]
            n2 += e2 - p2
            kept += 1
        pairs += 1
        p1 = e1
        p2 = e2
    return p1, p2, pairs, kept, n1, n2, 0
