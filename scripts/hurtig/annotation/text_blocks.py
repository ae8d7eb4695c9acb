r"""Blocks of tab-separated text cut into lines and fields with numpy, and INFO text spliced in.

The join never builds one object per record: a block of whole lines (bytes) is cut into lines
and fields at once (``np.flatnonzero`` on the newline and tab bytes, ``np.searchsorted`` to find
each line's tabs, :func:`split_lines`), positions are parsed as a digit matrix
(:func:`parse_ints`), and the ``;KEY=value`` pieces each source adds are spliced into the INFO
column of their lines in one compiled pass that writes the output once (:class:`Matches`,
:func:`assemble`, :func:`splice`). This module is the lowest layer of :mod:`hurtig.annotation`:
it knows bytes and lines, nothing of alleles or sources.

The splice kernel is compiled by numba once per installation and cached (``cache=True``: the
machine code is kept in ``__pycache__`` next to this file, or in numba's user cache when that is
not writable), so a run pays numba's import (~0.3 s) and a cache load, not a compilation. It was
half the join's CPU time as a numpy/``bytes.join`` splice (perf/RESULTS.md, issue 17); its
output is byte for byte the same (tests/unit/test_annotate*.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

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


@njit(cache=True, nogil=True)
def _split_kernel(
    newlines: np.ndarray, tabs: np.ndarray, n_fields: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover (compiled)
    """Field offsets from the newline and tab offsets of a block (walks the tabs, not bytes).

    Returns:
        Field starts and ends (``n_fields`` × lines; a missing field is empty, at the line
        end) and the number of fields present on each line.
    """
    n = len(newlines)
    fs = np.empty((n_fields, n), dtype=np.int64)
    fe = np.empty((n_fields, n), dtype=np.int64)
    present = np.empty(n, dtype=np.int64)
    t, n_tabs, start = 0, len(tabs), 0
    for k in range(n):
        end = newlines[k]
        while t < n_tabs and tabs[t] < start:
            t += 1
        at, j = start, 0
        while j < n_fields:
            fs[j, k] = at
            if t < n_tabs and tabs[t] < end:
                fe[j, k] = tabs[t]
                at = tabs[t] + 1
                t += 1
                j += 1
            else:
                fe[j, k] = end
                j += 1
                break
        present[k] = j
        while j < n_fields:
            fs[j, k] = end
            fe[j, k] = end
            j += 1
        start = end + 1
    return fs, fe, present


def split_lines(arr: np.ndarray, n_fields: int, where: str, last_optional: bool = False) -> Lines:
    """Cut a block that ends with a newline into lines and its first ``n_fields`` fields.

    The newline and tab offsets come from numpy (vectorised), the fields from one compiled pass
    over the tabs (:func:`_split_kernel`).

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
    fs, fe, present = _split_kernel(ends, np.flatnonzero(arr == 9), n_fields)
    need = n_fields - 1 if last_optional else n_fields
    if len(present) and int(present.min()) < need:
        # The first line missing the first missing field (as a field-by-field check finds it).
        bad = int(np.flatnonzero(present == present.min())[0])
        line = arr[starts[bad] : ends[bad]].tobytes()[:80]
        raise InputError(f"{where}: malformed line (too few columns): {line!r}")
    return Lines(starts, ends, list(fs), list(fe))


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

    Pieces go in source order; an INFO column that is ``.`` (or empty) is replaced. The splice
    itself runs compiled, writing the output once (:func:`splice`).

    Args:
        arr: the block as uint8 (offsets of ``lines`` are into it).
        lines: the block's lines; field ``info`` is INFO.
        info: the INFO field number.
        additions: ``(source rank, matches)``; a source may give several parts.
    """
    return assemble_lines(arr, lines, info, additions, with_ends=False)[0]


def assemble_lines(
    arr: np.ndarray,
    lines: Lines,
    info: int,
    additions: Sequence[tuple[int, Matches]],
    with_ends: bool = True,
) -> tuple[bytes, np.ndarray]:
    """:func:`assemble`, and the offsets of the lines' newlines in its output (``with_ends``)."""
    ends = lines.ends if with_ends else EMPTY
    used = sorted(((k, m) for k, m in additions if len(m.lines)), key=_rank)
    if not used:
        return arr.tobytes(), ends
    bases = np.cumsum([0] + [len(m.buf) for _, m in used[:-1]])
    return splice(
        arr,
        (lines.field_starts[info], lines.field_ends[info]),
        np.concatenate([m.lines for _, m in used]),
        (
            np.concatenate([m.starts + b for (_, m), b in zip(used, bases, strict=True)]),
            np.concatenate([m.ends + b for (_, m), b in zip(used, bases, strict=True)]),
        ),
        np.concatenate([m.buf for _, m in used]),
        ends,
    )


