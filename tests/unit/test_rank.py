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
        ("Likely_pathogenic,Pathogenic", ClinvarClass.PATHOGENIC),
        ("Uncertain_significance,not_provided,Pathogenic", ClinvarClass.CONFLICTING),
        ("Likely_benign,Uncertain_significance", ClinvarClass.CONFLICTING),
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
        "ClinVar pathogenic (0 stars); missense_variant in APP "
        "(p.(Val717Ile)); absent from gnomAD; de novo (parents 0/0, GQ ≥ 20); "
        "fits AD panel inheritance"
    )
    assert score(items) == 10 * 0.3 + 4 + 3 + 4 + 2
    assert [e.category for e in items] == [
        "clinvar", "consequence", "frequency", "inheritance", "inheritance",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("sig", "stars", "revstat", "points", "text"),
    [
        ("Pathogenic", 0, "no_assertion_criteria_provided", 3,
         "ClinVar pathogenic (0 stars, no assertion criteria provided)"),
        ("Pathogenic", None, "", 3,
         "ClinVar pathogenic (review status not given: weighed as 0 stars)"),
        ("Pathogenic", 1, "criteria_provided,_single_submitter", 6,
         "ClinVar pathogenic (1 star, criteria provided, single submitter)"),
        ("Pathogenic", 2, "", 10, "ClinVar pathogenic (2 stars)"),
        ("Pathogenic", 3, "reviewed_by_expert_panel", 10,
         "ClinVar pathogenic (3 stars, reviewed by expert panel)"),
        ("Likely_pathogenic", 1, "", 4.8, "ClinVar likely pathogenic (1 star)"),
        ("Likely_pathogenic", 4, "practice_guideline", 8,
         "ClinVar likely pathogenic (4 stars, practice guideline)"),
        ("Benign", 0, "", -2.4, "ClinVar benign/likely benign (0 stars)"),
        ("Benign", 2, "", -8, "ClinVar benign/likely benign (2 stars)"),
        ("Uncertain_significance", 1, "", 0.6, "ClinVar uncertain significance (1 star)"),
        # conflicting records are 1 star by ClinVar's rules: the weight is not scaled
        ("Conflicting_classifications_of_pathogenicity", 1,
         "criteria_provided,_conflicting_classifications", 2,
         "ClinVar conflicting classifications (1 star, criteria provided, conflicting "
         "classifications)"),
        ("Uncertain_significance,not_provided,Pathogenic", None, "", 2,
         "ClinVar conflicting classifications (pathogenic vs uncertain significance; review "
         "status not given: weighed as 0 stars)"),
        ("Likely_benign,Likely_pathogenic", 1, "", 2,
         "ClinVar conflicting classifications (likely pathogenic vs benign/likely benign; 1 "
         "star)"),
    ],
)  # fmt: skip
def test_clinvar_points_scale_with_review_stars(
    sig: str, stars: int | None, revstat: str, points: float, text: str
) -> None:
    facts = VariantFacts(
        gene="G", consequence=None, clinvar_sig=sig, clinvar_stars=stars, clinvar_revstat=revstat
    )
    clinvar = [e for e in evidence_for(facts, DEFAULT_RANKING) if e.category == "clinvar"]
    assert [(e.points, e.text) for e in clinvar] == [(points, text)]


def test_clinvar_star_factors_are_settings() -> None:
    weights = ranking_settings({"clinvar_factor_0_stars": 0, "clinvar_factor_1_star": 1})
    zero = VariantFacts(gene="G", consequence=None, clinvar_sig="Pathogenic", clinvar_stars=0)
    one = VariantFacts(gene="G", consequence=None, clinvar_sig="Pathogenic", clinvar_stars=1)
    assert [e.points for e in evidence_for(zero, weights) if e.category == "clinvar"] == [0]
    assert [e.points for e in evidence_for(one, weights) if e.category == "clinvar"] == [10]


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
