"""Tests for hurtig.run.pedigree."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import SampleSheet
from hurtig.errors import InputError
from hurtig.run.pedigree import Sex, load_pedigree


def test_trio(tmp_path: Path) -> None:
    sheet = SampleSheet()
    sheet.add(
        "C1", "F", father="D1", mother="M1", sex="female", affected=True,
        panels=("neuro_demo", "epilepsy_demo"),
    )  # fmt: skip
    sheet.add("D1", "F", father="0", mother="0", sex="male")
    sheet.add("M1", "F", sex="female")
    sheet.add("00123", "G", sex="unknown")
    ped = load_pedigree(sheet.to_path(tmp_path / "samples.tsv"))
    child = ped.person("C1")
    assert child.sex == Sex.FEMALE and child.affected
    assert child.panels == ("neuro_demo", "epilepsy_demo")
    father, mother = ped.parents("C1")
    assert father is not None and father.sample == "D1" and father.father is None
    assert mother is not None and mother.sample == "M1"
    assert [p.sample for p in ped.family("F")] == ["C1", "D1", "M1"]
    assert ped.person("00123").sample == "00123"  # string dtype keeps leading zeros
    assert ped.children("D1")[0].sample == "C1"


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        (SampleSheet().add("C1", "F", sex="male", affected="maybe"), "affected"),
        (SampleSheet().add("C1", "F", sex="boy", affected=True), "sex"),
        (SampleSheet().add("C1", "F", father="D9", sex="male", affected=True), "not in the sheet"),
        (
            SampleSheet()
            .add("C1", "F", sex="male", affected=True)
            .add("C1", "F", sex="male", affected=True),
            "twice",
        ),
        (
            SampleSheet()
            .add("C1", "F", father="M1", sex="male", affected=True)
            .add("M1", "F", sex="female"),
            "has sex female",
        ),
    ],
)
def test_bad_sheets(tmp_path: Path, sheet: SampleSheet, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_pedigree(sheet.to_path(tmp_path / "samples.tsv"))


def test_missing_column(tmp_path: Path) -> None:
    p = tmp_path / "s.tsv"
    p.write_text("sample\tfamily\nA\tF\n")
    with pytest.raises(InputError, match="missing column"):
        load_pedigree(p)
    sheet = SampleSheet().add("A", "F", sex="male", affected=True)
    with pytest.raises(InputError, match="not found"):
        load_pedigree(sheet.to_path(tmp_path / "samples.tsv")).person("B")


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        (
            SampleSheet().add("C1", "F", father="0", sex="male").add("0", "F", sex="male"),
            "row 3: column 'sample': '0' cannot be a sample id ('0' in the father/mother "
            "columns means no parent)",
        ),
        (
            SampleSheet().add("C1", "F", sex="male").add("c1", "F", sex="male"),
            "row 3: sample 'c1' differs from sample 'C1' only in case",
        ),
        (
            SampleSheet().add("C1", "F", sex="male").add("C2", "f", sex="male"),
            "row 3: family 'f' differs from family 'F' only in case",
        ),
        (
            SampleSheet()
            .add("A", "F", mother="B", sex="female")
            .add("B", "F", mother="C", sex="female")
            .add("C", "F", mother="A", sex="female"),
            "row 2: sample 'A' is its own ancestor (A -> B -> C -> A; each name is a parent of "
            "the one before)",
        ),
        (SampleSheet().add("a/b", "F", sex="male"), "row 2: column 'sample': 'a/b' does not match"),
        (
            SampleSheet().add("x" * 65, "F", sex="male"),
            "row 2: column 'sample': '" + "x" * 65 + "' is too long",
        ),
    ],
    ids=["zero", "case-twin-sample", "case-twin-family", "cycle", "slash", "too-long"],
)
def test_ids_and_ancestry_refused(tmp_path: Path, sheet: SampleSheet, message: str) -> None:
    path = sheet.to_path(tmp_path / "samples.tsv")
    with pytest.raises(InputError) as err:
        load_pedigree(path)
    assert str(err.value).startswith(f"{path}: {message}")


def test_deep_pedigree_without_cycle(tmp_path: Path) -> None:
    """Four generations, both parents each, a cousin marriage: no cycle, loads."""
    sheet = SampleSheet()
    sheet.add("g1", "F", sex="male").add("g2", "F", sex="female")
    sheet.add("p1", "F", father="g1", mother="g2", sex="male")
    sheet.add("p2", "F", father="g1", mother="g2", sex="female")
    sheet.add("c1", "F", father="p1", sex="male").add("c2", "F", mother="p2", sex="female")
    sheet.add("kid", "F", father="c1", mother="c2", sex="female", affected=True)
    ped = load_pedigree(sheet.to_path(tmp_path / "samples.tsv"))
    assert len(ped.people) == 7
