"""``hurtig check config.yaml``: validate a run (config, sheets, files, panels), run nothing.

The same :func:`hurtig.run.model.load_run` the workflow calls when it starts, so a config that
passes here is one the workflow accepts. Run in a working folder, contig names found by a scan
are shared with the workflow's (``.snakemake/hurtig/contigs``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from hurtig.run.model import load_run_file

SNAKEMAKE_DIR = Path(".snakemake")
"""Snakemake's folder in the working folder (where the workflow keeps its contig-name cache)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Validate a config file and what it names; print one OK line."""
    parser = argparse.ArgumentParser(prog="hurtig check", description=__doc__)
    parser.add_argument("config", type=Path, help="the run's config.yaml")
    args = parser.parse_args(argv)
    cache = SNAKEMAKE_DIR / "hurtig" / "contigs" if SNAKEMAKE_DIR.is_dir() else None
    run = load_run_file(args.config.resolve(), cache_dir=cache)
    print(f"{run.config_file}: OK ({len(run.samples)} samples, {len(run.units)} units)")
    return 0
