"""Panel registry: version resolution, layouts, consistency checks, the CLI and check_panels."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
import yaml

from hurtig.errors import InputError
from hurtig.panels import cli
from hurtig.panels import registry as panels
from hurtig.run.model import load_run_file

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources/demo/panels"
DATA = Path(__file__).resolve().parents[1] / "data" / "panels"
GFF = REPO / "resources/demo/annotation/genes.gff3.gz"
SCOUT = "##panel_id={id}\n##version={v}\n#hgnc_id\thgnc_symbol\n620\tAPP\n"

# A non-empty gzipped FASTQ: load_run refuses empty or uncompressed read files.
FASTQ_GZ = gzip.compress(b"@r\nACGT\n+\nIIII\n")


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    reg = tmp_path / "reg"
    for v in ("1.2", "1.10", "1.9"):
        (reg / "p" / v).mkdir(parents=True)
        (reg / "p" / v / "p.tsv").write_text(SCOUT.format(id="p", v=v))
    shutil.copytree(DATA / "ella" / "NeuroDemo_v1.0.0", reg / "NeuroDemo_v1.0.0")
    (reg / "NeuroDemo_v0.9.0").mkdir()
    src = DATA / "ella/NeuroDemo_v1.0.0/NeuroDemo_v1.0.0_genes_transcripts.tsv"
    (reg / "NeuroDemo_v0.9.0/NeuroDemo_v0.9.0_genes_transcripts.tsv").write_text(
        src.read_text().replace("NeuroDemo-v1.0.0", "NeuroDemo-v0.9.0")
    )
    (reg / "pa" / "2.5").mkdir(parents=True)
    shutil.copy(DATA / "panelapp_familial_melanoma_v2.5.json", reg / "pa" / "2.5")
    (reg / "flat.txt").write_text("APP\nCSTB\n")
    return reg


def test_version_order() -> None:
    versions = ["1.10", "1.9", "v2.0", "1.2", "10"]
    assert sorted(versions, key=panels.version_key) == ["1.2", "1.9", "1.10", "v2.0", "10"]


def test_locate_newest_and_pinned(registry: Path) -> None:
    assert panels.locate_panel(registry, "p") == registry / "p/1.10/p.tsv"
    assert panels.locate_panel(registry, "p@1.9") == registry / "p/1.9/p.tsv"
    assert panels.locate_panel(registry, "NeuroDemo") == registry / "NeuroDemo_v1.0.0"
    assert panels.locate_panel(registry, "NeuroDemo@v0.9.0") == registry / "NeuroDemo_v0.9.0"
    assert panels.locate_panel(registry, "flat") == registry / "flat.txt"


def test_locate_errors_name_registry_and_spec(registry: Path) -> None:
    with pytest.raises(InputError) as err:
        panels.locate_panel(registry, "p@3.0")
    assert str(err.value) == f"{registry}: panel 'p@3.0' not found (versions of p: 1.2, 1.9, 1.10)"
    with pytest.raises(InputError, match=r"reg: panel 'nope' not found"):
        panels.locate_panel(registry, "nope")
    with pytest.raises(InputError, match="unversioned"):
        panels.locate_panel(registry, "flat@1.0")
    with pytest.raises(InputError, match="expected ID or ID@VERSION"):
        panels.locate_panel(registry, "bad id")
    with pytest.raises(InputError, match="registry folder not found"):
        panels.locate_panel(registry / "absent", "p")
    (registry / "p" / "1.10" / "extra.json").write_text("{}")
    with pytest.raises(InputError, match="expected one panel definition file"):
        panels.locate_panel(registry, "p")


def test_registry_names_the_panel(registry: Path) -> None:
    pa = panels.load_registry_panel(registry, "pa")
    assert (pa.id, pa.version, pa.display_name) == ("pa", "2.5", "Familial melanoma")
    ella = panels.load_registry_panel(registry, "NeuroDemo@v0.9.0")
    assert (ella.id, ella.version, ella.format) == ("NeuroDemo", "v0.9.0", "ella")
    flat = panels.load_registry_panel(registry, "flat")
    assert (flat.id, flat.version, flat.format) == ("flat", "", "gene_list")


def test_registry_refuses_contradicting_definition(registry: Path) -> None:
    (registry / "p" / "1.10" / "p.tsv").write_text(SCOUT.format(id="p", v="1.11"))
    with pytest.raises(InputError, match=r"declares version '1\.11', registry folder is '1\.10'"):
        panels.load_registry_panel(registry, "p")
    (registry / "p" / "1.9" / "p.tsv").write_text(SCOUT.format(id="other", v="1.9"))
    with pytest.raises(InputError, match="names panel 'other'"):
        panels.load_registry_panel(registry, "p@1.9")


def test_demo_registry_versions() -> None:
    assert panels.registry_versions(DEMO, "neuro_demo").keys() == {"1.0", "1.1"}
    newest = panels.load_registry_panel(DEMO, "neuro_demo")
    pinned = panels.load_registry_panel(DEMO, "neuro_demo@1.0")
    assert (newest.version, pinned.version) == ("1.1", "1.0")
    assert newest.sha256 != pinned.sha256
    assert panels.definition_files(DEMO, "epilepsy_demo") == [
        DEMO / "epilepsy_demo/1.0/epilepsy_demo.tsv"
    ]


def test_cli_registry_spec(tmp_path: Path) -> None:
    bed, js = tmp_path / "n.bed", tmp_path / "n.json"
    rc = cli.main(
        ["--registry", str(DEMO), "--spec", "neuro_demo@1.0", "--gff3", str(GFF),
         "--out-bed", str(bed), "--out-json", str(js)]
    )  # fmt: skip
    assert rc == 0
    doc = json.loads(js.read_text())
    assert (doc["id"], doc["version"], doc["spec"]) == ("neuro_demo", "1.0", "neuro_demo@1.0")
    assert doc["sha256"] == doc["files"][0]["sha256"] and len(doc["sha256"]) == 64
    with pytest.raises(InputError, match="go together"):
        cli.main(["--registry", str(DEMO), "--gff3", str(GFF), "--out-bed", str(bed),
                     "--out-json", str(js)])  # fmt: skip


def _run_with_panels(tmp_path: Path, *panels: str) -> Path:
    """A copy of the demo config whose samples (one per panel spec) request the given panels."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    base = REPO / "config"
    config["samples"] = str(tmp_path / "samples.tsv")
    config["units"] = str(tmp_path / "units.tsv")
    for key in ("fasta", "gff3"):
        config["reference"][key] = str((base / config["reference"][key]).resolve())
    for key in ("gnomad", "clinvar"):
        config["annotation"][key] = str((base / config["annotation"][key]).resolve())
    config["panels"] = str(DEMO)
    rows, units = [], []
    for i, spec in enumerate(panels):
        rows.append(f"s{i}\tf{i}\t\t\tfemale\ttrue\t{spec}")
        for read in (1, 2):
            (tmp_path / f"s{i}_{read}.fq.gz").write_bytes(FASTQ_GZ)
        units.append(f"s{i}\tL1\ts{i}_1.fq.gz\ts{i}_2.fq.gz\tILLUMINA\tlib")
    (tmp_path / "samples.tsv").write_text(
        "sample\tfamily\tfather\tmother\tsex\taffected\tpanels\n" + "\n".join(rows) + "\n"
    )
    (tmp_path / "units.tsv").write_text(
        "sample\tunit\tfq1\tfq2\tplatform\tlibrary\n" + "\n".join(units) + "\n"
    )
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(config))
    return cfg


def test_run_model_checks_panels_in_the_registry(tmp_path: Path) -> None:
    load_run_file(_run_with_panels(tmp_path, "neuro_demo@1.0,epilepsy_demo"))
    with pytest.raises(InputError, match=r"panel 'neuro_demo@9' requested in samples sheet"):
        load_run_file(_run_with_panels(tmp_path, "neuro_demo@9"))
    with pytest.raises(InputError, match="use one version per run"):
        load_run_file(_run_with_panels(tmp_path, "neuro_demo@1.0", "neuro_demo"))
