"""hurtig: rapid clinical whole-genome sequencing pipeline (variant processing, panels, reports)."""

__version__ = "0.1.0"
