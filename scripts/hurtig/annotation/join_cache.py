r"""The cached join: match input keys against a prepared source's bins (no source text parsed).

A prepared source (:mod:`hurtig.annotation.prepared_cache`) holds, per bin of ``2**BIN_BITS``
bp, the sorted packed keys of its single-base alleles, the hashed keys and ``REF\tALT`` texts of
the others, and each allele's finished INFO text. The bins an input block needs are read one at
a time; packed keys are matched with ``np.searchsorted``, hashed keys too, and their allele texts
compared (a hash collision is resolved by text).
"""

from __future__ import annotations

from typing import IO

import numpy as np

from hurtig.annotation.keys import InputKeys
from hurtig.annotation.prepared_cache import BIN_BITS, Bin, SourceCache
from hurtig.annotation.text_blocks import Matches, same_text


class CachedStream:
    """A prepared source on one contig: its bins read as needed."""

    def __init__(self, cache: SourceCache, contig: str) -> None:
        """Read the bins of ``contig`` (the source's name for it) from ``cache``."""
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
            found = _bin_matches(bin_, keys, lo, hi)
            if found is not None:
                parts.append(found)
        return parts


def _bin_matches(bin_: Bin, keys: InputKeys, lo: int, hi: int) -> Matches | None:
    """The additions of one bin to the input keys ``lo:hi`` (None when nothing was looked up)."""
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
        sel, entry = _other_hits(bin_, keys, np.flatnonzero(~packed) + lo)
        hit_lines.append(keys.line[sel])
        hit_entries.append(entry + n_snv)
    if not hit_lines:
        return None
    entries = np.concatenate(hit_entries)
    starts, ends = bin_.text_off[entries], bin_.text_off[entries + 1]
    return Matches(np.concatenate(hit_lines), bin_.text, starts, ends)


def _other_hits(bin_: Bin, keys: InputKeys, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The input keys ``sel`` (not packed) found among the bin's other alleles, and their entries.

    Equal hash keys are candidates: the allele texts and positions must be equal too; on a hash
    collision the entries with that position are looked through by text.
    """
    keys_sorted, order = bin_.other_index()
    q = keys.hkey[sel]
    at = np.minimum(np.searchsorted(keys_sorted, q), len(keys_sorted) - 1)
    cand = keys_sorted[at] == q
    sel, entry = sel[cand], order[at[cand]]
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
    return sel[ok], entry[ok]
