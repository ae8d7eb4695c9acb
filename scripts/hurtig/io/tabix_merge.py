r"""Merge the tabix indexes of BGZF parts that are concatenated into one file.

:func:`hurtig.annotation.engine.annotate` writes each shard as a headerless BGZF part and
indexes it in the shard's worker (in parallel); the output file is a header BGZF member followed
by the parts in order. Every part starts on a BGZF block boundary, so a virtual offset
``coffset << 16 | uoffset`` inside part ``i`` becomes ``(coffset + start_i) << 16 | uoffset`` in
the whole file; parts hold disjoint contigs, so the merged index lists the parts' references one
after the other. This replaces a serial re-read of the whole output after the parallel work.

Index layout (SAM/tabix specification, ``TBI\1``): header of seven int32 (n_ref, format,
col_seq, col_beg, col_end, meta, skip), the NUL-separated names, then per reference the bins
(bin, chunks of two virtual offsets) and the linear index, then an optional n_no_coor. htslib's
pseudo-bin 37450 holds (first offset, last offset) and (mapped, unmapped) counts: only its first
chunk is an offset pair.
"""

from __future__ import annotations

import gzip
import os
import struct
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hurtig.errors import InputError

PSEUDO_BIN = 37450
_MAGIC = b"TBI\x01"


@dataclass
class TabixIndex:
    """A parsed tabix index: the settings, the names and each reference's raw index bytes."""

    settings: tuple[int, int, int, int, int, int]  # format, col_seq, col_beg, col_end, meta, skip
    names: list[bytes]
    refs: list[bytes]
    n_no_coor: int


class _Reader:
    def __init__(self, data: bytes, where: str) -> None:
        self.data, self.at, self.where = data, 0, where

    def take(self, fmt: str) -> tuple[int, ...]:
        size = struct.calcsize(fmt)
        if self.at + size > len(self.data):
            raise InputError(f"{self.where}: truncated tabix index")
        out = struct.unpack_from(fmt, self.data, self.at)
        self.at += size
        return out


def _shift_ref(reader: _Reader, shift: int) -> bytes:
    """Read one reference's index and return it with every virtual offset moved by ``shift``."""
    add = shift << 16
    out = bytearray()
    (n_bin,) = reader.take("<i")
    out += struct.pack("<i", n_bin)
    for _ in range(n_bin):
        bin_no, n_chunk = reader.take("<Ii")
        out += struct.pack("<Ii", bin_no, n_chunk)
        for k in range(n_chunk):
            beg, end = reader.take("<QQ")
            if bin_no != PSEUDO_BIN or k == 0:
                beg, end = beg + add, end + add
            out += struct.pack("<QQ", beg, end)
    (n_intv,) = reader.take("<i")
    out += struct.pack("<i", n_intv)
    for _ in range(n_intv):
        (ioff,) = reader.take("<Q")
        out += struct.pack("<Q", ioff + add)
    return bytes(out)


def read_shifted(path: str | os.PathLike[str], shift: int) -> TabixIndex:
    """Parse a ``.tbi`` and move its virtual offsets by ``shift`` compressed bytes."""
    where = str(path)
    try:
        data = gzip.decompress(Path(path).read_bytes())
    except (OSError, EOFError) as err:
        raise InputError(f"{where}: unreadable tabix index ({err})") from err
    if data[:4] != _MAGIC:
        raise InputError(f"{where}: not a tabix index")
    reader = _Reader(data, where)
    reader.at = 4
    n_ref, fmt, col_seq, col_beg, col_end, meta, skip = reader.take("<7i")
    (l_nm,) = reader.take("<i")
    names = data[reader.at : reader.at + l_nm].split(b"\0")[:n_ref]
    reader.at += l_nm
    refs = [_shift_ref(reader, shift) for _ in range(n_ref)]
    n_no_coor = reader.take("<Q")[0] if reader.at + 8 <= len(data) else 0
    settings = (fmt, col_seq, col_beg, col_end, meta, skip)
    return TabixIndex(settings, names, refs, n_no_coor)


def merge(parts: Sequence[tuple[str | os.PathLike[str], int]], out: str | os.PathLike[str]) -> None:
    """Write the merged index of parts ``(tbi path, start offset of the part)`` to ``out``."""
    indexes = [read_shifted(path, shift) for path, shift in parts]
    settings = next((i.settings for i in indexes if i.names), indexes[0].settings)
    names = [n for i in indexes for n in i.names]
    if len(set(names)) != len(names):
        raise InputError(f"{out}: a contig appears in two parts; cannot merge their indexes")
    blob = b"".join(n + b"\0" for n in names)
    body = bytearray(_MAGIC)
    body += struct.pack("<7i", len(names), *settings)
    body += struct.pack("<i", len(blob)) + blob
    for index in indexes:
        body += b"".join(index.refs)
    body += struct.pack("<Q", sum(i.n_no_coor for i in indexes))
    with open(out, "wb") as handle:
        proc = subprocess.run(["bgzip", "-c"], input=bytes(body), stdout=handle, check=False)
    if proc.returncode != 0:
        raise InputError(f"{out}: bgzip failed (exit {proc.returncode})")
