"""The demo on a real local SLURM through the slurm profile.

Same results as a local run, few grouped jobs, no sample or family id visible to other users,
retry after scancel, resume after the controller is killed.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from builders import WorkflowRun, snakemake_argv
from cluster.slurm_runs import Watcher, copy_run, run_snakemake, slurm_env, slurm_run_id

pytestmark = [pytest.mark.slurm, pytest.mark.e2e]

# The demo's sample and family ids (config/samples.tsv): none may be visible on the cluster.
IDENTIFIERS = ("proband", "father", "mother", "demo")
# Rule, group and panel names are public (the lab's panel catalogue, not patient data); they are
# removed before the search (simulate_demo_reads, neuro_demo, epilepsy_demo).
PUBLIC_NAMES = re.compile(r"simulate_demo_reads|neuro_demo|epilepsy_demo")
# The demo has ~55 rule jobs (3 samples); grouping packs them into about 33 SLURM jobs: per sample
# trim, align and sample QC; per family one job per shard (8), the per-panel gathers, the
# genome-wide concatenations and the panel/report group; the checkpoints (shards, panels) alone.
MAX_SLURM_JOBS = 40


def panel_tables(workdir: Path) -> dict[str, str]:
    """Every prioritised variant table of a run, by path below results/panels."""
    tables = sorted((workdir / "results" / "panels").glob("*/*.tsv"))
    return {str(p.relative_to(workdir / "results" / "panels")): p.read_text() for p in tables}


def run_jobs(run_id: str) -> list[tuple[str, str, str]]:
    """(job id, comment, state) of every SLURM job of one run (listed for MinJobAge, an hour)."""
    out = subprocess.run(
        ["squeue", "--states=all", "-h", "--name", run_id, "-o", "%i|%k|%T"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.split("|", 2) for line in out.splitlines() if line]
    return [(job_id, comment, state) for job_id, comment, state in rows]


def leaked_identifiers(text: str) -> list[str]:
    """Sample/family ids found in text, delimited by anything but a letter or digit."""
    text = PUBLIC_NAMES.sub(" ", text)
    return [
        ident
        for ident in IDENTIFIERS
        if re.search(rf"(?<![A-Za-z0-9]){ident}(?![A-Za-z0-9])", text, re.IGNORECASE)
    ]


def start_background(workdir: Path, profile: Path, *args: str) -> subprocess.Popen[str]:
    """Start the workflow without waiting; output goes to snakemake.out in the workdir."""
    out = (workdir / "snakemake.out").open("w")
    return subprocess.Popen(
        snakemake_argv(*args, profile=profile),
        cwd=workdir,
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
        env=slurm_env(),
    )


def wait_for_job(workdir: Path, comment_prefix: str, states: set[str], timeout: float) -> str:
    """Wait until a job of the run in workdir with the comment prefix is in one of the states."""
    deadline = time.monotonic() + timeout
    run_id = ""
    while time.monotonic() < deadline:
        if not run_id:
            match = re.search(r"SLURM run ID: (\S+)", (workdir / "snakemake.out").read_text())
            run_id = match.group(1) if match else ""
        for job_id, comment, state in run_jobs(run_id) if run_id else []:
            if comment.startswith(comment_prefix) and state in states:
                return job_id
        time.sleep(0.5)
    pytest.fail(f"no {comment_prefix} job in {states} within {timeout}s in {workdir}")


def test_slurm_demo_matches_local_run(
    slurm_run: tuple[WorkflowRun, Watcher], local_run: WorkflowRun
) -> None:
    run, _ = slurm_run
    slurm, local = panel_tables(run.workdir), panel_tables(local_run.workdir)
    assert set(slurm) == {"proband/neuro_demo.tsv", "proband/epilepsy_demo.tsv"}
    assert slurm == local
    print(f"\nwall time: local {local_run.seconds:.0f} s, SLURM {run.seconds:.0f} s")


def test_demo_runs_as_few_grouped_slurm_jobs(slurm_run: tuple[WorkflowRun, Watcher]) -> None:
    run, watcher = slurm_run
    run_id = slurm_run_id(run.output)
    jobs = watcher.job_ids(run_id)
    assert jobs, f"squeue never listed a job of run {run_id}"
    assert len(jobs) <= MAX_SLURM_JOBS, sorted(jobs)
    print(f"\nSLURM jobs: {len(jobs)} for 3 samples ({len(jobs) / 3:.1f} per sample)")


def test_no_sample_or_family_id_visible_on_the_cluster(
    slurm_run: tuple[WorkflowRun, Watcher],
) -> None:
    run, watcher = slurm_run
    seen = "\n".join(watcher.seen)
    # The watcher saw this run's jobs and their comments (so the search below means something).
    assert slurm_run_id(run.output) in seen
    assert "rule_align_" in seen and "rule_family_" in seen
    assert leaked_identifiers(seen) == []


def test_identifier_search_finds_plain_rule_comments() -> None:
    # What the plugin submits for an ungrouped rule: the wildcard values in the comment.
    assert leaked_identifiers("12|rule_call_shard_wildcards_demo_0001|RUNNING") == ["demo"]
    assert leaked_identifiers("StdOut=/w/logs/slurm/rule_trim_reads/proband_L001/3.log") == [
        "proband"
    ]
    assert leaked_identifiers("13|rule_simulate_demo_reads|COMPLETED") == []


def test_cancelled_job_is_retried(
    slurm_run: tuple[WorkflowRun, Watcher], slurm_profile: Path, tmp_path: Path
) -> None:
    base, _ = slurm_run
    workdir = copy_run(base, tmp_path / "scancel")
    proc = start_background(workdir, slurm_profile, "--forcerun", "call_shard")
    try:
        job_id = wait_for_job(workdir, "rule_call_", {"RUNNING"}, timeout=600)
        subprocess.run(["scancel", job_id], check=True)
        returncode = proc.wait(timeout=900)
    finally:
        if proc.poll() is None:
            proc.kill()
    output = (workdir / "snakemake.out").read_text()
    assert returncode == 0, output[-6000:]
    states = [
        state
        for _, comment, state in run_jobs(slurm_run_id(output))
        if comment.startswith("rule_call_")
    ]
    assert "CANCELLED" in states and "COMPLETED" in states, states
    assert panel_tables(workdir) == panel_tables(base.workdir)


def test_killed_controller_resumes_without_recomputing(
    slurm_run: tuple[WorkflowRun, Watcher], slurm_profile: Path, tmp_path: Path
) -> None:
    base, _ = slurm_run
    workdir = copy_run(base, tmp_path / "kill")
    profile = slurm_profile
    proc = start_background(workdir, profile, "--forcerun", "call_shard")
    try:
        # The calling job has finished and the controller has moved on to the family job.
        wait_for_job(workdir, "rule_family_", {"PENDING", "RUNNING"}, timeout=900)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    first = (workdir / "snakemake.out").read_text()
    run_id = slurm_run_id(first)
    # The operator cancels what the dead controller left behind (docs/OPS.md).
    subprocess.run(["scancel", "--name", run_id], check=True)
    assert sorted((workdir / "results" / "calls" / "shards").rglob("*.bcf")), "no shard calls"
    run_snakemake(workdir, profile, "--unlock").require_success()
    second = run_snakemake(workdir, profile)
    second.require_success()
    # The rerun ran the family chain again but not the finished calling job.
    stats = second.output.split("Job stats:", 1)[1].split("total", 1)[0]
    assert "concat_calls" in stats, stats
    assert "call_shard" not in stats, stats
    assert not [
        c for _, c, _ in run_jobs(slurm_run_id(second.output)) if c.startswith("rule_call_")
    ]
    assert panel_tables(workdir) == panel_tables(base.workdir)
