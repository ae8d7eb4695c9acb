"""Panel first: the panel report needs exactly its shards and is written before the genome is done.

The panel report depends on exactly the shards it needs and is written before the rest of the
genome is called (one core, so the job order is the scheduler's priority order).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from builders import job_start, run_workflow
from hurtig.calling.regions import overlapping_shards

pytestmark = pytest.mark.e2e


def job_order(log: str) -> list[tuple[str, dict[str, str]]]:
    """(rule, wildcards) of every job in the order Snakemake started them."""
    jobs: list[tuple[str, dict[str, str]]] = []
    for line in log.splitlines():
        started = job_start(line)
        if started:
            jobs.append((started, {}))
        elif line.startswith("    wildcards:") and jobs:
            for item in line.split(":", 1)[1].split(","):
                key, _, value = item.strip().partition("=")
                jobs[-1][1][key] = value
    return jobs


def test_panel_report_before_last_non_panel_shard(demo_run: Path, tmp_path: Path) -> None:
    # Reuse the demo's alignments; calling onwards runs again, on one core.
    for part in ("alignment", "qc/fastp", "qc/markdup"):
        shutil.copytree(demo_run / "results" / part, tmp_path / "results" / part)
    result = run_workflow(tmp_path, cores=1)
    log = result.output
    assert result.returncode == 0, log[-4000:]
    order = job_order(log)
    assert not any(rule in ("align_reads", "mark_duplicates") for rule, _ in order)

    shards = {p.stem.removeprefix("shard_"): p for p in (tmp_path / "results/shards").glob("*.bed")}
    panel_beds = sorted((tmp_path / "results/panels/_regions").glob("*.bed"))
    needed = set(overlapping_shards(shards, panel_beds))
    assert 0 < len(needed) < len(shards), (needed, sorted(shards))

    # the panel's VCF is built from exactly the shards it overlaps
    gathered = subprocess.run(
        ["bcftools", "view", "-h", str(tmp_path / "results/panels/_vcf/demo/neuro_demo.vcf.gz")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    concat_inputs = re.findall(r"annotated/shards/demo/(\d{4})\.vcf\.gz", gathered)
    neuro = set(overlapping_shards(shards, [tmp_path / "results/panels/_regions/neuro_demo.bed"]))
    assert set(concat_inputs) == neuro

    position = {(rule, w.get("shard"), w.get("panel")): i for i, (rule, w) in enumerate(order)}
    first_report = min(i for (rule, _, _), i in position.items() if rule == "render_report")
    panel_calls = [
        i for (rule, shard, _), i in position.items() if rule == "call_shard" and shard in needed
    ]
    other_calls = [
        i
        for (rule, shard, _), i in position.items()
        if rule == "call_shard" and shard not in needed
    ]
    assert max(panel_calls) < first_report, order
    assert max(other_calls) > first_report, order  # the genome was still being called
    genome_vcf = min(i for (rule, _, _), i in position.items() if rule == "concat_calls")
    assert first_report < genome_vcf
