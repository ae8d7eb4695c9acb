"""The one command-line entry point: every subcommand the rules call exists and runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hurtig.cli import COMMANDS, entry_point, main

REPO = Path(__file__).resolve().parents[2]


def rule_commands() -> set[str]:
    """Subcommands named in the workflow's shell commands (``hurtig <command>``)."""
    text = "\n".join(p.read_text() for p in (REPO / "workflow" / "rules").rglob("*.smk"))
    return set(re.findall(r'"\s*(?:&& )?hurtig ([a-z-]+) ', text))


def test_rules_call_only_known_subcommands() -> None:
    used = rule_commands()
    assert used, "no hurtig command found in the rules"
    assert used <= set(COMMANDS), used - set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_subcommand_has_a_main(name: str) -> None:
    assert callable(entry_point(name))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_subcommand_prints_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([name, "--help"])
    assert done.value.code == 0
    assert f"hurtig {name}" in capsys.readouterr().out


def test_unknown_command_is_one_error_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hurtig", "no-such-command"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == "hurtig error: unknown command 'no-such-command'"


def test_console_script_is_installed() -> None:
    """scripts/install.sh installs the package, so the rules find the `hurtig` command."""
    script = Path(sys.executable).parent / "hurtig"
    assert script.is_file() or shutil.which("hurtig"), "run bash scripts/install.sh"
    result = subprocess.run(
        [str(script if script.is_file() else "hurtig"), "--version"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0 and result.stdout.startswith("hurtig ")
