"""Golden tests: every panel format read by hurtig.panels.formats, and resolution on a real GFF3.

Inputs are in tests/data/panels/ (see the README there); expected summaries in
tests/data/panels/expected/. HURTIG_UPDATE_GOLDEN=1 rewrites them (review the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from hurtig.errors import InputError
from hurtig.genes.gene_model import load_gff3
from hurtig.panels import cli, resolve
from hurtig.panels.formats.definition import InheritanceMode, Panel
from hurtig.panels.formats.ella import ella_consensus
from hurtig.panels.formats.panelapp import panelapp_modes, read_panelapp_json
from hurtig.panels.formats.registry import find_format, load_any

DATA = Path(__file__).resolve().parents[1] / "data" / "panels"
REPO = Path(__file__).resolve().parents[2]
DEMO_GFF = REPO / "resources/demo/annotation/genes.gff3.gz"

CASES = {
    "scout": ("scout_panel1_subset.txt", "scout"),
    "panelapp_json": ("panelapp_additional_findings_v0.116.json", "panelapp_json"),
    "panelapp_json_melanoma": ("panelapp_familial_melanoma_v2.5.json", "panelapp_json"),
    "panelapp_tsv": ("panelapp_familial_melanoma_v2.5.tsv", "panelapp_tsv"),
    "ella": ("ella/NeuroDemo_v1.0.0", "ella"),
    "gene_list": ("gene_list.txt", "gene_list"),
}


def summary(panel: Panel) -> dict[str, object]:
    """What a golden file pins: identity, checksum and every gene as read."""
    return {
        "id": panel.id,
        "version": panel.version,
        "display_name": panel.display_name,
        "format": panel.format,
        "sha256": panel.sha256,
        "genes": [
            [g.symbol, g.hgnc_id, list(g.transcripts), [m.value for m in g.inheritance]]
            for g in panel.genes
        ],
        "excluded": list(panel.excluded),
    }


def check_golden(name: str, doc: object) -> None:
    path = DATA / "expected" / f"{name}.json"
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    if os.environ.get("HURTIG_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


@pytest.mark.parametrize("case", sorted(CASES))
def test_format_golden(case: str) -> None:
    rel, fmt = CASES[case]
    assert find_format(DATA / rel).name == fmt
    panel = load_any(DATA / rel)
    assert panel.format == fmt
    check_golden(case, summary(panel))


def test_panelapp_confidence_threshold() -> None:
    path = DATA / "panelapp_familial_melanoma_v2.5.json"
    green = read_panelapp_json(path)
    assert [g.symbol for g in green.genes] == ["BAP1", "CDK4", "CDKN2A", "POT1"]
    assert {e["symbol"] for e in green.excluded} == {"ACD", "BRCA2", "TERF2IP", "TERT"}
    amber = read_panelapp_json(path, min_confidence=2)
    assert len(amber.genes) == 8 and not amber.excluded
    # the TSV download of the same panel reads to the same genes and modes
    tsv = load_any(DATA / "panelapp_familial_melanoma_v2.5.tsv")
    assert [(g.symbol, g.hgnc_id, g.inheritance) for g in tsv.genes] == [
        (g.symbol, g.hgnc_id, g.inheritance) for g in green.genes
    ]
    assert tsv.version == green.version == "2.5"


def test_panelapp_mode_mapping() -> None:
    ad, ar, xd, xr = (
        InheritanceMode.AD,
        InheritanceMode.AR,
        InheritanceMode.XD,
        InheritanceMode.XR,
    )
    assert panelapp_modes("MONOALLELIC, autosomal or pseudoautosomal, NOT imprinted") == (ad,)
    unknown_imprinting = "MONOALLELIC, autosomal or pseudoautosomal, imprinted status unknown"
    assert panelapp_modes(unknown_imprinting) == (ad,)
    assert panelapp_modes("BIALLELIC, autosomal or pseudoautosomal") == (ar,)
    assert panelapp_modes(
        "BOTH monoallelic and biallelic (but BIALLELIC mutations cause a more SEVERE disease "
        "form), autosomal or pseudoautosomal"
    ) == (ad, ar)
    assert panelapp_modes(
        "X-LINKED: hemizygous mutation in males, biallelic mutations in females"
    ) == (xr,)
    assert panelapp_modes(
        "X-LINKED: hemizygous mutation in males, monoallelic mutations in females may cause "
        "disease (may be less severe, later onset than males)"
    ) == (xd,)
    assert panelapp_modes("MITOCHONDRIAL") == (InheritanceMode.MT,)
    assert panelapp_modes("Unknown") == panelapp_modes("Other") == panelapp_modes("") == ()


def test_ella_consensus() -> None:
    ad, ar, xd = (InheritanceMode.AD,), (InheritanceMode.AR,), (InheritanceMode.XD,)
    assert ella_consensus([ad, ad]) == ad
    assert ella_consensus([ar]) == ar
    assert ella_consensus([ad, ar]) == (InheritanceMode.AD, InheritanceMode.AR)
    assert ella_consensus([ad, xd]) == xd
    assert ella_consensus([(), ()]) == ()


def test_ella_folder_reads_genes_and_checksums_all_files() -> None:
    folder = DATA / "ella" / "NeuroDemo_v1.0.0"
    panel = load_any(folder)
    assert (panel.id, panel.version) == ("NeuroDemo", "v1.0.0")
    by = {g.symbol: g for g in panel.genes}
    assert by["APP"].transcripts[0] == "NM_000484.4"  # MANE Select first
    assert by["JAM2"].inheritance == (InheritanceMode.AD, InheritanceMode.AR)
    assert by["PCDH19"].inheritance == (InheritanceMode.XD,)
    assert [Path(p).name for p, _ in panel.files] == [
        "NeuroDemo_v1.0.0_genes_transcripts.tsv",
        "NeuroDemo_v1.0.0_phenotypes.tsv",
        "report_config.txt",
    ]
    # a lone genes_transcripts file reads its folder
    same = load_any(folder / "NeuroDemo_v1.0.0_genes_transcripts.tsv")
    assert same.sha256 == panel.sha256


def test_resolution_golden_on_demo_gff() -> None:
    """ELLA's RefSeq transcripts fall back loudly; missing genes are listed, not dropped."""
    model = load_gff3(DEMO_GFF)
    docs: dict[str, Any] = {}
    for case in ("ella", "gene_list"):
        genes, missing = resolve.resolve_panel(load_any(DATA / CASES[case][0]), model)
        docs[case] = {
            "genes": [
                {
                    "symbol": g.symbol,
                    "transcript": g.transcript,
                    "versioned": g.transcript_versioned,
                    "source": g.transcript_source,
                    "fallback": g.transcript_fallback,
                    "inheritance": list(g.inheritance),
                    "notes": list(g.notes),
                    "transcript_note": g.transcript_note,
                    "regions": len(g.regions),
                }
                for g in genes
            ],
            "missing": list(missing),
        }
    check_golden("resolved_on_demo_gff", docs)
    ella = {g["symbol"]: g for g in docs["ella"]["genes"]}
    assert ella["APP"]["fallback"] and "RefSeq" in ella["APP"]["notes"][0]
    assert [m["symbol"] for m in docs["ella"]["missing"]] == ["PCDH19"]
    assert [m["symbol"] for m in docs["gene_list"]["missing"]] == ["NOTAGENE"]


