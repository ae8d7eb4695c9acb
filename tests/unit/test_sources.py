"""The releases of the annotation sources and the gene model (hurtig.prioritise.sources)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hurtig.prioritise.results import PrioritisedResults
from hurtig.prioritise.sources import (
    SourceRelease,
    clinvar_release,
    gene_model_release,
    gnomad_release,
    source_releases,
)
from unit.test_prioritise import CASES, run_case

DEMO_HEADER = [
    "##fileformat=VCFv4.2",
    "##bcftools/csqCommand=csq -l -f /r/chr21.fa.gz -g '/a b/Homo_sapiens.GRCh38.112.gff3.gz' "
    "-Ov x.bcf; Date=Tue Dec  1 15:45:37 2026",
    '##hurtig_source=<ID=gnomad,File="gnomad.vcf.gz",Version="Ensembl VEP test cache '
    "homo_sapiens/84_GRCh38 (ensembl-vep commit 6916f4d), source_gnomAD=170228 (gnomAD exomes "
    'r2.0.x as imported by Ensembl)",SHA256=c3,Keys="GNOMAD_AF">',
    '##hurtig_source=<ID=clinvar,File="clinvar.vcf.gz",Version="Ensembl VEP test cache '
    'homo_sapiens/84_GRCh38, source_ClinVar=201704, source_dbSNP=149",SHA256=8f,Keys="X">',
    '##hurtig_source=<ID=cadd,File="cadd.tsv.gz",Version="CADD GRCh38-v1.7",SHA256=1,Keys="Y">',
]


def test_releases_of_the_demo_header() -> None:
    found = {s.id: s for s in source_releases(DEMO_HEADER)}
    assert found["gnomad"].release == "r2.0" and found["gnomad"].file == "gnomad.vcf.gz"
    assert found["clinvar"].release == "2017-04"
    assert found["cadd"] == SourceRelease("cadd", "cadd.tsv.gz", "CADD GRCh38-v1.7", "")
    assert found["gene_model"] == SourceRelease(
        "gene_model", "Homo_sapiens.GRCh38.112.gff3.gz", "", "Ensembl 112"
    )
    assert list(found) == ["gnomad", "clinvar", "cadd", "gene_model"]


@pytest.mark.parametrize(
    ("version", "file", "release"),
    [
        ("r2.1.1", "x.vcf.gz", "r2.1.1"),
        ("v4.1", "x.vcf.gz", "r4.1"),
        ("20231001", "gnomad.genomes.v4.1.sites.chr21.vcf.bgz", "r4.1"),
        ("unknown", "gnomad.exomes.r2.1.1.sites.vcf.bgz", "r2.1.1"),
        ("unknown", "frequencies.vcf.gz", ""),
    ],
)
def test_gnomad_release(version: str, file: str, release: str) -> None:
    assert gnomad_release(version, file) == release


def test_clinvar_and_gene_model_releases() -> None:
    assert clinvar_release("20240107") == "2024-01-07"
    assert clinvar_release("2024-01-07") == "2024-01-07"
    assert clinvar_release("something else") == ""
    assert gene_model_release("Homo_sapiens.GRCh38.112.chr.gff3.gz") == "Ensembl 112"
    assert gene_model_release("genes.gff3.gz") == ""
    assert source_releases(["##fileformat=VCFv4.2"]) == ()


def test_prioritised_json_records_the_sources(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(CASES / "trio_chr21", case)
    lines = (case / "input.vcf").read_text().splitlines(keepends=True)
    lines[1:1] = [line + "\n" for line in DEMO_HEADER[1:3]]
    (case / "input.vcf").write_text("".join(lines))
    _, doc = run_case(case, tmp_path / "out")
    assert [(s["id"], s["release"]) for s in doc["sources"]] == [
        ("gnomad", "r2.0"),
        ("gene_model", "Ensembl 112"),
    ]
    again = PrioritisedResults.read(tmp_path / "out" / "out.json")
    assert again.sources[0].release == "r2.0"
