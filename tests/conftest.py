"""Suite-wide checks: the real tools the tests drive must be installed (no silent skips)."""

from __future__ import annotations

import shutil

import pytest

REQUIRED_TOOLS = ("bwa", "samtools", "bcftools", "tabix", "bgzip", "fastp", "mosdepth", "wgsim")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail the whole run at once when a tool is missing (run scripts/install.sh)."""
    missing = [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]
    if missing:
        raise pytest.UsageError(
            f"tools missing from PATH: {', '.join(missing)} (run bash scripts/install.sh)"
        )