def _rank(addition: tuple[int, Matches]) -> int:
    """The source rank of an addition (pieces of a line go in source order)."""
    return addition[0]


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


#: The byte ``.`` (an empty INFO column).
_DOT = 46


@njit(cache=True, nogil=True)
def _copy(dst: np.ndarray, at: int, src: np.ndarray, lo: int, hi: int) -> int:  # pragma: no cover
    """Copy ``src[lo:hi]`` to ``dst`` at ``at``; the offset after it."""
    dst[at : at + hi - lo] = src[lo:hi]
    return at + hi - lo


@njit(cache=True, nogil=True)
def _piece_order(add_line: np.ndarray, n_lines: int) -> tuple[np.ndarray, np.ndarray]:
    """Counting sort of the pieces by line (stable): each line's first piece, and the order."""
    first = np.zeros(n_lines + 1, dtype=np.int64)
    for line in add_line:
        first[line + 1] += 1
    for line in range(n_lines):
        first[line + 1] += first[line]
    fill = first[:-1].copy()
    order = np.empty(len(add_line), dtype=np.int64)
    for i, line in enumerate(add_line):
        order[fill[line]] = i
        fill[line] += 1
    return first, order


@njit(cache=True, nogil=True)
def _splice_kernel(
    arr: np.ndarray,
    info_s: np.ndarray,
    info_e: np.ndarray,
    add_line: np.ndarray,
    add_s: np.ndarray,
    add_e: np.ndarray,
    pieces: np.ndarray,
    ends: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover (compiled; exercised through splice())
    """The spliced block, and where the newlines ``ends`` (one per line, or none) went in it."""
    first, order = _piece_order(add_line, len(info_s))
    out = np.empty(len(arr) + int((add_e - add_s).sum()), dtype=np.uint8)
    new_ends = np.empty(len(ends), dtype=np.int64)
    at = prev = 0
    for line in range(len(info_s)):
        lo, hi = first[line], first[line + 1]
        if lo < hi:
            i_s, i_e = info_s[line], info_e[line]
            replace = i_e == i_s or (i_e - i_s == 1 and arr[i_s] == _DOT)
            at = _copy(out, at, arr, prev, i_s if replace else i_e)
            for j in range(lo, hi):
                k = order[j]
                at = _copy(out, at, pieces, add_s[k] + (1 if j == lo and replace else 0), add_e[k])
            prev = i_e
        if len(ends):  # the newline lies after INFO: it moved by what was written so far
            new_ends[line] = ends[line] + at - prev
    at = _copy(out, at, arr, prev, len(arr))
    return out[:at], new_ends


def splice(
    arr: np.ndarray,
    info: tuple[np.ndarray, np.ndarray],
    add_line: np.ndarray,
    add_bounds: tuple[np.ndarray, np.ndarray],
    pieces: np.ndarray,
    ends: np.ndarray = EMPTY,
) -> tuple[bytes, np.ndarray]:
    """The block ``arr`` with the pieces appended to the INFO column of their lines.

    Args:
        arr: the block as uint8.
        info: start and end (exclusive) offsets of each line's INFO column in ``arr``.
        add_line: the line of each piece, pieces given in source order.
        add_bounds: start and end (exclusive) of each piece in ``pieces`` (it starts with ``;``).
        pieces: the pieces' text as uint8.
        ends: the offsets of the lines' newlines in ``arr`` (or none).

    Returns:
        The output, and the offsets of the newlines ``ends`` in it.
    """
    kernel: Callable[..., tuple[np.ndarray, np.ndarray]] = _splice_kernel
    ints = [np.ascontiguousarray(a, dtype=np.int64) for a in (*info, add_line, *add_bounds)]
    text, more = (np.ascontiguousarray(a, dtype=np.uint8) for a in (arr, pieces))
    out, new_ends = kernel(text, *ints, more, np.ascontiguousarray(ends, dtype=np.int64))
    return out.tobytes(), new_ends


def load_kernel() -> None:
    """Load the compiled splice now (from numba's cache; ~0.15 s, a compilation on first use).

    Called before the shard workers are forked, so that they inherit it instead of each
    loading it again.
    """
    none = np.zeros(0, dtype=np.int64)
    block = np.frombuffer(b"\n", dtype=np.uint8)  # read-only, like a block read from the pipe
    splice(block, (none, none), none, (none, none), np.zeros(0, dtype=np.uint8))
