"""Sample identity on the demo: the true trio passes, an unrelated man declared as father fails.

The unrelated man's reads are simulated like the trio's (``hurtig simulate-unrelated``: both
haplotypes drawn from the real HapMap allele frequencies); the demo's results are copied and only
the jobs downstream of the father's reads rerun (``--rerun-triggers mtime``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from builders import run_pipeline

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "config"


def _pairs(checks: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    pairs = checks["checks"]["relatedness"]["pairs"]
    return {(p["sample_a"], p["sample_b"]): p for p in pairs}


def test_demo_identity_passes_on_common_snp_sites(demo_run: Path) -> None:
    checks = json.loads((demo_run / "results" / "qc" / "checks" / "demo.json").read_text())
    pairs = _pairs(checks)
    assert checks["checks"]["relatedness"]["status"] == "pass"
    for pair in (("proband", "father"), ("proband", "mother")):
        assert pairs[pair]["status"] == "pass"
        assert 0.15 <= pairs[pair]["kinship"] <= 0.35 and pairs[pair]["ibs0"] <= 0.02
        assert pairs[pair]["sites"] >= 200  # genotyped at the shipped sites, hom-ref included
    assert abs(pairs[("father", "mother")]["kinship"]) <= 0.1


def _unrelated_father_run(demo_run: Path, workdir: Path) -> Path:
    reads = workdir / "reads"
    subprocess.run(
        ["hurtig", "simulate-unrelated", "--demo-dir", str(REPO / "resources" / "demo"),
         "--outdir", str(reads)],
        check=True,
    )  # fmt: skip
    shutil.copytree(demo_run / "results", workdir / "results", copy_function=shutil.copy2)
    lines = (CONFIG / "units.tsv").read_text().splitlines()
    units = [lines[0]]
    for line in lines[1:]:
        fields = line.split("\t")
        fields[2:4] = [str((CONFIG / f).resolve()) for f in fields[2:4]]
        if fields[0] == "father":
            fields[2:4] = [
                str(reads / "unrelated_R1.fastq.gz"),
                str(reads / "unrelated_R2.fastq.gz"),
            ]
        units.append("\t".join(fields))
    (workdir / "units.tsv").write_text("\n".join(units) + "\n")
    config = yaml.safe_load((CONFIG / "config.yaml").read_text())
    for section, key in (("reference", "fasta"), ("reference", "gff3"),
                         ("annotation", "gnomad"), ("annotation", "clinvar")):  # fmt: skip
        config[section][key] = str((CONFIG / config[section][key]).resolve())
    config["panels"] = str((CONFIG / config["panels"]).resolve())
    config["samples"] = str(CONFIG / "samples.tsv")
    config["units"] = str(workdir / "units.tsv")
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    target = "results/report/proband/neuro_demo.html"
    run_pipeline(
        workdir,
        f"--configfile={workdir / 'config.yaml'}",
        "--rerun-triggers=mtime",
        target,
        "results/report/proband/neuro_demo.xlsx",
    )
    return workdir / target


def test_unrelated_father_makes_report_not_for_clinical_use(
    demo_run: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    workdir = tmp_path_factory.mktemp("unrelated_father")
    html = _unrelated_father_run(demo_run, workdir).read_text()
    checks = json.loads((workdir / "results" / "qc" / "checks" / "demo.json").read_text())
    assert checks["clinical_use"] is False
    father = _pairs(checks)[("proband", "father")]
    assert father["status"] == "fail" and father["kinship"] < 0.1
    assert "proband–father: looks unrelated" in father["reason"]
    assert _pairs(checks)[("proband", "mother")]["status"] == "pass"
    assert "NOT FOR CLINICAL USE" in html and 'data-usable="false"' in html
    assert "proband–father: looks unrelated" in html
    book = openpyxl.load_workbook(workdir / "results" / "report" / "proband" / "neuro_demo.xlsx")
    text = " ".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )
    assert "NOT FOR CLINICAL USE" in text and "proband–father: looks unrelated" in text
