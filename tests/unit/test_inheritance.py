"""Tests for hurtig.prioritise.inheritance with tiny hand-made families."""

from __future__ import annotations

from hurtig.prioritise.genotypes import Call, FamilyVariant, Zygosity, zygosity_of
from hurtig.prioritise.inheritance import (
    InheritanceSettings,
    Pattern,
    assess_family,
    assess_variant,
    panel_fit,
)
from hurtig.run.genome_build import genome_build
from hurtig.run.pedigree import Pedigree, Person, Sex

CHILD = Person("C", "F", "D", "M", Sex.FEMALE, True)
BOY = Person("C", "F", "D", "M", Sex.MALE, True)
DAD = Person("D", "F", None, None, Sex.MALE, False)
MUM = Person("M", "F", None, None, Sex.FEMALE, False)
TRIO = Pedigree((CHILD, DAD, MUM))
GRCH38 = genome_build("GRCh38")
SINGLE = Pedigree((Person("C", "F", None, None, Sex.FEMALE, True),))


def _c(gt: str, gq: int = 99, dp: int = 30, ab: float = 0.5) -> Call:
    alleles = [-1 if a == "." else int(a) for a in gt.replace("|", "/").split("/")]
    z = zygosity_of(alleles)
    alt = round(dp * ab) if z != Zygosity.HOM_REF else 0
    return Call(gt, z, gq, dp, dp - alt, alt)


def _v(pos: int, child: str, dad: str | None = "0/0", mum: str | None = "0/0", chrom: str = "chr1",
       gene: str = "G", **kw: int) -> FamilyVariant:  # fmt: skip
    calls = [("C", _c(child))]
    if dad is not None:
        calls.append(("D", _c(dad, **kw)))
    if mum is not None:
        calls.append(("M", _c(mum, **kw)))
    return FamilyVariant(chrom, pos, "A", "G", gene, tuple(calls))


def test_zygosity() -> None:
    assert zygosity_of([0, 1]) == Zygosity.HET
    assert zygosity_of([1, 1]) == Zygosity.HOM_ALT
    assert zygosity_of([0, 0]) == Zygosity.HOM_REF
    assert zygosity_of([1]) == Zygosity.HEMI
    assert zygosity_of([-1, -1]) == Zygosity.MISSING
    assert zygosity_of([0, 2]) == Zygosity.HOM_REF  # other ALT of a split record


def test_de_novo_needs_confident_parents() -> None:
    call = assess_variant(_v(1, "0/1"), CHILD, TRIO)
    assert call.patterns == (Pattern.DE_NOVO,)
    assert call.texts[0].startswith("de novo (parents 0/0, GQ ≥ 20")
    low = assess_variant(_v(1, "0/1", gq=10), CHILD, TRIO)
    assert Pattern.DE_NOVO not in low.patterns
    shallow = assess_variant(_v(1, "0/1", dp=5), CHILD, TRIO)
    assert Pattern.DE_NOVO not in shallow.patterns
    strict = InheritanceSettings(parent_min_gq=100)
    assert Pattern.DE_NOVO not in assess_variant(_v(1, "0/1"), CHILD, TRIO, strict).patterns
    # singleton: origin unknown, dominant-compatible
    single = assess_variant(_v(1, "0/1", None, None), CHILD, SINGLE)
    assert single.patterns == (Pattern.HET_UNKNOWN_ORIGIN,)


def test_homozygous_recessive() -> None:
    call = assess_variant(_v(1, "1/1", "0/1", "0/1"), CHILD, TRIO)
    assert call.patterns == (Pattern.HOMOZYGOUS,)
    assert panel_fit(call, ["AR"]) == (True, "fits AR panel inheritance")
    assert panel_fit(call, ["AD"])[0] is False
    bad = assess_variant(_v(1, "1/1", "1/1", "0/1"), CHILD, TRIO)
    assert bad.patterns == (Pattern.HOM_IN_UNAFFECTED_PARENT,)


def test_compound_het_in_trans() -> None:
    vs = [_v(10, "0/1", "0/1", "0/0"), _v(20, "0/1", "0/0", "0/1")]
    out = assess_family(vs, CHILD, TRIO)
    for v in vs:
        assert out[v.key].patterns == (Pattern.COMPOUND_HET,)
    assert "in trans with chr1:20" in out[vs[0].key].texts[0]


def test_both_from_one_parent_is_not_compound_het() -> None:
    vs = [_v(10, "0/1", "0/1", "0/0"), _v(20, "0/1", "0/1", "0/0")]
    out = assess_family(vs, CHILD, TRIO)
    for v in vs:
        assert Pattern.COMPOUND_HET not in out[v.key].patterns
        assert Pattern.POSSIBLE_COMPOUND_HET not in out[v.key].patterns
        assert "in cis" in out[v.key].texts[0]


