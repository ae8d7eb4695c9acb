r"""A tabix (``.tbi``) index of VCF text built while it is written, as ``tabix -p vcf`` builds it.

:class:`hurtig.annotation.bgzf_out.IndexedBgzfWriter` compresses a shard's output in the
joining process and hands every block of whole lines to :class:`TbiBuilder`, which reads each
record's interval in one compiled pass (:func:`_scan_kernel`: contig, ``POS``, length of
``REF``, ``INFO/END``, as htslib's ``tbx_parse1`` does) and feeds htslib's ``hts_idx_push``
state machine (:func:`_push_kernel`: bins of 16 kb and above, the linear index of 16 kb
windows, the per-contig pseudo-bin). Offsets are kept as uncompressed positions until the file
is closed, then turned into virtual offsets from the blocks' compressed positions, and the bins
are compacted as ``hts_idx_finish`` does (small bins merged into their parents, chunks that
start in one BGZF block joined). The result holds the same bins, chunks and linear index as
``tabix -p vcf`` run on the finished file (bins in ascending order where htslib writes its hash
order); tests/unit/test_bgzf_out.py checks both and that every region query answers the same.
This replaces a second read (decompression and parse) of the whole output by ``tabix``.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from hurtig.errors import InputError

MIN_SHIFT = 14
N_LVLS = 5
#: First bin number of each level (htslib ``hts_bin_first``), and the bin count.
FIRST = [((1 << (3 * lvl)) - 1) // 7 for lvl in range(N_LVLS + 2)]
N_BINS = FIRST[N_LVLS + 1]
META_BIN = N_BINS + 1
MIN_MARKER_DIST = 0x10000
#: ``tabix -p vcf`` settings: format (VCF), sequence, begin and end columns, comment, skip.
VCF_SETTINGS = (2, 1, 2, 0, ord("#"), 0)


@njit(cache=True, nogil=True)
def _reg2bin(beg: int, end: int) -> int:  # pragma: no cover (compiled)
    """Htslib ``hts_reg2bin`` for the tabix scheme (14, 5)."""
    end -= 1
    s, t = MIN_SHIFT, ((1 << (3 * N_LVLS)) - 1) // 7
    lvl = N_LVLS
    while lvl > 0:
        if beg >> s == end >> s:
            return t + (beg >> s)
        s += 3
        lvl -= 1
        t -= 1 << (3 * lvl)
    return 0


@njit(cache=True, nogil=True)
def _parse_int(buf: np.ndarray, at: int, stop: int) -> tuple[int, int]:  # pragma: no cover
    """A decimal integer (optional sign) at ``buf[at:stop]``: (value, digits read)."""
    neg = at < stop and buf[at] == 45
    if at < stop and (buf[at] == 45 or buf[at] == 43):
        at += 1
    value, digits = 0, 0
    while at < stop and 48 <= buf[at] <= 57:
        value = value * 10 + (buf[at] - 48)
        at += 1
        digits += 1
    return (-value if neg else value), digits


@njit(cache=True, nogil=True)
def _is_end(buf: np.ndarray, at: int) -> bool:  # pragma: no cover (compiled)
    """Whether ``END=`` starts at ``buf[at]`` (the caller checks that 4 bytes remain)."""
    return buf[at] == 69 and buf[at + 1] == 78 and buf[at + 2] == 68 and buf[at + 3] == 61


@njit(cache=True, nogil=True)
def _info_end(buf: np.ndarray, lo: int, hi: int, beg: int, end: int) -> int:  # pragma: no cover
    """``end`` replaced by ``INFO/END`` (``END=`` first, or the first ``;END=``) past ``beg``."""
    at = lo + 4 if hi - lo >= 4 and _is_end(buf, lo) else -1
    i = lo
    while at < 0 and i < hi - 4:
        if buf[i] == 59 and _is_end(buf, i + 1):
            at = i + 5
        i += 1
    if at < 0 or at >= hi or buf[at] == 46:
        return end
    value, _ = _parse_int(buf, at, hi)
    return value if value > beg else end


@njit(cache=True, nogil=True)
def _same(
    buf: np.ndarray, lo: int, hi: int, other: np.ndarray, olo: int, ohi: int
) -> bool:  # pragma: no cover
    """Whether ``buf[lo:hi]`` equals ``other[olo:ohi]``."""
    if hi - lo != ohi - olo:
        return False
    i = 0
    while i < hi - lo and buf[lo + i] == other[olo + i]:
        i += 1
    return i == hi - lo


@njit(cache=True, nogil=True)
def _scan_kernel(
    buf: np.ndarray, newlines: np.ndarray, prev: np.ndarray, with_end: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    """Each line's interval: (new-contig flag, contig start, begin, end).

    Only a line's first fields are read (its end is in ``newlines``); INFO only when
    ``with_end`` (the block holds ``END=`` somewhere). ``prev`` is the contig name of the line
    before the block. A line whose ``POS`` is not a number gets begin -1 (the caller reports it).
    """
    n = len(newlines)
    new = np.zeros(n, dtype=np.bool_)
    cstart = np.empty(n, dtype=np.int64)
    begs = np.empty(n, dtype=np.int64)
    ends = np.empty(n, dtype=np.int64)
    bounds = np.empty(8, dtype=np.int64)  # the tab before each of fields 1..8
    want = 8 if with_end else 4
    ps, pe, start = 0, 0, 0
    for k in range(n):
        stop = newlines[k]
        nf, at = 0, start
        while at < stop and nf < want:
            if buf[at] == 9:
                bounds[nf] = at
                nf += 1
            at += 1
        ce = bounds[0] if nf > 0 else stop
        if k == 0:
            new[k] = not _same(buf, start, ce, prev, 0, len(prev))
        else:
            new[k] = not _same(buf, start, ce, buf, ps, pe)
        ps, pe = start, ce
        cstart[k] = start
        beg, end = -1, -1
        if nf >= 1:
            value, digits = _parse_int(buf, bounds[0] + 1, bounds[1] if nf >= 2 else stop)
            if digits > 0:
                beg, end = max(value - 1, 0), max(value, 1)
                if nf >= 4 and bounds[3] - bounds[2] > 1:
                    end = beg + (bounds[3] - bounds[2] - 1)
                if nf >= 7:
                    end = _info_end(buf, bounds[6] + 1, bounds[7] if nf >= 8 else stop, beg, end)
        begs[k], ends[k] = beg, end
        start = stop + 1
    return new, cstart, begs, ends


@njit(cache=True, nogil=True)
def _push_kernel(
    begs: np.ndarray, ends: np.ndarray, stops: np.ndarray, state: np.ndarray, lidx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    """Htslib ``hts_idx_push`` for records of one contig, in order; the chunks it closes.

    ``state`` = [last_bin, save_bin, save_off, last_off, n_mapped, n_lidx] (offsets are
    uncompressed positions), updated in place; ``lidx`` (-1 = unset) is filled.

    Returns:
        The closed chunks: bin, first offset, end offset.
    """
    out_bin = np.empty(len(begs), dtype=np.int64)
    out_u = np.empty(len(begs), dtype=np.int64)
    out_v = np.empty(len(begs), dtype=np.int64)
    n = 0
    for r in range(len(begs)):
        beg, end = begs[r], ends[r]
        last_off = state[3]
        lo, hi = beg >> MIN_SHIFT, (end - 1) >> MIN_SHIFT
        for w in range(lo, hi + 1):
            if lidx[w] == -1:
                lidx[w] = last_off
        state[5] = max(state[5], hi + 1)
        b = _reg2bin(beg, end)
        if state[0] != b:
            if state[1] != -1:
                out_bin[n], out_u[n], out_v[n] = state[1], state[2], last_off
                n += 1
            state[2] = last_off
            state[0] = b
            state[1] = b
        state[4] += 1
        state[3] = stops[r]
    return out_bin[:n], out_u[:n], out_v[:n]


#: Chunk fields as a list or an array.
Chunks = Sequence[int] | np.ndarray


@dataclass
class _Contig:
    """One contig's index while it is built (offsets as uncompressed positions)."""

    name: bytes
    bins: list[np.ndarray] = field(default_factory=list)
    starts: list[np.ndarray] = field(default_factory=list)
    ends: list[np.ndarray] = field(default_factory=list)
    lidx: np.ndarray = field(default_factory=lambda: np.full(1024, -1, dtype=np.int64))
    meta: tuple[int, int, int] = (0, 0, 0)  # first offset, end offset, records


