"""Genome-scale rehearsal (issue 17, item 3): the whole pipeline on GRCh38-shaped genomes.

For each scale (fraction of GRCh38, e.g. 1/1000, 1/300, 1/100) this makes the rehearsal genome
and 30x reads (``hurtig make-rehearsal-genome``, cached), builds the reference indexes untimed
(once per reference, not per genome), then in a fresh run folder:

1. the full pipeline for ONE sample (the proband) with every job shell timed by
   ``perf/e2e/bash_env.sh`` (the issue-7 machinery: ``perf/e2e/bench.py``'s ``snakemake``);
2. bare ``bwa mem -t N ref r1 r2 > /dev/null`` on the same reads;
3. the fraction of primary alignments with MAPQ >= 20 in the pipeline's CRAM.

Raw numbers: ``<raw>/scale_<1/s>.json`` (and ``trio_<1/s>.json`` for ``--trio``);
``report.py`` turns them into the "Genome-scale rehearsal" section of perf/RESULTS.md.
Usage: ``python perf/rehearsal/rehearsal_bench.py --scales 1000,500,300 [--trio 1000]``
(``perf/rehearsal/run.sh`` runs everything).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import bench as e2e  # perf/e2e/bench.py (PYTHONPATH set by run.sh)
import e2elib

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PY = REPO / ".venv" / "bin" / "python"
ALIGN_RULES = {"trim_reads", "align_reads", "mark_duplicates"}
PANEL = "rehearsal"
FAMILY = "rehearsal"


def sh(cmd: str) -> str:
    """Output of a bash command line (fails loudly)."""
    return subprocess.run(
        cmd, shell=True, check=True, capture_output=True, text=True, executable="/bin/bash"
    ).stdout


def make_genome(
    scale: int, depth: float, samples: str, shards: int, workdir: Path, chunk: int
) -> Path:
    """Rehearsal genome at 1/scale with reads (cached) and a bench config; returns its folder."""
    out = workdir / f"{samples}_{scale}"
    if not (out / "summary.json").exists():
        subprocess.run(
            [
                *(str(PY), "-m", "hurtig", "make-rehearsal-genome"),
                *("--demo-dir", str(REPO / "resources" / "demo"), "--outdir", str(out)),
                *("--scale", str(1 / scale), "--depth", str(depth), "--samples", samples),
                *("--shards", str(shards), "--threads", "2"),
                *("--config", str(REPO / "config" / "config.yaml")),
            ],
            check=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "scripts")},
        )
    text = (out / "config.yaml").read_text()
    lines = [
        f"  chunk_reads: {chunk}" if line.strip().startswith("chunk_reads:") else line
        for line in text.splitlines()
    ]
    (out / "config_bench.yaml").write_text("\n".join(lines) + "\n")
    # the same run with the fast path's read screen (docs/FAST_PATH.md)
    if "fast_path:" in text:
        raise RuntimeError(f"{out}/config.yaml has a fast_path section already")
    screen = [*lines, "fast_path:", "  screen_reads: true"]
    (out / "config_bench_screen.yaml").write_text("\n".join(screen) + "\n")
    return out


def read_stats(genome: Path, sample: str = "proband") -> dict[str, int]:
    """Read pairs and read bases of a sample's FASTQ pair."""
    bases, reads = 0, 0
    for mate in (1, 2):
        n, b = sh(
            f"zcat '{genome}/reads/{sample}_R{mate}.fastq.gz'"
            " | awk 'NR%4==2{b+=length($0)} END{print NR/4, b}'"
        ).split()
        reads, bases = reads + int(float(n)), bases + int(b)
    return {"pairs": reads // 2, "bases": bases}


def build_indexes(genome: Path, rundir: Path) -> None:
    """Reference indexes through the pipeline's own rules, untimed (once per reference)."""
    fasta = genome / "reference" / "genome.fa.gz"
    subprocess.run(
        [
            *(str(REPO / ".venv" / "bin" / "snakemake"), "-s", str(REPO / "Snakefile")),
            *("--configfile", str(genome / "config_bench.yaml"), "--cores", "2", f"{fasta}.bwt"),
        ],
        cwd=rundir,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def bare_bwa(genome: Path, cores: int) -> dict[str, float]:
    """Wall, CPU and peak RSS of bare ``bwa mem`` on the proband's reads (perf/e2e/bench.py)."""
    return e2e.bare_bwa(genome / "reads", cores, genome / "reference" / "genome.fa.gz")


def mapq(cram: Path, fasta: Path) -> dict[str, float]:
    """Primary mapped reads and the fraction with MAPQ >= 20 (and >= 1)."""
    base = f"samtools view -c -T '{fasta}' -F 0x904 '{cram}'"
    total = int(sh(base))
    q20 = int(sh(base.replace("-c", "-c -q 20")))
    q1 = int(sh(base.replace("-c", "-c -q 1")))
    return {"mapped": total, "mapq20": q20 / total, "mapq1": q1 / total}


def accuracy(genome: Path, rundir: Path) -> dict[str, float]:
    """Proband SNV and indel F1 against the simulated truth (perf/e2e/bench.py's evaluate)."""
    return e2e.evaluate(
        rundir / "results" / "calls" / f"{FAMILY}.vcf.gz",
        genome / "truth" / "trio_truth.vcf.gz",
        rundir / "eval_proband.json",
        fasta=genome / "reference" / "genome.fa.gz",
    )


def run_metrics(run: dict, rundir: Path, samples: list[str], cores: int) -> dict:
    """Timing metrics of a full run (same definitions as perf/e2e/bench.py)."""
    jobs = run["jobs"]
    start = run["start"]
    a_start, a_end = e2elib.rule_span(jobs, ALIGN_RULES)
    align_jobs = [j for j in jobs.values() if j.rule in ALIGN_RULES]
    res = rundir / "results"
    reports = sorted((res / "report" / "proband").glob("*.html"))
    return {
        "wall": run["end"] - start,
        "load_before": run["load_before"],
        "load_after": run["load_after"],
        "untimed_jobs": run["untimed"],
        "align_span": a_end - a_start,
        "align_job_wall": sum(j.wall for j in align_jobs),
        "align_cpu": sum(j.cpu for j in align_jobs),
        "dag_critical_path": e2elib.dag_critical_path(jobs)[0],
        "schedule_chain": e2elib.schedule_chain(jobs, start, run["end"]),
        "idle": e2elib.idle_time(jobs, start, run["end"]),
        "call_shard_eff": e2elib.parallel_efficiency(jobs, "call_shard", cores),
        "panel_report_time": {p.stem: p.stat().st_mtime - start for p in reports},
        # the panel fast path's preliminary reports (docs/FAST_PATH.md), when the run made them
        "preliminary_report_time": {
            p.stem: p.stat().st_mtime - start
            for p in sorted((res / "report" / "proband" / "preliminary").glob("*.html"))
        },
        "vcf_time": (res / "calls" / f"{FAMILY}.vcf.gz").stat().st_mtime - start,
        "cram_time": {
            s: (res / "alignment" / f"{s}.cram").stat().st_mtime - start for s in samples
        },
        "variants": int(sh(f"bcftools view -H '{res}/calls/{FAMILY}.vcf.gz' | wc -l")),
        "cpu_by_rule": e2elib.cpu_by_rule(jobs),
        "max_rss_mb": e2e.max_rss(rundir),
        "jobs": e2e.job_table(run),
        "n_jobs": len(jobs),
    }


def screen_metrics(run: dict, rundir: Path, fasta: Path) -> dict:
    """The read screen (fast_path.screen_reads): pairs read and kept, its CPU, and its recall.

    Recall: of the primary reads the genome path aligned with MAPQ >= 20 over the fast path's
    calling regions (the proband's CRAM), the fraction in the fast path's BAM (the screened
    pairs aligned, over the read regions).
    """
    stats = [json.loads(p.read_text()) for p in (rundir / "results/fast/screen").rglob("*.json")]
    jobs = [j for j in run["jobs"].values() if j.rule == "screen_reads"]
    res = rundir / "results"
    bed = res / "fast" / "_regions" / f"{FAMILY}.call.bed"
    genome = sh(
        f"samtools view -F 0x900 -q 20 -L '{bed}' -T '{fasta}'"
        f" '{res}/alignment/proband.cram' | cut -f1 | sort -u"
    ).split()
    fast = set(sh(f"samtools view -F 0x900 '{res}/fast/alignment/proband.bam' | cut -f1").split())
    pairs = sum(s["pairs"] for s in stats)
    return {
        "pairs": pairs,
        "kept": sum(s["kept"] for s in stats),
        "screen_seconds": sum(s["seconds"] for s in stats),
        "job_cpu": sum(j.cpu for j in jobs),
        "job_wall": sum(j.wall for j in jobs),
        "kmers": stats[0]["kmers"] if stats else 0,
        "recall_reads": len(genome),
        "recall_kept": sum(name in fast for name in genome),
        "align_screened_cpu": sum(
            j.cpu for j in run["jobs"].values() if j.rule == "align_screened_reads"
        ),
    }


def one_size(args: argparse.Namespace, scale: int, samples: str) -> dict:
    """Genome, full timed run, bare bwa and MAPQ at 1/scale."""
    genome = make_genome(scale, args.depth, samples, args.shards, args.workdir, args.chunk_reads)
    names = json.loads((genome / "summary.json").read_text())["samples"]
    suffix = "_screen" if args.screen_reads else ""
    rundir = args.workdir / "runs" / f"{samples}_{scale}{suffix}"
    if rundir.exists():
        shutil.rmtree(rundir)
    rundir.mkdir(parents=True)
    build_indexes(genome, rundir)
    print(f"[rehearsal] 1/{scale} {samples}: full run", flush=True)
    config = genome / f"config_bench{suffix}.yaml"
    full = e2e.snakemake(rundir, config, "full", args.cores)
    fasta = genome / "reference" / "genome.fa.gz"
    result = {
        "scale": scale,
        "samples": names,
        "summary": json.loads((genome / "summary.json").read_text()),
        "reads": read_stats(genome),
        "shards": args.shards,
        "chunk_reads": args.chunk_reads,
        "full": run_metrics(full, rundir, names, args.cores),
        "mapq": mapq(rundir / "results" / "alignment" / "proband.cram", fasta),
        "accuracy": accuracy(genome, rundir),
    }
    if args.screen_reads:
        result["screen"] = screen_metrics(full, rundir, fasta)
    if samples == "proband" and not args.no_bwa:
        print(f"[rehearsal] 1/{scale}: bare bwa", flush=True)
        result["bwa"] = bare_bwa(genome, args.cores)
    return result


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1000,500,300", help="denominators of GRCh38 size")
    parser.add_argument("--trio", default="", help="denominator for one trio run (optional)")
    parser.add_argument("--depth", type=float, default=30.0)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--shards", type=int, default=16, help="calling.shards of the runs")
    parser.add_argument("--chunk-reads", type=int, default=0, help="alignment.chunk_reads")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/hurtig-rehearsal"))
    parser.add_argument("--raw", type=Path, default=HERE / "raw")
    parser.add_argument(
        "--screen-reads", action="store_true", help="fast_path.screen_reads on (raw *_screen.json)"
    )
    parser.add_argument("--no-bwa", action="store_true", help="skip the bare bwa run")
    args = parser.parse_args(argv)
    args.raw.mkdir(parents=True, exist_ok=True)
    todo = [(int(s), "proband") for s in args.scales.split(",") if s]
    todo += [(int(args.trio), "trio")] if args.trio else []
    for scale, samples in todo:
        result = one_size(args, scale, samples)
        result["machine"] = {
            "nproc": os.cpu_count(),
            "command": " ".join(
                ["python perf/rehearsal/rehearsal_bench.py", *(argv or sys.argv[1:])]
            ),
            "finished": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        }
        suffix = "_screen" if args.screen_reads else ""
        name = f"{'scale' if samples == 'proband' else 'trio'}_{scale}{suffix}.json"
        (args.raw / name).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
