"""Vectorised, chunked merge-join of sorted VCF text against sorted annotation sources.

The join in :mod:`hurtig.annotation.engine` works on *blocks of text*, never on per-record objects:

- **Input.** A block of whole VCF lines (bytes, one contig) is cut into lines, tabs and fields
  with numpy (``np.flatnonzero`` on the newline and tab bytes, ``np.searchsorted`` to find each
  line's tabs); POS is parsed as a digit matrix. A single-base REF/ALT pair becomes one packed
  ``int64`` key (``pos * 1024 + ref_letter * 32 + alt_letter``); only the other records (indels,
  symbolic alleles: about 15 % of a genome) are looked at one by one, to trim them.
- **Sources.** A source is read as raw text in large blocks (``tabix`` in its own process for
  VCF/TSV files; the SQLite database as generated text) into a buffer parsed the same way. Only
  source lines whose span ``[POS, POS + len(REF) - 1]`` contains an input key position are
  candidates; single-base ones are keyed vectorised, the rest (indels, multiallelic records) are
  split and trimmed in Python. Nothing else is parsed.
- **Matching.** Packed keys are matched with ``np.searchsorted`` against the source keys sorted
  by (key, file order), so the first source record in file order wins, as before; other keys
  (indels) are matched through a dict. Only matched lines are looked at: a source's fast path
  (:meth:`hurtig.annotation.engine.Source.fast_values`: one-ALT lines, only the used keys, memoised
  number formatting) gives their items, else they are parsed into a record whose INFO values
  are formatted (:meth:`hurtig.annotation.engine.Source.values`).
- **Output.** Unmatched lines are written through unchanged as bytes; matched lines get their
  ``KEY=value`` items appended to INFO.

Sparse inputs (a panel, a small shard) do not read whole source contigs: the input keys are cut
into segments wherever the gap between two keys would make reading through skip more than
``seek_records`` source records (from the density read so far), and the source stream is
re-opened through its index at the start of a far segment.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

import numpy as np

from hurtig.errors import InputError
from hurtig.io.files import trim_alleles

if TYPE_CHECKING:
    from hurtig.annotation.cache import Bin, SourceCache
    from hurtig.annotation.engine import Source

#: Letter code of each byte (A/a=1 … Z/z=26; anything else 0).
LETTERS = np.zeros(256, dtype=np.int64)
for _i, _c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
    LETTERS[_c] = LETTERS[_c + 32] = _i + 1
_POW10 = 10 ** np.arange(19, dtype=np.int64)
_EMPTY = np.zeros(0, dtype=np.int64)
#: Bytes read from a source per block.
SOURCE_BLOCK = 1 << 21

Key = int | tuple[int, str, str]


def allele_key(pos: int, ref: str, alt: str) -> Key | None:
    """The match key of an (upper-case) allele: packed int for single letters, else a tuple.

    Returns None for alleles that are never matched (symbolic, breakends, ``*``, ``.``).
    """
    if not alt or alt[0] in "<*." or "[" in alt or "]" in alt:
        return None
    pos, ref, alt = trim_alleles(pos, ref, alt)
    if len(ref) == 1 and len(alt) == 1:
        r, a = int(LETTERS[ord(ref) & 255]), int(LETTERS[ord(alt) & 255])
        if r and a and ord(ref) < 128 and ord(alt) < 128:
            return pos * 1024 + r * 32 + a
    return (pos, ref, alt)


def key_pos(key: Key) -> int:
    """The 1-based position of a key."""
    return key >> 10 if isinstance(key, int) else key[0]


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
        return _EMPTY
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


def snv_codes(
    arr: np.ndarray,
    pos: np.ndarray,
    ref: tuple[np.ndarray, np.ndarray],
    alt: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Packed keys of single-letter REF/ALT pairs; -1 for every other record."""
    single = ((ref[1] - ref[0]) == 1) & ((alt[1] - alt[0]) == 1)
    last = len(arr) - 1
    rc = LETTERS[arr[np.minimum(ref[0], last)]]
    ac = LETTERS[arr[np.minimum(alt[0], last)]]
    ok = single & (rc > 0) & (ac > 0)
    return np.where(ok, pos * 1024 + rc * 32 + ac, -1)


