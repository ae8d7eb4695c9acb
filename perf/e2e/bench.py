"""End-to-end benchmark of issue 7: one command measures G5, G7, G10, G11 and the 30x projection.

For each read depth (simulated demo proband on real GRCh38 chr21 sequence) and each repeat, in a
fresh working directory:

1. bare ``bwa mem -t N ref r1 r2 > /dev/null`` and the full pipeline, back to back (order
   alternates between repeats), every job shell timed by ``bash_env.sh``;
2. calling only (``results/calls/<family>.vcf.gz``) on the same CRAM with ``calling.shards`` 1
   and N, each scored with ``hurtig.devtools.evaluate_calls`` against the simulated truth.

Raw numbers go to ``<raw>/<depth>x_r<repeat>.json``; ``e2e_report.py`` turns them into the
"End-to-end (issue 7)" section of perf/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import e2elib

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PY = REPO / ".venv" / "bin" / "python"
DEMO = REPO / "resources" / "demo"
FASTA = DEMO / "reference" / "chr21.fa.gz"
PANELS = "neuro_demo,epilepsy_demo"
ALIGN_RULES = {"trim_reads", "align_reads", "mark_duplicates"}
CALL_RULES = {"make_shards", "call_shard", "concat_calls"}


def load() -> float:
    """1-minute load average."""
    return os.getloadavg()[0]


def read_stats(fq1: Path, fq2: Path) -> dict[str, int]:
    """Read pairs and read bases of a pair of gzipped FASTQ files."""
    pairs, bases = 0, 0
    for path in (fq1, fq2):
        with gzip.open(path, "rt") as handle:
            for i, line in enumerate(handle):
                if i % 4 == 1:
                    bases += len(line) - 1
                    pairs += path == fq1
    return {"pairs": pairs, "bases": bases}


def simulate(depth: float, outdir: Path, cores: int) -> Path:
    """Simulated demo trio at ``depth`` (cached); returns the folder."""
    if (outdir / "proband_R2.fastq.gz").exists() and (outdir / "trio_truth.vcf.gz.tbi").exists():
        return outdir
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            *(str(PY), "-m", "hurtig", "simulate-demo"),
            *("--demo-dir", str(DEMO), "--outdir", str(outdir)),
            *("--depth", str(depth), "--threads", str(cores)),
        ],
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "scripts")},
    )
    return outdir


def write_config(rundir: Path, reads: Path, shards: int, chunk_reads: int, name: str) -> Path:
    """Run config (demo config, proband only, absolute paths) with the given shard count."""
    text = (REPO / "config" / "config.yaml").read_text()
    text = text.replace("../resources", str(REPO / "resources"))
    lines = []
    for line in text.splitlines():
        key = line.strip().split(":")[0]
        if key == "shards":
            line = f"  shards: {shards}"
        elif key == "chunk_reads":
            line = f"  chunk_reads: {chunk_reads}"
        lines.append(line)
    (rundir / name).write_text("\n".join(lines) + "\n")
    (rundir / "samples.tsv").write_text(
        "sample\tfamily\tfather\tmother\tsex\taffected\tpanels\n"
        f"proband\tdemo\t\t\tfemale\ttrue\t{PANELS}\n"
    )
    (rundir / "units.tsv").write_text(
        "sample\tunit\tfq1\tfq2\tplatform\tlibrary\n"
        f"proband\tL001\t{reads / 'proband_R1.fastq.gz'}\t{reads / 'proband_R2.fastq.gz'}"
        "\tILLUMINA\tproband-lib1\n"
    )
    return rundir / name


def bare_bwa(reads: Path, cores: int, fasta: Path = FASTA) -> dict[str, float]:
    """Wall, CPU and peak RSS of ``bwa mem -t cores ref r1 r2 > /dev/null`` (proband reads)."""
    cmd = ["/usr/bin/time", "-f", "%e %U %S %M", "bwa", "mem", "-t", str(cores), str(fasta)]
    cmd += [str(reads / "proband_R1.fastq.gz"), str(reads / "proband_R2.fastq.gz")]
    before = load()
    t0 = time.time()
    res = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.time() - t0
    if res.returncode != 0:
        raise RuntimeError(f"bwa failed: {res.stderr[-2000:]}")
    _, user, system, rss_kb = res.stderr.strip().splitlines()[-1].split()
    return {
        "wall": wall,
        "cpu": float(user) + float(system),
        "max_rss_mb": int(rss_kb) / 1024,
        "load_before": before,
        "load_after": load(),
    }


def snakemake(rundir: Path, config: Path, tag: str, cores: int, *targets: str) -> dict:
    """Run Snakemake with every job shell timed; returns jobs and run start/end."""
    recdir = rundir / "jobrecs" / tag
    recdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "BASH_ENV": str(HERE / "bash_env.sh"), "E2E_JOB_DIR": str(recdir)}
    cmd = [str(REPO / ".venv" / "bin" / "snakemake"), "-s", str(REPO / "Snakefile")]
    cmd += ["--configfile", str(config), "--cores", str(cores), *targets]
    before = load()
    start = time.time()
    with open(rundir / f"snakemake.{tag}.log", "w") as log:
        res = subprocess.run(cmd, cwd=rundir, env=env, stdout=log, stderr=subprocess.STDOUT)
    end = time.time()
    text = (rundir / f"snakemake.{tag}.log").read_text()
    if res.returncode != 0:
        raise RuntimeError(f"snakemake failed in {rundir} ({tag}):\n{text[-3000:]}")
    jobs = e2elib.parse_snakemake_log(text)
    missing = e2elib.attach_records(jobs, e2elib.read_records(recdir))
    e2elib.link_dependencies(jobs)
    return {
        "jobs": jobs,
        "start": start,
        "end": end,
        "load_before": before,
        "load_after": load(),
        "untimed": [j.rule for j in missing],
    }


def max_rss(rundir: Path) -> dict[str, float]:
    """Peak RSS (MB) per rule from Snakemake's benchmark TSVs (sampled; misses very short jobs)."""
    out: dict[str, float] = {}
    for tsv in (rundir / "benchmarks").rglob("*.tsv"):
        rows = tsv.read_text().splitlines()
        if len(rows) < 2:
            continue
        head, values = rows[0].split("\t"), rows[1].split("\t")
        rule = tsv.relative_to(rundir / "benchmarks").parts[1].removesuffix(".tsv")
        try:
            rss = float(values[head.index("max_rss")])
        except ValueError:
            continue
        out[rule] = max(out.get(rule, 0.0), rss)
    return out


