"""Faults met while the pipeline runs: a non-zero exit and one line naming the file.

Never exit code 0 on part of the data; a crash or a full disk is resumed to the same result.

The bad-read cases run a one-sample copy of the demo (the first reads of the demo proband) up to
its CRAM, so they fail within seconds of starting. The crash, disk-full and failing-rerun cases
compare their deliverables with the shared demo run's.
"""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from builders import run_workflow
from builders.snakemake_runner import WorkflowRun, snakemake_argv

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "demo"
READS = DEMO / "reads"
DELIVERABLES = (
    "results/panels/proband/neuro_demo.tsv",
    "results/panels/proband/epilepsy_demo.tsv",
    "results/panels/proband/neuro_demo.json",
    "results/panels/proband/epilepsy_demo.json",
)

pytestmark = pytest.mark.e2e


def head_reads(source: Path, out: Path, pairs: int) -> Path:
    """The first ``pairs`` records of a FASTQ (gzip in and out)."""
    with gzip.open(source, "rt") as handle:
        lines = [next(handle) for _ in range(4 * pairs)]
    out.write_bytes(gzip.compress("".join(lines).encode(), compresslevel=1))
    return out


def one_sample_run(tmp_path: Path, unit: str, **settings: object) -> Path:
    """A demo config for one unpanelled sample ``kid`` with the given units row (after kid, L1)."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    base = REPO / "config"
    for key in ("fasta", "gff3"):
        config["reference"][key] = str((base / config["reference"][key]).resolve())
    for key in ("gnomad", "clinvar"):
        config["annotation"][key] = str((base / config["annotation"][key]).resolve())
    config["panels"] = str((base / config["panels"]).resolve())
    config["samples"], config["units"] = str(tmp_path / "samples.tsv"), str(tmp_path / "units.tsv")
    config["calling"]["shards"] = 2
    config.setdefault("alignment", {}).update(settings)
    (tmp_path / "samples.tsv").write_text(
        "sample\tfamily\tfather\tmother\tsex\taffected\tpanels\nkid\tfam\t\t\tfemale\ttrue\t\n"
    )
    header = "sample\tunit\tfq1\tfq2\tbam\tplatform\tlibrary\n"
    (tmp_path / "units.tsv").write_text(header + f"kid\tL1\t{unit}\tILLUMINA\tlib\n")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def run_to_cram(tmp_path: Path, config: Path) -> WorkflowRun:
    return run_workflow(tmp_path, f"--configfile={config}", "results/alignment/kid.cram")


def error_lines(workdir: Path) -> list[str]:
    """The ``hurtig error:`` lines of every job log."""
    return [
        line
        for log in sorted((workdir / "logs").rglob("*.log"))
        for line in log.read_text(errors="replace").splitlines()
        if line.startswith("hurtig error:")
    ]


@pytest.fixture(scope="module")
def reads(demo_run: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Good and bad FASTQ pairs cut from the demo proband's reads (made by the demo run)."""
    folder = tmp_path_factory.mktemp("reads")
    r1 = head_reads(READS / "proband_R1.fastq.gz", folder / "R1.fastq.gz", 4000)
    r2 = head_reads(READS / "proband_R2.fastq.gz", folder / "R2.fastq.gz", 4000)
    cut = folder / "cut_R1.fastq.gz"
    cut.write_bytes(r1.read_bytes()[: r1.stat().st_size // 2])
    short = head_reads(READS / "proband_R2.fastq.gz", folder / "short_R2.fastq.gz", 3000)
    copy = folder / "copy_R2.fastq.gz"
    copy.write_bytes(r1.read_bytes())
    return {"r1": r1, "r2": r2, "cut": cut, "short": short, "copy": copy}


@pytest.mark.parametrize(
    ("fq1", "fq2", "settings", "error"),
    [
        ("cut", "r2", {}, "{cut}: truncated or corrupt"),
        ("r1", "short", {}, "{short}: 3000 reads but its R1 {r1} has 4000"),
        # the input check or the check of fastp's output, whichever job runs first, names it
        ("r1", "copy", {}, "holds the same reads as its R1"),
        ("r1", "r2", {"min_read_pairs": 5000}, "sample kid: 4000 read pairs, fewer than"),
    ],
)
def test_bad_reads_stop_the_run(
    reads: dict[str, Path],
    tmp_path: Path,
    fq1: str,
    fq2: str,
    settings: dict[str, object],
    error: str,
) -> None:
    config = one_sample_run(tmp_path, f"{reads[fq1]}\t{reads[fq2]}\t", **settings)
    result = run_to_cram(tmp_path, config)
    assert result.returncode != 0
    expected = error.format(**{k: str(v) for k, v in reads.items()})
    lines = error_lines(tmp_path)
    assert any(line.startswith("hurtig error: ") and expected in line for line in lines), lines
    assert not (tmp_path / "results" / "alignment" / "kid.cram").exists()


def test_truncated_bam_input(demo_run: Path, tmp_path: Path) -> None:
    bam = tmp_path / "kid.bam"
    subprocess.run(
        ["samtools", "view", "-b", "-o", str(bam), str(demo_run / "results/alignment/father.cram"),
         "--reference", str(DEMO / "reference" / "chr21.fa.gz"), "chr21:10000000-10200000"],
        check=True,
    )  # fmt: skip
    cut = tmp_path / "cut.bam"
    cut.write_bytes(bam.read_bytes()[: bam.stat().st_size // 2])
    config = one_sample_run(tmp_path, f"\t\t{cut}")
    result = run_to_cram(tmp_path, config)
    assert result.returncode != 0
    assert f"hurtig error: {cut}: truncated or not a BAM/CRAM file" in error_lines(tmp_path)


def deliverables(workdir: Path) -> dict[str, bytes]:
    return {name: (workdir / name).read_bytes() for name in DELIVERABLES}


def kill_when(workdir: Path, marker: str, timeout: float = 900) -> int:
    """Run the demo in ``workdir``; kill -9 its whole process group once ``marker`` exists."""
    subprocess.run(snakemake_argv("--unlock"), cwd=workdir, capture_output=True, check=True)
    proc = subprocess.Popen(
        snakemake_argv("--rerun-incomplete", cores=2), cwd=workdir, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if list(workdir.glob(marker)):
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.1)
    return proc.wait()


def test_kill_during_alignment_and_calling_then_resume(demo_run: Path, tmp_path: Path) -> None:
    """Kill -9 of the process group twice; the resumed run's deliverables equal a clean run's."""
    assert kill_when(tmp_path, "logs/align/align_reads/*/*/*.log") == -signal.SIGKILL
    assert kill_when(tmp_path, "logs/call/call_shard/*/*.log") == -signal.SIGKILL
    subprocess.run(snakemake_argv("--unlock"), cwd=tmp_path, capture_output=True, check=True)
    resumed = run_workflow(tmp_path, "--rerun-incomplete")
    resumed.require_success()
    assert deliverables(tmp_path) == deliverables(demo_run)
    for cram in (tmp_path / "results" / "alignment").glob("*.cram"):
        subprocess.run(["samtools", "quickcheck", str(cram)], check=True)


def test_disk_full_then_resume(demo_run: Path, tmp_path: Path) -> None:
    """A full disk stops the run with an error; with space again the run resumes to the result."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root (CI runs as root)")
    workdir = tmp_path / "small"
    workdir.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=12m,mode=0700", "tmpfs", str(workdir)], check=True
    )
    try:
        full = run_workflow(workdir)
        assert full.returncode != 0
        logs = [p.read_text(errors="replace") for p in (workdir / "logs").rglob("*.log")]
        # the tool says so, or (fastp exits 0 on a full disk) the check after it names the file
        assert any(
            "No space left" in text or "hurtig error:" in text for text in [full.output, *logs]
        )
        for cram in (workdir / "results" / "alignment").glob("*.cram"):
            subprocess.run(["samtools", "quickcheck", str(cram)], check=True)
        subprocess.run(["mount", "-o", "remount,size=2g", str(workdir)], check=True)
        resumed = run_workflow(workdir, "--rerun-incomplete")
        resumed.require_success()
        assert deliverables(workdir) == deliverables(demo_run)
    finally:
        subprocess.run(["umount", "-l", str(workdir)], check=False)


def test_failing_rerun_keeps_the_previous_deliverables(demo_run: Path, tmp_path: Path) -> None:
    """A rerun whose report jobs fail leaves the finished reports and tables as they were."""
    copy = tmp_path / "demo"
    shutil.copytree(demo_run, copy, symlinks=True)
    before = deliverables(copy)
    reports = {p: p.read_bytes() for p in (copy / "results" / "report").rglob("*.*")}
    stats = copy / "results" / "qc" / "samtools_stats" / "proband.txt"
    stats.write_text("not samtools stats\n")  # newer than the reports: they are redone, and fail
    result = run_workflow(copy)
    assert result.returncode != 0
    assert any(line.startswith(f"hurtig error: {stats.relative_to(copy)}") or str(stats) in line
               for line in error_lines(copy)), error_lines(copy)  # fmt: skip
    assert deliverables(copy) == before
    assert {p: p.read_bytes() for p in (copy / "results" / "report").rglob("*.*")} == reports
