"""Tests for hurtig.devtools.trio_truth and simulate_reads (tiny inputs, plus one fast CLI run)."""

from __future__ import annotations

import gzip
import hashlib
import random
import shutil
from pathlib import Path

import pytest

from hurtig.devtools import simulate_reads as sim
from hurtig.devtools import trio_truth as truth
from hurtig.devtools import unrelated
from hurtig.errors import InputError

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "demo"

SEGMENTS = [truth.Segment("chr21", 100, 200)]
PLANTED_HEADER = "\t".join(truth.PLANTED_COLUMNS)


def _planted_row(
    pos: int, kind: str, pro: str, fat: str, mot: str, ref: str = "A", alt: str = "T"
) -> str:
    return "\t".join(["chr21", str(pos), ref, alt, "G", kind, pro, fat, mot, "x", "n"])


def _write_planted(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "planted.tsv"
    path.write_text("\n".join([PLANTED_HEADER, *rows]) + "\n")
    return path


def test_parse_gt() -> None:
    assert truth.parse_gt("0|1") == ((0, 1), True)
    assert truth.parse_gt("1/2") == ((1, 2), False)
    assert truth.parse_gt("./.") is None
    assert truth.parse_gt("1") is None


def test_assign_child_haplotypes_keeps_phase_and_skips_missing() -> None:
    records = [
        truth.VcfRecord("chr21", 110, "A", ("T",), gt="1|0"),
        truth.VcfRecord("chr21", 120, "A", ("T",), gt="./."),
        truth.VcfRecord("chr21", 130, "A", ("T", "G"), gt="2|1"),
        truth.VcfRecord("chr21", 140, "A", ("T",), gt="1/1"),
        truth.VcfRecord("chr21", 150, "A", ("T",), gt="0/0"),
    ]
    out = truth.assign_child_haplotypes(records, random.Random(1))
    assert [(r.pos, r.gt) for r in out] == [(110, "1|0"), (130, "2|1"), (140, "1|1")]


def test_assign_child_haplotypes_unphased_is_seeded() -> None:
    records = [truth.VcfRecord("chr21", p, "A", ("T",), gt="0/1") for p in range(100, 140)]
    first = [r.gt for r in truth.assign_child_haplotypes(records, random.Random(7))]
    second = [r.gt for r in truth.assign_child_haplotypes(records, random.Random(7))]
    assert first == second
    assert set(first) == {"0|1", "1|0"}


def test_draw_allele_frequencies() -> None:
    rng = random.Random(3)
    draws = [truth.draw_allele((0.25, 0.5), rng) for _ in range(4000)]
    assert 0.2 < draws.count(1) / 4000 < 0.3
    assert 0.45 < draws.count(2) / 4000 < 0.55
    assert truth.draw_allele((0.0,), rng) == 0
    assert truth.draw_allele((1.0,), rng) == 1


def test_apply_variants_snv_and_indels() -> None:
    seq = "ACGTACGTAC"  # genome positions 101..110 (offset 100)
    edits = [(101, "A", "G"), (103, "GT", "G"), (107, "G", "GTT")]
    assert truth.apply_variants(seq, 100, edits) == "GCGACGTTTAC"
    with pytest.raises(InputError):
        truth.apply_variants(seq, 100, [(101, "C", "G")])
    with pytest.raises(InputError):
        truth.apply_variants(seq, 100, [(103, "GT", "G"), (104, "T", "A")])


def test_resolve_haplotype_overlaps_resets_later_allele() -> None:
    sites = [
        truth.TrioSite("chr21", 110, "CA", ("C",), {"proband": (0, 1)}),
        truth.TrioSite("chr21", 111, "A", ("G",), {"proband": (1, 1)}),
    ]
    out, reset = truth.resolve_haplotype_overlaps(sites, "proband")
    assert reset == 1
    assert out[1].genotypes["proband"] == (1, 0)


def test_trim_alleles_renumbers() -> None:
    site = truth.TrioSite("chr21", 110, "A", ("C", "G", "T"), {"proband": (0, 3), "father": (3, 0)})
    trimmed = truth.trim_alleles(site)
    assert trimmed.alts == ("T",)
    assert trimmed.genotypes == {"proband": (0, 1), "father": (1, 0)}


def test_read_planted_validates(tmp_path: Path) -> None:
    good = _write_planted(
        tmp_path,
        _planted_row(150, "de_novo", "1|0", "0|0", "0|0"),
        _planted_row(160, "compound_het", "0|1", "0|0", "1|0"),
    )
    planted = truth.read_planted(good)
    assert [p.kind for p in planted] == ["de_novo", "compound_het"]
    assert planted[1].genotypes["mother"] == (1, 0)
    bad = _write_planted(tmp_path, _planted_row(160, "compound_het", "0|1", "1|0", "0|0"))
    with pytest.raises(InputError, match="not Mendelian"):
        truth.read_planted(bad)


def _tiny_trio(seed: int) -> list[truth.TrioSite]:
    platinum = [
        truth.VcfRecord("chr21", 105, "A", ("T",), gt="1|0"),
        truth.VcfRecord("chr21", 110, "A", ("T",), gt="0/1"),
        truth.VcfRecord("chr21", 115, "A", ("T", "G"), gt="1|2"),
        truth.VcfRecord("chr21", 120, "AC", ("A",), gt="1|1"),
        truth.VcfRecord("chr21", 125, "A", ("T",), gt="./."),
        truth.VcfRecord("chr21", 300, "A", ("T",), gt="1|1"),  # outside the segment
    ]
    population = [
        truth.VcfRecord("chr21", 115, "A", ("C",), af=(0.5,)),  # overlaps a proband variant
        truth.VcfRecord("chr21", 130, "A", ("C",), af=(0.9,)),
        truth.VcfRecord("chr21", 135, "A", ("C", "G"), af=(0.4, 0.5)),
        truth.VcfRecord("chr21", 140, "A", ("C",), af=(0.0,)),
        truth.VcfRecord("chr21", 190, "A", ("C",), af=(0.9,)),  # too close to the planted site
    ]
    planted = [
        truth.PlantedVariant(
            "chr21",
            195,
            "G",
            "A",
            "GENE",
            "de_novo",
            {"proband": (0, 1), "father": (0, 0), "mother": (0, 0)},
        )
    ]
    return truth.build_trio(platinum, population, planted, SEGMENTS, seed)


def test_build_trio_is_mendelian_except_de_novo() -> None:
    sites = _tiny_trio(11)
    positions = [s.pos for s in sites]
    assert 300 not in positions and 125 not in positions and 190 not in positions
    assert positions == sorted(positions)
    for site in sites:
        if site.source == "planted_de_novo":
            assert not truth.is_mendelian(site.genotypes)
            assert site.genotypes["father"] == (0, 0) and site.genotypes["mother"] == (0, 0)
        else:
            assert truth.is_mendelian(site.genotypes), site
            assert truth.is_mendelian_unphased(site.genotypes)
        assert all(max(gt) <= len(site.alts) for gt in site.genotypes.values())
        assert any(max(gt) > 0 for gt in site.genotypes.values())
    multi = next(s for s in sites if s.pos == 115)
    assert multi.genotypes["proband"] == (1, 2)
    # Transmitted: the proband's alleles; untransmitted: drawn from the population SNV A>C there.
    assert multi.genotypes["father"][0] == 1 and multi.genotypes["mother"][0] == 2
    assert {multi.genotypes["father"][1], multi.genotypes["mother"][1]} <= {0, 3}
    assert multi.alts[2:] in ((), ("C",))
    pop = [s for s in sites if s.source == "population"]
    assert all(s.genotypes["proband"] == (0, 0) for s in pop)


def test_untransmitted_alleles_at_proband_sites_follow_population_frequency() -> None:
    """Where the proband has a variant at a common SNP, a parent's other allele is not always REF.

    (Always REF would make the parents look related to each other and less related to the
    proband than they are, which the sample identity check on the demo measures.)
    """
    segments = [truth.Segment("chr21", 0, 100_000)]
    positions = range(1000, 81_000, 200)
    platinum = [truth.VcfRecord("chr21", p, "A", ("C",), gt="1|1") for p in positions]
    population = [truth.VcfRecord("chr21", p, "A", ("C",), af=(0.5,)) for p in positions]
    sites = truth.build_trio(platinum, population, [], segments, 3)
    assert len(sites) == len(positions)
    for parent in ("father", "mother"):
        untransmitted = [s.genotypes[parent][1] for s in sites]
        assert all(s.genotypes[parent][0] == 1 for s in sites)
        assert 0.35 < sum(untransmitted) / len(untransmitted) < 0.65
        assert all(truth.is_mendelian(s.genotypes) for s in sites)
    rare = truth.build_trio(platinum, [], [], segments, 3)  # not a population site: REF
    assert all(s.genotypes["father"] == (1, 0) for s in rare)


def test_build_trio_parent_draws_are_deterministic() -> None:
    assert _tiny_trio(5) == _tiny_trio(5)
    many = {tuple((s.pos, s.genotypes["father"]) for s in _tiny_trio(seed)) for seed in range(20)}
    assert len(many) > 1


def test_build_trio_rejects_platinum_near_planted() -> None:
    planted = [
        truth.PlantedVariant(
            "chr21", 150, "A", "T", "G", "de_novo", {k: (0, 0) for k in truth.SAMPLES}
        )
    ]
    platinum = [truth.VcfRecord("chr21", 160, "A", ("T",), gt="1|0")]
    with pytest.raises(InputError, match="planted"):
        truth.build_trio(platinum, [], planted, SEGMENTS, 1)


def test_truth_vcf_lines_header_and_genotypes() -> None:
    lines = truth.truth_vcf_lines(_tiny_trio(2), {"chr21": 1000}, 2)
    assert lines[-len(_tiny_trio(2)) - 1].endswith("proband\tfather\tmother")
    assert all(line.count("|") == 3 for line in lines if not line.startswith("#"))


def test_planted_file_is_consistent() -> None:
    planted = truth.read_planted(DEMO / "planted_truth.tsv")
    kinds = sorted(p.kind for p in planted)
    assert kinds == ["compound_het", "compound_het", "de_novo"]
    comp = [p for p in planted if p.kind == "compound_het"]
    assert {p.gene for p in comp} == {"JAM2"}
    assert {p.genotypes["proband"] for p in comp} == {(1, 0), (0, 1)}


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("wgsim", "samtools", "bgzip", "tabix")),
    reason="needs wgsim, samtools, bgzip and tabix",
)
def test_cli_low_depth_is_deterministic(tmp_path: Path) -> None:
    """Full CLI at 2x (a few seconds): outputs exist, reads pair up, reruns are identical."""
    args = ["--demo-dir", str(DEMO), "--depth", "2", "--seed", "7", "--threads", "2"]
    assert sim.main([*args, "--outdir", str(tmp_path / "a")]) == 0
    assert sim.main([*args, "--outdir", str(tmp_path / "b")]) == 0
    names = [f"{s}_R{m}.fastq.gz" for s in truth.SAMPLES for m in (1, 2)]
    names += ["trio_truth.vcf.gz", "trio_truth.vcf.gz.tbi"]
    for name in names:
        assert _md5(tmp_path / "a" / name) == _md5(tmp_path / "b" / name), name
    assert not list((tmp_path / "a").glob(".simulate-*"))
    r1 = sim.count_fastq_reads(tmp_path / "a" / "proband_R1.fastq.gz")
    r2 = sim.count_fastq_reads(tmp_path / "a" / "proband_R2.fastq.gz")
    assert r1 == r2 > 0
    with gzip.open(tmp_path / "a" / "proband_R1.fastq.gz", "rt") as handle:
        names_r1 = [line.split("/")[0] for i, line in enumerate(handle) if i % 4 == 0]
    assert len(set(names_r1)) == len(names_r1)
    with gzip.open(tmp_path / "a" / "trio_truth.vcf.gz", "rt") as handle:
        records = [line.split("\t") for line in handle if not line.startswith("#")]
    planted = {(r[1], r[3], r[4]): r[9:12] for r in records if "planted" in r[7]}
    assert planted[("25891784", "C", "T")] == ["1|0", "0|0", "0|0\n"]
    for record in records:
        alleles = [gt.strip().split("|") for gt in record[9:12]]
        gts = [(int(first), int(second)) for first, second in alleles]
        genotypes = dict(zip(truth.SAMPLES, gts, strict=True))
        assert "de_novo" in record[7] or truth.is_mendelian(genotypes)


def test_unrelated_person_draws_both_haplotypes_from_population() -> None:
    segments = [truth.Segment("chr21", 0, 100_000)]
    population = [
        truth.VcfRecord("chr21", p, "A", ("C",), af=(0.5,)) for p in range(1000, 81_000, 200)
    ]
    population.append(truth.VcfRecord("chr21", 1000, "AT", ("A",), af=(0.5,)))  # overlaps
    population.append(truth.VcfRecord("chr21", 200_000, "A", ("C",), af=(0.9,)))  # outside
    sites = unrelated.unrelated_sites(population, segments, 3)
    assert sites == unrelated.unrelated_sites(population, segments, 3)
    assert all(s.pos < 100_000 and s.ref == "A" for s in sites)
    alleles = [a for s in sites for a in s.genotypes[unrelated.SAMPLE]]
    assert 0.4 < sum(alleles) / len(population[:400]) / 2 < 0.6
