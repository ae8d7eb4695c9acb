"""The streamed join: match input keys against a source file read as text, block by block.

A source is read as raw text in large blocks (``tabix`` in its own process for VCF/TSV files;
the SQLite database as generated text) into a buffer cut into lines with numpy
(:mod:`hurtig.annotation.text_blocks`). Only source lines whose span ``[POS, POS + len(REF) -
1]`` contains an input key position are candidates; single-base ones are keyed vectorised, the
rest (indels, multiallelic records) are split and trimmed in Python
(:func:`hurtig.annotation.keys.allele_key`). Nothing else is parsed.

Packed keys are matched with ``np.searchsorted`` against the source keys sorted by (key, file
order), so the first source record in file order wins; other keys (indels) are matched through a
dict. Only matched lines are looked at: the source's fast path
(:meth:`hurtig.annotation.source.Source.fast_values`) gives their items, else they are parsed
into a record whose INFO values are formatted (:meth:`hurtig.annotation.source.Source.values`).

Sparse inputs (a panel, a small shard) do not read whole source contigs: the input keys are cut
into segments wherever the gap between two keys would make reading through skip more than
``seek_records`` source records (from the density read so far), and the source stream is
re-opened through its index at the start of a far segment.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from hurtig.annotation.keys import InputKeys, allele_key, snv_codes
from hurtig.annotation.source import Source, SourceRecord
from hurtig.annotation.text_blocks import EMPTY, Matches, parse_ints, split_lines


class SourceStream:
    """The buffered text stream of one source on one contig (see the module docstring)."""

    def __init__(self, source: Source, contig: str, seek_records: int) -> None:
        """Read ``contig`` (the source's name for it); seek when a gap is worth ``seek_records``."""
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
        self.starts = self.ends = self.pos = self.rend = self.code = EMPTY
        self.ref_s = self.ref_e = self.alt_s = self.alt_e = EMPTY

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
    while i < n:
        floor = min(int(keys.pos[i]), last_vcf_pos)
        stream.prepare(floor)
        j = _segment_end(stream, keys, i)
        matches = _segment_matches(stream, keys, i, j, other_by_line)
        _add_values(stream, matches, adds)
        i = j + 1
    return Matches.from_items(adds)


def _segment_end(stream: SourceStream, keys: InputKeys, i: int) -> int:
    """Last key of the segment from key ``i`` on: up to the first gap worth a seek."""
    n = len(keys.pos)
    limit = stream.gap_limit()
    j = n - 1
    if limit != float("inf") and i < n - 1:
        big = np.flatnonzero(np.diff(keys.pos[i:]) > limit)
        if len(big):
            j = i + int(big[0])
    return j


def _segment_matches(
    stream: SourceStream,
    keys: InputKeys,
    i: int,
    j: int,
    other_by_line: dict[int, tuple[int, str, str]],
) -> list[tuple[int, int, int]]:
    """``(input line, source line, ALT index)`` of the keys ``i..j`` found in the source."""
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
    return matches


def _add_values(
    stream: SourceStream, matches: list[tuple[int, int, int]], adds: dict[int, list[str]]
) -> None:
    """Set ``adds[input line]`` to the source's items for each match that has any."""
    source = stream.source
    records: dict[int, SourceRecord] = {}
    fast = source.fast_values
    for in_line, src_line, idx in matches:
        values = fast(stream.line_text(src_line))
        if values is None:
            rec = records.get(src_line)
            if rec is None:
                rec = records[src_line] = source.record(stream.line_text(src_line))
            values = source.values(rec, idx)
        if values:
            adds[in_line] = values
