"""Config and sheet validation: every bad input gives one line naming the file and the problem."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from builders import SampleSheet, UnitSheet
from hurtig.errors import InputError
from hurtig.run import sheets
from hurtig.run.pedigree import load_samples

REPO = Path(__file__).resolve().parents[2]
# The mother's parents are written "0" (none), as in a PED file.
TRIO = (
    SampleSheet()
    .add("kid", "fam", father="dad", mother="mum", sex="female", affected=True, panels=["p1"])
    .add("dad", "fam", sex="male")
    .add("mum", "fam", father="0", mother="0", sex="female")
)
SINGLE = SampleSheet().add("a", "f", sex="male", affected=True)

# A non-empty gzipped FASTQ: load_run refuses empty or uncompressed read files.
FASTQ_GZ = gzip.compress(b"@r\nACGT\n+\nIIII\n")


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_trio_loads_with_parents_and_panels(tmp_path: Path) -> None:
    samples = load_samples(TRIO.to_path(tmp_path / "s.tsv"))
    assert list(samples) == ["kid", "dad", "mum"]
    assert samples["kid"].father == "dad" and samples["kid"].mother == "mum"
    assert samples["mum"].father is None
    assert samples["kid"].panels == ("p1",) and samples["kid"].affected


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        (
            SampleSheet(extra_columns=["colour"]).add(
                "a", "f", sex="male", affected=True, extra=["red"]
            ),
            "unknown column 'colour'",
        ),
        (
            SampleSheet().add("kid", "fam", father="dad", sex="female", affected=True),
            "father 'dad' of sample 'kid' is not in the sheet",
        ),
        (SampleSheet().add("kid", "fam", sex="F", affected=True), "row 2: column 'sex'"),
        (SampleSheet().add("kid", "fam", sex="female", affected="yes"), "column 'affected'"),
        (
            SampleSheet()
            .add("kid", "fam", sex="female", affected=True)
            .add("kid", "fam", sex="female", affected=True),
            "appears twice",
        ),
        (
            SampleSheet()
            .add("kid", "fam", father="mum", sex="female", affected=True)
            .add("mum", "fam", sex="female"),
            "expected male",
        ),
        ("sample\tfamily\n", "missing column 'father'"),
    ],
)
def test_bad_samples_sheet_names_file_and_problem(
    tmp_path: Path, sheet: SampleSheet | str, message: str
) -> None:
    text = sheet if isinstance(sheet, str) else sheet.to_text()
    path = write(tmp_path / "samples.tsv", text)
    with pytest.raises(InputError) as err:
        load_samples(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_sheet(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_samples(tmp_path / "nope.tsv")


def test_units_resolve_relative_to_sheet_and_check_files(tmp_path: Path) -> None:
    samples = load_samples(SINGLE.to_path(tmp_path / "s.tsv"))
    (tmp_path / "reads").mkdir()
    for name in ("a_1.fq.gz", "a_2.fq.gz"):
        (tmp_path / "reads" / name).write_bytes(FASTQ_GZ)
    unit_sheet = UnitSheet().add("a", "L1", "reads/a_1.fq.gz", "reads/a_2.fq.gz")
    units = sheets.load_units(unit_sheet.to_path(tmp_path / "u.tsv"), samples)
    assert units[0].fq1 == (tmp_path / "reads" / "a_1.fq.gz").resolve()


@pytest.mark.parametrize(
    ("units", "message"),
    [
        (UnitSheet(), "sample 'a' has no units"),
        (UnitSheet().add("a", "L1", "missing_1.fq.gz", "missing_2.fq.gz"), "file not found"),
        (UnitSheet().add("a", "L1", "x.fq.gz", ""), "needs both fq1 and fq2"),
        (UnitSheet().add("zz", "L1", "x", "y"), "sample 'zz' is not in the samples sheet"),
        (UnitSheet().add("a", "L1", "x", "y", platform="SANGER"), "column 'platform'"),
    ],
)
def test_bad_units(tmp_path: Path, units: UnitSheet, message: str) -> None:
    samples = load_samples(SINGLE.to_path(tmp_path / "s.tsv"))
    path = units.to_path(tmp_path / "u.tsv")
    with pytest.raises(InputError, match=message) as err:
        sheets.load_units(path, samples)
    assert str(path) in str(err.value)


def test_config_unknown_key_is_refused(tmp_path: Path) -> None:
    config = {"samples": "s.tsv", "units": "u.tsv", "reference": {"fasta": "r.fa"}, "colour": 1}
    with pytest.raises(InputError, match="unknown key"):
        sheets.validate_config(config, tmp_path / "config.yaml")


def test_demo_config_validates_via_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hurtig", "check", str(REPO / "config" / "config.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "3 samples, 3 units" in result.stdout
