"""Where the pipeline checkout keeps what the package reads at run time (schemas, demo data)."""

from __future__ import annotations

from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[3]
"""The pipeline checkout (the package is installed from ``<repo>/scripts`` in editable mode)."""

SCHEMA_DIR = REPO_DIR / "config" / "schemas"
"""JSON schemas of the config file and the sample and unit sheets."""

DEMO_READS = REPO_DIR / "resources" / "demo" / "reads"
"""Where the workflow writes the simulated demo reads (rule simulate_demo_reads)."""
