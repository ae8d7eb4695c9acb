"""The resolved-panel owner type (hurtig.panels.model): JSON and BED round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hurtig import cli
from hurtig.errors import InputError
from hurtig.panels.model import ResolvedPanel, read_bed

REPO = Path(__file__).resolve().parents[2]
GFF = REPO / "resources/demo/annotation/genes.gff3.gz"
PANELS = REPO / "tests/data/panels"
PRIORITISE = REPO / "tests/data/prioritise"


def _resolve(tmp_path: Path, *source: str) -> tuple[Path, Path]:
    bed, js = tmp_path / "p.bed", tmp_path / "p.json"
    rc = cli.main(
        ["resolve-panel", *source, "--gff3", str(GFF), "--out-bed", str(bed), "--out-json", str(js)]
    )
    assert rc == 0
    return js, bed


@pytest.mark.parametrize(
    "source",
    [
        ("--registry", str(REPO / "resources/demo/panels"), "--spec", "neuro_demo@1.0"),
        ("--panel", str(PANELS / "ella" / "NeuroDemo_v1.0.0")),
        ("--panel", str(PANELS / "gene_list.txt")),
    ],
)
def test_resolved_panel_round_trip_is_byte_identical(
    source: tuple[str, ...], tmp_path: Path
) -> None:
    js, bed = _resolve(tmp_path, *source)
    panel = ResolvedPanel.read(js)
    assert panel.genes and panel.genes[0].regions
    panel.write(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == js.read_bytes()
    panel.write_bed(tmp_path / "again.bed")
    assert (tmp_path / "again.bed").read_bytes() == bed.read_bytes()
    regions = read_bed(bed)
    assert sorted(regions, key=lambda r: (r.chrom, r.start0, r.end, r.name)) == sorted(
        (r for g in panel.genes for r in g.regions),
        key=lambda r: (r.chrom, r.start0, r.end, r.name),
    )
    assert {r.gene for r in regions} == {g.symbol for g in panel.genes}


def test_spec_is_recorded_only_for_registry_panels(tmp_path: Path) -> None:
    js, _ = _resolve(tmp_path, "--panel", str(PANELS / "gene_list.txt"))
    assert "spec" not in json.loads(js.read_text())
    assert ResolvedPanel.read(js).spec is None
    js, _ = _resolve(
        tmp_path, "--registry", str(REPO / "resources/demo/panels"), "--spec", "neuro_demo"
    )
    assert ResolvedPanel.read(js).spec == "neuro_demo"


def test_older_panel_json_without_later_keys_is_read() -> None:
    """panel.json of trio_chr21 predates format/files/panel_transcripts/excluded_genes."""
    panel = ResolvedPanel.read(PRIORITISE / "trio_chr21" / "panel.json")
    assert panel.id == "neuro_demo" and panel.format == "" and panel.files == ()
    assert [g.symbol for g in panel.genes] == ["APP", "JAM2", "CSTB", "PDXK"]
    assert panel.genes[0].model.id == panel.genes[0].transcript
    assert panel.missing_genes[0]["symbol"] == "PSEN1"


def test_bad_panel_files(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text('{"id": "x"}')
    with pytest.raises(InputError, match="cannot read panel JSON"):
        ResolvedPanel.read(bad)
    bad.write_text('{"id": "x", "genes": [{"symbol": "A", "transcript_model": {"id": "T"}}]}')
    with pytest.raises(InputError, match="bad transcript model"):
        ResolvedPanel.read(bad)
    bed = tmp_path / "p.bed"
    bed.write_text("track name=x\nchr1\t10\n")
    with pytest.raises(InputError, match="line 2: expected chrom, start, end, name"):
        read_bed(bed)
