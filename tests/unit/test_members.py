"""Per-member evidence in the prioritised results (hurtig.prioritise.members)."""

from __future__ import annotations

import json
from pathlib import Path

from hurtig.prioritise.columns import CONTRACT_COLUMNS, EXTRA_COLUMNS
from hurtig.prioritise.members import MemberCall, relation
from hurtig.prioritise.results import TSV_COLUMNS, PrioritisedResults, PrioritisedTable
from hurtig.run.pedigree import Pedigree, Person, Sex
from unit.test_prioritise import CASES, run_case


def test_every_member_with_depths_and_quality(tmp_path: Path) -> None:
    _tsv, doc = run_case(CASES / "trio_chr21", tmp_path)
    assert TSV_COLUMNS[-7:-4] == ("family_allele_depths", "family_depths", "family_gq")
    first = PrioritisedTable.read(tmp_path / "out.tsv").records()[0]
    assert first["family_allele_depths"] == "P1=17,18;F1=32,0;M1=30,0"
    assert first["family_depths"] == "P1=35;F1=32;M1=30"
    assert first["family_gq"] == "P1=99;F1=60;M1=60"
    members = doc["variants"][0]["members"]
    assert members[0] == {
        "sample": "P1", "relation": "proband", "affected": True, "gt": "0/1",
        "ad_ref": 17, "ad_alt": 18, "dp": 35, "gq": 99,
    }  # fmt: skip
    assert [(m["relation"], m["gt"], m["dp"], m["gq"]) for m in members[1:]] == [
        ("father", "0/0", 32, 60),
        ("mother", "0/0", 30, 60),
    ]
    again = PrioritisedResults.read(tmp_path / "out.json")
    assert again.variants[0].members[1] == MemberCall("F1", "father", False, "0/0", 32, 0, 32, 60)


def test_files_from_before_the_member_columns_are_read(tmp_path: Path) -> None:
    run_case(CASES / "trio_chr21", tmp_path)
    old = len(CONTRACT_COLUMNS + EXTRA_COLUMNS)
    lines = (tmp_path / "out.tsv").read_text().splitlines()
    (tmp_path / "old.tsv").write_text(
        "".join("\t".join(ln.split("\t")[:old]) + "\n" for ln in lines)
    )
    record = PrioritisedTable.read(tmp_path / "old.tsv").records()[0]
    assert record["family_genotypes"] == "P1=0/1;F1=0/0;M1=0/0" and record["family_gq"] == ""
    doc = json.loads((tmp_path / "out.json").read_text())
    for variant in doc["variants"]:
        for key in ("members", "family_allele_depths", "family_depths", "family_gq"):
            del variant[key]
    (tmp_path / "old.json").write_text(json.dumps(doc))
    variant = PrioritisedResults.read(tmp_path / "old.json").variants[0]
    assert variant.members == () and variant.family_gq == ""


def test_relations() -> None:
    people = (
        Person("kid", "f", "dad", "mum", Sex.FEMALE, True),
        Person("dad", "f", None, None, Sex.MALE, False),
        Person("mum", "f", None, None, Sex.FEMALE, False),
        Person("sis", "f", "dad", "mum", Sex.FEMALE, True),
        Person("baby", "f", None, "kid", Sex.MALE, False),
        Person("aunt", "f", None, None, Sex.FEMALE, False),
    )
    pedigree = Pedigree(people)
    kid = people[0]
    assert [relation(p.sample, kid, pedigree) for p in people] == [
        "proband", "father", "mother", "sibling", "child", "relative",
    ]  # fmt: skip
    assert relation("stranger", kid, pedigree) == "relative"
