r"""Blocks of tab-separated text cut into lines and fields with numpy, and INFO text spliced in.

The join never builds one object per record: a block of whole lines (bytes) is cut into lines
and fields at once (``np.flatnonzero`` on the newline and tab bytes, ``np.searchsorted`` to find
each line's tabs, :func:`split_lines`), positions are parsed as a digit matrix
(:func:`parse_ints`), and the ``;KEY=value`` pieces each source adds are spliced into the INFO
column of their lines in one vectorised step (:class:`Matches`, :func:`assemble`). This module
is the lowest layer of :mod:`hurtig.annotation`: it knows bytes and lines, nothing of alleles
or sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from hurtig.errors import InputError

_POW10 = 10 ** np.arange(19, dtype=np.int64)
#: An empty int64 array (no lines, no keys).
EMPTY = np.zeros(0, dtype=np.int64)
#: Upper-case of each byte.
UPPER = np.arange(256, dtype=np.uint8)
UPPER[97:123] -= 32


@dataclass
class Lines:
    """Whole lines of a text block: byte offsets of lines and of the wanted fields."""

    starts: np.ndarray
    ends: np.ndarray  # exclusive, at the newline
    field_starts: list[np.ndarray]
    field_ends: list[np.ndarray]


def split_lines(arr: np.ndarray, n_fields: int, where: str, last_optional: bool = False) -> Lines:
    """Cut a block that ends with a newline into lines and its first ``n_fields`` fields.

    Args:
        arr: the block as uint8.
        n_fields: fields wanted (tab-separated, from the first).
        where: file name for errors.
        last_optional: the last wanted field may be missing (then it is empty, at the line end).

    Returns:
        The line and field offsets.
    """
    ends = np.flatnonzero(arr == 10)
    starts = np.empty(len(ends), dtype=np.int64)
    if len(ends):
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
    tabs = np.flatnonzero(arr == 9)
    first = np.searchsorted(tabs, starts)
    fs: list[np.ndarray] = []
    fe: list[np.ndarray] = []
    n_tabs = len(tabs)
    prev_end = starts - 1
    for j in range(n_fields):
        start = prev_end + 1
        ti = first + j
        tab = tabs[np.minimum(ti, n_tabs - 1)] if n_tabs else ends
        has = (ti < n_tabs) & (tab < ends) if n_tabs else np.zeros(len(ends), dtype=bool)
        end = np.where(has, tab, ends)
        if j > 0:
            present = fe[-1] < ends
            if not present.all():
                if not (last_optional and j == n_fields - 1):
                    bad = int(np.flatnonzero(~present)[0])
                    line = arr[starts[bad] : ends[bad]].tobytes()[:80]
                    raise InputError(f"{where}: malformed line (too few columns): {line!r}")
                start = np.where(present, start, ends)
                end = np.where(present, end, ends)
        fs.append(start)
        fe.append(end)
        prev_end = end
    return Lines(starts, ends, fs, fe)


def parse_ints(arr: np.ndarray, starts: np.ndarray, ends: np.ndarray, where: str) -> np.ndarray:
    """Parse decimal fields ``arr[starts:ends]`` into int64, vectorised (error on non-digits)."""
    if not len(starts):
        return EMPTY
    width = ends - starts
    if width.min() <= 0 or width.max() > 18:
        bad = int(np.flatnonzero((width <= 0) | (width > 18))[0])
        raise InputError(f"{where}: bad position {arr[starts[bad] : ends[bad]].tobytes()!r}")
    cols = np.arange(int(width.max()), dtype=np.int64)
    valid = cols[None, :] < width[:, None]
    idx = np.minimum(starts[:, None] + cols[None, :], len(arr) - 1)
    digits = arr[idx].astype(np.int64) - 48
    digits[~valid] = 0
    if ((digits < 0) | (digits > 9)).any():
        bad = int(np.flatnonzero(((digits < 0) | (digits > 9)).any(axis=1))[0])
        raise InputError(f"{where}: bad position {arr[starts[bad] : ends[bad]].tobytes()!r}")
    power = np.clip(width[:, None] - 1 - cols[None, :], 0, 18)
    return (digits * _POW10[power]).sum(axis=1)


def gather(arr: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate the byte ranges ``arr[starts[i]:ends[i]]``, vectorised.

    Returns:
        The bytes and the end offset of each range in them.
    """
    lens = ends - starts
    out_ends = np.cumsum(lens)
    total = int(out_ends[-1]) if len(out_ends) else 0
    # int32 offsets when they fit: half the memory traffic of the index arrays.
    kind = np.int32 if max(len(arr), total) < (1 << 31) - 1 else np.int64
    idx = np.repeat((starts - (out_ends - lens)).astype(kind), lens)
    idx += np.arange(total, dtype=kind)
    return arr[idx], out_ends


def same_text(
    a: np.ndarray, a_s: np.ndarray, a_e: np.ndarray, b: np.ndarray, b_s: np.ndarray, b_e: np.ndarray
) -> np.ndarray:
    """Whether ``a[a_s[i]:a_e[i]] == b[b_s[i]:b_e[i]]`` for each i, vectorised."""
    same = (a_e - a_s) == (b_e - b_s)
    idx = np.flatnonzero(same & (a_e > a_s))
    if len(idx):
        left, ends = gather(a, a_s[idx], a_e[idx])
        right, _ = gather(b, b_s[idx], b_e[idx])
        diff = (left != right).astype(np.int64)
        starts = ends - (a_e[idx] - a_s[idx])
        same[idx] = np.add.reduceat(diff, starts) == 0
    return same


