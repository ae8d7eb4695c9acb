"""Summarise benchmark runs (tool, repeat, wall s, peak RSS kB[, CPU s]) into a Markdown table.

CPU seconds (user + system, children included) are reported next to wall time: on a shared
machine wall time also measures the other jobs, CPU time much less so.
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


def time_v(path: Path) -> dict[str, float]:
    """Wall s, CPU s and peak RSS kB from a ``/usr/bin/time -v`` report."""
    out = {"wall": 0.0, "cpu": 0.0, "rss": 0.0}
    for line in path.read_text().splitlines():
        key, _, value = line.strip().partition(": ")
        if key.startswith("Elapsed (wall clock)"):
            secs = 0.0
            for part in value.split(":"):
                secs = secs * 60 + float(part)
            out["wall"] = secs
        elif key in ("User time (seconds)", "System time (seconds)"):
            out["cpu"] += float(value)
        elif key.startswith("Maximum resident"):
            out["rss"] = float(value)
    return out


@dataclass
class Runs:
    """Per tool: wall seconds and peak RSS (kB) of every run, CPU seconds where recorded."""

    walls: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    rss: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    cpus: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    @property
    def med(self) -> dict[str, float]:
        """Median wall seconds per tool, in first-run order."""
        return {t: statistics.median(v) for t, v in self.walls.items()}

    @property
    def med_cpu(self) -> dict[str, float]:
        """Median CPU seconds per tool that has them."""
        return {t: statistics.median(v) for t, v in self.cpus.items()}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=Path, required=True)
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--commands", default="")
    ap.add_argument("--note", default="", help="free text added under the ratios (Markdown)")
    ap.add_argument(
        "--cache-build", type=Path, help="/usr/bin/time -v output of hurtig prepare-source"
    )
    ap.add_argument("--cache-dir", type=Path, help="the prepared sources (for their size)")
    return ap.parse_args(argv)


def read_runs(path: Path) -> Runs:
    """The runs table written by run.sh: tool, repeat, wall s, peak RSS kB[, CPU s]."""
    runs = Runs()
    for line in path.read_text().splitlines():
        tool, _, wall, kb, *cpu = line.split("\t")
        runs.walls[tool].append(float(wall))
        runs.rss[tool].append(int(kb))
        if cpu and cpu[0]:
            runs.cpus[tool].append(float(cpu[0]))
    return runs


def table_rows(runs: Runs, records: int) -> list[str]:
    """The Markdown table: one row per tool, ratios to bcftools csq."""
    med, med_cpu = runs.med, runs.med_cpu
    rows = [
        "| tool | runs | median wall (s) | records/s | peak RSS (MB) | wall ÷ bcftools csq "
        "| median CPU (s) | CPU ÷ bcftools csq CPU |",
        "|---|---|---|---|---|---|---|---|",
    ]
    csq = med.get("bcftools_csq")
    csq_cpu = med_cpu.get("bcftools_csq")
    for tool, wall in med.items():
        ratio = f"{wall / csq:.2f}" if csq else "n/a"
        cpu_s = f"{med_cpu[tool]:.1f}" if tool in med_cpu else "n/a"
        cpu_ratio = f"{med_cpu[tool] / csq_cpu:.2f}" if tool in med_cpu and csq_cpu else "n/a"
        rows.append(
            f"| {tool} | {len(runs.walls[tool])} | {wall:.1f} | {records / wall:,.0f} | "
            f"{max(runs.rss[tool]) / 1024:.0f} | {ratio} | {cpu_s} | {cpu_ratio} |"
        )
    return rows


def goal_ratios(runs: Runs) -> list[str]:
    """The goal ratios (G1, G3, frequency part, no cache) as Markdown list items."""
    med, med_cpu = runs.med, runs.med_cpu
    csq, csq_cpu = med.get("bcftools_csq"), med_cpu.get("bcftools_csq")
    ratios = []
    if csq and "ours" in med:
        g1 = med["ours"] / csq
        met = "met" if g1 <= 1.0 else "NOT met"
        cpu = ""
        if csq_cpu and "ours" in med_cpu:
            cpu = f"; CPU time ratio {med_cpu['ours'] / csq_cpu:.2f}"
        ratios.append(
            f"- G1 (ours full step ÷ bcftools csq): **{g1:.2f}** (target ≤ 1.0: {met}{cpu})"
        )
    if "snpeff" in med and "ours" in med:
        g3 = med["ours"] / med["snpeff"]
        met = "met" if g3 <= 0.2 else "NOT met"
        ratios.append(f"- G3 (ours ÷ snpEff): **{g3:.2f}** (target ≤ 0.2: {met})")
    if "bcftools_annotate_freq" in med and "ours_freq" in med:
        ratios.append(
            f"- frequency part (ours gnomAD only ÷ bcftools annotate): "
            f"**{med['ours_freq'] / med['bcftools_annotate_freq']:.2f}**"
        )
    if "ours_nocache" in med and csq:
        ratios.append(
            f"- ours full step reading the source files (no prepared cache) ÷ bcftools csq: "
            f"**{med['ours_nocache'] / csq:.2f}**"
        )
    return ratios


def cache_line(cache_build: Path, cache_dir: Path | None) -> str:
    """The one-time source preparation: time, CPU, memory and size on disk."""
    t = time_v(cache_build)
    size = ""
    if cache_dir and cache_dir.is_dir():
        total = sum(p.stat().st_size for p in cache_dir.rglob("*") if p.is_file())
        size = f", {total / 1e6:,.0f} MB on disk"
    return (
        f"- one-time preparation of the sources (hurtig prepare-source, gnomAD + ClinVar + CADD, "
        f"once per source release, not per genome): {t['wall']:.1f} s wall, "
        f"{t['cpu']:.1f} s CPU, peak RSS {t['rss'] / 1024:.0f} MB{size}"
    )


def render(args: argparse.Namespace, runs: Runs) -> str:
    """The whole "Annotation (issue 3)" document, headed "# Benchmarks"."""
    med = runs.med
    ratios = goal_ratios(runs)
    if args.cache_build and args.cache_build.is_file():
        ratios.append(cache_line(args.cache_build, args.cache_dir))
    if "vcfanno" in med and "ours" in med:
        ratios.append(
            f"- ours full step ÷ vcfanno (gnomAD+ClinVar only): "
            f"**{med['ours'] / med['vcfanno']:.2f}**"
        )
    intro = (
        f"Input: {args.records:,} records, single sample, synthetic genome (demo GRCh38 chr21 "
        "window and its Ensembl genes replicated; see perf/annotation/synth.py); "
        f"{args.threads} threads for every tool that takes them; machine: 2 cores. "
        "Command: `bash perf/annotation/run.sh`. Raw numbers: perf/annotation/results/. "
        "CPU = user + system seconds of the command and its child processes (less sensitive "
        "than wall time to other jobs on a shared machine)."
    )
    note = ["", args.note] if args.note else []
    commands = ["", "Commands:", "", "```", args.commands, "```", ""]
    head = ["# Benchmarks", "", "## Annotation (issue 3)", "", intro, ""]
    return "\n".join([*head, *table_rows(runs, args.records), "", *ratios, *note, *commands])


def splice(old: str, text: str) -> str:
    """Replace only the annotation section of an existing RESULTS.md; keep the others."""
    head = "## Annotation (issue 3)"
    if head not in old:
        return old.rstrip("\n") + "\n\n" + text.split("\n", 2)[2]
    before, _, after = old.partition(head)
    rest = after.find("\n## ")
    section = text.split(head, 1)[1]
    return before + head + section.rstrip("\n") + "\n" + (after[rest:] if rest != -1 else "")


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or update the annotation section of) the results file and print it."""
    args = parse_args(argv)
    text = render(args, read_runs(args.runs))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.is_file():  # replace only our section; keep the others (e.g. end-to-end)
        text = splice(args.out.read_text(), text)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
