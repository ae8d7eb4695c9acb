"""Running the real pipeline from tests (used by the e2e fixtures and tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_pipeline(workdir: Path, *args: str) -> None:
    """Run the workflow in ``workdir``; on failure show the tail of the log and the failed logs."""
    workdir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-s",
            str(REPO / "Snakefile"),
            "--cores",
            "2",
            "--show-failed-logs",
            *args,
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    (workdir / "snakemake.out").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        pytest.fail(f"pipeline failed in {workdir}:\n{(result.stdout + result.stderr)[-6000:]}")
