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
