"""Tests for hurtig.panels (Scout reader, resolution, CLI) and hurtig.genes.gene_model (tiny GFF3).

Gene PLUSG (+): transcript TA exons 100-200, 300-400, 500-600; CDS 150-200, 300-400, 500-550
(CDS 202 bp). TB: exons 100-200, 500-600, CDS 150-200, 500-520 (shorter). TC lincRNA.
Gene MINUSG (-): transcript TM exons 1000-1100, 1200-1300 (transcript order 1200-1300 first),
CDS 1050-1100, 1200-1250. Regions with acceptor 20 / donor 6:
- TA exon1 coding 150-200: no 5' padding (CDS starts inside the exon), donor +6 -> 150-206
- TA exon2 300-400 -> 280-406; exon3 coding 500-550 -> 480-550.
- TM (-) exon1 (1200-1300) coding 1200-1250: donor side is low -> 1194-1250;
  exon2 (1000-1100) coding 1050-1100: acceptor side is high -> 1050-1120.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from hurtig.errors import InputError
from hurtig.genes.gene_model import load_gff3
from hurtig.panels.cli import main
from hurtig.panels.formats.definition import InheritanceMode, parse_inheritance
from hurtig.panels.formats.scout import read_scout
from hurtig.panels.registry import load_registry_panel
from hurtig.panels.resolve import choose_transcript, resolve_panel

GFF = """##gff-version 3
c1\tt\tgene\t100\t600\t.\t+\t.\tID=gene:G1;Name=PLUSG;biotype=protein_coding;description=[Acc:HGNC:11]
c1\tt\tmRNA\t100\t600\t.\t+\t.\tID=transcript:TA;Parent=gene:G1;biotype=protein_coding;tag=basic
c1\tt\texon\t100\t200\t.\t+\t.\tParent=transcript:TA
c1\tt\texon\t300\t400\t.\t+\t.\tParent=transcript:TA
c1\tt\texon\t500\t600\t.\t+\t.\tParent=transcript:TA
c1\tt\tCDS\t150\t200\t.\t+\t0\tParent=transcript:TA
c1\tt\tCDS\t300\t400\t.\t+\t0\tParent=transcript:TA
c1\tt\tCDS\t500\t550\t.\t+\t2\tParent=transcript:TA
c1\tt\tmRNA\t100\t600\t.\t+\t.\tID=transcript:TB;Parent=gene:G1;biotype=protein_coding
c1\tt\texon\t100\t200\t.\t+\t.\tParent=transcript:TB
c1\tt\texon\t500\t600\t.\t+\t.\tParent=transcript:TB
c1\tt\tCDS\t150\t200\t.\t+\t0\tParent=transcript:TB
c1\tt\tCDS\t500\t520\t.\t+\t0\tParent=transcript:TB
c1\tt\tlincRNA\t100\t600\t.\t+\t.\tID=transcript:TC;Parent=gene:G1;biotype=lincRNA
c1\tt\texon\t100\t600\t.\t+\t.\tParent=transcript:TC
c1\tt\tgene\t1000\t1300\t.\t-\t.\tID=gene:G2;Name=MINUSG;biotype=protein_coding
c1\tt\tmRNA\t1000\t1300\t.\t-\t.\tID=transcript:TM;Parent=gene:G2;biotype=protein_coding
c1\tt\texon\t1000\t1100\t.\t-\t.\tParent=transcript:TM
c1\tt\texon\t1200\t1300\t.\t-\t.\tParent=transcript:TM
c1\tt\tCDS\t1050\t1100\t.\t-\t1\tParent=transcript:TM
c1\tt\tCDS\t1200\t1250\t.\t-\t0\tParent=transcript:TM
"""

PANEL = """##panel_id=tiny
##version=3.0
##display_name=Tiny panel
#hgnc_id\thgnc_symbol\tdisease_associated_transcripts\tgenetic_disease_models\tmosaicism\treduced_penetrance
11\tplusg\t\tAD,AR\t\t
\tMINUSG\tNM_000001.2\tXR\t\t
\tABSENT\t\tAD\t\t
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    gff = tmp_path / "g.gff3.gz"
    with gzip.open(gff, "wt") as handle:
        handle.write(GFF)
    panel = tmp_path / "tiny.tsv"
    panel.write_text(PANEL)
    return gff, panel


