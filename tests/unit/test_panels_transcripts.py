"""Transcripts as clinicians write them: RefSeq/Ensembl matching, choice order, fallback record.

Each test builds a tiny Ensembl-style GFF3 (one gene, a few transcripts) with the attributes
that matter: ``version=``, ``tag=`` (``MANE_Select``, ``Ensembl_canonical``) and ``Dbxref=``
(``RefSeq:NM_...``). Transcript T1 has the longest CDS; T2 and T3 are shorter.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hurtig.genes.gene_model import Transcript, load_gff3, refseq_accessions
from hurtig.panels.cli import main
from hurtig.panels.resolve import choose_transcript, match_panel_transcript
from hurtig.prioritise.results import PanelGeneSummary, PanelSummary
from hurtig.report.model import panel_facts

HEAD = (
    "##gff-version 3\n"
    "c1\tt\tgene\t100\t900\t.\t+\t.\tID=gene:G1;Name=GENE1;biotype=protein_coding\n"
)


def tx_lines(tid: str, cds_end: int, attrs: str = "") -> str:
    """One protein-coding transcript with one exon 100-900 and CDS 150-``cds_end``."""
    extra = f";{attrs}" if attrs else ""
    return (
        f"c1\tt\tmRNA\t100\t900\t.\t+\t.\tID=transcript:{tid};Parent=gene:G1;"
        f"biotype=protein_coding{extra}\n"
        f"c1\tt\texon\t100\t900\t.\t+\t.\tParent=transcript:{tid}\n"
        f"c1\tt\tCDS\t150\t{cds_end}\t.\t+\t0\tParent=transcript:{tid}\n"
    )


def build(tmp_path: Path, *transcripts: str) -> Path:
    """Write the GFF3 of GENE1 with the given transcript blocks."""
    path = tmp_path / "genes.gff3"
    path.write_text(HEAD + "".join(transcripts))
    return path


def gene1(path: Path) -> tuple[Transcript, ...]:
    """GENE1's transcripts."""
    gene = load_gff3(path).gene_by_symbol("GENE1")
    assert gene is not None
    return gene.transcripts


def test_versions_and_refseq_are_parsed(tmp_path: Path) -> None:
    path = build(
        tmp_path,
        tx_lines("T1", 800, "version=5;Dbxref=RefSeq:NM_000100.4,CCDS:CCDS1.1;tag=MANE_Select"),
        tx_lines("T2", 600, "transcript_id=T2.7"),
        tx_lines("T3", 500),
    )
    t1, t2, t3 = gene1(path)
    assert (t1.versioned_id, t1.refseq) == ("T1.5", ("NM_000100.4",))
    assert t2.versioned_id == "T2.7" and t3.versioned_id == "T3"
    assert refseq_accessions(
        {"db_xref": "RefSeq_mRNA:NM_1.2,GeneID:9", "MANE_Select": "NM_1.2"}
    ) == ("NM_1.2",)


def test_refseq_matched_by_id_and_version(tmp_path: Path) -> None:
    path = build(
        tmp_path,
        tx_lines("T1", 800, "version=5"),
        tx_lines("T2", 600, "version=2;Dbxref=RefSeq:NM_000100.4"),
    )
    txs = gene1(path)
    exact = choose_transcript(txs, ["NM_000100.4"])
    assert (exact.transcript.id, exact.source, exact.fallback) == ("T2", "panel", "")
    # same accession, other version: used, and the difference is said
    other = choose_transcript(txs, ["NM_000100.3"])
    assert (other.transcript.id, other.source) == ("T2", "panel")
    assert other.fallback == "panel transcript NM_000100.3: the gene model maps NM_000100.4 to T2.2"


def test_ensembl_matched_with_or_without_version(tmp_path: Path) -> None:
    txs = gene1(build(tmp_path, tx_lines("T1", 800, "version=5"), tx_lines("T2", 600, "version=2")))
    assert match_panel_transcript("T2", txs) == (txs[1], "")
    assert match_panel_transcript("T2.2", txs) == (txs[1], "")
    tx, remark = match_panel_transcript("T2.1", txs)
    assert tx is txs[1] and remark == "panel transcript T2.1: the gene model has T2.2"
    assert match_panel_transcript("T9.1", txs)[0] is None


