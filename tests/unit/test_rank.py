"""Tests for hurtig.prioritise.points."""

from __future__ import annotations

from typing import Any

import pytest

from hurtig.errors import InputError
from hurtig.genes.consequences import Severity
from hurtig.prioritise.inheritance import InheritanceCall, Pattern
from hurtig.prioritise.points import (
    DEFAULT_RANKING,
    ClinvarClass,
    VariantFacts,
    classify_clinvar,
    evidence_for,
    explanation,
    ranking_settings,
    score,
    sort_key,
)

DN = InheritanceCall((Pattern.DE_NOVO,), ("de novo (parents 0/0, GQ ≥ 20)",), "de_novo")


@pytest.mark.parametrize(
    ("sig", "cls"),
    [
        ("Pathogenic", ClinvarClass.PATHOGENIC),
        ("Pathogenic/Likely_pathogenic", ClinvarClass.PATHOGENIC),
        ("Likely_pathogenic", ClinvarClass.LIKELY_PATHOGENIC),
        ("Uncertain_significance", ClinvarClass.VUS),
        ("Conflicting_classifications_of_pathogenicity", ClinvarClass.CONFLICTING),
        ("Benign/Likely_benign", ClinvarClass.BENIGN),
        ("Likely_benign", ClinvarClass.BENIGN),
        ("risk_factor", ClinvarClass.OTHER),
        ("not_provided,Pathogenic", ClinvarClass.PATHOGENIC),
        ("Pathogenic|risk_factor", ClinvarClass.PATHOGENIC),
        ("Likely_benign,Pathogenic", ClinvarClass.CONFLICTING),
        ("not_provided", ClinvarClass.OTHER),
        ("", None),
    ],
)
def test_classify_clinvar(sig: str, cls: ClinvarClass | None) -> None:
    assert classify_clinvar(sig) == cls


def test_explanation_and_score() -> None:
    facts = VariantFacts(
        gene="APP",
        consequence=Severity.missense_variant,
        hgvs_p="p.(Val717Ile)",
        clinvar_sig="Pathogenic",
        clinvar_stars=0,
        inheritance=DN,
        fit=True,
        fit_text="fits AD panel inheritance",
        depth=35,
        gq=99,
        ab=0.5,
        is_het=True,
    )
    items = evidence_for(facts, DEFAULT_RANKING)
    assert explanation(items) == (
        "ClinVar pathogenic (0 stars, review status not given); missense_variant in APP "
        "(p.(Val717Ile)); absent from gnomAD; de novo (parents 0/0, GQ ≥ 20); "
        "fits AD panel inheritance"
    )
    assert score(items) == 10 + 4 + 3 + 4 + 2
    assert [e.category for e in items] == [
        "clinvar", "consequence", "frequency", "inheritance", "inheritance",
    ]  # fmt: skip


def test_penalties() -> None:
    facts = VariantFacts(
        gene="G",
        consequence=Severity.synonymous_variant,
        clinvar_sig="Benign",
        clinvar_stars=2,
        gnomad_af=0.02,
        fit=False,
        fit_text="does not fit AR panel inheritance",
        depth=9,
        gq=25,
        ab=0.21,
        is_het=True,
    )
    items = evidence_for(facts, DEFAULT_RANKING)
    assert score(items) == -8 + 1 - 5 - 3 - 2
    assert "low quality: depth 9, GQ 25, allele balance 0.21" in explanation(items)
    assert "common (gnomAD AF 0.02, AN not given (AF trusted))" in explanation(items)


def test_frequency_trust_inhouse_and_managed_explanation() -> None:
    base: dict[str, Any] = {
        "gene": "G",
        "consequence": Severity.missense_variant,
        "gnomad_af": 0.02,
    }
    low_an = evidence_for(VariantFacts(**base, gnomad_an=1200, min_an=5000), DEFAULT_RANKING)
    freq = [e for e in low_an if e.category == "frequency"]
    assert [(e.points, e.text) for e in freq] == [
        (0, "gnomAD AF 0.02, AN 1200 < 5000: not trusted")
    ]
    trusted = evidence_for(VariantFacts(**base, gnomad_an=150000, min_an=5000), DEFAULT_RANKING)
    assert [e.text for e in trusted if e.category == "frequency"] == ["common (gnomAD AF 0.02)"]
    managed = evidence_for(
        VariantFacts(
            **base,
            gnomad_an=150000,
            min_an=5000,
            inhouse_af=0.1,
            managed_class="likely_pathogenic",
            managed_comment="lab case 17",
            frequency_notes=("gnomAD 0.02 > 0.01 (AR/unknown limit), kept: lab-managed variant "
                             "(likely pathogenic) passes the frequency filter",),
        ),
        DEFAULT_RANKING,
    )  # fmt: skip
    assert explanation(managed) == (
        "lab-managed variant: likely pathogenic (lab case 17); missense_variant in G; "
        "common (gnomAD AF 0.02); in-house AF 0.1; gnomAD 0.02 > 0.01 (AR/unknown limit), "
        "kept: lab-managed variant (likely pathogenic) passes the frequency filter"
    )
    assert score(managed) == 8 + 4 - 5


def test_settings() -> None:
    w = ranking_settings({"de_novo": 7})
    assert w["de_novo"] == 7 and w["homozygous"] == DEFAULT_RANKING["homozygous"]
    with pytest.raises(InputError):
        ranking_settings({"nope": 1})
    with pytest.raises(InputError):
        ranking_settings({"de_novo": "high"})


def test_sort_key_deterministic() -> None:
    keys = [
        sort_key(5, "chr2", 10, "A", "G"),
        sort_key(5, "chr10", 5, "A", "G"),
        sort_key(9, "chrX", 1, "A", "G"),
        sort_key(5, "chr2", 10, "A", "C"),
    ]
    assert sorted(keys) == [keys[2], keys[3], keys[0], keys[1]]