class TbiBuilder:
    """Collects the records of headerless VCF text (whole lines, in file order)."""

    def __init__(self, where: str) -> None:
        """Start an empty index; ``where`` names the output in error messages."""
        self.where = where
        self.contigs: list[_Contig] = []
        self.seen: set[bytes] = set()
        # last_bin, save_bin, save_off, last_off, n_mapped, n_lidx (see _push_kernel)
        self.state = np.array([-1, -1, 0, 0, 0, 0], dtype=np.int64)
        self.off_beg = 0

    def add(self, data: bytes, base: int, newlines: np.ndarray | None = None) -> None:
        """Index the lines in ``data``, which starts at uncompressed position ``base``.

        ``newlines``: the offsets of the newlines in ``data`` when the caller knows them (the
        join does), else found here.
        """
        if not data:
            return
        buf = np.frombuffer(data, dtype=np.uint8)
        prev = np.frombuffer(self.contigs[-1].name if self.contigs else b"", dtype=np.uint8)
        if newlines is None:
            newlines = np.flatnonzero(buf == 10)
        elif len(newlines) != data.count(b"\n") or not (buf[newlines] == 10).all():
            # increasing offsets, all at newlines, as many as there are: exactly the newlines
            raise RuntimeError(f"{self.where}: line offsets handed to the index are wrong")
        new, cstart, begs, ends = _scan_kernel(buf, newlines, prev, b"END=" in data)
        stops = newlines + 1
        if (begs < 0).any():
            line = data[int(cstart[np.flatnonzero(begs < 0)[0]]) :].split(b"\n", 1)[0]
            raise InputError(f"{self.where}: no position to index in line {line[:80]!r}")
        if not self.contigs:
            new[0] = True
        cuts = [*np.flatnonzero(new).tolist(), len(new)]
        if cuts[0] != 0:
            cuts.insert(0, 0)
        for lo, hi in itertools.pairwise(cuts):
            if new[lo]:
                at = int(cstart[lo])
                stop = min(x for x in (data.find(b"\t", at), data.find(b"\n", at)) if x >= 0)
                name = data[at:stop]
                self._start_contig(name)
            self._push(begs[lo:hi], ends[lo:hi], stops[lo:hi] + base)

    def _start_contig(self, name: bytes) -> None:
        """Close the previous contig's last chunk and pseudo-bin (htslib: change of contig)."""
        if name in self.seen:
            raise InputError(f"{self.where}: contig {name.decode()} is not in one block")
        self.seen.add(name)
        self._close_contig(int(self.state[3]))
        self.contigs.append(_Contig(name))
        self.state[0] = self.state[1] = -1
        self.state[4] = self.state[5] = 0

    def _close_contig(self, end: int) -> None:
        if not self.contigs or self.state[1] == -1:
            return
        contig = self.contigs[-1]
        self._chunks(contig, [int(self.state[1])], [int(self.state[2])], [end])
        contig.meta = (self.off_beg, end, int(self.state[4]))
        contig.lidx = contig.lidx[: int(self.state[5])]
        self.off_beg = end

    @staticmethod
    def _chunks(contig: _Contig, bins: Chunks, us: Chunks, vs: Chunks) -> None:
        contig.bins.append(np.asarray(bins, dtype=np.int64))
        contig.starts.append(np.asarray(us, dtype=np.int64))
        contig.ends.append(np.asarray(vs, dtype=np.int64))

    def _push(self, begs: np.ndarray, ends: np.ndarray, stops: np.ndarray) -> None:
        contig = self.contigs[-1]
        need = int(((ends - 1) >> MIN_SHIFT).max()) + 1
        if need > len(contig.lidx):
            grown = np.full(max(need, 2 * len(contig.lidx)), -1, dtype=np.int64)
            grown[: len(contig.lidx)] = contig.lidx
            contig.lidx = grown
        bins, us, vs = _push_kernel(begs, ends, stops, self.state, contig.lidx)
        if len(bins):
            self._chunks(contig, bins, us, vs)

    def finish(self, final: int, ustarts: np.ndarray, coffsets: np.ndarray) -> PartIndex:
        """The index once every block is written (offsets within this file).

        Args:
            final: uncompressed length of the file.
            ustarts: uncompressed start of each BGZF block, then ``final``.
            coffsets: compressed start of each block, then the end of the data blocks.
        """
        self._close_contig(final)

        def virtual(u: np.ndarray) -> np.ndarray:
            k = np.searchsorted(ustarts, u, side="right") - 1
            return (coffsets[k] << 16) | (u - ustarts[k])

        return PartIndex([_finish_contig(c, virtual) for c in self.contigs])


