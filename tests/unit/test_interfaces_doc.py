"""docs/INTERFACES.md documents the command lines the rules use (every subcommand, every option)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def rule_command_lines() -> dict[str, set[str]]:
    """Subcommand -> the options the workflow's rules pass to it."""
    commands: dict[str, set[str]] = {}
    for smk in (REPO / "workflow" / "rules").rglob("*.smk"):
        source = smk.read_text()
        # shell: directives, and upper-case command constants the directives name
        shells = re.findall(r"shell:\n((?:\s+(?:\"[^\n]*\"|#[^\n]*)\n)+)", source)
        shells += re.findall(
            r"^[A-Z][A-Z0-9_]* = \(\n((?:\s+(?:\"[^\n]*\"|#[^\n]*)\n)+)\)", source, re.M
        )
        for shell in shells:
            text = "".join(re.findall(r'"([^"\n]*)"', shell))
            for command, rest in re.findall(r"hurtig ([a-z-]+)\b(?!:) ?(.*?)(?:&&|2>|$)", text):
                commands.setdefault(command, set()).update(re.findall(r"--[a-z][a-z-]*", rest))
    return commands


def test_rules_call_hurtig() -> None:
    assert {"annotate", "prioritise", "resolve-panel", "check-family"} <= set(rule_command_lines())


def test_every_rule_command_line_is_documented() -> None:
    doc = (REPO / "docs" / "INTERFACES.md").read_text()
    missing = []
    for command, options in sorted(rule_command_lines().items()):
        if f"hurtig {command}" not in doc:
            missing.append(f"hurtig {command}")
        missing += [f"hurtig {command} {o}" for o in sorted(options) if f"{o}" not in doc]
    assert missing == [], f"not in docs/INTERFACES.md: {missing}"
