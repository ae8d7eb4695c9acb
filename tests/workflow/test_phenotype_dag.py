"""Phenotype stages in the DAG: HPO terms reach only the phenotype job; the research list is apart.

Call once, filter many: a sample's HPO terms are a parameter of ``score_phenotype`` alone (the
pedigree and sexes files the calling and checks read do not hold them), so changing them reruns
that job and the panel and report jobs after it. The full proof on a finished demo run is
``tests/e2e/test_call_once.py::test_changing_hpo_terms_reruns_only_panel_jobs``.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import yaml

from builders import dry_run, run_workflow

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "demo"
HEADER = "sample\tfamily\tfather\tmother\tsex\taffected\tpanels\thpo\tresearch\n"
FASTQ_GZ = gzip.compress(b"@r\nACGT\n+\nIIII\n")
CALLING_RULES = {"call_shard", "annotate_shard", "concat_calls", "concat_annotated", "align"}


def write_run(tmp_path: Path, hpo: str, research: str = "", switch: bool = False) -> Path:
    """A singleton run with one panel and the given hpo/research cells; the config file."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["samples"], config["units"] = "samples.tsv", "units.tsv"
    config["reference"]["fasta"] = str(DEMO / "reference" / "chr21.fa.gz")
    config["reference"]["gff3"] = str(DEMO / "annotation" / "genes.gff3.gz")
    config["annotation"]["gnomad"] = str(DEMO / "annotation" / "gnomad.vcf.gz")
    config["annotation"]["clinvar"] = str(DEMO / "annotation" / "clinvar.vcf.gz")
    config["panels"] = str(DEMO / "panels")
    config["calling"]["shards"] = 2
    config["phenotype"] = {"research_list": switch}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "samples.tsv").write_text(
        HEADER + f"a\tfamA\t\t\tfemale\ttrue\tepilepsy_demo\t{hpo}\t{research}\n"
    )
    for read in (1, 2):
        (tmp_path / f"a_{read}.fq.gz").write_bytes(FASTQ_GZ)
    (tmp_path / "units.tsv").write_text(
        "sample\tunit\tfq1\tfq2\tplatform\tlibrary\na\tL1\ta_1.fq.gz\ta_2.fq.gz\tILLUMINA\tlib\n"
    )
    return tmp_path / "config.yaml"


def test_new_hpo_terms_rerun_the_phenotype_job_only(tmp_path: Path) -> None:
    config = write_run(tmp_path, "HP:0000726,HP:0002135")
    targets = ["results/phenotype/a.json", "results/run/pedigree/famA.tsv"]
    targets.append("results/run/pedigree/famA.sexes.tsv")
    run_workflow(tmp_path, f"--configfile={config}", *targets, cores=1).require_success()
    scores = (tmp_path / "results" / "phenotype" / "a.json").read_text()
    assert "Basal ganglia calcification" in scores and '"JAM2"' in scores
    write_run(tmp_path, "HP:0001336,HP:0001251")
    again = dry_run(tmp_path, f"--configfile={config}", *targets).job_counts()
    assert again == {"score_phenotype": 1}, again  # the pedigree and sexes files stay


def test_calling_does_not_wait_for_the_phenotype(tmp_path: Path) -> None:
    config = write_run(tmp_path, "HP:0000726")
    calls = dry_run(tmp_path, f"--configfile={config}", "results/annotated/famA.vcf.gz")
    assert calls.returncode == 0, calls.output[-3000:]
    assert "score_phenotype" not in calls.job_counts()
    whole = dry_run(tmp_path, f"--configfile={config}").job_counts()
    assert whole["score_phenotype"] == 1
    assert "research_list" not in whole  # off by default


def test_no_terms_no_phenotype_job(tmp_path: Path) -> None:
    config = write_run(tmp_path, "")
    assert "score_phenotype" not in dry_run(tmp_path, f"--configfile={config}").job_counts()


def test_research_list_is_its_own_job_and_files(tmp_path: Path) -> None:
    for research, switch in (("true", False), ("", True)):
        config = write_run(tmp_path, "HP:0000726", research, switch)
        result = dry_run(tmp_path, f"--configfile={config}", "-p")
        jobs = result.job_counts()
        assert jobs["research_list"] == 1 and jobs["publish_research_list"] == 1, jobs
        assert "results/research/a.tsv" in result.output
        assert "results/research/a.html" in result.output
    config = write_run(tmp_path, "HP:0000726", "false", True)
    assert "research_list" not in dry_run(tmp_path, f"--configfile={config}").job_counts()


def test_research_without_terms_fails_before_any_job(tmp_path: Path) -> None:
    config = write_run(tmp_path, "", "true")
    result = dry_run(tmp_path, f"--configfile={config}")
    assert result.returncode != 0
    assert "samples.tsv: row 2: column 'research' is true but column 'hpo' is empty" in (
        result.output
    )
