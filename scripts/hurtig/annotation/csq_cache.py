r"""Consequences prepared once: known alleles' ``bcftools csq -l`` output looked up, not rerun.

csq's consequence work is most of the annotation's CPU (issue 17), yet with ``-l`` (one record
at a time) a record's consequences depend only on its position, REF and ALT, the gene model, the
reference and the csq version; and its per-sample bitmask ``FORMAT/BCSQ`` only on those and the
sample's genotype (bit 2i: entry i on the first haplotype, 2i+1: on the second; ``csq.c``,
``csq_stage``). Most of a genome's alleles are in gnomAD. So, like VEP's cache, csq is run once
on the gnomAD alleles near genes, each with one sample ``1/1``, and its answer is kept per
allele: the ``INFO/BCSQ`` value (or none) and the ``1/1`` mask. A sample's mask is then the
``1/1`` mask's even bits when its first allele is the ALT, plus the odd bits when its second
is (tested against csq for every genotype form, tests/unit/test_csq_cache.py).

Layout: ``<cache_dir>/consequences/<key>/`` where the key hashes the gene model's and the
reference's real path, size and modification time and the ``bcftools --version`` line, so an
edited model, another reference or another csq never finds it (the annotation then asks csq,
as without a cache). Per contig, numpy arrays (read memory-mapped): sorted ``pos``, the
``REF\tALT`` bytes and their offsets, the mask, an id into the contig's table of distinct
BCSQ texts (-1: csq wrote none).

The annotation (:mod:`hurtig.annotation.csq_feed`) looks up every record near a gene whose
line is plain (:func:`_plain_line`: a non-empty INFO without ``BCSQ``, and either no FORMAT or
a FORMAT starting with GT, without ``BCSQ``, every sample written out to all keys, genotypes of
0, 1 and ``.``); a record found with exactly that POS, REF and ALT gets csq's text written in
(:func:`build_lines`, as htslib writes it: ``;BCSQ=`` after INFO or in place of ``.``,
``:BCSQ`` after FORMAT, ``:mask`` after each sample); all other records near genes still go
through csq.

The same module fills csq's ``FORMAT/BCSQ`` in (:func:`fill_format_bcsq`; one module, because
numba's cache of a compiled function is not renewed when a function it calls in another module
changes):

``FORMAT/BCSQ`` on every record csq annotated, whatever records its run started with.

``bcftools csq -l`` (1.16) writes the per-sample consequence bitmask ``FORMAT/BCSQ`` from a
record buffer it reuses (``csq.c``: ``vbuf_push`` / ``vbuf_flush``): the buffer's mask width
(``vrec->nfmt``) is set by the first consequence a sample carries and never reset. A record
with consequences but no bit set (an intron, a non-coding exon, a sample without the ALT)
therefore gets ``FORMAT/BCSQ`` of 0 when it comes after such a record *in that csq run*, and
none when it comes before. The annotation runs one csq per shard, so the same record's output
depended on the shard layout (``--threads``): 22 of 1 M records differed between one and two
shards on the synthetic benchmark.

:func:`missing_format_bcsq` finds the records with ``INFO/BCSQ`` and a FORMAT column but no
``FORMAT/BCSQ``, and :func:`fill_format_bcsq` gives them ``FORMAT/BCSQ`` with 0 for every
sample, as csq writes it once its buffer is warm. The output is then the same for every
layout, and equal to a single csq run's wherever that run's buffer was warm (every record after
the first that sets a bit).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numba import njit

from hurtig.annotation.text_blocks import Lines
from hurtig.io.files import file_stamp

#: The bits of entries on the first haplotype (csq keeps 15 entries: bits 0..29).
EVEN = 0x15555555
#: The bits of entries on the second haplotype.
ODD = 0x2AAAAAAA
#: Cache layout version (a folder of another version is not used).
FORMAT = 1
#: The folder under the cache directory.
FOLDER = "consequences"
_ARRAYS = ("pos", "aoff", "alleles", "mask", "tid", "toff", "text")
_TAG = np.frombuffer(b"BCSQ", dtype=np.uint8)
_END = np.frombuffer(b"END", dtype=np.uint8)
_CR = 13
_TAB, _NL, _COLON, _SEMI, _EQ, _SLASH, _PIPE, _DOT = 9, 10, 58, 59, 61, 47, 124, 46


def bcftools_version() -> str:
    """The first line of ``bcftools --version`` (csq's output may change between versions)."""
    done = subprocess.run(["bcftools", "--version"], capture_output=True, text=True, check=True)
    return done.stdout.splitlines()[0]


def cache_key(gff3: str, fasta: str, version: str) -> str:
    """The folder name for a gene model, a reference and a bcftools version."""
    parts = [version, str(FORMAT), file_stamp(gff3), file_stamp(fasta)]
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()[:20]


def cache_folder(cache_dir: str | os.PathLike[str], gff3: str, fasta: str) -> Path:
    """Where the consequences of this gene model and reference live under ``cache_dir``."""
    return Path(cache_dir) / FOLDER / cache_key(gff3, fasta, bcftools_version())


@dataclass
class ConsequenceTable:
    r"""One contig's prepared consequences (see the module docstring)."""

    pos: np.ndarray  # int64, sorted (1-based POS)
    aoff: np.ndarray  # int64, offsets of each allele's REF\tALT in ``alleles`` (n + 1)
    alleles: np.ndarray  # uint8
    mask: np.ndarray  # int64, FORMAT/BCSQ of a 1/1 sample
    tid: np.ndarray  # int64, id of the BCSQ text, -1 for none
    toff: np.ndarray  # int64, offsets of the texts (m + 1)
    text: np.ndarray  # uint8, BCSQ values without "BCSQ="

    @classmethod
    def empty(cls) -> ConsequenceTable:
        """A table without alleles (a contig not prepared)."""
        none = np.zeros(0, dtype=np.int64)
        return cls(none, np.zeros(1, np.int64), np.zeros(0, np.uint8), none, none,
                   np.zeros(1, np.int64), np.zeros(0, np.uint8))  # fmt: skip


#: The table of a contig without prepared consequences (nothing is found).
NO_TABLE = ConsequenceTable.empty()


class ConsequenceCache:
    """A prepared consequence folder: contig → its table, loaded on first use."""

    def __init__(self, folder: Path, contigs: dict[str, str]) -> None:
        """``contigs``: contig → file stem in ``folder``.

        Every table is mapped now (lazily paged in): a rebuild that replaces the folder later
        cannot take files away from a running annotation.
        """
        self.folder = folder
        self.contigs = contigs
        self.tables: dict[str, ConsequenceTable] = {}
        for contig, stem in contigs.items():
            arrays = [np.load(folder / f"{stem}.{a}.npy", mmap_mode="r") for a in _ARRAYS]
            self.tables[contig] = ConsequenceTable(*arrays)

    def table(self, contig: str) -> ConsequenceTable:
        """The contig's table (memory-mapped), or an empty one."""
        return self.tables.get(contig) or NO_TABLE


def open_consequences(folder: Path) -> ConsequenceCache | None:
    """The cache in ``folder`` when it is complete (manifest and every array), else None."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        contigs = dict(manifest["contigs"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if manifest.get("format") != FORMAT:
        return None
    try:
        return ConsequenceCache(folder, contigs)
    except (OSError, ValueError):  # a file missing or cut short: not complete
        return None


def write_table(prefix: Path, entries: list[tuple[int, bytes, int, bytes | None]]) -> int:
    r"""Write one contig's table at ``prefix`` (``<prefix>.<array>.npy``).

    Args:
        prefix: the path before ``.<array>.npy``.
        entries: ``(POS, b"REF\tALT", 1/1 mask, BCSQ value or None)`` sorted by POS; the first
            of equal alleles is kept.

    Returns:
        The alleles written.
    """
    seen: set[tuple[int, bytes]] = set()
    texts: dict[bytes, int] = {}
    pos, alleles, masks, tids = [], [], [], []
    for p, allele, mask, text in entries:
        if (p, allele) in seen:
            continue
        seen.add((p, allele))
        pos.append(p)
        alleles.append(allele)
        masks.append(mask)
        tids.append(-1 if text is None else texts.setdefault(text, len(texts)))
    aoff = np.zeros(len(alleles) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in alleles], out=aoff[1:])
    toff = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=toff[1:])
    arrays: dict[str, np.ndarray] = {
        "pos": np.array(pos, dtype=np.int64),
        "aoff": aoff,
        "alleles": np.frombuffer(b"".join(alleles), dtype=np.uint8),
        "mask": np.array(masks, dtype=np.int64),
        "tid": np.array(tids, dtype=np.int64),
        "toff": toff,
        "text": np.frombuffer(b"".join(texts), dtype=np.uint8),
    }
    if len(pos) > 1 and (np.diff(np.array(pos, dtype=np.int64)) < 0).any():
        raise ValueError(f"{prefix}: alleles not sorted by position")
    for name, values in arrays.items():
        np.save(f"{prefix}.{name}.npy", values)
    return len(pos)


# -- FORMAT/BCSQ on every record csq annotated --------------------------------------------


@njit(cache=True, nogil=True)
def has_item(  # pragma: no cover (compiled)
    arr: np.ndarray, lo: int, hi: int, tag: np.ndarray, sep: int, ends: tuple[int, int]
) -> bool:
    """Whether ``arr[lo:hi]``, split at ``sep``, holds an item whose key is ``tag``.

    The key ends at one of ``ends`` (``=`` or ``;`` in INFO; ``:`` or the field end in FORMAT)
    or at ``hi``.
    """
    n = len(tag)
    at = lo
    while at < hi:
        if at + n <= hi:
            same = True
            for j in range(n):
                if arr[at + j] != tag[j]:
                    same = False
                    break
            if same and (at + n == hi or arr[at + n] == ends[0] or arr[at + n] == ends[1]):
                return True
        while at < hi and arr[at] != sep:
            at += 1
        at += 1
    return False


@njit(cache=True, nogil=True)
def _missing_kernel(  # pragma: no cover (compiled; exercised through missing_format_bcsq)
    arr: np.ndarray, info_s: np.ndarray, info_e: np.ndarray, line_e: np.ndarray, tag: np.ndarray
) -> np.ndarray:
    """Lines with a FORMAT column without ``tag`` and an INFO column with it."""
    found = np.empty(len(line_e), dtype=np.int64)
    n = 0
    for k in range(len(line_e)):
        if info_e[k] >= line_e[k]:
            continue  # no FORMAT column
        f_lo = info_e[k] + 1
        f_hi = f_lo
        while f_hi < line_e[k] and arr[f_hi] != _TAB:
            f_hi += 1
        if has_item(arr, f_lo, f_hi, tag, _COLON, (_COLON, _TAB)):
            continue
        if has_item(arr, info_s[k], info_e[k], tag, _SEMI, (_EQ, _SEMI)):
            found[n] = k
            n += 1
    return found[:n]


def missing_format_bcsq(arr: np.ndarray, lines: Lines) -> np.ndarray:
    """The lines (indexes) that have ``INFO/BCSQ`` and a FORMAT column without ``BCSQ``.

    Args:
        arr: a block of whole lines as uint8.
        lines: its lines, cut into at least the first eight fields (INFO is the eighth).
    """
    return _missing_kernel(arr, lines.field_starts[7], lines.field_ends[7], lines.ends, _TAG)


def fill_format_bcsq(blob: bytes, lines: Lines, missing: np.ndarray) -> bytes:
    """``blob`` with ``BCSQ`` added to the FORMAT of the ``missing`` lines and 0 to each sample.

    As htslib writes a record once a FORMAT field is set: a FORMAT of ``.`` becomes ``BCSQ``,
    and every sample is written out to all keys (``.`` for the fields it lacked) before ``:0``.
    """
    out: list[bytes] = []
    prev = 0
    for k in missing.tolist():
        start, end = int(lines.starts[k]), int(lines.ends[k])
        fields = blob[start:end].split(b"\t")
        keys = [] if fields[8] == b"." else fields[8].split(b":")
        samples = []
        for sample in fields[9:]:
            parts = [] if sample == b"." and not keys else sample.split(b":")
            parts += [b"."] * (len(keys) - len(parts)) + [b"0"]
            samples.append(b":".join(parts))
        out += [blob[prev:start], b"\t".join([*fields[:8], b":".join([*keys, b"BCSQ"]), *samples])]
        prev = end
    out.append(blob[prev:])
    return b"".join(out)


def _load_fill() -> None:
    """Load the compiled FORMAT/BCSQ scan (numba's cache)."""
    arr = np.frombuffer(b"c\t1\t.\tA\tC\t.\t.\tBCSQ=x\tGT\t0/1\n", dtype=np.uint8)
    one = np.zeros(1, dtype=np.int64)
    _missing_kernel(arr, one + 22, one + 28, one + 38, _TAG)


# -- compiled: lookup, plain-line check, writing the lines -----------------------------------


@njit(cache=True, nogil=True)
def lookup(  # pragma: no cover (compiled)
    pos_arr: np.ndarray, aoff: np.ndarray, alleles: np.ndarray,
    pos: int, arr: np.ndarray, lo: int, hi: int,
) -> int:  # fmt: skip
    r"""The entry of the allele at ``pos`` whose ``REF\tALT`` is ``arr[lo:hi]``, or -1."""
    a = int(np.searchsorted(pos_arr, pos))
    width = hi - lo
    while a < len(pos_arr) and pos_arr[a] == pos:
        s, e = aoff[a], aoff[a + 1]
        if e - s == width:
            same = True
            for j in range(width):
                if alleles[s + j] != arr[lo + j]:
                    same = False
                    break
            if same:
                return a
        a += 1
    return -1


@njit(cache=True, nogil=True)
def _field_stop(arr: np.ndarray, i: int, end: int) -> int:  # pragma: no cover (compiled)
    """The tab ending the field at ``i``, or ``end`` (the line's newline)."""
    while i < end and arr[i] != _TAB:
        i += 1
    return i


@njit(cache=True, nogil=True)
def _gt_ok(arr: np.ndarray, lo: int, hi: int) -> bool:  # pragma: no cover (compiled)
    """A GT of one or two alleles, each 0, 1 or ``.``, joined by ``/`` or ``|``."""
    if hi - lo == 1:
        c = arr[lo]
        return c == 48 or c == 49 or c == _DOT
    if hi - lo == 3:
        a, s, b = arr[lo], arr[lo + 1], arr[lo + 2]
        return (
            (a == 48 or a == 49 or a == _DOT)
            and s in (_SLASH, _PIPE)
            and (b == 48 or b == 49 or b == _DOT)
        )
    return False


@njit(cache=True, nogil=True)
def plain_line(  # pragma: no cover (compiled)
    arr: np.ndarray, alt_end: int, end: int, n_samples: int
) -> bool:
    """Whether the line whose ALT ends at ``alt_end`` (its newline at ``end``) is plain.

    Plain: no carriage return; QUAL and FILTER present; a non-empty INFO without ``BCSQ`` and
    without ``END`` (htslib takes the record's length from it, and csq its overlaps); then, when
    the header has no samples, nothing more; else a FORMAT that starts with GT and lacks
    ``BCSQ``, and exactly ``n_samples`` samples, each with one value per FORMAT key and a GT of
    0, 1 and ``.`` (:func:`_gt_ok`). Anything else goes to csq, which checks it.
    """
    if alt_end >= end or arr[end - 1] == _CR:
        return False
    qual_end = _field_stop(arr, alt_end + 1, end)
    if qual_end >= end:
        return False
    filter_end = _field_stop(arr, qual_end + 1, end)
    if filter_end >= end:
        return False
    info_s = filter_end + 1
    info_e = _field_stop(arr, info_s, end)
    if info_e == info_s or has_item(arr, info_s, info_e, _TAG, _SEMI, (_EQ, _SEMI)):
        return False
    if has_item(arr, info_s, info_e, _END, _SEMI, (_EQ, _SEMI)):
        return False
    if info_e >= end:
        return n_samples == 0  # sites only
    fmt_s = info_e + 1
    fmt_e = _field_stop(arr, fmt_s, end)
    if n_samples == 0 or fmt_e >= end or fmt_e - fmt_s < 2:
        return False
    if arr[fmt_s] != 71 or arr[fmt_s + 1] != 84:
        return False
    if fmt_e - fmt_s > 2 and arr[fmt_s + 2] != _COLON:
        return False
    if has_item(arr, fmt_s, fmt_e, _TAG, _COLON, (_COLON, _COLON)):
        return False
    return _plain_samples(arr, fmt_s, fmt_e, end) == n_samples


@njit(cache=True, nogil=True)
def _plain_samples(arr: np.ndarray, fmt_s: int, fmt_e: int, end: int) -> int:  # pragma: no cover
    """The samples after the FORMAT ``arr[fmt_s:fmt_e]``.

    -1 when one has not one value per key or not a plain GT.
    """
    keys = 1
    for i in range(fmt_s, fmt_e):
        if arr[i] == _COLON:
            keys += 1
    s, samples = fmt_e + 1, 0
    while s <= end:
        e = _field_stop(arr, s, end)
        seps, gt_end = 0, e
        for i in range(s, e):
            if arr[i] == _COLON:
                if seps == 0:
                    gt_end = i
                seps += 1
        if seps != keys - 1 or not _gt_ok(arr, s, gt_end):
            return -1
        samples += 1
        s = e + 1
    return samples


@njit(cache=True, nogil=True)
def match_lines(  # pragma: no cover (compiled)
    arr: np.ndarray, first: int, stops: np.ndarray, near: np.ndarray, entries: np.ndarray,
    lo: int, hi: int, pos_arr: np.ndarray, aoff: np.ndarray, alleles: np.ndarray,
    n_samples: int,
) -> int:  # fmt: skip
    """Look the near-gene lines ``lo:hi`` up: the entry of each plain one found, else -1.

    Line k runs from ``stops[k - 1]`` (``first`` for line ``lo``) to ``stops[k]`` (after its
    newline); its CHROM, POS, ID, REF and ALT were checked by the scan. A line found is no
    longer ``near`` (csq need not see it).

    Returns:
        The lines found.
    """
    found = 0
    for k in range(lo, hi):
        entries[k] = -1
        if not near[k] or not len(pos_arr):
            continue
        start = first if k == lo else stops[k - 1]
        end = stops[k] - 1
        pos_s = _field_stop(arr, start, end) + 1
        pos_e = _field_stop(arr, pos_s, end)
        pos = 0
        for i in range(pos_s, pos_e):
            pos = pos * 10 + (arr[i] - 48)
        id_end = _field_stop(arr, pos_e + 1, end)
        ref_end = _field_stop(arr, id_end + 1, end)
        alt_end = _field_stop(arr, ref_end + 1, end)
        e = lookup(pos_arr, aoff, alleles, pos, arr, id_end + 1, alt_end)
        if e >= 0 and plain_line(arr, alt_end, end, n_samples):
            entries[k] = e
            near[k] = False
            found += 1
    return found


@njit(cache=True, nogil=True)
def _put(out: np.ndarray, at: int, src: np.ndarray, lo: int, hi: int) -> int:  # pragma: no cover
    out[at : at + hi - lo] = src[lo:hi]
    return at + hi - lo


@njit(cache=True, nogil=True)
def _put_int(out: np.ndarray, at: int, value: int) -> int:  # pragma: no cover (compiled)
    """Write ``value`` (>= 0) in decimal at ``at``."""
    if value == 0:
        out[at] = 48
        return at + 1
    digits = 0
    v = value
    while v:
        digits += 1
        v //= 10
    for j in range(digits - 1, -1, -1):
        out[at + j] = 48 + value % 10
        value //= 10
    return at + digits


@njit(cache=True, nogil=True)
def _sample_mask(arr: np.ndarray, s: int, e: int, mask11: int) -> int:  # pragma: no cover
    """A sample's mask from its GT at ``arr[s:...]`` (checked by :func:`plain_line`)."""
    out = 0
    if arr[s] == 49:
        out |= mask11 & EVEN
    if s + 2 < e and arr[s + 1] != _COLON and arr[s + 2] == 49:
        out |= mask11 & ODD
    return out


@njit(cache=True, nogil=True)
def _built_size(  # pragma: no cover (compiled)
    arr: np.ndarray, starts: np.ndarray, stops: np.ndarray, entries: np.ndarray,
    tid: np.ndarray, toff: np.ndarray,
) -> int:  # fmt: skip
    """An upper bound of :func:`build_lines`' output size."""
    size = 0
    for k in range(len(starts)):
        size += stops[k] - starts[k]
        e = entries[k]
        if e >= 0 and tid[e] >= 0:
            tabs = 0
            for i in range(starts[k], stops[k]):
                if arr[i] == _TAB:
                    tabs += 1
            size += 6 + toff[tid[e] + 1] - toff[tid[e]] + 5 + 11 * tabs
    return size


@njit(cache=True, nogil=True)
def _write_hit(  # pragma: no cover (compiled)
    out: np.ndarray, at: int, arr: np.ndarray, lo: int, end: int,
    mask11: int, text: np.ndarray, t_lo: int, t_hi: int,
) -> int:  # fmt: skip
    """Write the line ``arr[lo:end]`` (``end``: its newline) with csq's text; the new offset."""
    i, tabs = lo, 0
    while tabs < 7:  # to the start of INFO
        if arr[i] == _TAB:
            tabs += 1
        i += 1
    info_e = _field_stop(arr, i, end)
    if info_e - i == 1 and arr[i] == _DOT:
        at = _put(out, at, arr, lo, i)
    else:
        at = _put(out, at, arr, lo, info_e)
        out[at] = _SEMI
        at += 1
    for c in (66, 67, 83, 81, 61):  # BCSQ=
        out[at] = c
        at += 1
    at = _put(out, at, text, t_lo, t_hi)
    if info_e < end:
        fmt_e = _field_stop(arr, info_e + 1, end)
        at = _put(out, at, arr, info_e, fmt_e)
        for c in (58, 66, 67, 83, 81):  # :BCSQ
            out[at] = c
            at += 1
        s = fmt_e + 1
        while s <= end:
            se = _field_stop(arr, s, end)
            out[at] = _TAB
            at = _put(out, at + 1, arr, s, se)
            out[at] = _COLON
            at = _put_int(out, at + 1, _sample_mask(arr, s, se, mask11))
            s = se + 1
    out[at] = _NL
    return at + 1


@njit(cache=True, nogil=True)
def build_lines(  # pragma: no cover (compiled)
    arr: np.ndarray, starts: np.ndarray, stops: np.ndarray, entries: np.ndarray,
    mask: np.ndarray, tid: np.ndarray, toff: np.ndarray, text: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Lines ``starts[k]:stops[k]`` (each ending after its newline), csq's text written in.

    A line with an entry (``entries[k] >= 0``) and a BCSQ text gets it as htslib writes it; the
    others are copied.

    Returns:
        The new text and each line's end in it (after the newline).
    """
    n = len(starts)
    out = np.empty(_built_size(arr, starts, stops, entries, tid, toff), dtype=np.uint8)
    ends = np.empty(n, dtype=np.int64)
    at = 0
    for k in range(n):
        e = entries[k]
        if e < 0 or tid[e] < 0:
            at = _put(out, at, arr, starts[k], stops[k])
        else:
            t = tid[e]
            at = _write_hit(out, at, arr, starts[k], stops[k] - 1, mask[e], text, toff[t],
                            toff[t + 1])  # fmt: skip
        ends[k] = at
    return out[:at], ends


def load_kernels() -> None:
    """Load the compiled kernels now (numba's cache), before shard workers are forked."""
    _load_fill()
    line = np.frombuffer(b"c\t5\t.\tA\tC\t.\t.\tDP=1\tGT\t0/1\n", dtype=np.uint8)
    table = ConsequenceTable.empty()
    lookup(table.pos, table.aoff, table.alleles, 5, line, 6, 9)
    plain_line(line, 9, len(line) - 1, 1)
    stops, flags = np.array([len(line)], dtype=np.int64), np.ones(1, dtype=np.bool_)
    match_lines(line, 0, stops, flags, np.zeros(1, np.int64), 0, 1, table.pos, table.aoff,
                table.alleles, 1)  # fmt: skip
    one = np.zeros(1, dtype=np.int64)
    build_lines(line, one, one + len(line), one - 1, table.mask, table.tid, table.toff, table.text)
