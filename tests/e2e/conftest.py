"""Shared fixtures for the end-to-end tests: real pipeline runs with real tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import run_pipeline

REPO = Path(__file__).resolve().parents[2]


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
