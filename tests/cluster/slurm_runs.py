"""Helpers for the SLURM tests: run Snakemake with a profile, watch squeue, size the profile."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from local_slurm import node_resources

REPO = Path(__file__).resolve().parents[2]
PROFILES = REPO / "config" / "profiles"


@dataclass
class Run:
    """One finished Snakemake run: its folder, output and SLURM run id."""

    workdir: Path
    output: str
    returncode: int
    seconds: float

    @property
    def run_id(self) -> str:
        """The plugin's run UUID (every SLURM job of the run carries it as job name)."""
        match = re.search(r"SLURM run ID: (\S+)", self.output)
        assert match, f"no SLURM run ID in the output of {self.workdir}"
        return match.group(1)


@dataclass
class Watcher:
    """Polls what any user of the cluster can see (squeue, scontrol) while a run is going."""

    seen: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Watcher:
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._snapshot()

    def job_ids(self, run_id: str) -> set[str]:
        """Every SLURM job id squeue listed with the run's UUID as job name."""
        ids = set()
        for out in self.seen:
            for line in out.splitlines():
                fields = line.split("|")
                if len(fields) == 6 and fields[1] == run_id:
                    ids.add(fields[0])
        return ids

    def _poll(self) -> None:
        while not self._stop.is_set():
            self._snapshot()
            time.sleep(1)

    def _snapshot(self) -> None:
        for argv in VISIBLE_COMMANDS:
            out = subprocess.run(argv, capture_output=True, text=True, check=False).stdout
            self.seen.append(out)


# What another user can list: job name, comment, command, work dir, log paths, job steps.
VISIBLE_COMMANDS = (
    ["squeue", "--states=all", "-h", "-o", "%i|%j|%k|%o|%Z|%T"],
    ["squeue", "--steps", "-h", "-o", "%i|%j|%o"],
    ["scontrol", "-o", "show", "job"],
)


def snakemake_argv(profile: Path, *args: str) -> list[str]:
    """The Snakemake command line for the repo's workflow with a profile."""
    return [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "--profile",
        str(profile),
        *args,
    ]


def run_snakemake(workdir: Path, profile: Path, *args: str) -> Run:
    """Run the workflow to the end in ``workdir`` and keep its output in snakemake.out."""
    workdir.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    result = subprocess.run(
        snakemake_argv(profile, *args),
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
        env=slurm_env(),
    )
    seconds = time.monotonic() - start
    output = result.stdout + result.stderr
    (workdir / "snakemake.out").write_text(output)
    return Run(workdir, output, result.returncode, seconds)


def slurm_env() -> dict[str, str]:
    """The environment for runs: no inherited SLURM settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "SBATCH_"))}


def require_success(run: Run) -> None:
    """Fail with the tail of the output when a run failed."""
    if run.returncode != 0:
        pytest.fail(f"snakemake failed in {run.workdir}:\n{run.output[-6000:]}")


def node_profile(target: Path) -> Path:
    """The slurm profile with requests capped to this one node; everything else unchanged.

    A site adapts the profile the same way: requests larger than its nodes would never start.
    The status queries use squeue (the test cluster keeps no accounting database) and are
    frequent, so the short demo jobs are noticed quickly.
    """
    cfg = yaml.safe_load((PROFILES / "slurm" / "config.yaml").read_text())
    cpus, mem_mb = node_resources()
    cap = max(1000, mem_mb - 2000)
    for resources in [cfg["default-resources"], *cfg["set-resources"].values()]:
        if "mem_mb" in resources:
            resources["mem_mb"] = f"min({resources['mem_mb']}, {cap})"
    cfg["cores"] = cpus
    cfg["max-threads"] = cpus
    cfg["slurm-no-account"] = True
    cfg["slurm-status-command"] = "squeue"
    cfg["slurm-init-seconds-before-status-checks"] = 2
    cfg["seconds-between-status-checks"] = 2
    target.mkdir(parents=True, exist_ok=True)
    (target / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return target


def copy_run(run: Run, target: Path) -> Path:
    """A copy of a finished run's folder (mtimes kept), to rerun parts of it."""
    shutil.copytree(run.workdir, target, symlinks=True)
    return target
