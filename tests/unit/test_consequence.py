"""Tests for hurtig.genes.consequences (BCSQ parsing and severity)."""

from __future__ import annotations

import pytest

from hurtig.genes.consequences import (
    Impact,
    Severity,
    map_term,
    most_severe_per_gene,
    on_transcript,
    parse_bcsq,
)

APP = "missense|APP|ENST00000346798|protein_coding|-|717V>717I|25891784C>T"


def test_parse_entry_fields() -> None:
    (c,) = parse_bcsq(APP)
    assert c.terms == (Severity.missense_variant,)
    assert (c.gene, c.transcript, c.strand, c.aa_change) == (
        "APP",
        "ENST00000346798",
        "-",
        "717V>717I",
    )
    assert c.impact == Impact.MODERATE
    assert c.so_terms == "missense_variant"


def test_term_mapping() -> None:
    assert map_term("5_prime_utr").so_term == "5_prime_UTR_variant"
    assert map_term("frameshift") == Severity.frameshift_variant
    assert map_term("splice_acceptor").impact == Impact.HIGH
    assert map_term("splice_region").impact == Impact.LOW
    assert map_term("intron").impact == Impact.MODIFIER
    with pytest.raises(ValueError):
        map_term("made_up")


def test_severity_order() -> None:
    order = [
        Severity.transcript_ablation,
        Severity.stop_gained,
        Severity.frameshift_variant,
        Severity.missense_variant,
        Severity.splice_region_variant,
        Severity.synonymous_variant,
        Severity.intron_variant,
        Severity.intergenic_variant,
    ]
    assert sorted(order) == order


def test_combined_terms_and_short_entries() -> None:
    cs = parse_bcsq("splice_region&intron|CSTB||protein_coding,non_coding|CSTB||retained_intron")
    assert cs[0].terms == (Severity.splice_region_variant, Severity.intron_variant)
    assert cs[0].transcript == ""
    assert most_severe_per_gene(cs)["CSTB"].worst == Severity.splice_region_variant


def test_star_and_backref() -> None:
    cs = parse_bcsq(
        [
            "*missense|G|T1|protein_coding|+|5A>5V|100C>T",
            "@12345",
            "synonymous|G|T1|protein_coding|+|5A|100C>T",
        ]
    )
    assert cs[0].downstream_of_stop and cs[0].worst == Severity.missense_variant
    assert cs[1].backref == 12345 and cs[1].terms == ()
    assert on_transcript(cs, "T1.3") is cs[0]
    assert on_transcript(cs, "T9") is None


def test_most_severe_per_gene_picks_worst() -> None:
    cs = parse_bcsq(
        "synonymous|A|T2|protein_coding|+|1M|1A>G,stop_gained|A|T1|protein_coding|+|2R>2*|4C>T"
    )
    assert most_severe_per_gene(cs)["A"].transcript == "T1"
    assert parse_bcsq(None) == () and parse_bcsq(".") == ()