@dataclass
class ContigIndex:
    """One contig's finished index: chunks by bin (ascending), pseudo-bin, linear index."""

    name: bytes
    bins: np.ndarray  # bin of each chunk, ascending
    chunks: np.ndarray  # (n, 2) virtual offsets
    meta: tuple[int, int, int]  # first and end virtual offset, records
    linear: np.ndarray  # virtual offset per 16 kb window

    def to_bytes(self, shift: int) -> bytes:
        """The ``.tbi`` bytes of this contig, every virtual offset moved by ``shift`` bytes."""
        add = shift << 16
        keys, first, counts = np.unique(self.bins, return_index=True, return_counts=True)
        words = np.empty(len(keys) + 2 * len(self.bins), dtype=np.int64)
        heads = np.arange(len(keys)) + 2 * first
        words[heads] = keys | (counts << 32)
        at = np.repeat(heads + 1 - 2 * first, counts) + 2 * np.arange(len(self.bins))
        words[at] = self.chunks[:, 0] + add
        words[at + 1] = self.chunks[:, 1] + add
        first_off, end_off, records = self.meta
        meta = struct.pack("<Ii4Q", META_BIN, 2, first_off + add, end_off + add, records, 0)
        linear = (self.linear + add).astype("<u8")
        head = struct.pack("<i", len(keys) + 1)
        body = words.astype("<u8").tobytes()
        return head + body + meta + struct.pack("<i", len(linear)) + linear.tobytes()


