r"""Allele match keys: trimming, packed single-base keys, hashed indel keys, keys of input blocks.

An allele is matched on its minimal representation ``(pos, REF, ALT)`` (:func:`trim_alleles`).
A single-base REF/ALT pair becomes one packed ``int64`` (``pos * 1024 + ref_letter * 32 +
alt_letter``, :func:`allele_key`, :func:`snv_codes`); the other alleles (indels, MNPs) keep
their ``REF\tALT`` text and get a 64-bit hash of text and position (:func:`allele_hkeys`) that
the prepared cache sorts and searches. :func:`block_keys` makes the keys of one block of input
VCF lines, vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hurtig.annotation.text_blocks import EMPTY, UPPER, Lines, gather
from hurtig.errors import InputError

#: Letter code of each byte (A/a=1 … Z/z=26; anything else 0).
LETTERS = np.zeros(256, dtype=np.int64)
for _i, _c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
    LETTERS[_c] = LETTERS[_c + 32] = _i + 1

Key = int | tuple[int, str, str]


def trim_alleles(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Reduce an allele pair to its minimal representation (no reference needed).

    Trims the common suffix, then the common prefix, always keeping at least one base in
    each allele (the VCF anchor base). ``pos`` moves right by the prefix removed. This is what
    splitting a multiallelic record needs (e.g. ``CAAG>CA`` becomes ``AAG>A`` one base on); it
    does not left-align, which needs the reference.

    Args:
        pos: 1-based VCF position.
        ref: reference allele.
        alt: alternate allele.

    Returns:
        ``(pos, ref, alt)`` trimmed.
    """
    if len(ref) == 1 and len(alt) == 1:
        return pos, ref, alt
    end = 0
    while end < min(len(ref), len(alt)) - 1 and ref[-1 - end] == alt[-1 - end]:
        end += 1
    if end:
        ref, alt = ref[:-end], alt[:-end]
    start = 0
    while start < min(len(ref), len(alt)) - 1 and ref[start] == alt[start]:
        start += 1
    if start:
        ref, alt = ref[start:], alt[start:]
        pos += start
    return pos, ref, alt


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


#: Multiplier of the polynomial hash of an allele's text, and the one that mixes in its position.
_HASH_MUL = 0x100000001B3
_POS_MUL = np.uint64(0x9E3779B97F4A7C15)
#: ``_HASH_MUL ** k mod 2**64`` for k < len (grown on demand by :func:`_powers`).
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
    r"""64-bit keys of ``(pos, text[starts:ends])`` (text: upper-case ``REF\tALT``), vectorised.

    A polynomial hash of the bytes mixed with the position; equal keys are candidates only:
    callers compare the allele text of every hit.
    """
    if not len(pos):
        return EMPTY
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


