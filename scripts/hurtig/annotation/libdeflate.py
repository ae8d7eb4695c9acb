"""The libdeflate shared library (the one htslib's ``bgzip`` uses), loaded once through ctypes.

:mod:`hurtig.annotation.bgzf_out` compresses and :mod:`hurtig.annotation.csq_feed` decompresses
BGZF blocks with it; both fall back to Python's zlib when it is not installed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def load() -> ctypes.CDLL | None:
    """Libdeflate with its CRC32 declared, or None when it is not installed or does not load."""
    name = ctypes.util.find_library("deflate")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.libdeflate_crc32.restype = ctypes.c_uint32
    lib.libdeflate_crc32.argtypes = [ctypes.c_uint32, ctypes.c_void_p, ctypes.c_size_t]
    return lib