@dataclass
class PartIndex:
    """The index of one headerless BGZF part: its contigs in file order."""

    contigs: list[ContigIndex]


def tbi_bytes(parts: Sequence[tuple[PartIndex, int]], where: str) -> bytes:
    """The uncompressed ``.tbi`` of parts concatenated in order: ``(index, start offset)``.

    Raises:
        InputError: a contig appears in two parts.
    """
    contigs = [(c, shift) for part, shift in parts for c in part.contigs]
    names = [c.name for c, _ in contigs]
    if len(set(names)) != len(names):
        raise InputError(f"{where}: a contig appears in two parts; cannot merge their indexes")
    blob = b"".join(n + b"\0" for n in names)
    out = [b"TBI\x01", struct.pack("<7i", len(names), *VCF_SETTINGS), struct.pack("<i", len(blob))]
    out += [blob, *(c.to_bytes(shift) for c, shift in contigs), struct.pack("<Q", 0)]
    return b"".join(out)


@njit(cache=True, nogil=True)
def _merge_kernel(
    bins: np.ndarray, us: np.ndarray, vs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover (compiled)
    """Join a bin's adjacent chunks that start in the BGZF block the previous one ends in."""
    ob, ou, ov = np.empty_like(bins), np.empty_like(us), np.empty_like(vs)
    m = -1
    for i in range(len(bins)):
        if m >= 0 and ob[m] == bins[i] and (ov[m] >> 16) >= (us[i] >> 16):
            ov[m] = max(ov[m], vs[i])
        else:
            m += 1
            ob[m], ou[m], ov[m] = bins[i], us[i], vs[i]
    return ob[: m + 1], ou[: m + 1], ov[: m + 1]


def _owners(keys: np.ndarray, first_u: np.ndarray, last_v: np.ndarray) -> dict[int, int]:
    """Htslib ``compress_binning``: bin → the bin its chunks end in (small bins go up a level).

    A bin whose chunks span less than 64 kb of compressed file joins its parent, when the
    parent has chunks of its own, level by level from the bottom.
    """
    alive = {int(k): [int(a), int(b)] for k, a, b in zip(keys, first_u, last_v, strict=True)}
    owner = {k: k for k in alive}
    for lvl in range(N_LVLS, 0, -1):
        for key in sorted(k for k in alive if FIRST[lvl] <= k < N_BINS):
            lo, hi = alive[key]
            parent = (key - 1) >> 3
            if (hi >> 16) - (lo >> 16) < MIN_MARKER_DIST and parent in alive:
                span = alive[parent]
                span[0], span[1] = min(span[0], lo), max(span[1], hi)
                del alive[key]
                owner[key] = parent
    for key in owner:
        top = owner[key]
        while owner[top] != top:
            top = owner[top]
        owner[key] = top
    return owner


def _finish_contig(contig: _Contig, virtual: Callable[[np.ndarray], np.ndarray]) -> ContigIndex:
    """One contig's chunks compacted as ``hts_idx_finish`` does, and its linear index."""
    b = np.concatenate(contig.bins)
    u = virtual(np.concatenate(contig.starts))
    v = virtual(np.concatenate(contig.ends))
    keys, inverse = np.unique(b, return_inverse=True)
    first_u = np.full(len(keys), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_u, inverse, u)
    last_v = np.zeros(len(keys), dtype=np.int64)
    np.maximum.at(last_v, inverse, v)
    owner = _owners(keys, first_u, last_v)
    final = np.array([owner[int(k)] for k in keys], dtype=np.int64)[inverse]
    order = np.lexsort((u, final))
    fb, fu, fv = _merge_kernel(final[order], u[order], v[order])
    first, last = virtual(np.array(contig.meta[:2], dtype=np.int64)).tolist()
    lidx = contig.lidx.copy()
    unset = lidx == -1
    lidx[unset] = 0
    lv = virtual(lidx)
    lv[unset] = -1
    chunks = np.stack([fu, fv], axis=1)
    return ContigIndex(contig.name, fb, chunks, (first, last, contig.meta[2]), _fill_linear(lv))


def _fill_linear(lidx: np.ndarray) -> np.ndarray:
    """Unset 16 kb windows take the offset of the next set one, as htslib 1.16 writes them.

    (The last window is always set: it is the last one a record covers.)
    """
    unset = lidx == -1
    if not unset.any():
        return lidx
    n = len(lidx)
    idx = np.where(unset, n - 1, np.arange(n))
    idx = np.minimum.accumulate(idx[::-1])[::-1]
    return lidx[idx]


def load_kernels() -> None:
    """Load the compiled scan and push (from numba's cache) before the workers are forked."""
    builder = TbiBuilder("warm-up")
    builder.add(b"c\t1\t.\tA\tC\t.\t.\tEND=2\n", 0)
    index = builder.finish(22, np.array([0, 22], dtype=np.int64), np.array([0, 40], dtype=np.int64))
    tbi_bytes([(index, 0)], "warm-up")
