"""Tests for hurtig.run.pedigree."""

from __future__ import annotations

from pathlib import Path

import pytest

from hurtig.errors import InputError
from hurtig.run.pedigree import Sex, load_pedigree

HEADER = "sample\tfamily\tfather\tmother\tsex\taffected\tpanels\n"


def _sheet(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "samples.tsv"
    p.write_text(HEADER + body)
    return p


def test_trio(tmp_path: Path) -> None:
    ped = load_pedigree(
        _sheet(
            tmp_path,
            "C1\tF\tD1\tM1\tfemale\ttrue\tneuro_demo,epilepsy_demo\n"
            "D1\tF\t0\t0\tmale\tfalse\t\nM1\tF\t\t\tfemale\tfalse\t\n00123\tG\t\t\tunknown\tfalse\t\n",
        )
    )
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
    ("body", "message"),
    [
        ("C1\tF\t\t\tmale\tmaybe\t\n", "affected"),
        ("C1\tF\t\t\tboy\ttrue\t\n", "sex"),
        ("C1\tF\tD9\t\tmale\ttrue\t\n", "not in the sheet"),
        ("C1\tF\t\t\tmale\ttrue\t\nC1\tF\t\t\tmale\ttrue\t\n", "twice"),
        ("C1\tF\tM1\t\tmale\ttrue\t\nM1\tF\t\t\tfemale\tfalse\t\n", "has sex female"),
    ],
)
def test_bad_sheets(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_pedigree(_sheet(tmp_path, body))


def test_missing_column(tmp_path: Path) -> None:
    p = tmp_path / "s.tsv"
    p.write_text("sample\tfamily\nA\tF\n")
    with pytest.raises(InputError, match="missing column"):
        load_pedigree(p)
    with pytest.raises(InputError, match="not found"):
        load_pedigree(_sheet(tmp_path, "A\tF\t\t\tmale\ttrue\t\n")).person("B")