@dataclass
class Matches:
    """The INFO text one source adds to lines of an input block.

    Piece ``i`` (``buf[starts[i]:ends[i]]``, starting with ``;``) goes to input line
    ``lines[i]``; a source adds at most one piece per line.
    """

    lines: np.ndarray
    buf: np.ndarray  # uint8
    starts: np.ndarray
    ends: np.ndarray

    @classmethod
    def empty(cls) -> Matches:
        """No matches."""
        return cls(EMPTY, np.zeros(0, dtype=np.uint8), EMPTY, EMPTY)

    @classmethod
    def from_items(cls, items: dict[int, list[str]]) -> Matches:
        """Matches from ``line → KEY=value items`` (lines without items are left out)."""
        lines = [i for i, values in items.items() if values]
        if not lines:
            return cls.empty()
        texts = [(";" + ";".join(items[i])).encode() for i in lines]
        lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        ends = np.cumsum(lens)
        buf = np.frombuffer(b"".join(texts), dtype=np.uint8)
        return cls(np.array(lines, dtype=np.int64), buf, ends - lens, ends)


def assemble(
    arr: np.ndarray, lines: Lines, info: int, additions: Sequence[tuple[int, Matches]]
) -> bytes:
    """The block with each source's pieces appended to the INFO column of their lines.

    Pieces go in source order; an INFO column that is ``.`` (or empty) is replaced. Built
    without a per-line Python loop: the output is a list of byte ranges (input between two
    insertion points, then that line's pieces) gathered in one vectorised step.

    Args:
        arr: the block as uint8 (offsets of ``lines`` are into it).
        lines: the block's lines; field ``info`` is INFO.
        info: the INFO field number.
        additions: ``(source rank, matches)``; a source may give several parts.
    """
    used = [(k, m) for k, m in additions if len(m.lines)]
    if not used:
        return arr.tobytes()
    bases = np.cumsum([len(arr)] + [len(m.buf) for _, m in used[:-1]])
    add_line = np.concatenate([m.lines for _, m in used])
    add_s = np.concatenate([m.starts + b for (_, m), b in zip(used, bases, strict=True)])
    add_e = np.concatenate([m.ends + b for (_, m), b in zip(used, bases, strict=True)])
    add_src = np.concatenate([np.full(len(m.lines), k) for k, m in used])
    order = np.lexsort((add_src, add_line))
    add_line, add_s, add_e = add_line[order], add_s[order], add_e[order]
    combined = np.concatenate([arr, *(m.buf for _, m in used)])
    first = np.ones(len(add_line), dtype=bool)
    first[1:] = add_line[1:] != add_line[:-1]
    u_lines = add_line[first]
    i_s, i_e = lines.field_starts[info][u_lines], lines.field_ends[info][u_lines]
    replace = (i_e == i_s) | ((i_e - i_s == 1) & (arr[np.minimum(i_s, len(arr) - 1)] == 46))
    # The first piece of a line whose INFO is replaced loses its leading ";".
    add_s[np.flatnonzero(first)[replace]] += 1
    cut = np.where(replace, i_s, i_e)
    n_u, n_add = len(u_lines), len(add_line)
    seg_s = np.empty(n_u + 1 + n_add, dtype=np.int64)
    seg_e = np.empty_like(seg_s)
    # Input segment j sits before line j's pieces: j + (pieces of earlier lines).
    per_line = np.diff(np.append(np.flatnonzero(first), n_add))
    in_at = np.arange(n_u + 1) + np.concatenate([[0], np.cumsum(per_line)])
    line_no = np.cumsum(first) - 1
    add_at = line_no + 1 + np.arange(n_add)
    seg_s[in_at] = np.concatenate([[0], i_e])
    seg_e[in_at] = np.concatenate([cut, [len(arr)]])
    seg_s[add_at] = add_s
    seg_e[add_at] = add_e
    # Segments average ~100 bytes: slicing bytes and joining them costs less than a byte gather
    # (and less than memoryview slices).
    data = combined.tobytes()
    return b"".join(map(data.__getitem__, map(slice, seg_s.tolist(), seg_e.tolist())))


def chrom_runs(arr: np.ndarray, lines: Lines) -> list[tuple[int, int, str]]:
    """Split a block into runs of lines on one contig: ``(first, stop, name)``."""
    runs = []
    n = len(lines.starts)
    start = 0
    cs, ce = lines.field_starts[0], lines.field_ends[0]
    while start < n:
        name = arr[cs[start] : ce[start]].tobytes()
        width = len(name)
        same = (ce[start:] - cs[start:]) == width
        last = len(arr) - 1
        for j, byte in enumerate(name):
            same &= arr[np.minimum(cs[start:] + j, last)] == byte
        diff = np.flatnonzero(~same)
        stop = start + int(diff[0]) if len(diff) else n
        runs.append((start, stop, name.decode()))
        start = stop
    return runs


def sub_lines(lines: Lines, lo: int, hi: int) -> Lines:
    """Lines ``lo:hi`` of a block (offsets unchanged)."""
    return Lines(
        lines.starts[lo:hi],
        lines.ends[lo:hi],
        [f[lo:hi] for f in lines.field_starts],
        [f[lo:hi] for f in lines.field_ends],
    )


def read_blocks(stream: Iterable[bytes]) -> Iterator[bytes]:
    """Re-cut a byte stream into blocks of whole lines."""
    tail = b""
    for block in stream:
        data = tail + block
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut]
        tail = data[cut:]
    if tail.strip():
        yield tail + b"\n"
