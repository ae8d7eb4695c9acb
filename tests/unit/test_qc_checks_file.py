"""Tests for hurtig.qc.checks_file: the checks JSON owner type round-trips and reads old files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from builders.checks import example_checks
from hurtig.errors import InputError
from hurtig.qc.checks_file import (
    CheckStatus,
    Failure,
    FamilyChecks,
    read_checks,
    write_checks,
)

# Written by the code before the owner type existed (hurtig.qc.sample_checks, commit e9b4d22):
# hurtig check-family on a synthetic trio whose labelled father is a stranger, with both checks
# overridden.
WRITTEN_BEFORE = r"""{
 "family": "fam",
 "build": "GRCh38",
 "checks": {
  "sex": {
   "status": "pass",
   "samples": [
    {
     "sample": "kid",
     "declared": "female",
     "inferred": "female",
     "status": "pass",
     "reason": "declared female, inferred female (X/autosome depth 1.00, Y/autosome depth 0.00, X heterozygosity 0.50 over 24 sites)",
     "x_ratio": 1.0,
     "y_ratio": 0.0,
     "x_het_fraction": 0.5,
     "x_het_sites": 24
    },
    {
     "sample": "stranger",
     "declared": "male",
     "inferred": "male",
     "status": "pass",
     "reason": "declared male, inferred male (X/autosome depth 0.50, Y/autosome depth 0.50, X heterozygosity 0.00 over 24 sites)",
     "x_ratio": 0.5001254075746175,
     "y_ratio": 0.49836970152997245,
     "x_het_fraction": 0.0,
     "x_het_sites": 24
    },
    {
     "sample": "mum",
     "declared": "female",
     "inferred": "female",
     "status": "pass",
     "reason": "declared female, inferred female (X/autosome depth 1.00, Y/autosome depth 0.00, X heterozygosity 0.50 over 24 sites)",
     "x_ratio": 1.0,
     "y_ratio": 0.0,
     "x_het_fraction": 0.5,
     "x_het_sites": 24
    }
   ]
  },
  "relatedness": {
   "status": "fail",
   "sites": 349,
   "pairs": [
    {
     "sample_a": "kid",
     "sample_b": "stranger",
     "expected_kinship": 0.25,
     "expected_relation": "first-degree (parent-child or siblings)",
     "kinship": 0.0029239766081871343,
     "sites": 349,
     "ibs0": 0.11326860841423948,
     "status": "info",
     "reason": "kid\u2013stranger: kinship 0.003 (pedigree: first-degree (parent-child or siblings), 0.250; 349 sites); decided by the trio's Mendelian consistency"
    },
    {
     "sample_a": "kid",
     "sample_b": "mum",
     "expected_kinship": 0.25,
     "expected_relation": "first-degree (parent-child or siblings)",
     "kinship": 0.2413793103448276,
     "sites": 349,
     "ibs0": 0.0,
     "status": "info",
     "reason": "kid\u2013mum: kinship 0.241 (pedigree: first-degree (parent-child or siblings), 0.250; 349 sites); decided by the trio's Mendelian consistency"
    },
    {
     "sample_a": "stranger",
     "sample_b": "mum",
     "expected_kinship": 0.0,
     "expected_relation": "unrelated",
     "kinship": -0.037037037037037035,
     "sites": 349,
     "ibs0": 0.13804713804713806,
     "status": "info",
     "reason": "stranger\u2013mum: kinship -0.037 (pedigree: unrelated, 0.000; 349 sites); decided by the trio's Mendelian consistency"
    }
   ],
   "trios": [
    {
     "child": "kid",
     "father": "stranger",
     "mother": "mum",
     "sites": 334,
     "inconsistent": 73,
     "rate": 0.218562874251497,
     "status": "fail",
     "reason": "kid with parents stranger and mum: 21.9 % of 334 sites are Mendelian-inconsistent (at most 2 % expected)"
    }
   ]
  }
 },
 "failures": [
  {
   "check": "relatedness",
   "reason": "kid with parents stranger and mum: 21.9 % of 334 sites are Mendelian-inconsistent (at most 2 % expected)"
  }
 ],
 "override_checks": [
  "relatedness",
  "sex"
 ],
 "override_reason": "why not",
 "overridden": [
  "relatedness"
 ],
 "clinical_use": true
}
"""  # noqa: E501


def example() -> FamilyChecks:
    return example_checks()


def test_write_read_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "F1.json"
    write_checks(example(), path)
    assert read_checks(path) == example()
    text = path.read_text()
    assert text.startswith('{\n "family": "F1",\n "build": "GRCh37",\n "checks": {')
    assert text.endswith("}\n")
    assert json.loads(text)["checks"]["sex"]["samples"][2]["x_het_sites"] == 0


def test_reads_what_the_previous_code_wrote(tmp_path: Path) -> None:
    path = tmp_path / "fam.json"
    path.write_text(WRITTEN_BEFORE)
    checks = read_checks(path)
    old = json.loads(WRITTEN_BEFORE)
    written = checks.to_json()
    assert {k: v for k, v in written.items() if k in old} == old  # nothing lost or changed
    # What the older file did not record: the policy (then: not assessable never blocked) and
    # the verdicts, derived from its checks.
    assert written["not_assessable_blocks"] is False and checks.not_assessable_blocks is False
    assert [(v["check"], v["verdict"]) for v in written["verdicts"]] == [
        ("sex", "passed"),
        ("relatedness", "failed"),
    ]
    assert checks.family == "fam" and checks.build == "GRCh38" and checks.clinical_use is True
    assert [s.sample for s in checks.sex.samples] == ["kid", "stranger", "mum"]
    assert checks.relatedness.status is CheckStatus.FAIL and checks.relatedness.sites == 349
    (trio,) = checks.relatedness.trios
    assert (trio.child, trio.father, trio.inconsistent, trio.status) == (
        "kid",
        "stranger",
        73,
        CheckStatus.FAIL,
    )
    assert [p.status for p in checks.relatedness.pairs] == [CheckStatus.INFO] * 3
    assert checks.failures == (Failure("relatedness", trio.reason),)
    assert checks.override_checks == ("relatedness", "sex") and checks.overridden == (
        "relatedness",
    )
    again = tmp_path / "again.json"
    write_checks(checks, again)
    assert read_checks(again) == checks


def test_reads_gzipped(tmp_path: Path) -> None:
    path = tmp_path / "fam.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(WRITTEN_BEFORE)
    assert read_checks(path).relatedness.sites == 349


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("family"), "missing or bad 'family'"),
        (lambda d: d["checks"]["sex"].update(status="passed"), "'passed' is not a valid"),
        (lambda d: d["checks"]["relatedness"]["trios"][0].pop("rate"), "rate"),
        (lambda d: d.update(clinical_use="yes"), "clinical_use must be true or false"),
    ],
)
def test_malformed_files_are_input_errors(tmp_path: Path, edit: object, message: str) -> None:
    data = json.loads(WRITTEN_BEFORE)
    assert callable(edit)
    edit(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=message):
        read_checks(path)
