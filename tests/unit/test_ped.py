"""Tests for hurtig.run.ped: a standard PED file as the run's pedigree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builders import SampleSheet
from hurtig.errors import InputError
from hurtig.run.pedigree import Sex, load_samples

PED = (
    "#family_id\tindividual_id\tpaternal_id\tmaternal_id\tsex\tphenotype\n"
    "fam  kid dad mum 2 2\n"
    "fam\tdad\t0\t0\t1\t1\n"
    "\n"
    "fam mum . 0 2 -9\n"
    "fam granny 0 0 2 0\n"
)


def _short_sheet(path: Path, *rows: tuple[str, str]) -> Path:
    sheet = SampleSheet()
    sheet.columns = ("sample", "panels")
    sheet.rows = list(rows)
    return sheet.to_path(path)


def test_ped_supplies_the_pedigree(tmp_path: Path) -> None:
    ped = tmp_path / "family.ped"
    ped.write_text(PED)
    sheet = _short_sheet(tmp_path / "samples.tsv", ("kid", "p1"), ("dad", ""), ("mum", ""))
    people = load_samples(sheet, ped)
    assert list(people) == ["kid", "dad", "mum"]  # granny is not sequenced: not a sample
    kid, dad, mum = people["kid"], people["dad"], people["mum"]
    assert (kid.family, kid.father, kid.mother) == ("fam", "dad", "mum")
    assert kid.sex == Sex.FEMALE and kid.affected and kid.panels == ("p1",)
    assert dad.sex == Sex.MALE and not dad.affected and dad.father is None
    assert mum.sex == Sex.FEMALE and not mum.affected  # -9: unknown counts as unaffected


def test_parent_not_sequenced_means_no_parent(tmp_path: Path) -> None:
    ped = tmp_path / "family.ped"
    ped.write_text(PED)
    people = load_samples(_short_sheet(tmp_path / "samples.tsv", ("kid", "p1")), ped)
    assert people["kid"].father is None and people["kid"].mother is None


def test_full_sheet_agreeing_with_the_ped(tmp_path: Path) -> None:
    ped = tmp_path / "family.ped"
    ped.write_text(PED)
    sheet = SampleSheet.trio().to_path(tmp_path / "samples.tsv")
    assert load_samples(sheet, ped) == load_samples(sheet)


@pytest.mark.parametrize(
    ("ped_text", "message"),
    [
        ("fam kid dad mum 2\n", "line 1: 5 columns; a PED line has 6"),
        ("fam kid 0 0 F 2\n", "line 1: sex 'F' is not 1 (male), 2 (female) or 0 (unknown)"),
        ("fam kid 0 0 2 yes\n", "line 1: phenotype 'yes' is not 2 (affected), 1 (unaffected)"),
        ("fam kid 0 0 2 2\nfam kid 0 0 2 2\n", "line 2: sample 'kid' appears twice (also line 1)"),
        ("# only a header\n", "no persons"),
        ("fam kid 0 0 2 2\n", "row 3: sample 'dad' is not in the pedigree"),
    ],
)
def test_bad_ped(tmp_path: Path, ped_text: str, message: str) -> None:
    ped = tmp_path / "family.ped"
    ped.write_text(ped_text)
    sheet = _short_sheet(tmp_path / "samples.tsv", ("kid", "p1"), ("dad", ""))
    with pytest.raises(InputError, match=re.escape(message)):
        load_samples(sheet, ped)


def test_sheet_disagreeing_with_the_ped(tmp_path: Path) -> None:
    ped = tmp_path / "family.ped"
    ped.write_text(PED.replace("fam  kid dad mum 2 2", "fam kid dad mum 1 2"))
    sheet = SampleSheet.trio().to_path(tmp_path / "samples.tsv")
    with pytest.raises(InputError) as err:
        load_samples(sheet, ped)
    assert str(err.value) == (
        f"{sheet}: row 2: column 'sex' is 'female' but {ped} line 2 says 'male'"
    )


@pytest.mark.parametrize("name", ["family.ped", "family.txt"])
def test_ped_given_as_the_sheet(tmp_path: Path, name: str) -> None:
    ped = tmp_path / name
    ped.write_text(PED)
    with pytest.raises(InputError) as err:
        load_samples(ped)
    assert str(err.value).startswith(f"{ped}: this is a PED file, not a samples sheet; name it ")


def test_sheet_with_a_hash_header_is_not_a_ped(tmp_path: Path) -> None:
    sheet = SampleSheet.trio()
    text = "#" + sheet.to_text()
    (tmp_path / "samples.tsv").write_text(text)
    assert list(load_samples(tmp_path / "samples.tsv")) == ["kid", "dad", "mum"]


def test_ped_with_named_header_given_as_the_sheet(tmp_path: Path) -> None:
    ped = tmp_path / "family.txt"
    ped.write_text("#family sample father mother sex phenotype\nfam kid 0 0 2 2\n")
    with pytest.raises(InputError, match="this is a PED file, not a samples sheet"):
        load_samples(ped)
