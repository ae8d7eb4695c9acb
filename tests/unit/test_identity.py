"""Tests for sample identity at common SNP sites (hurtig.qc.identity).

A tiny reference, a fixed set of SNP sites and reads for a father, a mother, their child and an
unrelated man are built here; every sample is genotyped at the sites with the real tools
(``bcftools mpileup -R sites | bcftools call -m``, homozygous reference included, as rule
``genotype_identity_sites`` does), and the kinship decides who is who.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pysam
import pytest

from builders import Call, ReadsBuilder, VcfBuilder, write_fasta
from hurtig.errors import InputError
from hurtig.qc import family_checks, identity
from hurtig.qc.checks_file import CheckStatus
from hurtig.qc.family_vcf import Genotypes
from hurtig.run.pedigree import Person, Sex

REPO = Path(__file__).resolve().parents[2]
N_SITES = 400
SPACING = 200
LENGTH = N_SITES * SPACING + 400
OTHER = {"A": "C", "C": "G", "G": "T", "T": "A"}


def _person(sample: str, father: str | None = None, mother: str | None = None) -> Person:
    return Person(sample, "f", father, mother, Sex.UNKNOWN, False)


def _haplotypes(rng: random.Random, n: int) -> tuple[list[int], list[int]]:
    return [int(rng.random() < 0.5) for _ in range(n)], [int(rng.random() < 0.5) for _ in range(n)]


@pytest.fixture(scope="module")
def family_sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four samples genotyped at the sites from their CRAMs (a family sites VCF)."""
    base = tmp_path_factory.mktemp("identity")
    rng = random.Random(11)
    seq = "".join(rng.choice("ACGT") for _ in range(LENGTH))
    fasta = write_fasta(base / "ref.fa", {"chr1": seq})
    positions = [300 + i * SPACING for i in range(N_SITES)]
    sites = VcfBuilder(contigs={"chr1": LENGTH})
    for pos in positions:
        sites.add("chr1", pos, seq[pos - 1], OTHER[seq[pos - 1]])
    sites_vcf = sites.to_path(base / "sites.vcf.gz")
    father, mother, stranger = (_haplotypes(rng, N_SITES) for _ in range(3))
    child = (father[rng.randint(0, 1)], mother[rng.randint(0, 1)])
    crams = []
    for name, haps in {"child": child, "father": father, "mother": mother, "man": stranger}.items():
        reads = ReadsBuilder(fasta, sample=name)
        for hap in haps:
            changes = {p: OTHER[seq[p - 1]] for p, alt in zip(positions, hap, strict=True) if alt}
            reads.tile("chr1", 1, LENGTH, step=8, changes=changes)
        crams.append(str(reads.to_path(base / f"{name}.cram")))
    out = base / "family.sites.vcf.gz"
    subprocess.run(
        f"bcftools mpileup -f {fasta} -R {sites_vcf} -a FORMAT/AD,FORMAT/DP -q 20 -Q 13"
        f" --max-depth 1000 -Ou {' '.join(crams)} | bcftools call -m -a GQ -Oz -o {out}"
        f" && bcftools index -t {out}",
        shell=True,
        check=True,
        capture_output=True,
    )
    return out


def test_sites_vcf_has_every_site_homozygous_reference_included(family_sites: Path) -> None:
    genotypes = identity.read_site_genotypes(family_sites, ["child", "father", "mother", "man"])
    assert len(genotypes.dosages) == N_SITES
    usable = [d for d in genotypes.of("father") if d is not None]
    assert len(usable) >= 0.95 * N_SITES and 0 in usable and 2 in usable


def test_true_trio_passes_with_parent_child_kinship(family_sites: Path) -> None:
    family = [_person("child", "father", "mother"), _person("father"), _person("mother")]
    genotypes = identity.read_site_genotypes(family_sites, ["child", "father", "mother"])
    pairs = {(p.sample_a, p.sample_b): p for p in identity.check_identity_pairs(family, genotypes)}
    assert all(p.status == CheckStatus.PASS for p in pairs.values()), pairs
    for parent in ("father", "mother"):
        pair = pairs[("child", parent)]
        assert pair.kinship is not None and abs(pair.kinship - 0.25) < 0.05
        assert pair.ibs0 == 0 and pair.expected_relation == "parent-child"
    spouses = pairs[("father", "mother")]
    assert spouses.kinship is not None and abs(spouses.kinship) < 0.1


def test_unrelated_declared_father_fails_naming_the_relationship(family_sites: Path) -> None:
    family = [_person("child", "man", "mother"), _person("man"), _person("mother")]
    genotypes = identity.read_site_genotypes(family_sites, ["child", "man", "mother"])
    pairs = {(p.sample_a, p.sample_b): p for p in identity.check_identity_pairs(family, genotypes)}
    wrong = pairs[("child", "man")]
    assert wrong.status == CheckStatus.FAIL
    assert "looks unrelated" in wrong.reason and "pedigree says parent-child" in wrong.reason
    assert wrong.kinship is not None and abs(wrong.kinship) < 0.1 and (wrong.ibs0 or 0) > 0.05
    assert pairs[("child", "mother")].status == CheckStatus.PASS


