"""Summarise benchmark runs (tool, repeat, wall s, peak RSS kB) into a Markdown table."""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=Path, required=True)
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--commands", default="")
    args = ap.parse_args()
    walls: dict[str, list[float]] = defaultdict(list)
    rss: dict[str, list[int]] = defaultdict(list)
    for line in args.runs.read_text().splitlines():
        tool, _, wall, kb = line.split("\t")
        walls[tool].append(float(wall))
        rss[tool].append(int(kb))
    med = {t: statistics.median(v) for t, v in walls.items()}
    rows = [
        "| tool | runs | median wall (s) | records/s | peak RSS (MB) | wall ÷ bcftools csq |",
        "|---|---|---|---|---|---|",
    ]
    csq = med.get("bcftools_csq")
    for tool, wall in med.items():
        ratio = f"{wall / csq:.2f}" if csq else "n/a"
        rows.append(
            f"| {tool} | {len(walls[tool])} | {wall:.1f} | {args.records / wall:,.0f} | "
            f"{max(rss[tool]) / 1024:.0f} | {ratio} |"
        )
    ratios = []
    if csq and "ours" in med:
        ratios.append(f"- G1 (ours full step ÷ bcftools csq): **{med['ours'] / csq:.2f}** (target ≤ 1.0)")
    if "snpeff" in med and "ours" in med:
        ratios.append(f"- G3 (ours ÷ snpEff): **{med['ours'] / med['snpeff']:.2f}** (target ≤ 0.2)")
    if "bcftools_annotate_freq" in med and "ours_freq" in med:
        ratios.append(
            f"- frequency part (ours gnomAD only ÷ bcftools annotate): "
            f"**{med['ours_freq'] / med['bcftools_annotate_freq']:.2f}**"
        )
    if "vcfanno" in med and "ours" in med:
        ratios.append(f"- ours full step ÷ vcfanno (gnomAD+ClinVar only): **{med['ours'] / med['vcfanno']:.2f}**")
    text = "\n".join([
        "# Benchmarks", "", "## Annotation (issue 3)", "",
        f"Input: {args.records:,} records, single sample, synthetic genome (demo GRCh38 chr21 window "
        "and its Ensembl genes replicated; see benchmarks/annotation/synth.py); "
        f"{args.threads} threads for every tool that takes them; machine: 2 cores. "
        "Command: `bash benchmarks/annotation/run.sh`. Raw numbers: benchmarks/annotation/results/.",
        "", *rows, "", *ratios, "", "Commands:", "", "```", args.commands, "```", "",
    ])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.is_file():  # replace only our section; keep the others (e.g. end-to-end)
        old = args.out.read_text()
        head = "## Annotation (issue 3)"
        if head in old:
            before, _, after = old.partition(head)
            rest = after.find("\n## ")
            section = text.split(head, 1)[1]
            text = before + head + section.rstrip("\n") + "\n" + (after[rest:] if rest != -1 else "")
        else:
            text = old.rstrip("\n") + "\n\n" + text.split("\n", 2)[2]
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
