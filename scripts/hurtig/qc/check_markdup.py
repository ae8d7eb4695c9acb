"""``hurtig check-markdup``: see :mod:`hurtig.qc.read_counts`."""

from hurtig.qc.read_counts import markdup_main as main

__all__ = ["main"]
