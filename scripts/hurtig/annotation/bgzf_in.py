"""Reading a bgzipped VCF in this process: its BGZF blocks inflated, its tabix offsets.

The counterpart of :mod:`hurtig.annotation.bgzf_out` for :mod:`hurtig.annotation.csq_feed`: a
shard decompresses its own records (libdeflate through ctypes, as htslib does; Python's zlib
when it is missing), every block's size and CRC checked, starting where the ``.tbi`` says the
shard's first contig begins. A damaged or cut block is an error, never fewer records.
"""

from __future__ import annotations

import ctypes
import gzip
import struct
import zlib
from collections.abc import Callable, Iterator

import numpy as np

from hurtig.annotation import libdeflate
from hurtig.errors import InputError

#: Compressed bytes read from the input at a time.
READ = 1 << 22
_BGZF_HEAD = b"\x1f\x8b\x08\x04"
#: The TBI pseudo-bin (tabix's default min_shift 14, depth 5).
_TBI_PSEUDO = 37450

Inflate = Callable[[bytes, int, int], bytes]


def _libdeflate_inflate() -> Inflate | None:
    """Raw inflate + CRC32 check backed by libdeflate, or None when it is not installed."""
    lib = libdeflate.load()
    if lib is None:
        return None
    lib.libdeflate_alloc_decompressor.restype = ctypes.c_void_p
    lib.libdeflate_deflate_decompress.restype = ctypes.c_int
    lib.libdeflate_deflate_decompress.argtypes = [
        ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t,
        ctypes.c_void_p,
    ]  # fmt: skip
    handle = lib.libdeflate_alloc_decompressor()
    if not handle:
        return None
    out = ctypes.create_string_buffer(1 << 16)  # a BGZF block holds at most 64 KiB

    def inflate(data: bytes, size: int, crc: int) -> bytes:
        if size > len(out):
            raise zlib.error("BGZF block larger than 64 KiB")
        if lib.libdeflate_deflate_decompress(handle, data, len(data), out, size, None) != 0:
            raise zlib.error("corrupt deflate data")
        if lib.libdeflate_crc32(0, out, size) != crc:
            raise zlib.error("CRC mismatch")
        return ctypes.string_at(out, size)

    return inflate


def _zlib_inflate(data: bytes, size: int, crc: int) -> bytes:
    out = zlib.decompress(data, -15)
    if len(out) != size or zlib.crc32(out) != crc:
        raise zlib.error("size or CRC mismatch")
    return out


def is_bgzf_vcf(path: str) -> bool:
    """True when ``path`` is a BGZF-compressed VCF text file (not BCF, not plain gzip)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(18)
            if len(head) < 18 or head[:4] != _BGZF_HEAD or head[12:14] != b"BC":
                return False
        with gzip.open(path, "rb") as text:
            return text.read(16).startswith(b"##fileformat=VCF")
    except (OSError, EOFError, zlib.error):
        return False


def is_bcf(path: str) -> bool:
    """True when ``path`` is a BCF file (BGZF-compressed, starting with ``BCF``)."""
    try:
        with gzip.open(path, "rb") as data:
            return data.read(3) == b"BCF"
    except (OSError, EOFError, zlib.error):
        return False


def first_offsets(vcf: str) -> dict[str, int]:
    """Virtual offset of each contig's first record from ``vcf``'s ``.tbi``; {} without one."""
    try:
        with gzip.open(f"{vcf}.tbi", "rb") as handle:
            data = handle.read()
    except (OSError, EOFError, zlib.error):
        return {}
    if data[:4] != b"TBI\x01":
        return {}
    n_ref = struct.unpack_from("<i", data, 4)[0]
    l_nm = struct.unpack_from("<i", data, 32)[0]
    names = data[36 : 36 + l_nm].split(b"\0")[:n_ref]
    at = 36 + l_nm
    out: dict[str, int] = {}
    for name in names:
        (n_bin,) = struct.unpack_from("<i", data, at)
        at += 4
        first = None
        for _ in range(n_bin):
            bin_no, n_chunk = struct.unpack_from("<Ii", data, at)
            at += 8
            chunks = np.frombuffer(data, dtype="<u8", count=2 * n_chunk, offset=at)
            at += 16 * n_chunk
            if bin_no == _TBI_PSEUDO or not n_chunk:
                continue
            low = int(chunks[0::2].min())
            first = low if first is None else min(first, low)
        (n_intv,) = struct.unpack_from("<i", data, at)
        at += 4 + 8 * n_intv
        if first is not None:
            out[name.decode()] = first
    return out


def bgzf_text(path: str, voffset: int = 0) -> Iterator[bytes]:
    """The decompressed text of a BGZF file from virtual offset ``voffset``, block by block."""
    inflate = _libdeflate_inflate() or _zlib_inflate
    with open(path, "rb") as handle:
        handle.seek(voffset >> 16)
        skip = voffset & 0xFFFF
        from_index = voffset > 0  # the first block's place came from the index
        buf = b""
        while True:
            more = handle.read(READ)
            buf += more
            at = 0
            while len(buf) - at >= 18:
                if buf[at : at + 4] != _BGZF_HEAD or buf[at + 12 : at + 14] != b"BC":
                    if from_index:
                        raise InputError(
                            f"{path}: its index does not point at a BGZF block"
                            " (is the index older than the file?)"
                        )
                    raise InputError(f"{path}: not a BGZF file (bad block header)")
                from_index = False
                size = struct.unpack_from("<H", buf, at + 16)[0] + 1
                if len(buf) - at < size:
                    break
                crc, isize = struct.unpack_from("<II", buf, at + size - 8)
                try:
                    text = inflate(buf[at + 18 : at + size - 8], isize, crc)
                except zlib.error as err:
                    raise InputError(f"{path}: corrupt BGZF block ({err})") from err
                at += size
                if skip:
                    text, skip = text[skip:], 0
                if text:
                    yield text
            buf = buf[at:]
            if not more:
                if buf:
                    raise InputError(f"{path}: truncated BGZF file")
                return
