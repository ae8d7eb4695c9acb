"""Smoke test of the annotation benchmark (tiny, ours and bcftools only) so it cannot rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_benchmark_smoke(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        ["bash", str(REPO / "perf/annotation/run.sh"), "--records", "2000",
         "--repeats", "1", "--no-snpeff", "--no-vcfanno", "--work", str(tmp_path / "work"),
         "--results", str(results)],
        capture_output=True, text=True, check=False, env={"PYTHON": sys.executable,
                                                           "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = results.read_text()
    tools = ("ours", "bcftools_csq", "ours_freq", "bcftools_annotate_freq", "ours_nocache")
    for tool in tools:
        assert f"| {tool} |" in text
    assert "G1 (ours full step ÷ bcftools csq)" in text
    assert "one-time preparation of the sources" in text
    runs = (tmp_path / "raw" / "runs.tsv").read_text().splitlines()
    assert len(runs) == len(tools) and all(float(r.split("\t")[2]) > 0 for r in runs)
    # The cached and uncached runs write the same records.
    out = tmp_path / "work" / "out"
    bodies = [
        subprocess.run(
            ["bcftools", "view", "-H", str(out / name)], capture_output=True, check=True
        ).stdout
        for name in ("ours.vcf.gz", "ours_nocache.vcf.gz")
    ]
    assert bodies[0] == bodies[1] and bodies[0].count(b"GNOMAD_AF=") > 100
