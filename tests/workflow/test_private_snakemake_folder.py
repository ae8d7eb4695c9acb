"""Snakemake's own folder is made private when the workflow is read (issue #12, item 5).

``.snakemake/log/*.snakemake.log`` names the samples; Snakemake creates it with the user's umask
before it reads the Snakefile. The Snakefile makes ``.snakemake``, its subfolders and the log
files owner-only, and stops with one ``hurtig error:`` line when it cannot.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from builders import dry_run, run_workflow


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def world_readable_folder(workdir: Path) -> Path:
    """A ``.snakemake`` as a run under ``umask 022`` leaves it, with an old log file."""
    folder = workdir / ".snakemake"
    (folder / "log").mkdir(parents=True)
    (folder / "metadata").mkdir()
    log = folder / "log" / "x.snakemake.log"
    log.write_text("Job 3: trim_reads sample=proband\n")
    for path, bits in ((folder, 0o755), (folder / "log", 0o755), (folder / "metadata", 0o775)):
        path.chmod(bits)
    log.chmod(0o644)
    return folder


def test_dry_run_makes_the_folder_private(tmp_path: Path) -> None:
    folder = world_readable_folder(tmp_path)
    run = dry_run(tmp_path)
    assert run.returncode == 0, run.failure_report()
    assert mode(folder) == 0o700
    assert mode(folder / "log") == 0o700
    assert mode(folder / "metadata") == 0o700
    assert mode(folder / "log" / "x.snakemake.log") == 0o600


def test_run_makes_its_own_log_private(tmp_path: Path) -> None:
    """A real run (one small job) under umask 022: this run's log file is private too."""
    folder = world_readable_folder(tmp_path)
    old_umask = os.umask(0o022)
    try:
        run = run_workflow(tmp_path, "no/rule/makes/this.txt", cores=1)
    finally:
        os.umask(old_umask)
    # the target does not exist (no rule makes it): Snakemake stops after reading the
    # Snakefile, having created this run's log file before reading it
    assert run.returncode != 0
    logs = sorted((folder / "log").glob("*.snakemake.log"))
    assert len(logs) == 2, logs
    assert {mode(log) for log in logs} == {0o600}
    assert mode(folder) == 0o700


@pytest.fixture
def immutable_folder(tmp_path: Path) -> Iterator[Path]:
    """A world-readable ``.snakemake`` whose permissions cannot change (``chattr +i``)."""
    folder = world_readable_folder(tmp_path)
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("chattr (e2fsprogs) not installed")
    done = subprocess.run([chattr, "+i", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot make a folder immutable here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def test_folder_that_cannot_be_made_private_stops_the_run(immutable_folder: Path) -> None:
    run = dry_run(immutable_folder.parent)
    assert run.returncode != 0
    errors = [line for line in run.output.splitlines() if line.startswith("hurtig error:")]
    assert errors == [
        f"hurtig error: {immutable_folder.resolve()}: readable by other users and cannot be made"
        " private (Operation not permitted); run the workflow in a folder of your own"
    ]
    assert mode(immutable_folder) == 0o755