def evaluate(vcf: Path, truth: Path, out: Path, fasta: Path = FASTA) -> dict[str, float]:
    """SNV and indel F1 of the proband against the simulated truth (hurtig evaluate-calls)."""
    subprocess.run(
        [
            *(str(PY), "-m", "hurtig", "evaluate-calls"),
            *("--truth", str(truth), "--truth-sample", "proband"),
            *("--query", str(vcf), "--query-sample", "proband", "--reference", str(fasta)),
            *("--out", str(out)),
        ],
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "scripts")},
        stdout=subprocess.DEVNULL,
    )
    window = json.loads(out.read_text())["metrics"]["window"]
    return {"snv_f1": window["SNV"]["f1"], "indel_f1": window["INDEL"]["f1"]}


def job_table(run: dict) -> list[dict]:
    """Per-job rows (times relative to the run start) for the raw JSON."""
    return [
        {
            "jobid": j.jobid,
            "rule": j.rule,
            "wildcards": j.wildcards,
            "start": None if j.start is None else round(j.start - run["start"], 4),
            "wall": round(j.wall, 4),
            "cpu": round(j.cpu, 3),
            "deps": sorted(j.deps),
        }
        for j in sorted(run["jobs"].values(), key=lambda j: j.jobid)
    ]


def mtime(path: Path) -> float:
    """Modification time of ``path``."""
    return path.stat().st_mtime