def test_gff_model(files: tuple[Path, Path]) -> None:
    model = load_gff3(files[0])
    g1 = model.gene_by_hgnc("HGNC:11")
    assert g1 is not None and g1.name == "PLUSG" and model.gene_by_hgnc("11") is g1
    ta = model.transcript("TA.4")
    assert ta is not None and ta.cds_length == 51 + 101 + 51
    tm = model.transcript("TM")
    assert tm is not None
    assert [e.start for e in tm.exons] == [1200, 1000]  # transcript order on -
    assert tm.cds[1].phase == 1
    assert [(n, s.start, s.end) for n, s in tm.coding_exons()] == [(1, 1200, 1250), (2, 1050, 1100)]


def test_read_scout(files: tuple[Path, Path]) -> None:
    panel = read_scout(files[1])
    assert (panel.id, panel.version, panel.display_name) == ("tiny", "3.0", "Tiny panel")
    assert len(panel.sha256) == 64
    assert panel.genes[0].hgnc_id == "HGNC:11"
    assert panel.genes[0].inheritance == (InheritanceMode.AD, InheritanceMode.AR)


def test_parse_inheritance() -> None:
    assert parse_inheritance("AR_hom,AR_comp") == (InheritanceMode.AR,)
    assert parse_inheritance("") == ()
    with pytest.raises(InputError):
        parse_inheritance("ZZ", "x")


def test_resolve_and_regions(files: tuple[Path, Path]) -> None:
    genes, missing = resolve_panel(read_scout(files[1]), load_gff3(files[0]))
    assert missing == ({"symbol": "ABSENT", "hgnc_id": "", "reason": "not in the gene model"},)
    plus, minus = genes
    assert (plus.transcript, plus.transcript_source) == ("TA", "longest_cds")
    assert [(r.start0 + 1, r.end, r.name) for r in plus.regions] == [
        (150, 206, "PLUSG|TA|exon1"),
        (280, 406, "PLUSG|TA|exon2"),
        (480, 550, "PLUSG|TA|exon3"),
    ]
    assert [(r.start0 + 1, r.end) for r in minus.regions] == [(1050, 1120), (1194, 1250)]
    assert "RefSeq" in minus.notes[0]
    assert minus.inheritance == ("XR",)


def test_choose_transcript_rules(files: tuple[Path, Path]) -> None:
    model = load_gff3(files[0])
    g1 = model.gene_by_symbol("PLUSG")
    assert g1 is not None
    assert choose_transcript(g1.transcripts, ["TB.1"])[0].id == "TB"
    tagged = [t if t.id != "TC" else t.__class__(**{**t.__dict__, "tags": ("Ensembl_canonical",)})
              for t in g1.transcripts]  # fmt: skip
    assert choose_transcript(tagged, [])[1] == "ensembl_canonical"


def test_cli(files: tuple[Path, Path], tmp_path: Path) -> None:
    bed, js = tmp_path / "o" / "p.bed", tmp_path / "o" / "p.json"
    rc = main(["--panel", str(files[1]), "--gff3", str(files[0]),
               "--out-bed", str(bed), "--out-json", str(js), "--donor-padding", "0"])  # fmt: skip
    assert rc == 0
    lines = bed.read_text().splitlines()
    assert lines[0] == "c1\t149\t200\tPLUSG|TA|exon1\t0\t+"
    doc = json.loads(js.read_text())
    assert doc["id"] == "tiny" and doc["missing_genes"][0]["symbol"] == "ABSENT"
    assert doc["genes"][0]["transcript_model"]["cds"][0] == [150, 200, 0]


def test_bad_inputs(tmp_path: Path, files: tuple[Path, Path]) -> None:
    p = tmp_path / "bad.tsv"
    p.write_text("#hgnc_id\thgnc_symbol\n1\tA\n")
    with pytest.raises(InputError, match="panel_id"):
        read_scout(p)
    g = tmp_path / "bad.gff3"
    g.write_text("c1\tt\tgene\n")
    with pytest.raises(InputError, match="9 tab"):
        load_gff3(g)


DEMO_DATA = Path(__file__).resolve().parents[2] / "resources/demo"
DEMO = Path(__file__).resolve().parents[2] / "resources/demo/panels"


def test_demo_panel_on_real_gff() -> None:
    model = load_gff3(DEMO_DATA / "annotation/genes.gff3.gz")
    genes, missing = resolve_panel(load_registry_panel(DEMO, "neuro_demo@1.0"), model)
    assert [g.symbol for g in genes] == ["APP", "JAM2", "CSTB", "PDXK"]
    assert [m["symbol"] for m in missing] == ["PSEN1"]
    assert genes[0].transcript == "ENST00000346798"
    # every panel HGNC id agrees with the gene model's
    for g in genes:
        gene = model.gene_by_symbol(g.symbol)
        assert gene is not None and gene.hgnc_id == g.hgnc_id
