"""Static checks of the cluster set-up (no SLURM needed): profiles, groups, conda envs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from builders import dry_run

REPO = Path(__file__).resolve().parents[2]
RULE_FILES = sorted((REPO / "workflow" / "rules").glob("*.smk"))
PATIENT_WILDCARDS = ("sample", "family", "unit")


def rule_blocks() -> dict[str, str]:
    """The text of every rule and checkpoint in workflow/rules, by name."""
    blocks: dict[str, str] = {}
    for path in RULE_FILES:
        parts = re.split(r"^(?:rule|checkpoint) (\w+):\n", path.read_text(), flags=re.MULTILINE)
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            blocks[name] = re.split(r"^\S", body, maxsplit=1, flags=re.MULTILINE)[0]
    return blocks


def output_section(body: str) -> str:
    """The output: section of a rule (where its wildcards are defined)."""
    match = re.search(r"^    output:\n(.*?)(?=^    \w+:|\Z)", body, flags=re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


def profile(name: str) -> dict[str, object]:
    return yaml.safe_load((REPO / "config" / "profiles" / name / "config.yaml").read_text())


def test_rule_files_are_parsed() -> None:
    blocks = rule_blocks()
    assert {"align_reads", "call_shard", "make_shards", "render_report"} <= set(blocks)
    assert "{sample}" in output_section(blocks["align_reads"])
    assert "{family}" in output_section(blocks["concat_calls"])
    assert "input:" not in output_section(blocks["concat_calls"])


def test_every_rule_naming_a_patient_runs_in_a_slurm_group() -> None:
    # The plugin writes a plain rule's wildcard values into the job comment, which every user
    # of the cluster can list; group jobs carry only the group name.
    # Local rules (the panel stage) run in the controlling process and are never submitted.
    groups = profile("slurm")["groups"]
    assert isinstance(groups, dict)
    snakefile = (REPO / "Snakefile").read_text()
    local = set(re.findall(r"^    (\w+),$", snakefile.split("localrules:", 1)[1], re.M))
    assert {"render_report", "prioritise_variants"} <= local
    exposed = [
        name
        for name, body in rule_blocks().items()
        if any(f"{{{w}}}" in output_section(body) for w in PATIENT_WILDCARDS)
        and name not in groups
        and name not in local
    ]
    assert exposed == []


def test_slurm_profile_hard_codes_no_site() -> None:
    cfg = profile("slurm")
    assert cfg["executor"] == "slurm"
    defaults = cfg["default-resources"]
    assert isinstance(defaults, dict)
    assert "HURTIG_SLURM_PARTITION" in defaults["slurm_partition"]
    assert "HURTIG_SLURM_ACCOUNT" in defaults["slurm_account"]
    for key in ("slurm-partition", "slurm-account", "partition", "account"):
        assert key not in cfg


def test_slurm_resources_grow_with_each_attempt() -> None:
    cfg = profile("slurm")
    set_resources = cfg["set-resources"]
    retries = cfg["retries"]
    assert isinstance(set_resources, dict) and isinstance(retries, int) and retries >= 1
    for rule, resources in set_resources.items():
        assert rule in rule_blocks(), f"set-resources names unknown rule {rule}"
        for key in ("mem_mb", "runtime"):
            assert "attempt" in resources[key], f"{rule}.{key} does not scale with attempt"


def test_every_tool_rule_declares_a_pinned_conda_env() -> None:
    missing, unpinned = [], []
    for name, body in rule_blocks().items():
        # run: blocks (the run files) execute inside Snakemake itself: no tool, no env possible
        if not re.search(r"^    (shell|script|wrapper):", body, flags=re.MULTILINE):
            continue
        match = re.search(r"^    conda:\n\s+\"([^\"]+)\"", body, flags=re.MULTILINE)
        if match is None:
            missing.append(name)
            continue
        env = (REPO / "workflow" / "rules" / match.group(1)).resolve()
        deps = yaml.safe_load(env.read_text())["dependencies"]
        unpinned += [f"{env.name}: {d}" for d in deps if not re.fullmatch(r"[\w.-]+=[\w.]+", d)]
    assert missing == []
    assert unpinned == []


@pytest.mark.parametrize("name", ["local", "slurm"])
def test_profile_builds_the_demo_dag(name: str, tmp_path: Path) -> None:
    # Catches unknown options and group cycles (a group left and re-entered) without a cluster.
    result = dry_run(tmp_path, cores=None, profile=REPO / "config" / "profiles" / name)
    assert result.returncode == 0, result.output[-3000:]
