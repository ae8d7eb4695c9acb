"""The run model (hurtig.run.model.load_run): validated once, the same for workflow and check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from hurtig.errors import InputError
from hurtig.genes.consequences import Severity
from hurtig.prioritise.filters import DEFAULT_FILTERS
from hurtig.prioritise.points import DEFAULT_RANKING
from hurtig.run.genome_build import BUILDS, genome_build
from hurtig.run.model import load_run, load_run_file
from hurtig.run.pedigree import Sex, load_pedigree, pedigree_sheet
from hurtig.run.schemas import schema

REPO = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO / "config" / "config.yaml"


def demo_config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DEMO_CONFIG.read_text())
    return loaded


def test_demo_run_model() -> None:
    run = load_run_file(DEMO_CONFIG)
    assert list(run.samples) == ["proband", "father", "mother"]
    assert run.samples["proband"].father == "father" and run.samples["father"].sex == Sex.MALE
    assert run.families == ["demo"]
    assert run.family_samples(run.families[0]) == ["proband", "father", "mother"]
    assert len(run.units) == 3 and run.build.name == "GRCh38"
    fasta = run.path("reference", "fasta")
    assert fasta is not None and fasta.is_file()
    assert run.path("annotation", "inhouse") is None


def test_schema_declares_every_filter_and_ranking_key() -> None:
    """The config schema and the prioritisation defaults name the same keys (one source each)."""
    props = schema("config")["properties"]
    assert set(props["filters"]["properties"]) == set(DEFAULT_FILTERS)
    assert set(props["ranking"]["properties"]) == set(DEFAULT_RANKING)
    terms = props["filters"]["properties"]["keep_consequences"]["items"]["enum"]
    assert terms == [s.so_term for s in Severity]


@pytest.mark.parametrize(
    ("section", "settings", "message"),
    [
        ("filters", {"max_af": 0.01}, "filters: unknown key ('max_af' was unexpected)"),
        ("filters", {"min_depth": "eight"}, "filters.min_depth: 'eight' is not of type 'number'"),
        (
            "filters",
            {"keep_consequences": ["stop_gain"]},
            "filters.keep_consequences.0: 'stop_gain'",
        ),
        ("ranking", {"de_nov": 4}, "ranking: unknown key ('de_nov' was unexpected)"),
        ("ranking", {"de_novo": True}, "ranking.de_novo: True is not of type 'number'"),
    ],
)
def test_typo_in_settings_refused_at_parse_time(
    section: str, settings: dict[str, Any], message: str
) -> None:
    config = demo_config()
    config[section] = settings
    with pytest.raises(InputError) as err:
        load_run(config, DEMO_CONFIG)
    assert str(err.value).startswith(f"{DEMO_CONFIG}: {message}")


def test_missing_managed_variants_file(tmp_path: Path) -> None:
    config = demo_config()
    config["managed_variants"] = str(tmp_path / "nope.tsv")
    with pytest.raises(InputError, match="managed_variants not found"):
        load_run(config, DEMO_CONFIG)


def test_check_command_uses_the_run_model(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "hurtig", "check", str(DEMO_CONFIG)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ok.returncode == 0 and "OK (3 samples, 3 units)" in ok.stdout
    config = demo_config()
    config["ranking"] = {"de_nov": 4}
    for key in ("samples", "units"):
        config[key] = str(DEMO_CONFIG.parent / config[key])
    for key in ("fasta", "gff3"):
        config["reference"][key] = str((DEMO_CONFIG.parent / config["reference"][key]).resolve())
    for key in ("gnomad", "clinvar"):
        config["annotation"][key] = str((DEMO_CONFIG.parent / config["annotation"][key]).resolve())
    config["panels"] = str((DEMO_CONFIG.parent / config["panels"]).resolve())
    bad = tmp_path / "config.yaml"
    bad.write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [sys.executable, "-m", "hurtig", "check", str(bad)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"hurtig error: {bad}: ranking: unknown key ('de_nov' was unexpected)"
    ]


def test_pedigree_file_round_trip(tmp_path: Path) -> None:
    """The family pedigree the workflow writes reads back as the same persons, without panels."""
    run = load_run_file(DEMO_CONFIG)
    path = tmp_path / "ped.tsv"
    path.write_text(pedigree_sheet(run.samples.values()))
    back = load_pedigree(path)
    assert [p.sample for p in back.people] == list(run.samples)
    for person in back.people:
        original = run.samples[person.sample]
        assert (person.father, person.mother, person.sex, person.affected) == (
            original.father, original.mother, original.sex, original.affected,
        )  # fmt: skip
        assert person.panels == ()


def test_genome_build_facts() -> None:
    grch37, grch38 = genome_build("GRCh37"), genome_build(None)
    assert grch38.name == "GRCh38" and set(BUILDS) == {"GRCh37", "GRCh38"}
    # chrX:2,700,000 lies in the GRCh38 PAR1 but outside GRCh37's
    assert not grch38.is_x_nonpar("chrX", 2_700_000)
    assert grch37.is_x_nonpar("X", 2_700_000)
    assert not grch37.is_x_nonpar("chr1", 2_700_000)
    with pytest.raises(InputError, match="unknown genome build 'hg19'"):
        genome_build("hg19")
