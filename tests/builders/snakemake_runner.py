"""One way to run the repository's workflow from tests: real runs and dry runs.

The end-to-end, workflow (dry-run DAG) and cluster tests all start Snakemake through this module,
so the command line, the captured output, the log file and the failure message are the same
everywhere::

    run = run_workflow(tmp_path, "--configfile=config.yaml", "results/calls/fam.vcf.gz")
    run.require_success()  # fails the test with the output's tail and the failed jobs' logs
    run_pipeline(tmp_path, "--configfile=config.yaml")  # the two lines above in one
    counts = dry_run(tmp_path).job_counts()  # {"call_shard": 8, ...}
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SNAKEFILE = REPO / "Snakefile"
LOG_NAME = "snakemake.out"
TAIL_CHARS = 6000
LOG_TAIL_CHARS = 2000
# "log: logs/x/y.log (check log file(s) for error details)" in the block of a failed job.
FAILED_LOG = re.compile(r"^\s+log: (.+?) \(check log file\(s\) for error details\)$", re.M)
JOB_COUNT = re.compile(r"^(\w+)\s+(\d+)$", re.M)


@dataclass(frozen=True)
class WorkflowRun:
    """One finished Snakemake invocation: its folder, command line, exit code and output."""

    workdir: Path
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        """Standard output followed by standard error (Snakemake logs jobs to standard error)."""
        return self.stdout + self.stderr

    def failed_logs(self) -> dict[str, str]:
        """The tail of the log file of every job that Snakemake reported as failed, by path."""
        tails: dict[str, str] = {}
        for match in FAILED_LOG.finditer(self.output):
            for name in match.group(1).split(", "):
                path = self.workdir / name
                text = path.read_text(errors="replace") if path.is_file() else "(no such file)"
                tails[name] = text[-LOG_TAIL_CHARS:]
        return tails

    def failure_report(self, chars: int = TAIL_CHARS) -> str:
        """What to show when the run failed: the output's tail, then the failed jobs' logs."""
        parts = [f"snakemake failed in {self.workdir}:", self.output[-chars:]]
        parts += [f"--- {name} ---\n{tail}" for name, tail in self.failed_logs().items()]
        return "\n".join(parts)

    def require_success(self) -> None:
        """Fail the calling test, with the failure report, unless Snakemake exited with 0."""
        if self.returncode != 0:
            pytest.fail(self.failure_report())

    def job_counts(self) -> dict[str, int]:
        """Jobs per rule from the first "Job stats:" table of the output (without the total)."""
        return job_counts(self.output)


def job_counts(output: str) -> dict[str, int]:
    """Jobs per rule from the first "Job stats:" table in Snakemake output (without the total).

    Args:
        output: what Snakemake printed (a dry run prints the table to standard output).

    Returns:
        Rule name to number of jobs; empty when there was nothing to do (no table).
    """
    if "Job stats:" not in output:
        return {}
    table = output.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    counts = {m[1]: int(m[2]) for m in JOB_COUNT.finditer(table)}
    counts.pop("total", None)
    return counts


#: The line that starts a job in Snakemake's log: ``rule``, ``checkpoint``, ``localrule`` or
#: ``localcheckpoint``, then the rule's name.
JOB_START = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):$")


def job_start(line: str) -> str | None:
    """The rule name when ``line`` starts a job in Snakemake's log, else None."""
    started = JOB_START.match(line)
    return started[1] if started else None


def snakemake_argv(*args: str, cores: int | None = None, profile: Path | None = None) -> list[str]:
    """The command line that runs the repository's Snakefile with this Python's Snakemake.

    Args:
        *args: further options and targets, appended last.
        cores: ``--cores`` (left out when None, e.g. when a profile sets it).
        profile: a Snakemake profile folder (``--profile``).

    Returns:
        The argument vector, ready for subprocess.
    """
    argv = [sys.executable, "-m", "snakemake", "-s", str(SNAKEFILE)]
    if profile is not None:
        argv += ["--profile", str(profile)]
    if cores is not None:
        argv += ["--cores", str(cores)]
    return [*argv, *args]


def _invoke(
    workdir: Path, argv: list[str], env: Mapping[str, str] | None, log: Path | None
) -> WorkflowRun:
    """Run argv in workdir, capture its output, and write the output to log when given."""
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    result = subprocess.run(
        argv,
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
        env=None if env is None else dict(env),
    )
    run = WorkflowRun(
        workdir=workdir,
        argv=tuple(argv),
        returncode=result.returncode,
        stdout=result.stdout,
        stderr=result.stderr,
        seconds=time.monotonic() - started,
    )
    if log is not None:
        log.write_text(run.output)
    return run


def run_workflow(
    workdir: Path,
    *args: str,
    cores: int | None = 2,
    profile: Path | None = None,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
) -> WorkflowRun:
    """Run the workflow in ``workdir`` (created if missing) and keep its output in a log.

    The run is not checked: call :meth:`WorkflowRun.require_success` (or assert on
    ``returncode``) in the test.

    Args:
        workdir: the working directory (results/, logs/ and benchmarks/ land here).
        *args: further Snakemake options and targets.
        cores: ``--cores`` (None leaves it to a profile).
        profile: a Snakemake profile folder.
        env: the environment of the Snakemake process (default: this process's).
        log: where to write stdout + stderr (default ``workdir/snakemake.out``).

    Returns:
        The finished run.
    """
    argv = snakemake_argv(*args, cores=cores, profile=profile)
    return _invoke(workdir, argv, env, log if log is not None else workdir / LOG_NAME)


def run_pipeline(workdir: Path, *args: str, cores: int | None = 2) -> WorkflowRun:
    """Run the workflow in ``workdir`` like :func:`run_workflow` and fail the test if it fails.

    Args:
        workdir: the working directory (created if missing).
        *args: further Snakemake options and targets.
        cores: ``--cores``.

    Returns:
        The successful run.
    """
    run = run_workflow(workdir, *args, cores=cores)
    run.require_success()
    return run


def dry_run(
    workdir: Path, *args: str, cores: int | None = 2, profile: Path | None = None
) -> WorkflowRun:
    """Plan the workflow in ``workdir`` without running a job (``--dry-run``); no log is written.

    Args:
        workdir: the working directory the DAG is planned for.
        *args: further Snakemake options and targets.
        cores: ``--cores`` (None leaves it to a profile).
        profile: a Snakemake profile folder.

    Returns:
        The finished dry run (its ``job_counts()`` say which rules would run how often).
    """
    return _invoke(
        workdir, snakemake_argv("--dry-run", *args, cores=cores, profile=profile), None, None
    )
