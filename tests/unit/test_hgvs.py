"""Tests for hurtig.genes.hgvs.

Hand-derived expectations use a tiny in-memory genome (``_Ref``) with two transcripts:

- ``TP`` on +: exons 101-120 and 201-230; CDS 111-120, 201-220 (30 bp, c.1 = g.111).
  So g.120 = c.10, g.201 = c.11, g.121 = c.10+1, g.200 = c.11-1, g.110 = c.-1, g.221 = c.*1.
- ``TM`` on -: the same exons on the minus strand; CDS 220..201 then 120..111 in transcript
  order, so g.220 = c.1, g.201 = c.20, g.120 = c.21, g.111 = c.30.

One real check: APP chr21:25891784 C>T on ENST00000346798 (APP770) is the London mutation
V717I; the CDS built from the Ensembl 84 GFF3 gives c.2149G>A (codon 717 = c.2149-2151,
first base; G on the transcript strand = genomic C) and bcftools csq reports 717V>717I.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hurtig.genes.consequences import Severity
from hurtig.genes.gene_model import Segment, Transcript, load_gff3
from hurtig.genes.hgvs import FastaReference, TranscriptMap, hgvs_c, hgvs_p, revcomp

# positions 1..300; a run "AAA" at 203-205 and "CAGCAG" at 211-216
SEQ = ["G"] * 300
for _p, _b in {203: "A", 204: "A", 205: "A", 206: "T", 211: "C", 212: "A", 213: "G", 214: "C",
               215: "A", 216: "G", 217: "T"}.items():  # fmt: skip
    SEQ[_p - 1] = _b


class _Ref:
    def fetch(self, chrom: str, start: int, end: int) -> str:
        if start < 1 or end > len(SEQ):
            return ""
        return "".join(SEQ[start - 1 : end])


def _tx(strand: str) -> Transcript:
    exons = (Segment(101, 120), Segment(201, 230))
    cds = (Segment(111, 120, 0), Segment(201, 220, 2))
    if strand == "-":
        exons, cds = exons[::-1], cds[::-1]
    return Transcript("T" + ("P" if strand == "+" else "M"), "G", "x", "protein_coding",
                      "chr1", strand, 101, 230, exons, cds)  # fmt: skip


@pytest.mark.parametrize(
    ("g", "plus", "minus"),
    [
        (111, "1", "30"),
        (120, "10", "21"),
        (201, "11", "20"),
        (121, "10+1", "21-1"),
        (200, "11-1", "20+1"),
        (160, "10+40", "21-40"),
        (161, "11-40", "20+40"),
        (110, "-1", "*1"),
        (221, "*1", "-1"),
        (99, "-12", "*12"),
        (235, "*15", "-15"),
    ],
)
def test_positions(g: int, plus: str, minus: str) -> None:
    assert TranscriptMap(_tx("+")).position(g) == plus
    assert TranscriptMap(_tx("-")).position(g) == minus


def test_substitution_strand() -> None:
    assert hgvs_c(_tx("+"), "chr1", 203, "A", "G") == "c.13A>G"
    assert hgvs_c(_tx("-"), "chr1", 203, "A", "G") == "c.18T>C"


def test_deletion_shift_plus_and_minus() -> None:
    ref = _Ref()
    # VCF left-aligned deletion of one A from AAA (203-205): 3' in + direction is g.205
    assert hgvs_c(_tx("+"), "chr1", 202, "GA", "G", ref) == "c.15del"
    # on - strand the left-most copy (g.203) is the 3'-most: c.18
    assert hgvs_c(_tx("-"), "chr1", 202, "GA", "G", ref) == "c.18del"
    assert hgvs_c(_tx("+"), "chr1", 202, "GAAA", "G", ref) == "c.13_15del"
    assert hgvs_c(_tx("-"), "chr1", 202, "GAAA", "G", ref) == "c.16_18del"
    # without a reference no shifting
    assert hgvs_c(_tx("+"), "chr1", 202, "GA", "G") == "c.13del"


def test_duplication_and_insertion() -> None:
    ref = _Ref()
    # insert A after g.202 (before AAA) -> dup of the 3'-most A
    assert hgvs_c(_tx("+"), "chr1", 202, "G", "GA", ref) == "c.15dup"
    assert hgvs_c(_tx("-"), "chr1", 202, "G", "GA", ref) == "c.18dup"
    # CAG repeat 211-216: inserting CAG after 210 -> dup of the last copy g.214-216 = c.24_26
    assert hgvs_c(_tx("+"), "chr1", 210, "G", "GCAG", ref) == "c.24_26dup"
    # plain insertion
    assert hgvs_c(_tx("+"), "chr1", 206, "T", "TCC", ref) == "c.16_17insCC"
    assert hgvs_c(_tx("-"), "chr1", 206, "T", "TCC", ref) == "c.14_15insGG"


def test_delins_and_symbolic() -> None:
    assert hgvs_c(_tx("+"), "chr1", 203, "AA", "TC") == "c.13_14delinsTC"
    assert hgvs_c(_tx("-"), "chr1", 203, "AA", "TC") == "c.17_18delinsGA"
    assert hgvs_c(_tx("+"), "chr1", 203, "A", "<DEL>") == ""


def test_noncoding_numbering() -> None:
    tx = Transcript("N1", "G", "n", "lincRNA", "chr1", "+", 101, 230,
                    (Segment(101, 120), Segment(201, 230)))  # fmt: skip
    assert hgvs_c(tx, "chr1", 201, "G", "A") == "n.21G>A"
    assert hgvs_c(tx, "chr1", 100, "G", "A") == "n.-1G>A"


@pytest.mark.parametrize(
    ("aa", "csq", "expected"),
    [
        ("717V>717I", Severity.missense_variant, "p.(Val717Ile)"),
        ("42S", Severity.synonymous_variant, "p.(Ser42=)"),
        ("100R>100*", Severity.stop_gained, "p.(Arg100Ter)"),
        ("40AVSF*>40ACHS*", Severity.frameshift_variant, "p.(Val41fs)"),
        ("39KAVS*>39*", Severity.frameshift_variant, "p.(Lys39Ter)"),
        ("38FK>38L", Severity.inframe_deletion, "p.(Phe38_Lys39delinsLeu)"),
        ("38FKL>38L", Severity.inframe_deletion, "p.(Phe38_Lys39del)"),
        ("99*>99RK*", Severity.stop_lost, "p.(Ter99Argext*?)"),
        ("", Severity.start_lost, "p.(Met1?)"),
        ("", Severity.missense_variant, ""),
        ("garbage", Severity.missense_variant, ""),
    ],
)
def test_hgvs_p(aa: str, csq: Severity, expected: str) -> None:
    assert hgvs_p(aa, csq) == expected


def test_revcomp() -> None:
    assert revcomp("AACGTN") == "NACGTT"


DEMO_DATA = Path(__file__).resolve().parents[2] / "resources/demo"


def test_app_london_mutation() -> None:
    model = load_gff3(DEMO_DATA / "annotation/genes.gff3.gz")
    ref = FastaReference(str(DEMO_DATA / "reference/chr21.fa.gz"))
    tx = model.transcript("ENST00000346798")
    assert tx is not None and tx.cds_length == 2313  # 770 codons + stop
    assert hgvs_c(tx, "chr21", 25891784, "C", "T", ref) == "c.2149G>A"
    assert hgvs_p("717V>717I", Severity.missense_variant) == "p.(Val717Ile)"
    cstb = model.transcript("ENST00000291568")
    assert cstb is not None
    # CSTB (-): insertion of A into genomic AAA (43774712-4) = c.112-114 TTT -> dup at c.114
    assert hgvs_c(cstb, "chr21", 43774711, "T", "TA", ref) == "c.114dup"
    assert hgvs_c(cstb, "chr21", 43774760, "C", "T", ref) == "c.67-1G>A"
