"""DAG size and Snakemake's DAG-building time for a trio on the 1/100 rehearsal genome.

Makes the genome (all primary contigs, chrM, chrX/chrY, unplaced contigs) with a trio at low
depth (the DAG does not depend on depth with ``alignment.chunk_reads: 0``) and
``calling.shards: 200``, then in a fresh run folder:

1. ``snakemake -l`` three times: parsing the workflow and validating the run (no DAG);
2. ``snakemake -n`` three times before any job ran: the dry run stops at the checkpoints
   (trim_reads, make_shards, resolve_panel), so it counts only the jobs known before them;
3. the checkpoints for real (``--until trim_reads make_shards resolve_panel``), then
   ``snakemake -n`` three times again: the full DAG after the checkpoints.

Also maps the proband's first 50,000 read pairs with bare bwa to check that the tiles do not
collide (``<raw>/mapq_<scale>.json``: fraction of primary alignments with MAPQ >= 20).
Writes ``<raw>/dag_<scale>.json``. Usage: ``python perf/rehearsal/rehearsal_dag.py [--scale 100]``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import e2elib
import rehearsal_bench as rb

_TOTAL = re.compile(r"^total\s+(\d+)", re.MULTILINE)
_RULE_ROW = re.compile(r"^(\w+)\s+(\d+)$", re.MULTILINE)


def snakemake(rundir: Path, config: Path, *extra: str) -> tuple[float, str]:
    """Wall seconds and output of one Snakemake call."""
    cmd = [str(rb.REPO / ".venv" / "bin" / "snakemake"), "-s", str(rb.REPO / "Snakefile")]
    cmd += ["--configfile", str(config), "--cores", "2", *extra]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, cwd=rundir, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise RuntimeError(f"snakemake {' '.join(extra)} failed:\n{res.stderr[-3000:]}")
    return wall, res.stdout + res.stderr


def job_stats(text: str) -> dict[str, int]:
    """Jobs per rule and the total from a dry run's "Job stats" table."""
    table = text[text.rfind("Job stats:") :]
    total = _TOTAL.search(table)
    rows = {m.group(1): int(m.group(2)) for m in _RULE_ROW.finditer(table)}
    rows.pop("total", None)
    return {"total": int(total.group(1)) if total else 0, "by_rule": rows}  # type: ignore[dict-item]


def dry_runs(rundir: Path, config: Path, n: int) -> dict:
    """``n`` dry runs: walls, their median and the job stats of the last."""
    walls, text = [], ""
    for _ in range(n):
        wall, text = snakemake(rundir, config, "-n", "--quiet", "rules")
        walls.append(wall)
    stats = job_stats(text)
    return {"walls": walls, "median": e2elib.median(walls), **stats}


def mapq_spot_check(genome: Path, workdir: Path, pairs: int = 50_000) -> dict:
    """MAPQ of the proband's first ``pairs`` read pairs mapped by bare bwa to this genome."""
    work = workdir / f"mapq_{genome.name}"
    work.mkdir(parents=True, exist_ok=True)
    ref = work / "genome.fa"
    reads = genome / "reads"
    rb.sh(f"zcat '{genome}/reference/genome.fa.gz' > '{ref}' && bwa index '{ref}' 2>/dev/null")
    lines = 4 * pairs
    view = (
        f"bwa mem -t 2 '{ref}' <(zcat '{reads}/proband_R1.fastq.gz' | head -n {lines})"
        f" <(zcat '{reads}/proband_R2.fastq.gz' | head -n {lines}) 2>/dev/null"
        " | samtools view -F 0x904 -"
    )
    n, q20 = rb.sh(f"{view} | awk '{{n++; if ($5 >= 20) q++}} END {{print n, q}}'").split()
    shutil.rmtree(work)
    return {"reads": int(n), "mapq20": int(q20) / int(n), "pairs_sampled": pairs}


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--shards", type=int, default=200)
    parser.add_argument("--depth", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/hurtig-rehearsal"))
    parser.add_argument("--raw", type=Path, default=rb.HERE / "raw")
    args = parser.parse_args(argv)
    args.raw.mkdir(parents=True, exist_ok=True)
    genome = rb.make_genome(args.scale, args.depth, "trio", args.shards, args.workdir / "dag", 0)
    config = genome / "config_bench.yaml"
    rundir = args.workdir / "runs" / f"dag_{args.scale}"
    if rundir.exists():
        shutil.rmtree(rundir)
    rundir.mkdir(parents=True)
    parse = [snakemake(rundir, config, "-l")[0] for _ in range(args.repeats)]
    before = dry_runs(rundir, config, args.repeats)
    t0 = time.perf_counter()
    snakemake(rundir, config, "--until", "trim_reads", "make_shards", "resolve_panel")
    checkpoints_wall = time.perf_counter() - t0
    after = dry_runs(rundir, config, args.repeats)
    summary = json.loads((genome / "summary.json").read_text())
    mapq = mapq_spot_check(genome, args.workdir)
    (args.raw / f"mapq_{args.scale}.json").write_text(json.dumps(mapq) + "\n")
    result = {
        "scale": args.scale,
        "shards": args.shards,
        "contigs": len(summary["contigs"]),
        "genome_bp": summary["genome_bp"],
        "samples": summary["samples"],
        "parse_walls": parse,
        "parse_median": e2elib.median(parse),
        "before_checkpoints": before,
        "checkpoint_run_wall": checkpoints_wall,
        "after_checkpoints": after,
        "command": " ".join(["python perf/rehearsal/rehearsal_dag.py", *(argv or sys.argv[1:])]),
    }
    args.raw.mkdir(parents=True, exist_ok=True)
    (args.raw / f"dag_{args.scale}.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if "checkpoints" not in k}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
