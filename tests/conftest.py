"""Suite-wide: the real tools the tests drive must be installed; the shared demo and GIAB runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builders import run_pipeline

REPO = Path(__file__).resolve().parents[1]

REQUIRED_TOOLS = ("bwa", "samtools", "bcftools", "tabix", "bgzip", "fastp", "mosdepth", "wgsim")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail the whole run at once when a tool is missing (run scripts/install.sh)."""
    missing = [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]
    if missing:
        raise pytest.UsageError(
            f"tools missing from PATH: {', '.join(missing)} (run bash scripts/install.sh)"
        )


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
        "results/fast/calls/giab.bcf",
    )
    return workdir
