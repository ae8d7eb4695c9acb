"""Config and sheet validation: every bad input gives one line naming the file and the problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hurtig.errors import InputError
from hurtig.run import sheets

REPO = Path(__file__).resolve().parents[2]
HEADER = "sample\tfamily\tfather\tmother\tsex\taffected\tpanels\n"
TRIO = (
    HEADER
    + "kid\tfam\tdad\tmum\tfemale\ttrue\tp1\n"
    + "dad\tfam\t\t\tmale\tfalse\t\n"
    + "mum\tfam\t0\t0\tfemale\tfalse\t\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_trio_loads_with_parents_and_panels(tmp_path: Path) -> None:
    samples = sheets.load_samples(write(tmp_path / "s.tsv", TRIO))
    assert list(samples) == ["kid", "dad", "mum"]
    assert samples["kid"].father == "dad" and samples["kid"].mother == "mum"
    assert samples["mum"].father is None
    assert samples["kid"].panels == ("p1",) and samples["kid"].affected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEADER.replace("panels", "panels\tcolour") + "a\tf\t\t\tmale\ttrue\t\tred\n",
            "unknown column 'colour'",
        ),
        (
            HEADER + "kid\tfam\tdad\t\tfemale\ttrue\t\n",
            "father 'dad' of sample 'kid' is not in the sheet",
        ),
        (HEADER + "kid\tfam\t\t\tF\ttrue\t\n", "row 2: column 'sex'"),
        (HEADER + "kid\tfam\t\t\tfemale\tyes\t\n", "column 'affected'"),
        (HEADER + "kid\tfam\t\t\tfemale\ttrue\t\nkid\tfam\t\t\tfemale\ttrue\t\n", "appears twice"),
        (
            HEADER + "kid\tfam\tmum\t\tfemale\ttrue\t\nmum\tfam\t\t\tfemale\tfalse\t\n",
            "expected male",
        ),
        ("sample\tfamily\n", "missing column 'father'"),
    ],
)
def test_bad_samples_sheet_names_file_and_problem(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "samples.tsv", text)
    with pytest.raises(InputError) as err:
        sheets.load_samples(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_sheet(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        sheets.load_samples(tmp_path / "nope.tsv")


UNITS_HEADER = "sample\tunit\tfq1\tfq2\tplatform\tlibrary\n"


def test_units_resolve_relative_to_sheet_and_check_files(tmp_path: Path) -> None:
    samples = sheets.load_samples(write(tmp_path / "s.tsv", HEADER + "a\tf\t\t\tmale\ttrue\t\n"))
    (tmp_path / "reads").mkdir()
    for name in ("a_1.fq.gz", "a_2.fq.gz"):
        (tmp_path / "reads" / name).write_bytes(b"")
    units = sheets.load_units(
        write(
            tmp_path / "u.tsv",
            UNITS_HEADER + "a\tL1\treads/a_1.fq.gz\treads/a_2.fq.gz\tILLUMINA\tlib\n",
        ),
        samples,
    )
    assert units[0].fq1 == (tmp_path / "reads" / "a_1.fq.gz").resolve()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("", "sample 'a' has no units"),
        ("a\tL1\tmissing_1.fq.gz\tmissing_2.fq.gz\tILLUMINA\tlib\n", "file not found"),
        ("a\tL1\tx.fq.gz\t\tILLUMINA\tlib\n", "needs both fq1 and fq2"),
        ("zz\tL1\tx\ty\tILLUMINA\tlib\n", "sample 'zz' is not in the samples sheet"),
        ("a\tL1\tx\ty\tSANGER\tlib\n", "column 'platform'"),
    ],
)
def test_bad_units(tmp_path: Path, rows: str, message: str) -> None:
    samples = sheets.load_samples(write(tmp_path / "s.tsv", HEADER + "a\tf\t\t\tmale\ttrue\t\n"))
    path = write(tmp_path / "u.tsv", UNITS_HEADER + rows)
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
