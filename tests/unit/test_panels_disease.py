"""Gene–disease facts of a panel (phenotypes, OMIM number, mechanism), through to the JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hurtig.panels.formats.definition import GeneDisease
from hurtig.panels.formats.panelapp import read_panelapp_json
from hurtig.panels.formats.scout import read_scout
from hurtig.panels.model import ResolvedPanel
from unit.test_prioritise import CASES, run_case

SCOUT = (
    "##panel_id=ctx\n##version=1.0\n"
    "#hgnc_id\thgnc_symbol\tdisease_associated_transcripts\tgenetic_disease_models\tmosaicism"
    "\treduced_penetrance\tphenotypes\tomim\tmechanism\n"
    "2482\tCSTB\t\tAR\t\t\tEpilepsy, progressive myoclonic 1A, 254800; other\t601145"
    "\tloss of function\n"
    "620\tAPP\t\tAD\t\t\t\t\t\n"
)


def test_scout_optional_columns(tmp_path: Path) -> None:
    path = tmp_path / "ctx.tsv"
    path.write_text(SCOUT)
    cstb, app = read_scout(path).genes
    assert cstb.disease == GeneDisease(
        ("Epilepsy, progressive myoclonic 1A, 254800", "other"), "601145", "loss of function"
    )
    assert app.disease == GeneDisease()


def test_panelapp_json_disease(tmp_path: Path) -> None:
    gene = {
        "entity_type": "gene", "entity_name": "CSTB", "confidence_level": "3",
        "mode_of_inheritance": "BIALLELIC, autosomal or pseudoautosomal",
        "phenotypes": ["Unverricht-Lundborg disease, OMIM:254800"],
        "mode_of_pathogenicity": "Loss-of-function variants (as defined in pop up message) DO "
        "NOT cause this phenotype - please provide details in the comments",
        "gene_data": {"hgnc_symbol": "CSTB", "hgnc_id": "HGNC:2482", "omim_gene": ["601145"]},
    }  # fmt: skip
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"id": 1, "name": "P", "version": "1.0", "genes": [gene]}))
    (cstb,) = read_panelapp_json(path).genes
    assert cstb.disease == GeneDisease(
        ("Unverricht-Lundborg disease, OMIM:254800",),
        "601145",
        "loss-of-function variants do not cause this phenotype",
    )


def test_context_reaches_the_prioritised_json(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(CASES / "trio_chr21", case)
    doc = json.loads((case / "panel.json").read_text())
    disease = GeneDisease(("Alzheimer disease 1, familial, 104300",), "104760", "gain of function")
    doc["genes"][0]["disease"] = disease.to_json()
    (case / "panel.json").write_text(json.dumps(doc))
    assert ResolvedPanel.read(case / "panel.json").genes[0].disease == disease
    _, out = run_case(case, tmp_path / "out")
    app = next(g for g in out["panel"]["genes"] if g["symbol"] == "APP")
    assert (app["phenotypes"], app["omim"], app["mechanism"]) == (
        ["Alzheimer disease 1, familial, 104300"],
        "104760",
        "gain of function",
    )
