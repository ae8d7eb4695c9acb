"""Dry-run DAG tests of the run files (pedigree, sexes, settings) and the in-house ordering."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "demo"
HEADER = "sample\tfamily\tfather\tmother\tsex\taffected\tpanels\n"

# A non-empty gzipped FASTQ: load_run refuses empty or uncompressed read files.
FASTQ_GZ = gzip.compress(b"@r\nACGT\n+\nIIII\n")


def write_two_families(tmp_path: Path) -> Path:
    """A run of two singleton families with the in-house database switched on."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["samples"], config["units"] = "samples.tsv", "units.tsv"
    config["reference"]["fasta"] = str(DEMO / "reference" / "chr21.fa.gz")
    config["reference"]["gff3"] = str(DEMO / "annotation" / "genes.gff3.gz")
    config["annotation"]["gnomad"] = str(DEMO / "annotation" / "gnomad.vcf.gz")
    config["annotation"]["clinvar"] = str(DEMO / "annotation" / "clinvar.vcf.gz")
    config["annotation"]["inhouse"] = str(tmp_path / "inhouse.sqlite")
    config["panels"] = str(DEMO / "panels")
    config["calling"]["shards"] = 2
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "samples.tsv").write_text(
        HEADER + "a\tfamA\t\t\tmale\ttrue\tneuro_demo\nb\tfamB\t\t\tfemale\ttrue\t\n"
    )
    units = "sample\tunit\tfq1\tfq2\tplatform\tlibrary\n"
    for name in ("a", "b"):
        for read in (1, 2):
            (tmp_path / f"{name}_{read}.fq.gz").write_bytes(FASTQ_GZ)
        units += f"{name}\tL1\t{name}_1.fq.gz\t{name}_2.fq.gz\tILLUMINA\tlib\n"
    (tmp_path / "units.tsv").write_text(units)
    return tmp_path / "config.yaml"


def jobs_for(workdir: Path, config: Path, target: str) -> dict[str, int]:
    """Rule -> job count of a dry run that asks for one target only."""
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-n",
         "--cores", "1", f"--configfile={config}", target],
        cwd=workdir, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout
    table = result.stdout.split("Job stats:")[1].split("Reasons:")[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)}


def test_inhouse_added_only_after_every_family_is_annotated(tmp_path: Path) -> None:
    """In-house frequencies do not depend on job order: famA is added after famB is annotated."""
    jobs = jobs_for(tmp_path, write_two_families(tmp_path), "results/inhouse/famA.tsv")
    assert jobs["add_to_inhouse"] == 1
    assert jobs["concat_annotated"] == 2  # both families
    assert jobs["annotate_shard"] == 4  # 2 families x 2 shards


def test_jobs_read_the_family_files(tmp_path: Path) -> None:
    """Calling reads the sexes file only; the checks read the pedigree (call once)."""
    config = write_two_families(tmp_path)
    calls = jobs_for(tmp_path, config, "results/calls/famA.vcf.gz")
    assert calls["write_family_sexes"] == 1 and "write_family_pedigree" not in calls
    checks = jobs_for(tmp_path, config, "results/qc/checks/famA.json")
    assert checks["write_family_pedigree"] == 1