def one_run(args: argparse.Namespace, depth: float, repeat: int, reads: Path) -> dict:
    """Full run + bare bwa + calling-only runs for one depth and repeat."""
    rundir = args.workdir / "runs" / f"{depth:g}x_r{repeat}"
    if rundir.exists():
        shutil.rmtree(rundir)
    rundir.mkdir(parents=True)
    cfg_n = write_config(rundir, reads, args.shards, args.chunk_reads, "config.yaml")
    cfg_1 = write_config(rundir, reads, 1, args.chunk_reads, "config_unsharded.yaml")
    bwa_first = repeat % 2 == 0
    bwa = bare_bwa(reads, args.cores) if bwa_first else None
    full = snakemake(rundir, cfg_n, "full", args.cores)
    if bwa is None:
        bwa = bare_bwa(reads, args.cores)
    jobs = full["jobs"]
    a_start, a_end = e2elib.rule_span(jobs, ALIGN_RULES)
    align_jobs = [j for j in jobs.values() if j.rule in ALIGN_RULES]
    cp_len, cp_ids = e2elib.dag_critical_path(jobs)
    chain = e2elib.schedule_chain(jobs, full["start"], full["end"])
    report_dir = rundir / "results" / "report" / "proband"
    panel_times = {p: mtime(report_dir / f"{p}.html") - full["start"] for p in PANELS.split(",")}
    vcf_time = mtime(rundir / "results" / "calls" / "demo.vcf.gz") - full["start"]
    cram_time = mtime(rundir / "results" / "alignment" / "proband.cram") - full["start"]
    variants = subprocess.run(
        ["bcftools", "view", "-H", str(rundir / "results" / "calls" / "demo.vcf.gz")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.count("\n")
    result: dict = {
        "depth": depth,
        "repeat": repeat,
        "order": "bwa_first" if bwa_first else "pipeline_first",
        "bwa": bwa,
        "full": {
            "wall": full["end"] - full["start"],
            "load_before": full["load_before"],
            "load_after": full["load_after"],
            "untimed_jobs": full["untimed"],
            "align_span": a_end - a_start,
            "align_job_wall": sum(j.wall for j in align_jobs),
            "align_cpu": sum(j.cpu for j in align_jobs),
            "align_chunks": sum(j.rule == "align_reads" for j in align_jobs),
            "dag_critical_path": cp_len,
            "dag_critical_rules": [jobs[i].rule for i in cp_ids],
            "schedule_chain": chain,
            "idle": e2elib.idle_time(jobs, full["start"], full["end"]),
            "call_shard_eff": e2elib.parallel_efficiency(jobs, "call_shard", args.cores),
            "panel_report_time": panel_times,
            "vcf_time": vcf_time,
            "cram_time": cram_time,
            "variants": variants,
            "cpu_by_rule": e2elib.cpu_by_rule(jobs),
            "max_rss_mb": max_rss(rundir),
            "jobs": job_table(full),
        },
    }
    calling = {}
    order = [(args.shards, cfg_n), (1, cfg_1)]
    for n, cfg in order if repeat % 2 == 0 else order[::-1]:
        run = snakemake(
            rundir,
            cfg,
            f"call{n}",
            args.cores,
            "results/calls/demo.vcf.gz",
            "--forcerun",
            "make_shards",
        )
        kept = rundir / f"calls_shards{n}.vcf.gz"
        shutil.copy(rundir / "results" / "calls" / "demo.vcf.gz", kept)
        start, end = e2elib.rule_span(run["jobs"], CALL_RULES)
        cjobs = [j for j in run["jobs"].values() if j.rule in CALL_RULES]
        calling[str(n)] = {
            "wall": run["end"] - run["start"],
            "phase": end - start,
            "phase_cpu": sum(j.cpu for j in cjobs),
            "call_shard": e2elib.parallel_efficiency(run["jobs"], "call_shard", args.cores),
            "load_before": run["load_before"],
            "load_after": run["load_after"],
            "accuracy": evaluate(kept, reads / "trio_truth.vcf.gz", rundir / f"eval{n}.json"),
            "jobs": job_table(run),
        }
    result["calling"] = calling
    return result


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", default="10,20,30", help="comma-separated read depths")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--shards", type=int, default=8, help="calling.shards of the sharded run")
    parser.add_argument("--chunk-reads", type=int, default=50000, help="alignment.chunk_reads")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/hurtig-e2e-bench"))
    parser.add_argument("--raw", type=Path, default=HERE / "raw")
    args = parser.parse_args(argv)
    depths = [float(d) for d in args.depths.split(",")]
    args.raw.mkdir(parents=True, exist_ok=True)
    for old in args.raw.glob("*x_r*.json"):
        old.unlink()
    data = {}
    for depth in depths:
        reads = simulate(depth, args.workdir / "reads" / f"{depth:g}x", args.cores)
        data[depth] = reads
        stats = read_stats(reads / "proband_R1.fastq.gz", reads / "proband_R2.fastq.gz")
        (args.raw / f"reads_{depth:g}x.json").write_text(json.dumps(stats) + "\n")
    machine = {
        "nproc": os.cpu_count(),
        "mem_total_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "uptime_start": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "command": " ".join(["bash perf/e2e/run.sh", *(argv or sys.argv[1:])]),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    for repeat in range(args.repeats):
        for depth in depths:  # sizes interleaved so load drift hits every size alike
            print(f"[e2e] depth {depth:g}x repeat {repeat + 1}/{args.repeats}", flush=True)
            result = one_run(args, depth, repeat, data[depth])
            out = args.raw / f"{depth:g}x_r{repeat}.json"
            out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    machine["uptime_end"] = subprocess.run(
        ["uptime"], capture_output=True, text=True
    ).stdout.strip()
    machine["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    (args.raw / "machine.json").write_text(json.dumps(machine, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
