"""Helpers for the SLURM tests: run Snakemake with a profile, watch squeue, size the profile."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from builders import WorkflowRun, run_workflow
from cluster.local_slurm import node_resources

REPO = Path(__file__).resolve().parents[2]
PROFILES = REPO / "config" / "profiles"


def slurm_run_id(output: str) -> str:
    """The plugin's run UUID in a run's output (every SLURM job of the run has it as job name)."""
    match = re.search(r"SLURM run ID: (\S+)", output)
    assert match, "no SLURM run ID in the output"
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


def run_snakemake(workdir: Path, profile: Path, *args: str) -> WorkflowRun:
    """Run the workflow to the end in ``workdir`` and keep its output in snakemake.out."""
    return run_workflow(workdir, *args, cores=None, profile=profile, env=slurm_env())


def slurm_env() -> dict[str, str]:
    """The environment for runs: no inherited SLURM settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "SBATCH_"))}


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


def copy_run(run: WorkflowRun, target: Path) -> Path:
    """A copy of a finished run's folder (mtimes kept), to rerun parts of it."""
    shutil.copytree(run.workdir, target, symlinks=True)
    return target
