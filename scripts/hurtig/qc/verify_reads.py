"""``hurtig verify-reads``: the sample-level gate of :mod:`hurtig.qc.read_pairs`."""

from hurtig.qc.read_pairs import verify_main as main

__all__ = ["main"]
