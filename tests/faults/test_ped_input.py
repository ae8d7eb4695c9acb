"""A standard PED file as the pedigree (config key ``pedigree``): accepted, or one clear line.

Each bad case breaks one thing of a good trio run whose pedigree comes from ``family.ped`` and
asserts the single ``hurtig error:`` line of a dry run and of ``hurtig check``
(see :mod:`faults.test_bad_input`).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from faults.bad_runs import FaultRun

PED = (
    "#family\tsample\tfather\tmother\tsex\tphenotype\n"
    "fam kid dad mum 2 2\nfam dad 0 0 1 1\nfam mum 0 0 2 1\n"
)


def with_ped(run: FaultRun, text: str = PED) -> Path:
    """Give the run a PED file and keep only the sample and panels columns of samples.tsv."""
    ped = run.root / "family.ped"
    ped.write_text(text)
    run.config["pedigree"] = ped.name
    run.samples.columns = ("sample", "panels")
    run.samples.rows = [(row[0], row[6]) for row in run.samples.rows]
    return ped


def test_ped_pedigree_is_accepted(fault_run: FaultRun) -> None:
    with_ped(fault_run)
    result = fault_run.plan()
    assert result.returncode == 0, result.output[-3000:]
    check = subprocess.run(
        [sys.executable, "-m", "hurtig", "check", str(fault_run.write())],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert "OK (3 samples, 3 units)" in check.stdout


def _ped_as_samples_sheet(run: FaultRun) -> str:
    ped = run.root / "family.ped"
    ped.write_text(PED)
    run.config["samples"] = ped.name
    return (
        f"{ped}: this is a PED file, not a samples sheet; name it under the config key "
        "'pedigree' and list the samples in samples.tsv (columns sample and panels suffice)"
    )


def _bad_sex_code(run: FaultRun) -> str:
    ped = with_ped(run, PED.replace("fam dad 0 0 1 1", "fam dad 0 0 M 1"))
    return f"{ped}: line 3: sex 'M' is not 1 (male), 2 (female) or 0 (unknown)"


def _five_columns(run: FaultRun) -> str:
    ped = with_ped(run, PED.replace("fam mum 0 0 2 1", "fam mum 0 0 2"))
    return (
        f"{ped}: line 4: 5 columns; a PED line has 6 (family, sample, father, mother, sex, "
        "phenotype)"
    )


def _sample_missing_from_ped(run: FaultRun) -> str:
    ped = with_ped(run, PED.replace("fam mum 0 0 2 1\n", ""))
    return f"{run.samples_file}: row 4: sample 'mum' is not in the pedigree {ped}"


def _ped_father_is_female(run: FaultRun) -> str:
    with_ped(run, PED.replace("fam dad 0 0 1 1", "fam dad 0 0 2 1"))
    return f"{run.samples_file}: row 2: father 'dad' has sex female, expected male"


def _sheet_contradicts_ped(run: FaultRun) -> str:
    ped = with_ped(run)
    run.samples.columns = ("sample", "affected", "panels")
    run.samples.rows = [("kid", "false", "neuro_demo"), ("dad", "", ""), ("mum", "", "")]
    return f"{run.samples_file}: row 2: column 'affected' is 'false' but {ped} line 2 says 'true'"


def _ped_missing(run: FaultRun) -> str:
    ped = with_ped(run)
    ped.unlink()
    return f"{ped}: file not found"


CASES: dict[str, Callable[[FaultRun], str]] = {
    "ped-as-samples-sheet": _ped_as_samples_sheet,
    "ped-bad-sex-code": _bad_sex_code,
    "ped-five-columns": _five_columns,
    "ped-sample-missing": _sample_missing_from_ped,
    "ped-father-female": _ped_father_is_female,
    "sheet-contradicts-ped": _sheet_contradicts_ped,
    "ped-missing": _ped_missing,
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_ped(fault_run: FaultRun, case: Callable[[FaultRun], str]) -> None:
    expected = case(fault_run)
    assert fault_run.errors() == [expected]
    assert fault_run.check_errors() == [expected]
