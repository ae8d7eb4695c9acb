"""Real GIAB NA12878 reads through the pipeline, scored against the GIAB truth.

Thresholds sit just below what the pipeline measured when this test was written (see
docs/VALIDATION.md), so an accuracy regression fails the suite: inside the confident bed every
truth variant must be found with the right genotype; over the whole 100 kb window (where the truth
is incomplete and most false positives sit in tandem repeats) SNV F1 must stay >= 0.953 and recall
>= 0.99, the genotype-aware indel F1 >= 0.73 and recall >= 0.88 (measured 0.956 / 0.995 and
0.744 / 0.889, equal to plain bwa mem | bcftools call; with fastp's read-quality filter on, the
run scores 0.951 / 0.989 and 0.721 / 0.861 and fails).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from builders import run_pipeline

REPO = Path(__file__).resolve().parents[2]
GIAB = REPO / "resources" / "giab"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def metrics(giab_run: Path) -> dict:
    return score(giab_run)


def score(giab_run: Path) -> dict:
    """Score a run's calls against the GIAB truth with hurtig evaluate-calls."""
    out = giab_run / "giab_metrics.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "hurtig",
            "evaluate-calls",
            "--truth",
            str(GIAB / "test_nist.b37_chr20_100kbp_at_10mb.vcf.gz"),
            "--query",
            str(giab_run / "results" / "calls" / "giab.vcf.gz"),
            "--reference",
            str(GIAB / "reference" / "chr20.fa.gz"),
            "--truth-sample",
            "INTEGRATION",
            "--query-sample",
            "NA12878",
            "--bed",
            str(GIAB / "test_nist.b37_chr20_100kbp_at_10mb.bed"),
            "--region",
            "chr20:10000000-10100000",
            "--out",
            str(out),
        ],
        check=True,
    )
    result = json.loads(out.read_text())
    print(json.dumps(result["metrics"], indent=1))
    return result["metrics"]


def test_confident_bed_is_perfect(metrics: dict) -> None:
    for kind in ("SNV", "INDEL"):
        m = metrics["confident_bed"][kind]
        assert m["fn"] == 0 and m["fp"] == 0, (kind, m)
        assert m["f1"] == 1.0


def test_whole_window_accuracy(metrics: dict) -> None:
    assert metrics["window"]["SNV"]["f1"] >= 0.953, metrics["window"]["SNV"]
    assert metrics["window"]["SNV"]["recall"] >= 0.99, metrics["window"]["SNV"]
    assert metrics["window"]["INDEL"]["f1"] >= 0.73, metrics["window"]["INDEL"]
    assert metrics["window"]["INDEL"]["recall"] >= 0.88, metrics["window"]["INDEL"]


def test_minimap2_aligner_is_also_perfect_in_the_bed(tmp_path: Path) -> None:
    """alignment.aligner: minimap2 (minimap2 -ax sr) through the same pipeline and scoring."""
    config = yaml.safe_load((REPO / "config" / "giab" / "config.yaml").read_text())
    base = REPO / "config" / "giab"
    config["samples"] = str(base / "samples.tsv")
    config["units"] = str(base / "units.tsv")
    config["reference"]["fasta"] = str((base / config["reference"]["fasta"]).resolve())
    config["fast_path"]["regions"] = str(base / config["fast_path"]["regions"])
    config["alignment"]["aligner"] = "minimap2"
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    run_pipeline(tmp_path, f"--configfile={tmp_path / 'config.yaml'}", "results/calls/giab.vcf.gz")
    header = subprocess.run(
        ["samtools", "view", "-H", str(tmp_path / "results" / "alignment" / "NA12878.cram")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "ID:minimap2" in header
    metrics = score(tmp_path)["confident_bed"]
    assert metrics["SNV"]["f1"] == 1.0 and metrics["INDEL"]["f1"] == 1.0, metrics


def test_read_groups_and_duplicates_marked(giab_run: Path) -> None:
    stats = (giab_run / "results" / "qc" / "samtools_stats" / "NA12878.txt").read_text()
    summary = {
        line.split("\t")[1].rstrip(":"): line.split("\t")[2]
        for line in stats.splitlines()
        if line.startswith("SN\t")
    }
    assert int(summary["raw total sequences"]) > 50_000
    assert int(summary["reads duplicated"]) > 0
    header = subprocess.run(
        ["samtools", "view", "-H", str(giab_run / "results" / "alignment" / "NA12878.cram")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "@RG\tID:NA12878.S1\tSM:NA12878" in header


def test_fast_path_equals_the_genome_path(giab_run: Path) -> None:
    """The panel fast path's calls and duplicates equal the genome path's in its regions (#17)."""
    regions = REPO / "config" / "giab" / "fast_regions.bed"
    fast_calls = giab_run / "results" / "fast" / "calls" / "giab.bcf"
    genome_calls = giab_run / "results" / "calls" / "giab.vcf.gz"

    def records(vcf: Path) -> list[str]:
        return subprocess.run(
            ["bcftools", "view", "-H", "-T", str(regions), str(vcf)],
            capture_output=True, text=True, check=True,
        ).stdout.splitlines()  # fmt: skip

    genome = records(genome_calls)
    assert len(genome) >= 10, genome
    assert records(fast_calls) == genome

    def reads(alignment: Path, flag: str) -> int:
        reference = str(GIAB / "reference" / "chr20.fa.gz")  # never fetched from the network
        command = ["samtools", "view", "-c", flag, "1024", "-L", str(regions), "-T", reference]
        command.append(str(alignment))
        return int(subprocess.run(command, capture_output=True, text=True, check=True).stdout)

    fast_bam = giab_run / "results" / "fast" / "alignment" / "NA12878.bam"
    cram = giab_run / "results" / "alignment" / "NA12878.cram"
    assert reads(fast_bam, "-f") == reads(cram, "-f") > 0  # duplicates
    assert reads(fast_bam, "-F") == reads(cram, "-F")