#: Upper-case of each byte.
_UPPER = np.arange(256, dtype=np.uint8)
_UPPER[97:123] -= 32
_HASH_MUL = 0x100000001B3
_POS_MUL = np.uint64(0x9E3779B97F4A7C15)
_pow = np.ones(1, dtype=np.uint64)


def _powers(n: int) -> np.ndarray:
    """``_HASH_MUL ** k mod 2**64`` for k < n (grown on demand)."""
    global _pow
    if len(_pow) < n:
        size = max(n, 2 * len(_pow))
        out = np.empty(size, dtype=np.uint64)
        value = 1
        for k in range(size):
            out[k] = value
            value = (value * _HASH_MUL) & 0xFFFFFFFFFFFFFFFF
        _pow = out
    return _pow


def allele_hkeys(
    pos: np.ndarray, text: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """64-bit keys of ``(pos, text[starts:ends])`` (text: upper-case ``REF\\tALT``), vectorised.

    A polynomial hash of the bytes mixed with the position; equal keys are candidates only:
    callers compare the allele text of every hit.
    """
    if not len(pos):
        return _EMPTY
    chars, out_ends = gather(text, starts, ends)
    lens = ends - starts
    out_starts = out_ends - lens
    offset = np.arange(len(chars), dtype=np.int64) - np.repeat(out_starts, lens)
    power = _powers(int(lens.max()) + 1)
    values = (chars.astype(np.uint64) + np.uint64(1)) * power[offset]
    if len(values):
        sums = np.add.reduceat(values, np.minimum(out_starts, len(values) - 1))
        sums = np.where(lens > 0, sums, np.uint64(0))
    else:
        sums = np.zeros(len(pos), dtype=np.uint64)
    return (sums + pos.astype(np.uint64) * _POS_MUL).view(np.int64)


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


class SourceStream:
    """The buffered text stream of one source on one contig (see the module docstring)."""

    def __init__(self, source: Source, contig: str, seek_records: int) -> None:
        self.source = source
        self.contig = contig
        self.seek_records = seek_records
        self.cols = source.columns
        self.n_fields = max(self.cols) + 1
        self._chunks: Iterator[bytes] | None = None
        self.eof = False
        self._reset_buffer()
        self.seeks = 0
        # Density of the source (records per bp read), kept across re-opens.
        self.n_read = 0
        self.bp_read = 0
        self.last_read = 0

    def _reset_buffer(self) -> None:
        self.blob = b""
        self.tail = b""
        self.starts = self.ends = self.pos = self.rend = self.code = _EMPTY
        self.ref_s = self.ref_e = self.alt_s = self.alt_e = _EMPTY

    def close(self) -> None:
        """Stop the underlying reader."""
        if self._chunks is not None:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()
            self._chunks = None

    def _open(self, start: int) -> None:
        self.close()
        self._reset_buffer()
        self._chunks = self.source.text_chunks(self.contig, start)
        self.eof = False
        self.last_read = start
        self.seeks += 1

    def _read(self) -> None:
        assert self._chunks is not None
        block = next(self._chunks, None)
        if block is None:
            self.eof = True
            data, self.tail = self.tail + b"\n" if self.tail.strip() else b"", b""
        else:
            data = self.tail + block
            cut = data.rfind(b"\n") + 1
            data, self.tail = data[:cut], data[cut:]
        if data:
            self._append(data)

    def _append(self, data: bytes) -> None:
        arr = np.frombuffer(data, dtype=np.uint8)
        where = str(self.source.path)
        lines = split_lines(arr, self.n_fields, where)
        c_pos, c_ref, c_alt = self.cols
        pos = parse_ints(arr, lines.field_starts[c_pos], lines.field_ends[c_pos], where)
        ref = (lines.field_starts[c_ref], lines.field_ends[c_ref])
        alt = (lines.field_starts[c_alt], lines.field_ends[c_alt])
        code = snv_codes(arr, pos, ref, alt)
        base = len(self.blob)
        self.blob += data
        cat = np.concatenate
        self.starts = cat([self.starts, lines.starts + base])
        self.ends = cat([self.ends, lines.ends + base])
        self.pos = cat([self.pos, pos])
        self.rend = cat([self.rend, pos + np.maximum(ref[1] - ref[0], 1) - 1])
        self.code = cat([self.code, code])
        self.ref_s = cat([self.ref_s, ref[0] + base])
        self.ref_e = cat([self.ref_e, ref[1] + base])
        self.alt_s = cat([self.alt_s, alt[0] + base])
        self.alt_e = cat([self.alt_e, alt[1] + base])
        if len(pos):
            self.n_read += len(pos)
            self.bp_read += max(0, int(pos[-1]) - self.last_read)
            self.last_read = int(pos[-1])

    def release(self, floor: int) -> None:
        """Forget source lines that end before ``floor`` (no later key can match them)."""
        if not len(self.pos):
            return
        keep = self.rend >= floor
        if keep.all():
            return
        names = ("starts", "ends", "pos", "rend", "code", "ref_s", "ref_e", "alt_s", "alt_e")
        for name in names:
            setattr(self, name, getattr(self, name)[keep])
        cut = int(self.starts[0]) if len(self.starts) else len(self.blob)
        if cut > (1 << 20) or not len(self.starts):
            self.blob = self.blob[cut:]
            for name in ("starts", "ends", "ref_s", "ref_e", "alt_s", "alt_e"):
                setattr(self, name, getattr(self, name) - cut)

    def _density(self) -> float | None:
        if self.n_read < 64 or self.bp_read <= 0:
            return None
        return self.n_read / self.bp_read

    def gap_limit(self) -> float:
        """Largest gap in bp between input keys that is cheaper to read through than to seek."""
        density = self._density()
        return float("inf") if density is None else self.seek_records / density

    def prepare(self, floor: int) -> None:
        """Position the stream for keys from ``floor`` on (open, or re-open when far behind)."""
        self.release(floor)
        if self._chunks is None:
            self._open(floor)
        elif not self.eof and not len(self.pos) and self.last_read < floor:
            density = self._density()
            if density is not None and (floor - self.last_read) * density > self.seek_records:
                self._open(floor)
        if not self.eof and self._density() is None:
            self._read()

    def fill(self, upto: int) -> None:
        """Read until a buffered line starts after ``upto`` (or the contig ends)."""
        while not self.eof and (not len(self.pos) or self.pos[-1] <= upto):
            self._read()

    def line_text(self, i: int) -> str:
        """Line ``i`` of the buffer as text (no newline)."""
        return self.blob[self.starts[i] : self.ends[i]].decode()

    def source_keys(
        self, lo: int, hi: int, key_pos: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[tuple[int, str, str], tuple[int, int]]]:
        """Keys of the buffered lines that can match keys at the sorted positions ``key_pos``.

        Returns:
            Packed keys, their line index and ALT index (first in file order per key, sorted by
            key), and the other keys → (line, ALT index).
        """
        top = int(np.searchsorted(self.pos, hi, side="right"))
        pos, rend = self.pos[:top], self.rend[:top]
        at = np.searchsorted(key_pos, pos, side="left")
        ok = at < len(key_pos)
        ok &= key_pos[np.minimum(at, len(key_pos) - 1)] <= rend
        cand = np.flatnonzero(ok)
        codes = self.code[cand]
        fast = cand[codes >= 0]
        k_code = [codes[codes >= 0]]
        k_line = [fast]
        k_alt = [np.zeros(len(fast), dtype=np.int64)]
        other: dict[tuple[int, str, str], tuple[int, int]] = {}
        extra_code: list[int] = []
        extra_line: list[int] = []
        extra_alt: list[int] = []
        blob = self.blob
        for i in cand[codes < 0].tolist():
            ref = blob[self.ref_s[i] : self.ref_e[i]].decode().upper()
            alts = blob[self.alt_s[i] : self.alt_e[i]].decode().upper().split(",")
            p = int(self.pos[i])
            for idx, alt in enumerate(alts):
                key = allele_key(p, ref, alt)
                if key is None:
                    continue
                if isinstance(key, int):
                    extra_code.append(key)
                    extra_line.append(i)
                    extra_alt.append(idx)
                else:
                    other.setdefault(key, (i, idx))
        if extra_code:
            k_code.append(np.array(extra_code, dtype=np.int64))
            k_line.append(np.array(extra_line, dtype=np.int64))
            k_alt.append(np.array(extra_alt, dtype=np.int64))
        code = np.concatenate(k_code)
        line = np.concatenate(k_line)
        alt_i = np.concatenate(k_alt)
        order = np.lexsort((alt_i, line, code))
        code, line, alt_i = code[order], line[order], alt_i[order]
        if len(code):
            first = np.ones(len(code), dtype=bool)
            first[1:] = code[1:] != code[:-1]
            code, line, alt_i = code[first], line[first], alt_i[first]
        return code, line, alt_i, other


@dataclass
class InputKeys:
    """Match keys of one input block, sorted by key position.

    Single-base alleles have a packed ``code``; the others (``code == -1``) have their
    upper-case, trimmed ``REF\\tALT`` text in ``text`` (``text[text_s[i]:text_e[i]]``) and a
    64-bit ``hkey`` (:func:`allele_hkeys`) made of that text and the position.
    """

    pos: np.ndarray  # key position
    code: np.ndarray  # packed key, -1 for the other keys
    line: np.ndarray  # input line index
    hkey: np.ndarray  # int64 hash key where code == -1
    text_s: np.ndarray
    text_e: np.ndarray
    text: np.ndarray  # uint8

    @property
    def other(self) -> list[tuple[int, tuple[int, str, str]]]:
        """``(input line, (pos, REF, ALT))`` of the keys that are not packed."""
        out = []
        blob = self.text.tobytes()
        for i in np.flatnonzero(self.code < 0).tolist():
            ref, _, alt = blob[self.text_s[i] : self.text_e[i]].decode().partition("\t")
            out.append((int(self.line[i]), (int(self.pos[i]), ref, alt)))
        return out


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
        return cls(_EMPTY, np.zeros(0, dtype=np.uint8), _EMPTY, _EMPTY)

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


def join_source(stream: SourceStream, keys: InputKeys, last_vcf_pos: int) -> Matches:
    """Match the keys of one input block against one source read as text.

    Args:
        stream: the source stream on the block's contig.
        keys: the block's keys.
        last_vcf_pos: the VCF position of the block's last record (later blocks start there).

    Returns:
        The source's additions to the block's lines.
    """
    n = len(keys.pos)
    other_by_line = dict(keys.other)
    adds: dict[int, list[str]] = {}
    i = 0
    source = stream.source
    while i < n:
        floor = min(int(keys.pos[i]), last_vcf_pos)
        stream.prepare(floor)
        limit = stream.gap_limit()
        j = n - 1
        if limit != float("inf") and i < n - 1:
            big = np.flatnonzero(np.diff(keys.pos[i:]) > limit)
            if len(big):
                j = i + int(big[0])
        seg_pos = keys.pos[i : j + 1]
        hi = int(seg_pos[-1])
        stream.fill(hi)
        code, line, alt_i, other = stream.source_keys(int(seg_pos[0]), hi, seg_pos)
        matches: list[tuple[int, int, int]] = []
        seg_code = keys.code[i : j + 1]
        seg_line = keys.line[i : j + 1]
        packed = seg_code >= 0
        if len(code) and packed.any():
            q = seg_code[packed]
            at = np.minimum(np.searchsorted(code, q), len(code) - 1)
            found = code[at] == q
            matches += zip(
                seg_line[packed][found].tolist(),
                line[at[found]].tolist(),
                alt_i[at[found]].tolist(),
                strict=True,
            )
        if other:
            for in_line in seg_line[~packed].tolist():
                hit = other.get(other_by_line[in_line])
                if hit is not None:
                    matches.append((in_line, *hit))
        records: dict[int, object] = {}
        fast = source.fast_values
        for in_line, src_line, idx in matches:
            values = fast(stream.line_text(src_line))
            if values is None:
                rec = records.get(src_line)
                if rec is None:
                    rec = records[src_line] = source.record(stream.line_text(src_line))
                values = source.values(rec, idx)  # type: ignore[arg-type]
            if values:
                adds[in_line] = values
        i = j + 1
    return Matches.from_items(adds)


class CachedStream:
    """A prepared source (:mod:`hurtig.annotation.cache`) on one contig: bins read as needed."""

    def __init__(self, cache: SourceCache, contig: str) -> None:
        self.where = str(cache.path)
        self.index = cache.bins(contig)
        self.compressed = cache.compressed
        self.loaded: dict[int, Bin] = {}
        self._handle: tuple[str, IO[bytes]] | None = None

    def close(self) -> None:
        """Forget the loaded bins; close the cache file."""
        self.loaded.clear()
        if self._handle is not None:
            self._handle[1].close()
            self._handle = None

    def _bin(self, number: int) -> Bin | None:
        got = self.loaded.get(number)
        if got is None and number in self.index:
            from hurtig.annotation.cache import Bin

            file, offset, length = self.index[number]
            if self._handle is None or self._handle[0] != file:
                if self._handle is not None:
                    self._handle[1].close()
                self._handle = (file, open(file, "rb"))  # noqa: SIM115 (closed in close())
            handle = self._handle[1]
            handle.seek(offset)
            data = handle.read(length)
            got = self.loaded[number] = Bin.unpack(data, self.where, self.compressed)
        return got

    def match(self, keys: InputKeys) -> list[Matches]:
        """The additions of this source to the lines of one input block (one part per bin)."""
        from hurtig.annotation.cache import BIN_BITS

        if not len(keys.pos):
            return []
        numbers = keys.pos >> BIN_BITS
        low = int(numbers[0])
        for old in [b for b in self.loaded if b < low]:
            del self.loaded[old]
        parts: list[Matches] = []
        for number in np.unique(numbers).tolist():
            bin_ = self._bin(number)
            if bin_ is None:
                continue
            lo = int(np.searchsorted(numbers, number))
            hi = int(np.searchsorted(numbers, number, side="right"))
            code, line = keys.code[lo:hi], keys.line[lo:hi]
            packed = code >= 0
            hit_lines: list[np.ndarray] = []
            hit_entries: list[np.ndarray] = []
            n_snv = len(bin_.snv_keys)
            if n_snv and packed.any():
                q = code[packed]
                at = np.minimum(np.searchsorted(bin_.snv_keys, q), n_snv - 1)
                found = bin_.snv_keys[at] == q
                hit_lines.append(line[packed][found])
                hit_entries.append(at[found])
            if len(bin_.oth_pos) and not packed.all():
                sel = np.flatnonzero(~packed) + lo
                keys_sorted, order = bin_.other_index()
                q = keys.hkey[sel]
                at = np.minimum(np.searchsorted(keys_sorted, q), len(keys_sorted) - 1)
                cand = keys_sorted[at] == q
                sel, entry = sel[cand], order[at[cand]]
                # Equal keys are candidates: the allele texts must be equal too.
                ok = same_text(
                    keys.text,
                    keys.text_s[sel],
                    keys.text_e[sel],
                    bin_.allele_arr,
                    bin_.allele_off[entry],
                    bin_.allele_off[entry + 1],
                )
                ok &= bin_.oth_pos[entry] == keys.pos[sel]
                if not ok.all():  # a hash collision: look through the entries with that key
                    for j in np.flatnonzero(~ok).tolist():
                        hit = bin_.find_other(keys, int(sel[j]))
                        if hit is not None:
                            entry[j], ok[j] = hit, True
                hit_lines.append(keys.line[sel[ok]])
                hit_entries.append(entry[ok] + n_snv)
            if hit_lines:
                entries = np.concatenate(hit_entries)
                starts, ends = bin_.text_off[entries], bin_.text_off[entries + 1]
                parts.append(Matches(np.concatenate(hit_lines), bin_.text, starts, ends))
        return parts


def block_keys(
    blob: bytes, arr: np.ndarray, lines: Lines, pos: np.ndarray, where: str, chrom: str
) -> InputKeys:
    """Match keys of an input block (fields 0-4 of ``lines`` are CHROM..ALT).

    Vectorised: single-base pairs get packed codes; indels whose REF or ALT is one base (what
    ``bcftools norm`` writes) are already minimal, so their key text is the VCF's own
    ``REF\\tALT`` (adjacent columns). Only multi-base pairs on both sides (MNPs, complex
    alleles) and odd letters are trimmed one by one.
    """
    ref_s, ref_e = lines.field_starts[3], lines.field_ends[3]
    alt_s, alt_e = lines.field_starts[4], lines.field_ends[4]
    code = snv_codes(arr, pos, (ref_s, ref_e), (alt_s, alt_e))
    n = len(pos)
    commas = np.flatnonzero(arr == 44)
    if len(commas):
        multi = np.searchsorted(commas, alt_e) > np.searchsorted(commas, alt_s)
        if multi.any():
            i = int(np.flatnonzero(multi)[0])
            alt_text = blob[alt_s[i] : alt_e[i]].decode()
            raise InputError(
                f"{where}: {chrom}:{pos[i]} has {alt_text.count(',') + 1} ALT alleles; "
                "split first (bcftools norm -m -any)"
            )
    last = len(arr) - 1
    first_alt = arr[np.minimum(alt_s, last)]
    symbolic = (first_alt == 60) | (first_alt == 42) | (first_alt == 46) | (alt_e <= alt_s)
    brackets = np.flatnonzero((arr == 91) | (arr == 93))
    if len(brackets):
        symbolic |= np.searchsorted(brackets, alt_e) > np.searchsorted(brackets, alt_s)
    lr, la = ref_e - ref_s, alt_e - alt_s
    rest = (code < 0) & ~symbolic
    simple = rest & (np.minimum(lr, la) == 1) & (np.maximum(lr, la) > 1)
    kpos = pos.copy()
    keep = (code >= 0) | simple
    # Text of the simple indels: REF TAB ALT as in the line, upper-cased.
    t_idx = np.flatnonzero(simple)
    text, t_ends = gather(arr, ref_s[t_idx], alt_e[t_idx])
    text = _UPPER[text]
    text_s = np.zeros(n, dtype=np.int64)
    text_e = np.zeros(n, dtype=np.int64)
    text_e[t_idx] = t_ends
    text_s[t_idx] = t_ends - (alt_e[t_idx] - ref_s[t_idx])
    slow = np.flatnonzero(rest & ~simple).tolist()
    if slow:
        extra: list[bytes] = []
        at = len(text)
        for i in slow:
            ref_text = blob[ref_s[i] : ref_e[i]].decode().upper()
            alt_text = blob[alt_s[i] : alt_e[i]].decode().upper()
            key = allele_key(int(pos[i]), ref_text, alt_text)
            if key is None:
                continue
            keep[i] = True
            if isinstance(key, int):
                code[i] = key
                kpos[i] = key >> 10
            else:
                kpos[i] = key[0]
                piece = f"{key[1]}\t{key[2]}".encode()
                extra.append(piece)
                text_s[i], text_e[i] = at, at + len(piece)
                at += len(piece)
        if extra:
            text = np.concatenate([text, np.frombuffer(b"".join(extra), dtype=np.uint8)])
    line = np.flatnonzero(keep)
    kpos, code = kpos[line], code[line]
    text_s, text_e = text_s[line], text_e[line]
    hkey = np.zeros(len(line), dtype=np.int64)
    others = code < 0
    if others.any():
        hkey[others] = allele_hkeys(kpos[others], text, text_s[others], text_e[others])
    order = np.argsort(kpos, kind="stable")
    return InputKeys(
        kpos[order], code[order], line[order], hkey[order], text_s[order], text_e[order], text
    )


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


def read_blocks(stream: Sequence[bytes] | Iterator[bytes]) -> Iterator[bytes]:
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