@pytest.mark.parametrize(
    ("t2_attrs", "t3_attrs", "expected"),
    [
        ("tag=basic,Ensembl_canonical", "tag=basic,MANE_Select", ("T3", "mane_select")),
        ("tag=basic,Ensembl_canonical", "tag=basic", ("T2", "ensembl_canonical")),
        ("tag=basic", "", ("T1", "longest_cds")),
    ],
)
def test_order_without_panel_transcript(
    tmp_path: Path, t2_attrs: str, t3_attrs: str, expected: tuple[str, str]
) -> None:
    """MANE Select beats Ensembl canonical beats the longest CDS (T1)."""
    path = build(
        tmp_path, tx_lines("T1", 800), tx_lines("T2", 600, t2_attrs), tx_lines("T3", 500, t3_attrs)
    )
    choice = choose_transcript(gene1(path), [])
    assert (choice.transcript.id, choice.source, choice.fallback) == (*expected, "")


def test_fallback_is_recorded_and_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A RefSeq id the gene model does not map: MANE Select is used, said on stderr and in JSON."""
    gff = build(
        tmp_path,
        tx_lines("T1", 800, "version=5"),
        tx_lines("T2", 600, "version=3;tag=MANE_Select;Dbxref=RefSeq:NM_000200.1"),
    )
    panel = tmp_path / "panel.tsv"
    panel.write_text(
        "##panel_id=tiny\n##version=1.0\n"
        "#hgnc_id\thgnc_symbol\tdisease_associated_transcripts\tgenetic_disease_models\t"
        "mosaicism\treduced_penetrance\n\tGENE1\tNM_000100.4\tAR\t\t\n"
    )
    bed, js = tmp_path / "p.bed", tmp_path / "p.json"
    argv = ["--panel", str(panel), "--gff3", str(gff), "--out-bed", str(bed), "--out-json", str(js)]
    assert main(argv) == 0
    line = (
        "panel transcript NM_000100.4 not found in the gene model; "
        "using T2.3 / NM_000200.1 (MANE Select)"
    )
    assert f"hurtig warning: tiny@1.0: GENE1: {line}" in capsys.readouterr().err
    gene = json.loads(js.read_text())["genes"][0]
    assert gene["transcript"] == "T2" and gene["transcript_versioned"] == "T2.3"
    assert gene["refseq"] == ["NM_000200.1"] and gene["transcript_source"] == "mane_select"
    assert gene["transcript_fallback"] is True and gene["transcript_note"] == line
    assert gene["notes"] == ["panel transcript NM_000100.4 is not among the gene's RefSeq mappings"]
    assert "GENE1|T2|exon1" in bed.read_text()


def test_panel_transcript_found_is_quiet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gff = build(tmp_path, tx_lines("T1", 800, "version=5;Dbxref=RefSeq:NM_000100.4"))
    panel = tmp_path / "panel.txt"
    panel.write_text(
        "##panel_id=tiny\n#hgnc_id\thgnc_symbol\tdisease_associated_transcripts\n\tGENE1\tNM_000100.4\n"
    )
    js = tmp_path / "p.json"
    argv = [
        "--panel",
        str(panel),
        "--gff3",
        str(gff),
        "--out-bed",
        str(tmp_path / "b"),
        "--out-json",
        str(js),
    ]
    assert main(argv) == 0
    assert "GENE1" not in capsys.readouterr().err
    gene = json.loads(js.read_text())["genes"][0]
    assert (gene["transcript_source"], gene["transcript_note"], gene["transcript_fallback"]) == (
        "panel",
        "",
        False,
    )


def test_report_shows_versions_refseq_and_fallback() -> None:
    """The report model carries the versioned id, RefSeq ids and the fallback line per gene."""
    summary = PanelGeneSummary(
        "CSTB", "HGNC:2482", "ENST00000291568", "AR", "ENST00000291568.5", ("NM_000100.4",), "x y"
    )
    panel = PanelSummary("p", "1", "P", "ab", (summary,), ()).to_json()
    facts = panel_facts(PanelSummary.from_json(panel).to_json(), {"CSTB"})
    assert facts.transcripts == {"CSTB": "ENST00000291568.5 / NM_000100.4"}
    assert facts.transcript_notes == {"CSTB": "x y"}
    # a prioritisation JSON written before versions were recorded still reads
    old = {"symbol": "A", "hgnc_id": "", "transcript": "ENST1", "inheritance": ""}
    assert panel_facts({"genes": [old]}, set()).transcripts == {"A": "ENST1"}
