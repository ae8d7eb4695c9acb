r"""The cached join: match input keys against a prepared source's bins (no source text parsed).

A prepared source (:mod:`hurtig.annotation.prepared_cache`) holds, per bin of ``2**BIN_BITS``
bp, the sorted packed keys of its single-base alleles, the hashed keys and ``REF\tALT`` texts of
the others, and each allele's finished INFO text. The bins an input block needs are read one at
a time; packed keys are matched by binary search, hashed keys too, and their allele texts
compared (a hash collision is resolved by text), in compiled code (numba, :func:`_bin_hits`,
cached like :func:`hurtig.annotation.text_blocks.splice`): one call per bin instead of a dozen
numpy calls (issue 17).
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable

import numpy as np
from numba import njit

from hurtig.annotation.keys import InputKeys
from hurtig.annotation.prepared_cache import BIN_BITS, Bin, SourceCache
from hurtig.annotation.text_blocks import Matches
from hurtig.errors import InputError


class CachedStream:
    """A prepared source on one contig: its bins read as needed."""

    def __init__(self, cache: SourceCache, contig: str) -> None:
        """Read the bins of ``contig`` (the source's name for it) from ``cache``."""
        self.where = str(cache.path)
        self.index = cache.bins(contig)
        self.compressed = cache.compressed
        self.loaded: dict[int, Bin] = {}
        self._mapped: tuple[str, memoryview] | None = None

    def close(self) -> None:
        """Forget the loaded bins and the mapped cache file."""
        self.loaded.clear()
        self._mapped = None  # the mapping goes with the last view of it

    def _file(self, file: str) -> memoryview:
        """The cache file, mapped read-only: bins are read in place, not copied (issue 17)."""
        if self._mapped is None or self._mapped[0] != file:
            with open(file, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else None
            self._mapped = (file, memoryview(mapped) if mapped is not None else memoryview(b""))
        return self._mapped[1]

    def _bin(self, number: int) -> Bin | None:
        got = self.loaded.get(number)
        if got is None and number in self.index:
            file, offset, length = self.index[number]
            data = self._file(file)
            if offset + length > len(data):  # a mapped page past the end would crash the run
                raise InputError(f"{self.where}: truncated cache file {file}; rebuild the cache")
            view = data[offset : offset + length]
            got = self.loaded[number] = Bin.unpack(view, self.where, self.compressed)
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
    """The additions of one bin to the input keys ``lo:hi`` (None when nothing matched)."""
    kernel: Callable[..., tuple[np.ndarray, np.ndarray]] = _bin_hits
    other_keys, other_order = bin_.other_index()
    lines, entries = kernel(
        bin_.snv_keys, other_keys, other_order, bin_.oth_pos, bin_.allele_off, bin_.allele_arr,
        keys.code, keys.hkey, keys.pos, keys.line, keys.text_s, keys.text_e, keys.text, lo, hi,
    )  # fmt: skip
    if not len(lines):
        return None
    return Matches(lines, bin_.text, bin_.text_off[entries], bin_.text_off[entries + 1])


@njit(cache=True, nogil=True)
def _same_allele(  # pragma: no cover (compiled)
    alleles: np.ndarray, a_s: int, a_e: int, text: np.ndarray, t_s: int, t_e: int
) -> bool:
    """Whether ``alleles[a_s:a_e] == text[t_s:t_e]``."""
    if a_e - a_s != t_e - t_s:
        return False
    for j in range(a_e - a_s):  # noqa: SIM110 (compiled: a plain loop, no generator)
        if alleles[a_s + j] != text[t_s + j]:
            return False
    return True


@njit(cache=True, nogil=True)
def _other_entry(  # pragma: no cover (compiled)
    at: int,
    i: int,
    other: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    query: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> int:
    r"""The entry of not-packed input key ``i`` whose hash key sits at ``at``, or -1.

    Equal hash keys are candidates: position and ``REF\tALT`` text must be equal too; on a
    hash collision the entries at that position are looked through by text.
    """
    other_keys, other_order, oth_pos, allele_off, alleles = other
    hkey, pos, text_s, text_e, text = query
    if at >= len(other_keys) or other_keys[at] != hkey[i]:
        return -1
    entry = other_order[at]
    a_s, a_e = allele_off[entry], allele_off[entry + 1]
    if oth_pos[entry] == pos[i] and _same_allele(alleles, a_s, a_e, text, text_s[i], text_e[i]):
        return entry
    for e in range(np.searchsorted(oth_pos, pos[i]), len(oth_pos)):
        if oth_pos[e] != pos[i]:
            break
        if _same_allele(alleles, allele_off[e], allele_off[e + 1], text, text_s[i], text_e[i]):
            return e
    return -1


@njit(cache=True, nogil=True)
def _bin_hits(  # pragma: no cover (compiled; exercised through _bin_matches)
    snv_keys: np.ndarray,
    other_keys: np.ndarray,
    other_order: np.ndarray,
    oth_pos: np.ndarray,
    allele_off: np.ndarray,
    alleles: np.ndarray,
    code: np.ndarray,
    hkey: np.ndarray,
    pos: np.ndarray,
    line: np.ndarray,
    text_s: np.ndarray,
    text_e: np.ndarray,
    text: np.ndarray,
    lo: int,
    hi: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Input lines of keys ``lo:hi`` found in a bin, and their entries (SNVs, then the others).

    Packed keys are looked up among the bin's sorted SNV keys, the others by hash key
    (:func:`_other_entry`); an entry number of another allele counts after the SNVs.
    """
    hit_line = np.empty(hi - lo, dtype=np.int64)
    hit_entry = np.empty(hi - lo, dtype=np.int64)
    n_snv, found = len(snv_keys), 0
    for i in range(lo, hi):
        if code[i] >= 0 and n_snv:
            at = np.searchsorted(snv_keys, code[i])
            if at < n_snv and snv_keys[at] == code[i]:
                hit_line[found], hit_entry[found] = line[i], at
                found += 1
    other = (other_keys, other_order, oth_pos, allele_off, alleles)
    query = (hkey, pos, text_s, text_e, text)
    for i in range(lo, hi):
        if code[i] < 0 and len(oth_pos):
            entry = _other_entry(np.searchsorted(other_keys, hkey[i]), i, other, query)
            if entry >= 0:
                hit_line[found], hit_entry[found] = line[i], entry + n_snv
                found += 1
    return hit_line[:found], hit_entry[:found]


def load_kernel() -> None:
    """Load the compiled bin matcher now (from numba's cache), with the argument types of a run.

    Called before the shard workers are forked, so that they inherit it. Bin arrays are
    read-only views of the cache file's bytes; the input keys are ordinary arrays.
    """
    stored = np.frombuffer(bytes(8), dtype=np.int64)
    text = np.frombuffer(bytes(1), dtype=np.uint8)
    one = np.ones(1, dtype=np.int64)  # a packed key the empty bin does not hold
    keys = InputKeys(one, one, one, one, one, one, np.zeros(1, dtype=np.uint8))
    bin_ = Bin(stored, stored, stored, stored, bytes(1), text, (stored, stored))
    _bin_matches(bin_, keys, 0, 1)