def test_cli_fallback_is_loud_and_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bed, js = tmp_path / "p.bed", tmp_path / "p.json"
    rc = cli.main(
        ["--panel", str(DATA / "ella" / "NeuroDemo_v1.0.0"), "--gff3", str(DEMO_GFF),
         "--out-bed", str(bed), "--out-json", str(js)]
    )  # fmt: skip
    assert rc == 0
    err = capsys.readouterr().err
    assert (
        "NeuroDemo@v1.0.0: APP: panel transcript NM_000484.4, NM_201414.3 not found in the gene"
        " model; using ENST00000346798.7 (longest CDS)"
    ) in err
    assert "gene PCDH19 not in the gene model" in err
    doc = json.loads(js.read_text())
    assert (doc["id"], doc["version"], doc["format"]) == ("NeuroDemo", "v1.0.0", "ella")
    assert len(doc["sha256"]) == 64 and len(doc["files"]) == 3
    app = next(g for g in doc["genes"] if g["symbol"] == "APP")
    assert app["transcript_fallback"] is True and app["panel_transcripts"][0] == "NM_000484.4"
    assert app["transcript_versioned"] == "ENST00000346798.7"
    assert app["transcript_note"].endswith("using ENST00000346798.7 (longest CDS)")


def test_bad_definitions(tmp_path: Path) -> None:
    two = tmp_path / "two.jsonl"
    line = (DATA / "panelapp_familial_melanoma_v2.5.json").read_text().replace("\n", " ")
    two.write_text(line + "\n" + line + "\n")
    with pytest.raises(InputError, match="holds 2 panels"):
        load_any(two)
    bad = tmp_path / "list.txt"
    bad.write_text("APP JAM2\n")
    with pytest.raises(InputError, match="one gene per line"):
        load_any(bad)
    tsv = tmp_path / "pa.tsv"
    tsv.write_text("Entity Name\tEntity type\tGene Symbol\n")
    with pytest.raises(InputError, match="GEL_Status"):
        load_any(tsv)
    with pytest.raises(InputError, match="not found"):
        load_any(tmp_path / "absent.tsv")