def test_unaffected_parent_rules_out_the_pair() -> None:
    """Genmod's rules (docs/GENMOD.md): a parent with both variants, or hom-alt for one."""
    # paternal + maternal, but the unaffected father is 1/1 at the paternal one
    vs = [_v(10, "0/1", "1/1", "0/0"), _v(20, "0/1", "0/0", "0/1")]
    out = assess_family(vs, CHILD, TRIO)
    for v in vs:
        assert Pattern.COMPOUND_HET not in out[v.key].patterns
    assert "chr1:10 A>G is homozygous in the unaffected father" in " ".join(out[vs[1].key].texts)
    # one variant from both parents, the other paternal: the father carries both
    vs = [_v(10, "0/1", "0/1", "0/1"), _v(20, "0/1", "0/1", "0/0")]
    out = assess_family(vs, CHILD, TRIO)
    assert Pattern.POSSIBLE_COMPOUND_HET not in out[vs[0].key].patterns
    assert "both also in the unaffected father" in " ".join(out[vs[0].key].texts)
    # an affected father carrying both does not rule the pair out
    sick_dad = Pedigree((CHILD, Person("D", "F", None, None, Sex.MALE, True), MUM))
    out = assess_family(vs, CHILD, sick_dad)
    assert Pattern.POSSIBLE_COMPOUND_HET in out[vs[0].key].patterns


def test_de_novo_plus_inherited_is_possible() -> None:
    vs = [_v(10, "0/1"), _v(20, "0/1", "0/1", "0/0")]
    out = assess_family(vs, CHILD, TRIO)
    assert out[vs[0].key].patterns == (Pattern.DE_NOVO, Pattern.POSSIBLE_COMPOUND_HET)
    assert out[vs[1].key].patterns == (Pattern.POSSIBLE_COMPOUND_HET,)


def test_singleton_possible_compound_het_and_gene_separation() -> None:
    vs = [_v(10, "0/1", None, None), _v(20, "0/1", None, None), _v(30, "0/1", None, None, gene="H")]
    out = assess_family(vs, CHILD, SINGLE)
    assert Pattern.POSSIBLE_COMPOUND_HET in out[vs[0].key].patterns
    assert Pattern.POSSIBLE_COMPOUND_HET not in out[vs[2].key].patterns


def test_x_linked_male_and_par() -> None:
    ped = Pedigree((BOY, DAD, MUM))
    hemi = assess_variant(_v(5_000_000, "1/1", "0/0", "0/1", chrom="chrX"), BOY, ped)
    assert hemi.patterns == (Pattern.X_HEMIZYGOUS,)
    assert panel_fit(hemi, ["XR"])[0] is True
    par = assess_variant(_v(100_000, "0/1", "0/1", "0/0", chrom="chrX"), BOY, ped)
    assert par.patterns == (Pattern.HET_UNAFFECTED_PARENT,)
    assert GRCH38.is_x_nonpar("X", 2_781_480) and not GRCH38.is_x_nonpar("chrX", 2_781_479)
    assert not GRCH38.is_x_nonpar("chrX", 155_701_383) and not GRCH38.is_x_nonpar("chr7", 5_000_000)
    female = assess_variant(_v(5_000_000, "0/1", None, None, chrom="chrX"), CHILD, SINGLE)
    assert Pattern.X_HETEROZYGOUS in female.patterns
    assert panel_fit(female, ["XD"])[0] is True


def test_dominant_from_affected_parent_and_unknown_panel_mode() -> None:
    ped = Pedigree((CHILD, Person("D", "F", None, None, Sex.MALE, True), MUM))
    call = assess_variant(_v(1, "0/1", "0/1", "0/0"), CHILD, ped)
    assert call.patterns == (Pattern.HET_AFFECTED_PARENT,)
    assert panel_fit(call, ["AD"])[0] is True
    assert panel_fit(call, []) == (None, "panel inheritance not given")
    assert assess_variant(_v(1, "0/0"), CHILD, ped).patterns == ()


def test_grch37_pars_are_autosomal_under_grch37() -> None:
    """chrX:155,000,000 is in GRCh37's PAR2 but outside GRCh38's PARs (and 30,000 the reverse)."""
    ped = Pedigree((BOY, DAD, MUM))
    grch37 = InheritanceSettings(build=genome_build("GRCh37"))
    in_par37 = _v(155_000_000, "1/1", "0/1", "0/1", chrom="chrX")
    assert assess_variant(in_par37, BOY, ped, grch37).patterns == (Pattern.HOMOZYGOUS,)
    assert Pattern.X_HEMIZYGOUS in assess_variant(in_par37, BOY, ped).patterns  # GRCh38
    in_par38 = _v(30_000, "1/1", "0/0", "0/1", chrom="chrX")
    assert assess_variant(in_par38, BOY, ped, grch37).patterns == (Pattern.X_HEMIZYGOUS,)
    assert assess_variant(in_par38, BOY, ped).patterns == (Pattern.HOMOZYGOUS,)
    # compound heterozygosity: a male's PAR hets pair up only where the build says PAR
    a = _v(155_000_000, "0/1", "0/1", "0/0", chrom="chrX")
    b = _v(155_000_500, "0/1", "0/0", "0/1", chrom="chrX")
    calls37 = assess_family([a, b], BOY, ped, grch37)
    assert calls37[a.key].patterns == (Pattern.COMPOUND_HET,)
    calls38 = assess_family([a, b], BOY, ped)
    assert Pattern.COMPOUND_HET not in calls38[a.key].patterns