def _site_vcf(path: Path, genotypes: dict[str, list[int]], dp: int = 30) -> Path:
    vcf = VcfBuilder(samples=list(genotypes), contigs={"chr1": 1_000_000})
    text = {0: "0/0", 1: "0/1", 2: "1/1"}
    n = len(next(iter(genotypes.values())))
    for i in range(n):
        calls = {s: Call(text[g[i]], dp=dp, gq=60) for s, g in genotypes.items()}
        alt = "T" if any(g[i] for g in genotypes.values()) else "."
        vcf.add("chr1", 100 + i * 10, "A", alt, calls=calls)
    return vcf.to_path(path)


def test_too_few_sites_is_not_assessable_with_the_count(tmp_path: Path) -> None:
    rng = random.Random(3)
    dad, mum = _haplotypes(rng, 40), _haplotypes(rng, 40)
    kid = [a + b for a, b in zip(dad[0], mum[0], strict=True)]
    vcf = _site_vcf(
        tmp_path / "few.vcf.gz", {"kid": kid, "dad": [a + b for a, b in zip(*dad, strict=True)]}
    )
    family = [_person("kid", "dad", None), _person("dad")]
    (pair,) = identity.check_identity_pairs(
        family, identity.read_site_genotypes(vcf, ["kid", "dad"])
    )
    assert pair.status == CheckStatus.NOT_ASSESSABLE
    assert "40 common SNP sites" in pair.reason and f"at least {identity.MIN_SITES}" in pair.reason


def test_low_depth_genotypes_are_not_used(tmp_path: Path) -> None:
    vcf = _site_vcf(tmp_path / "shallow.vcf.gz", {"a": [1] * 200, "b": [1] * 200}, dp=5)
    genotypes = identity.read_site_genotypes(vcf, ["a", "b"])
    assert set(genotypes.of("a")) == {None}


def test_sibling_declared_as_parent_fails_on_opposite_homozygotes() -> None:
    rng = random.Random(5)
    n = 3000
    dad, mum = _haplotypes(rng, n), _haplotypes(rng, n)

    def child() -> list[int]:
        return [dad[rng.randint(0, 1)][i] + mum[rng.randint(0, 1)][i] for i in range(n)]

    kid, sib = child(), child()
    genotypes = Genotypes(("kid", "sib"), tuple(zip(kid, sib, strict=True)))
    (pair,) = identity.check_identity_pairs(
        [_person("kid", "sib", None), _person("sib")], genotypes
    )
    assert pair.kinship is not None and abs(pair.kinship - 0.25) < 0.05
    assert pair.status == CheckStatus.FAIL and "opposite homozygotes" in pair.reason


def test_shipped_grch38_sites_are_common_biallelic_snvs() -> None:
    path = identity.shipped_sites(REPO / "resources" / "identity", "GRCh38")
    with pysam.VariantFile(str(path)) as vcf:
        records = list(vcf)
    assert len(records) >= 500
    for record in records:
        ref, alts = record.ref or "", record.alts or ()
        assert len(ref) == 1 and len(alts) == 1 and len(alts[0]) == 1
        assert 0.2 <= record.info["AF"][0] <= 0.8


def test_choose_sites_matches_the_reference_contigs(tmp_path: Path) -> None:
    shipped = identity.shipped_sites(REPO / "resources" / "identity", "GRCh38")
    assert identity.choose_sites({}, shipped, ["chr21", "chrX"]) == (shipped, "")
    none, why = identity.choose_sites({}, shipped, ["21", "X"])
    assert none is None and "chr21" in why and "identity.sites" in why
    missing = identity.shipped_sites(REPO / "resources" / "identity", "GRCh37")
    assert identity.choose_sites({}, missing, ["20"])[0] is None
    assert identity.choose_sites({"sites": None}, shipped, ["chr21"])[0] is None
    with pytest.raises(InputError, match=r"identity\.sites"):
        identity.choose_sites({"sites": str(tmp_path / "nope.vcf.gz")}, shipped, ["chr21"])


def test_family_relatedness_uses_the_sites_or_says_why_not(family_sites: Path) -> None:
    family = (_person("child", "father", "mother"), _person("father"), _person("mother"))
    pairs, trios, sites = family_checks._relatedness(family, family_sites, family_sites, None)
    assert sites == N_SITES and all(p.status == CheckStatus.PASS for p in pairs)
    assert [t.status for t in trios] == [CheckStatus.PASS]
    why = "no common SNP site list is shipped for this build"
    pairs, trios, sites = family_checks._relatedness(family, family_sites, None, why)
    assert sites == 0 and trios == [] and len(pairs) == 3
    assert all(p.status == CheckStatus.NOT_ASSESSABLE and why in p.reason for p in pairs)
