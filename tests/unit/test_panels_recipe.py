"""Recipe proof: add a panel format the documented way and resolve a panel in it.

The recipe is the "Where to add a new panel format" section of hurtig.panels.formats. Here the
made-up format ``tiny_tsv`` (a ``#tiny-panel <id> <version>`` line, then ``SYMBOL<TAB>MODES``)
is written as a reader built from the shared helpers, registered, detected, read through
``load_any`` and resolved by the real ``hurtig resolve-panel``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hurtig import cli
from hurtig.errors import InputError
from hurtig.panels.formats import registry
from hurtig.panels.formats.definition import (
    InheritanceMode,
    Panel,
    PanelGene,
    decode,
    parse_inheritance,
    read_bytes,
    single_file_panel,
)
from hurtig.panels.formats.registry import PanelFormat, Sniff

GFF = Path(__file__).resolve().parents[2] / "resources/demo/annotation/genes.gff3.gz"
MAGIC = "#tiny-panel "


def read_tiny(path: Path, min_confidence: int) -> Panel:
    """Step 1: the reader (``min_confidence`` does not apply to this format)."""
    data = read_bytes(path)
    lines = [ln for ln in decode(path, data).splitlines() if ln.strip()]
    _, panel_id, version = lines[0].split()
    genes = []
    for lineno, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != 2:
            raise InputError(f"{path}: line {lineno}: expected SYMBOL<TAB>MODES")
        modes = parse_inheritance(cells[1], f"{path}: line {lineno}")
        genes.append(PanelGene(hgnc_id="", symbol=cells[0], transcripts=(), inheritance=modes))
    return single_file_panel(path, data, genes, "tiny_tsv", panel_id=panel_id, version=version)


TINY = PanelFormat("tiny_tsv", lambda s: s.first.startswith(MAGIC), read_tiny)
"""Step 2: the format's description for the registry."""


@pytest.fixture
def tiny_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register TINY for one test (the registry list is restored afterwards)."""
    monkeypatch.setattr(registry, "FORMATS", list(registry.FORMATS))
    registry.register_format(TINY)


def test_new_format_is_detected_read_and_resolved(tiny_registered: None, tmp_path: Path) -> None:
    definition = tmp_path / "tiny.txt"
    definition.write_text(f"{MAGIC}tiny_demo 0.3\nAPP\tAD\nCSTB\tAR\nNOTAGENE\tAD\n")
    assert registry.find_format(definition).name == "tiny_tsv"
    panel = registry.load_any(definition)
    assert (panel.id, panel.version, panel.format) == ("tiny_demo", "0.3", "tiny_tsv")
    assert panel.genes[1].inheritance == (InheritanceMode.AR,)
    # step 3: nothing else changes; the real command resolves it
    bed, js = tmp_path / "p.bed", tmp_path / "p.json"
    rc = cli.main(
        ["resolve-panel", "--panel", str(definition), "--gff3", str(GFF),
         "--out-bed", str(bed), "--out-json", str(js)]
    )  # fmt: skip
    assert rc == 0
    doc = json.loads(js.read_text())
    assert doc["format"] == "tiny_tsv" and doc["id"] == "tiny_demo"
    assert [g["symbol"] for g in doc["genes"]] == ["APP", "CSTB"]
    assert doc["missing_genes"][0]["symbol"] == "NOTAGENE"
    assert {line.split("\t")[3].split("|")[0] for line in bed.read_text().splitlines()} == {
        "APP",
        "CSTB",
    }


def test_without_registration_the_file_is_not_that_format(tmp_path: Path) -> None:
    definition = tmp_path / "tiny.txt"
    definition.write_text(f"{MAGIC}tiny_demo 0.3\nAPP\tAD\n")
    assert registry.find_format(definition).name == "gene_list"
    with pytest.raises(InputError, match="expected one gene per line"):
        registry.load_any(definition)


def test_a_name_is_registered_once(tiny_registered: None) -> None:
    with pytest.raises(ValueError, match="already registered"):
        registry.register_format(TINY)
    with pytest.raises(ValueError, match="already registered"):
        registry.register_format(PanelFormat("scout", lambda s: False, read_tiny))
    assert isinstance(Sniff(Path("x"), False, ()).first, str)
