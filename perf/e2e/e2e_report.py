"""Summarise perf/e2e/raw/*.json into the "End-to-end (issue 7)" section of RESULTS.md.

Only that section (from its heading to the next ``## `` heading) is replaced; other sections of
the file (e.g. "Annotation") are kept byte for byte.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import e2e_fit as fit
import e2elib

HEADING = "## End-to-end (issue 7)"


def load_runs(raw: Path) -> tuple[list[dict], dict[float, dict], dict]:
    """Runs, read statistics by depth, machine facts from a raw folder."""
    runs = [json.loads(p.read_text()) for p in sorted(raw.glob("*x_r*.json"))]
    if not runs:
        raise SystemExit(f"{raw}: no runs (*x_r*.json)")
    reads = {}
    for p in raw.glob("reads_*x.json"):
        depth = float(p.name.removeprefix("reads_").removesuffix("x.json"))
        reads[depth] = json.loads(p.read_text())
    machine_file = raw / "machine.json"
    machine = json.loads(machine_file.read_text()) if machine_file.exists() else {}
    return runs, reads, machine


def replace_section(document: str, section: str) -> str:
    """``document`` with the HEADING section replaced by ``section`` (appended when absent)."""
    lines = document.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == HEADING), None)
    if start is None:
        if not document or document.endswith("\n\n"):
            sep = ""
        else:
            sep = "\n" if document.endswith("\n") else "\n\n"
        return document + sep + section
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + section + ("\n" + tail if tail else "")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def stage_cpu(run: dict) -> dict[str, float]:
    """CPU seconds per stage of a full run."""
    out: dict[str, float] = {}
    for rule, cpu in run["full"]["cpu_by_rule"].items():
        stage = fit.stage_of(rule)
        out[stage] = out.get(stage, 0.0) + cpu
    return out


def _med(values: list[float]) -> float:
    return e2elib.median(values)


def _fmt(values: list[float], digits: int = 2) -> str:
    """Median, with the range and count when there is more than one value."""
    m = _med(values)
    if len(values) == 1:
        return f"{m:.{digits}f} (n=1)"
    return f"{m:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f}, n={len(values)})"


def _met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows] + [""]


class Summary:
    """Builds the markdown section from the raw runs."""

    def __init__(self, runs: list[dict], reads: dict[float, dict], machine: dict) -> None:
        """Group the runs by depth."""
        self.runs, self.reads, self.machine = runs, reads, machine
        self.depths = sorted({r["depth"] for r in runs})
        self.by_depth = {d: [r for r in runs if r["depth"] == d] for d in self.depths}
        self.nrep = min(len(v) for v in self.by_depth.values())
        self.shards = next(k for k in runs[0]["calling"] if k != "1")
        self.cores = int(machine.get("args", {}).get("cores", 2))
        self.goals: dict[str, tuple[str, str, bool]] = {}

    def intro(self) -> list[str]:
        """Command, machine, data and method."""
        m, args = self.machine, self.machine.get("args", {})
        if self.nrep >= 3:
            note = f"medians over {self.nrep} repeats"
        else:
            note = f"only {self.nrep} repeat(s), so NOT medians of ≥ 3 runs"
        depths = ", ".join(f"{d:g}x" for d in self.depths)
        return [
            HEADING,
            "",
            f"Command: `{m.get('command', 'bash perf/e2e/run.sh')}` (started "
            f"{m.get('started', '?')}, finished {m.get('finished', '?')}; all sizes and repeats "
            "in this one invocation, sizes interleaved within each repeat).",
            "",
            f"Machine: nproc {m.get('nproc')}, {m.get('mem_total_gb')} GiB RAM, shared with other "
            f"engineers' jobs and test runs. `uptime` at start: `{m.get('uptime_start', '?')}`; "
            f"at end: `{m.get('uptime_end', '?')}`. The 1-minute load before and after every "
            "measurement is in the raw JSON. With a load of 3–7 on 2 cores every absolute time is "
            "inflated, so only ratios measured back to back count.",
            "",
            "Data: the demo proband simulated by `hurtig.devtools.simulate_reads` on the real "
            f"GRCh38 chr21 sequence (1.17 Mbp of real bases) at depths {depths}. One sample, "
            f"panels `neuro_demo` and `epilepsy_demo`, `alignment.chunk_reads` "
            f"{args.get('chunk_reads', '?')}, `calling.shards` {self.shards}, `--cores "
            f"{self.cores}`. Values are {note}; (min–max, n) shown. Raw numbers are in "
            "`perf/e2e/raw/` (one JSON per depth and repeat, with every job's start, wall "
            "and CPU).",
            "",
            "Method: `perf/e2e/bash_env.sh` times every job shell from the inside (start "
            "and end to the microsecond, plus the CPU of the shell and its children via `times`). "
            "It is loaded through `BASH_ENV` for the benchmark only. Jobs and their dependencies "
            "(an input that is another job's output) come from the Snakemake log.",
            "",
        ]

    def g5(self) -> list[str]:
        """FASTQ -> CRAM vs bare bwa."""
        rows, last = [], 0.0
        for d in self.depths:
            rs = self.by_depth[d]
            ratio = [r["full"]["align_span"] / r["bwa"]["wall"] for r in rs]
            loads = [r["bwa"]["load_before"] for r in rs] + [r["full"]["load_after"] for r in rs]
            last = _med(ratio)
            rows.append(
                [
                    f"{d:g}x",
                    str(self.reads.get(d, {}).get("pairs", "?")),
                    _fmt([r["full"]["align_span"] for r in rs], 1),
                    _fmt([r["bwa"]["wall"] for r in rs], 1),
                    _fmt(ratio),
                    _fmt([r["full"]["align_job_wall"] / r["bwa"]["wall"] for r in rs]),
                    _fmt([r["full"]["align_cpu"] / r["bwa"]["cpu"] for r in rs]),
                    str(rs[0]["full"]["align_chunks"]),
                    f"{min(loads):.1f}–{max(loads):.1f}",
                ]
            )
        ok = last <= 1.10
        self.goals["G5 FASTQ→CRAM ÷ bare bwa (wall)"] = (f"{last:.2f}", "≤ 1.10", ok)
        miss = "" if ok else f", over by {last - 1.10:.2f}"
        header = ["depth", "read pairs", "pipeline align span (s)", "bare bwa (s)"]
        header += ["ratio (span)", "ratio (job walls)", "CPU ratio", "chunks", "load"]
        return [
            f"### G5: FASTQ → duplicate-marked CRAM ÷ bare `bwa mem -t {self.cores} ref r1 r2 > "
            "/dev/null`",
            "",
            *_table(header, rows),
            f"G5 at the largest size: **{last:.2f}** (target ≤ 1.10: {_met(ok)}{miss}). The span "
            "runs from the start of `trim_reads` (fastp) to the end of `mark_duplicates` and "
            "includes Snakemake's gaps between the jobs. 'Job walls' sums the jobs only. 'CPU "
            "ratio' is align-stage CPU ÷ bare bwa CPU, which is less sensitive to the load. The "
            "extra over bare bwa is fastp (a full read and write of the FASTQ), fixmate + sort, "
            "and markdup writing CRAM. They cost the same per read on any reference, while bwa "
            "costs far more per read on a real genome, so the ratio shrinks at genome scale "
            "(projected below).",
            "",
        ]

    def g7(self) -> list[str]:
        """Calling efficiency and F1 sharded vs unsharded."""
        rows, worst, eff, slot = [], 0.0, 0.0, 0.0
        for d in self.depths:
            rs = self.by_depth[d]
            cs = [r["calling"][self.shards] for r in rs]
            c1 = [r["calling"]["1"] for r in rs]
            dfs = [
                max(abs(a["accuracy"][k] - b["accuracy"][k]) for k in ("snv_f1", "indel_f1"))
                for a, b in zip(cs, c1, strict=True)
            ]
            worst = max(worst, *dfs)
            eff = _med([c["call_shard"]["cpu_eff"] for c in cs])
            slot = _med([c["call_shard"]["slot_eff"] for c in cs])
            a, b = cs[0]["accuracy"], c1[0]["accuracy"]
            rows.append(
                [
                    f"{d:g}x",
                    _fmt([c["call_shard"]["cpu_eff"] for c in cs]),
                    _fmt([c["call_shard"]["slot_eff"] for c in cs]),
                    _fmt([c["phase_cpu"] / self.cores / c["phase"] for c in cs]),
                    f"{_med([c['phase'] for c in cs]):.1f} / {_med([c['phase'] for c in c1]):.1f}",
                    f"{_med([c['phase_cpu'] for c in cs]):.1f} / "
                    f"{_med([c['phase_cpu'] for c in c1]):.1f}",
                    f"{a['snv_f1']:.4f} / {b['snv_f1']:.4f}",
                    f"{a['indel_f1']:.4f} / {b['indel_f1']:.4f}",
                    f"{max(dfs):.4f}",
                ]
            )
        self.slot = slot
        self.goals["G7 calling CPU efficiency"] = (f"{eff:.2f}", "≥ 0.85", eff >= 0.85)
        self.goals["G7 calling slot efficiency"] = (f"{slot:.2f}", "≥ 0.85", slot >= 0.85)
        self.goals["G7 ΔF1 sharded vs unsharded"] = (f"{worst:.4f}", "≤ 0.001", worst <= 0.001)
        header = ["depth", "call_shard CPU eff", "call_shard slot eff"]
        header += ["phase eff (make_shards→concat)", "phase wall N / 1 shard (s)"]
        header += ["phase CPU N / 1 shard (s)", "SNV F1 N / 1", "indel F1 N / 1", "max ΔF1"]
        return [
            f"### G7: calling parallel efficiency and F1, `calling.shards` {self.shards} vs 1",
            "",
            "Calling-only Snakemake runs (`results/calls/demo.vcf.gz`, `--forcerun make_shards`) "
            "on the CRAM of the full run, once per shard count; F1 by "
            "`hurtig.devtools.evaluate_calls` against the simulated truth (proband, whole real "
            "sequence).",
            "",
            *_table(header, rows),
            f"At the largest size: CPU efficiency **{eff:.2f}**, slot efficiency **{slot:.2f}** "
            f"(target ≥ 0.85: CPU {_met(eff >= 0.85)}, slot {_met(slot >= 0.85)}). F1 sharded vs "
            f"unsharded differs by at most **{worst:.4f}** over all runs (target ≤ 0.001: "
            f"{_met(worst <= 0.001)}). CPU efficiency = Σ call_shard CPU ÷ cores ÷ (first "
            "call_shard start → last call_shard end). Slot efficiency = Σ call_shard wall ÷ cores "
            "÷ the same phase: how well the balanced shards keep both job slots busy. On this "
            "shared machine other processes take CPU from running jobs, so a job's wall exceeds "
            "its CPU and the CPU efficiency is lowered by the load, not by the workflow. "
            "Sharding also costs CPU: each shard starts `bcftools mpileup` and reads the CRAM "
            "index and reference again (compare the phase CPU columns).",
            "",
        ]

    def g10(self) -> list[str]:
        """Orchestration overhead."""
        rows, last = [], 0.0
        xs, over_s = [], []
        for d in self.depths:
            rs = self.by_depth[d]
            chain = [r["full"]["schedule_chain"] for r in rs]
            ov = [100 * c["overhead"] / c["wall"] for c in chain]
            naive = [
                100 * (r["full"]["wall"] - r["full"]["dag_critical_path"]) / r["full"]["wall"]
                for r in rs
            ]
            last = _med(ov)
            xs.append(self.reads[d]["bases"] / 1e9)
            over_s.append(_med([c["overhead"] for c in chain]))
            rows.append(
                [
                    f"{d:g}x",
                    _fmt([r["full"]["wall"] for r in rs], 1),
                    f"{_med([c['busy'] for c in chain]):.1f}",
                    f"{_med([c['jobs'] for c in chain]):.0f}",
                    _fmt(ov, 1) + " %",
                    f"{_med([c['startup'] for c in chain]):.1f}",
                    f"{_med([c['overhead'] / c['jobs'] for c in chain]):.2f}",
                    _fmt([100 * r["full"]["idle"] / r["full"]["wall"] for r in rs], 1) + " %",
                    _fmt(naive, 1) + " %",
                ]
            )
        self.over_max = max(over_s)
        ok = last <= 2
        self.goals["G10 orchestration overhead"] = (f"{last:.1f} %", "≤ 2 %", ok)
        header = ["depth", "wall (s)", "schedule critical path Σ job walls (s)", "jobs on it"]
        header += ["overhead (gaps on it)", "start-up before 1st job (s)", "gap per job (s)"]
        header += ["idle (no job running)", "wall − DAG critical path"]
        return [
            "### G10: Snakemake orchestration overhead (full run, one sample)",
            "",
            *_table(header, rows),
            f"G10 at the largest size: **{last:.1f} %** (target ≤ 2 %: {_met(ok)}). The schedule "
            "critical path walks back from the job that finished last: each job's predecessor is "
            "the job that finished last before it started (its dependency, or the job that freed "
            "the cores). The gaps on that chain are the orchestration overhead: Snakemake start-up "
            "and DAG building, re-evaluation after the checkpoints (trim_reads, make_shards, "
            "resolve_panel), and job launch latency. 'Wall − DAG critical path' is the issue's "
            "literal definition. On 2 cores it also counts jobs queued for a free core, so it "
            "overstates the overhead. The overhead is nearly fixed per job (gap per job column), "
            "so its share falls as jobs get longer; the projection below extrapolates it.",
            "",
        ]

    def g11(self) -> list[str]:
        """Panel report vs genome-wide VCF."""
        rows, last = [], 0.0
        for d in self.depths:
            rs = self.by_depth[d]
            f = [r["full"] for r in rs]
            first = [min(x["panel_report_time"].values()) for x in f]
            latest = [max(x["panel_report_time"].values()) for x in f]
            vcf, cram = [x["vcf_time"] for x in f], [x["cram_time"] for x in f]
            ratio = [a / b for a, b in zip(latest, vcf, strict=True)]
            after = [(a - c) / (b - c) for a, b, c in zip(latest, vcf, cram, strict=True)]
            last = _med(ratio)
            rows.append(
                [
                    f"{d:g}x",
                    f"{_med(first):.1f} / {_med(latest):.1f}",
                    f"{_med(vcf):.1f}",
                    f"{_med(cram):.1f}",
                    _fmt(ratio),
                    _fmt(after),
                ]
            )
        ok = last <= 0.2
        self.goals["G11 panel report ÷ genome VCF"] = (f"{last:.2f}", "≤ 0.2", ok)
        header = ["depth", "first / last panel HTML (s)", "genome-wide VCF (s)"]
        header += ["CRAM done (s)", "ratio (last panel ÷ VCF)", "same, counted after the CRAM"]
        return [
            "### G11: time to the panel report ÷ time to the genome-wide VCF",
            "",
            "Times are file mtimes (`results/report/proband/<panel>.html`, "
            "`results/calls/demo.vcf.gz`) from the start of the Snakemake run.",
            "",
            *_table(header, rows),
            f"G11 at the largest size: **{last:.2f}** (target ≤ 0.2: {_met(ok)}). Both times "
            "include the whole alignment, which the panel cannot skip. At these sizes genome-wide "
            "calling takes seconds, while a panel report is a chain of jobs after the CRAM "
            "(panel coverage, prioritise, family checks, provenance, HTML) competing with PDF, "
            "XLSX and MultiQC jobs for 2 cores. So the report lands after or just before the VCF "
            "here. A ratio ≤ 0.2 needs calling and annotation of the whole genome to dominate "
            "the run after alignment. That happens only at genome scale with many shards, so this "
            "benchmark cannot show it on 1.17 Mbp. The workflow test of panel-first ordering "
            "(tests/e2e/test_panel_first.py) checks the scheduling itself.",
            "",
        ]

    def projection(self) -> list[str]:
        """30x genome CPU and wall from per-Gbp fits."""
        depths, by = self.depths, self.by_depth
        xs = [self.reads[d]["bases"] / 1e9 for d in depths]
        med_stage: dict[float, dict[str, float]] = {}
        for d in depths:
            stages = [stage_cpu(r) for r in by[d]]
            keys = {k for st in stages for k in st}
            med_stage[d] = {k: _med([st.get(k, 0.0) for st in stages]) for k in keys}
        fits = {
            s: fit.linear_fit(xs, [med_stage[d].get(s, 0.0) for d in depths])
            for s in fit.READ_SCALED
        }
        bwa_fit = fit.linear_fit(xs, [_med([r["bwa"]["cpu"] for r in by[d]]) for d in depths])
        serial = [
            _med(
                [sum(r["full"]["cpu_by_rule"].get(k, 0.0) for k in fit.SERIAL_RULES) for r in by[d]]
            )
            for d in depths
        ]
        serial_fit = fit.linear_fit(xs, serial)
        wall_fit = fit.linear_fit(xs, [_med([r["full"]["wall"] for r in by[d]]) for d in depths])
        top = depths[-1]
        variants = _med([r["full"]["variants"] for r in by[top]])
        ann = med_stage[top].get("annotate", 0.0)
        report_cpu = med_stage[top].get("report", 0.0)
        eff = min(max(getattr(self, "slot", 1.0), 0.1), 1.0)
        proj = fit.project_genome(fits, ann / variants, report_cpu, bwa_fit, serial_fit, eff)
        named = [(f"stage {s}: {', '.join(fit.STAGES[s][:3])}", fits[s]) for s in fit.READ_SCALED]
        named += [("bare `bwa mem` (same reads)", bwa_fit)]
        named += [("serial rules: mark_duplicates, concat_calls, concat_annotated", serial_fit)]
        named += [("full-run wall on 2 cores (s, not CPU)", wall_fit)]
        rows = [
            [
                name,
                f"{f.a:.1f}",
                f"{f.b:.0f}",
                f"{f.r2:.4f}",
                f"{100 * f.max_rel_residual:.1f} %",
                f"{f.at(fit.GENOME_READ_GBP) / 3600:.1f}",
            ]
            for name, f in named
        ]
        ok = proj["cpu_h_published_bwa"] <= 140
        self.goals["G9 core-h per 30x genome (published bwa rate)"] = (
            f"{proj['cpu_h_published_bwa']:.0f}",
            "≤ 140",
            ok,
        )
        prows = [
            [
                "measured rates (bwa on the 1.17 Mbp reference)",
                f"{proj['cpu_h']:.0f}",
                f"{proj['wall_h_1node']:.1f} h",
                f"{proj['wall_h_16node']:.2f} h",
            ],
            [
                "bwa swapped for the published 1.05 core-h/Gbp, the rest as measured",
                f"{proj['cpu_h_published_bwa']:.0f}",
                f"{proj['wall_h_1node_published_bwa']:.1f} h",
                f"{proj['wall_h_16node_published_bwa']:.2f} h",
            ],
        ]
        extra = fits["align"].at(fit.GENOME_READ_GBP) - bwa_fit.at(fit.GENOME_READ_GBP)
        bwa_pub = fit.PUBLISHED_BWA_CORE_H_PER_GBP * 3600 * fit.GENOME_READ_GBP
        g5_proj = (bwa_pub + extra) / bwa_pub
        bwa_speed = fit.PUBLISHED_BWA_CORE_H_PER_GBP * 3600 / bwa_fit.b if bwa_fit.b > 0 else 0
        over = getattr(self, "over_max", 0.0)
        g10_proj = 100 * over / (proj["wall_h_1node_published_bwa"] * 3600)
        header = ["quantity (CPU s unless noted)", "a (s)", "b (s per read Gbp)", "R²"]
        header += ["worst residual", "at 93 Gbp (h)"]
        lin = min(f.r2 for _, f in named)
        return [
            "### Projection to a 30x genome (93 Gbp of reads on a 3.1 Gbp reference)",
            "",
            "Fits of time = a + b · size (size = read Gbp) over the per-depth medians. R² and the "
            "worst relative residual check linearity (with only 2 sizes the fit is exact and "
            f"says nothing about linearity). Lowest R² here: {lin:.4f}.",
            "",
            *_table(header, rows),
            f"Annotation: {ann:.1f} CPU s for {variants:.0f} variant records ("
            f"{1e3 * ann / variants:.2f} ms per record, per-job start-up included) scaled to 4.5 M "
            f"records. Per-sample panel, report and check jobs: {report_cpu:.0f} CPU s, taken as "
            "measured (they depend on the panels, not on the genome size).",
            "",
            *_table(
                ["projection", "core-hours", "wall, 1 node × 32", "wall, 16 nodes × 32"], prows
            ),
            f"G9 (≤ 140 core-h): {_met(ok)} on the realistic row "
            f"({proj['cpu_h_published_bwa']:.0f} core-h). The measured-rate row "
            f"({proj['cpu_h']:.0f}) is optimistic. The walls assume that the per-sample serial "
            f"rules ({proj['serial_h']:.2f} h projected) run on one core, and that everything "
            f"else spreads over the cores at the measured calling slot efficiency ({eff:.2f}). "
            "More nodes cannot shorten the serial part, which bounds the 16-node wall. They "
            "also assume that the workflow's parallel parts scale: alignment by read chunks "
            "(`alignment.chunk_reads`), calling and annotation by shards.",
            "",
            "Extrapolated ratios at genome scale: G5 as CPU, (published bwa + our align-stage "
            f"extras over bare bwa, fitted) ÷ published bwa = **{g5_proj:.2f}** (bwa here runs "
            f"{bwa_speed:.1f}× faster per Gbp than the published rate). G10: the largest measured "
            f"overhead ({over:.1f} s) ÷ the realistic 1-node wall = **{g10_proj:.2f} %**, "
            "assuming the overhead stays per job and the schedule's critical chain keeps its "
            "length (read chunks and shards run side by side, not on the chain). Neither can be "
            "confirmed on the small reference.",
            "",
            "What the small data make optimistic:",
            "",
            "1. The 1.17 Mbp reference and its bwa index fit in the CPU cache. Reads from a tiny "
            "genome have no repeats, decoys or alt contigs. So bwa's per-Gbp rate here is far "
            "better than on GRCh38; the realistic row uses the published rate instead.",
            "2. Simulated reads are clean (few adapters, no optical duplicates), which flatters "
            "fastp and markdup.",
            "3. Sort spills nothing to disk at these sizes, while a 30x genome sorts ~100 GB of "
            "BAM. Merge + markdup is one stream per sample and becomes the serial tail.",
            "4. Depth and variant density are uniform, so shards balance better than on a real "
            "genome with centromeres and segmental duplications.",
            "5. Annotation per record comes from a few thousand records with per-job start-up "
            "included, which is pessimistic rather than optimistic.",
            "",
        ]

    def memory(self) -> list[str]:
        """Peak RSS."""
        rss: dict[str, float] = {}
        for r in self.runs:
            for rule, v in r["full"]["max_rss_mb"].items():
                rss[rule] = max(rss.get(rule, 0.0), v)
        bwa_rss = max(r["bwa"]["max_rss_mb"] for r in self.runs)
        top = sorted(rss.items(), key=lambda kv: -kv[1])[:8]
        return [
            "### Peak memory",
            "",
            f"Peak RSS over all runs (MB): bare bwa {bwa_rss:.0f} (`/usr/bin/time`); per rule "
            "(Snakemake's sampled `max_rss`, which can miss very short jobs): "
            + ", ".join(f"{k} {v:.0f}" for k, v in top)
            + ".",
            "",
        ]

    def summary(self) -> list[str]:
        """Goal table."""
        rows = [[g, v, t, _met(ok)] for g, (v, t, ok) in self.goals.items()]
        return ["### Summary", "", *_table(["goal", "measured", "target", "status"], rows)]

    def render(self) -> str:
        """The whole section."""
        parts = [self.intro(), self.g5(), self.g7(), self.g10(), self.g11(), self.projection()]
        parts += [self.memory(), self.summary()]
        return "\n".join(line for part in parts for line in part)


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True, help="perf/e2e/raw folder")
    parser.add_argument("--out", type=Path, required=True, help="RESULTS.md to update")
    args = parser.parse_args(argv)
    runs, reads, machine = load_runs(args.raw)
    section = Summary(runs, reads, machine).render()
    old = args.out.read_text() if args.out.exists() else "# Benchmark results\n"
    write_atomic(args.out, replace_section(old, section))
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