@dataclass
class InputKeys:
    r"""Match keys of one input block, sorted by key position.

    Single-base alleles have a packed ``code``; the others (``code == -1``) have their
    upper-case, trimmed ``REF\tALT`` text in ``text`` (``text[text_s[i]:text_e[i]]``) and a
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


def _refuse_multiallelic(
    blob: bytes, arr: np.ndarray, alt: tuple[np.ndarray, np.ndarray], pos: np.ndarray, where: str,
    chrom: str,
) -> None:  # fmt: skip
    """Raise InputError naming the first input line with more than one ALT."""
    alt_s, alt_e = alt
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


def _symbolic(arr: np.ndarray, alt_s: np.ndarray, alt_e: np.ndarray) -> np.ndarray:
    """Whether each ALT is never matched: symbolic (``<``), ``*``, ``.``, empty or a breakend."""
    last = len(arr) - 1
    first_alt = arr[np.minimum(alt_s, last)]
    symbolic = (first_alt == 60) | (first_alt == 42) | (first_alt == 46) | (alt_e <= alt_s)
    brackets = np.flatnonzero((arr == 91) | (arr == 93))
    if len(brackets):
        symbolic |= np.searchsorted(brackets, alt_e) > np.searchsorted(brackets, alt_s)
    return symbolic


@dataclass
class _KeyColumns:
    """Keys of every line of a block while they are made (arrays indexed by line)."""

    code: np.ndarray
    kpos: np.ndarray
    keep: np.ndarray
    text_s: np.ndarray
    text_e: np.ndarray
    text: np.ndarray


def _trim_one_by_one(
    blob: bytes, lines: Lines, pos: np.ndarray, slow: list[int], cols: _KeyColumns
) -> None:
    """Key the lines ``slow`` (MNPs, complex alleles, odd letters) by trimming them in Python."""
    ref_s, ref_e = lines.field_starts[3], lines.field_ends[3]
    alt_s, alt_e = lines.field_starts[4], lines.field_ends[4]
    extra: list[bytes] = []
    at = len(cols.text)
    for i in slow:
        ref_text = blob[ref_s[i] : ref_e[i]].decode().upper()
        alt_text = blob[alt_s[i] : alt_e[i]].decode().upper()
        key = allele_key(int(pos[i]), ref_text, alt_text)
        if key is None:
            continue
        cols.keep[i] = True
        if isinstance(key, int):
            cols.code[i] = key
            cols.kpos[i] = key >> 10
        else:
            cols.kpos[i] = key[0]
            piece = f"{key[1]}\t{key[2]}".encode()
            extra.append(piece)
            cols.text_s[i], cols.text_e[i] = at, at + len(piece)
            at += len(piece)
    if extra:
        cols.text = np.concatenate([cols.text, np.frombuffer(b"".join(extra), dtype=np.uint8)])


def block_keys(
    blob: bytes, arr: np.ndarray, lines: Lines, pos: np.ndarray, where: str, chrom: str
) -> InputKeys:
    r"""Match keys of an input block (fields 0-4 of ``lines`` are CHROM..ALT).

    Vectorised: single-base pairs get packed codes; indels whose REF or ALT is one base (what
    ``bcftools norm`` writes) are already minimal, so their key text is the VCF's own
    ``REF\tALT`` (adjacent columns). Only multi-base pairs on both sides (MNPs, complex
    alleles) and odd letters are trimmed one by one.
    """
    ref_s, ref_e = lines.field_starts[3], lines.field_ends[3]
    alt_s, alt_e = lines.field_starts[4], lines.field_ends[4]
    code = snv_codes(arr, pos, (ref_s, ref_e), (alt_s, alt_e))
    n = len(pos)
    _refuse_multiallelic(blob, arr, (alt_s, alt_e), pos, where, chrom)
    lr, la = ref_e - ref_s, alt_e - alt_s
    rest = (code < 0) & ~_symbolic(arr, alt_s, alt_e)
    simple = rest & (np.minimum(lr, la) == 1) & (np.maximum(lr, la) > 1)
    # Text of the simple indels: REF TAB ALT as in the line, upper-cased.
    t_idx = np.flatnonzero(simple)
    text, t_ends = gather(arr, ref_s[t_idx], alt_e[t_idx])
    cols = _KeyColumns(
        code, pos.copy(), (code >= 0) | simple, np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64), UPPER[text],
    )  # fmt: skip
    cols.text_e[t_idx] = t_ends
    cols.text_s[t_idx] = t_ends - (alt_e[t_idx] - ref_s[t_idx])
    slow = np.flatnonzero(rest & ~simple).tolist()
    if slow:
        _trim_one_by_one(blob, lines, pos, slow, cols)
    line = np.flatnonzero(cols.keep)
    kpos, code = cols.kpos[line], cols.code[line]
    text_s, text_e = cols.text_s[line], cols.text_e[line]
    hkey = np.zeros(len(line), dtype=np.int64)
    others = code < 0
    if others.any():
        hkey[others] = allele_hkeys(kpos[others], cols.text, text_s[others], text_e[others])
    order = np.argsort(kpos, kind="stable")
    return InputKeys(
        kpos[order], code[order], line[order], hkey[order], text_s[order], text_e[order], cols.text
    )
