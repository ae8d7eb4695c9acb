"""Fixtures for the SLURM tests: a real local SLURM, a node-sized copy of the slurm profile, runs.

The cluster tests fail (never skip) when SLURM cannot be installed or started; set
HURTIG_SKIP_SLURM=1 to opt out explicitly (the skip is then listed by ``pytest -ra``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from builders import WorkflowRun
from cluster.local_slurm import ClusterError, LocalSlurm
from cluster.slurm_runs import PROFILES, Watcher, node_profile, run_snakemake

OPT_OUT = "HURTIG_SKIP_SLURM"


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSlurm]:
    """A running local SLURM for the session; its daemons are stopped by PID afterwards."""
    if os.environ.get(OPT_OUT) == "1":
        pytest.skip(f"{OPT_OUT}=1: SLURM tests opted out explicitly")
    cluster = LocalSlurm(tmp_path_factory.mktemp("slurmstate"))
    try:
        cluster.start()
    except ClusterError as err:
        cluster.stop()
        pytest.fail(f"could not start a local SLURM ({err}); set {OPT_OUT}=1 to opt out")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def slurm_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The slurm profile sized for this node."""
    return node_profile(tmp_path_factory.mktemp("profile"))


@pytest.fixture(scope="session")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> WorkflowRun:
    """The demo through the local profile (the reference for the SLURM run)."""
    run = run_snakemake(tmp_path_factory.mktemp("local"), PROFILES / "local", "--cores", "2")
    run.require_success()
    return run


@pytest.fixture(scope="session")
def slurm_run(
    slurm_cluster: LocalSlurm, slurm_profile: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[WorkflowRun, Watcher]:
    """The demo through the slurm profile, with what squeue/scontrol showed meanwhile."""
    with Watcher() as watcher:
        run = run_snakemake(tmp_path_factory.mktemp("cluster"), slurm_profile)
    run.require_success()
    return run, watcher
