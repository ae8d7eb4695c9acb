"""Fixtures of the fault tests: a good trio run to break (:class:`faults.bad_runs.FaultRun`)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from faults.bad_runs import FaultRun


@pytest.fixture
def fault_run(tmp_path: Path) -> FaultRun:
    """A good trio run in tmp_path, to be broken by the test."""
    return FaultRun(tmp_path)


@pytest.fixture
def shared_fault_run() -> Iterator[FaultRun]:
    """A good trio run in a folder other users can enter (for permission tests run as root)."""
    folder = Path(tempfile.mkdtemp(prefix="hurtig-fault."))
    folder.chmod(0o755)
    try:
        yield FaultRun(folder)
    finally:
        shutil.rmtree(folder)
