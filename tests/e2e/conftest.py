"""Shared fixtures for the end-to-end tests: real pipeline runs with real tools."""

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


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded demo trio, run once per test session."""
    workdir = tmp_path_factory.mktemp("demo")
    run_pipeline(workdir)
    return workdir


@pytest.fixture(scope="session")
def giab_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The GIAB NA12878 validation run up to the normalised calls."""
    workdir = tmp_path_factory.mktemp("giab")
    run_pipeline(
        workdir,
        f"--configfile={REPO / 'config' / 'giab' / 'config.yaml'}",
        "results/calls/giab.vcf.gz",
        "results/qc/samtools_stats/NA12878.txt",
    )
    return workdir
