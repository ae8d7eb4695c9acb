"""``hurtig check-trimmed``: see :mod:`hurtig.qc.read_counts`."""

from hurtig.qc.read_counts import trimmed_main as main

__all__ = ["main"]
