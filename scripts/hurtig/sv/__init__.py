"""Structural and copy-number variants: read the callers, merge, annotate."""
