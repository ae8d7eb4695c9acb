"""Tests for the family checks (hurtig.qc): sex and relatedness, on BAMs and VCFs built here.

The sex tests build a tiny reference (chr1, chrX, chrY), perfect reads for an XX and an XY
genome, and run the real tools: samtools, mosdepth, bcftools mpileup/call.
"""

from __future__ import annotations

import dataclasses
import json
import random
import subprocess
from pathlib import Path

import pytest

from hurtig.errors import InputError
from hurtig.qc import checks_file, family_checks, relatedness, sex, tool_outputs
from hurtig.qc.cli import main
from hurtig.qc.family_vcf import Genotypes
from hurtig.run.pedigree import Person, Sex, load_pedigree

LENGTHS = {"chr1": 30_000, "chrX": 30_000, "chrY": 15_000}
READ = 100
STEP = 5  # one read every 5 bp per haplotype copy: depth 20 per copy


def _sequence(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("ACGT") for _ in range(length))


def _mutate(seq: str, rng: random.Random, n: int) -> str:
    bases = list(seq)
    for pos in rng.sample(range(200, len(seq) - 200), n):
        bases[pos] = {"A": "C", "C": "G", "G": "T", "T": "A"}[bases[pos]]
    return "".join(bases)


@pytest.fixture(scope="module")
def genomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Reference, a female (XX) and a male (XY) sample: BAM, mosdepth summary, VCF."""
    base = tmp_path_factory.mktemp("sexcheck")
    rng = random.Random(7)
    ref = {name: _sequence(rng, length) for name, length in LENGTHS.items()}
    fasta = base / "ref.fa"
    fasta.write_text("".join(f">{n}\n{s}\n" for n, s in ref.items()))
    subprocess.run(["samtools", "faidx", str(fasta)], check=True)
    auto_b, x_b = _mutate(ref["chr1"], rng, 60), _mutate(ref["chrX"], rng, 60)
    copies = {
        "female": [("chr1", ref["chr1"]), ("chr1", auto_b), ("chrX", ref["chrX"]), ("chrX", x_b)],
        "male": [("chr1", ref["chr1"]), ("chr1", auto_b), ("chrX", x_b), ("chrY", ref["chrY"])],
    }
    out: dict[str, Path] = {"fasta": fasta, "fai": Path(f"{fasta}.fai")}
    for sample, haplotypes in copies.items():
        header = "".join(f"@SQ\tSN:{n}\tLN:{len(s)}\n" for n, s in ref.items())
        header += f"@RG\tID:{sample}\tSM:{sample}\n"
        lines = []
        for copy, (contig, seq) in enumerate(haplotypes):
            for start in range(0, len(seq) - READ + 1, STEP):
                name = f"{sample}_{copy}_{start}"
                lines.append(
                    f"{name}\t0\t{contig}\t{start + 1}\t60\t{READ}M\t*\t0\t0\t"
                    f"{seq[start : start + READ]}\t{'I' * READ}\tRG:Z:{sample}\n"
                )
        sam = base / f"{sample}.sam"
        sam.write_text(header + "".join(lines))
        bam = base / f"{sample}.bam"
        subprocess.run(["samtools", "sort", "-o", str(bam), str(sam)], check=True)
        subprocess.run(["samtools", "index", str(bam)], check=True)
        prefix = base / sample
        subprocess.run(["mosdepth", "--no-per-base", str(prefix), str(bam)], check=True)
        vcf = base / f"{sample}.vcf.gz"
        subprocess.run(
            f"bcftools mpileup -a AD,DP -f {fasta} {bam} 2>/dev/null"
            f" | bcftools call -m -v -a GQ -Oz -o {vcf} && bcftools index -t {vcf}",
            shell=True,
            check=True,
        )
        out[f"{sample}_summary"] = Path(f"{prefix}.mosdepth.summary.txt")
        out[f"{sample}_vcf"] = vcf
    return out


def _sheet(path: Path, sample: str, sex: str) -> Path:
    path.write_text(
        f"sample\tfamily\tfather\tmother\tsex\taffected\tpanels\n{sample}\tfam\t\t\t{sex}\ttrue\t\n"
    )
    return path


def _run(genomes: dict[str, Path], tmp_path: Path, sample: str, declared: str, *extra: str) -> dict:
    out = tmp_path / "checks.json"
    code = main(
        [
            "--samples", str(_sheet(tmp_path / "samples.tsv", sample, declared)),
            "--family", "fam", "--vcf", str(genomes[f"{sample}_vcf"]),
            "--fai", str(genomes["fai"]), "--genome-build", "GRCh37",
            "--mosdepth", f"{sample}={genomes[f'{sample}_summary']}", "--out", str(out), *extra,
        ]
    )  # fmt: skip
    assert code == 0
    return json.loads(out.read_text())


@pytest.mark.parametrize("sample", ["female", "male"])
def test_declared_sex_confirmed(genomes: dict[str, Path], tmp_path: Path, sample: str) -> None:
    result = _run(genomes, tmp_path, sample, sample)
    entry = result["checks"]["sex"]["samples"][0]
    assert entry["inferred"] == sample and entry["status"] == "pass", entry
    assert result["clinical_use"] is True and result["failures"] == []
    if sample == "male":
        assert 0.4 < entry["x_ratio"] < 0.6 and 0.4 < entry["y_ratio"] < 0.6
        assert entry["x_het_fraction"] < 0.1
    else:
        assert 0.9 < entry["x_ratio"] < 1.1 and entry["y_ratio"] < 0.01
        assert entry["x_het_fraction"] > 0.9 and entry["x_het_sites"] >= 50


@pytest.mark.parametrize(("sample", "declared"), [("male", "female"), ("female", "male")])
def test_sex_swap_fails(
    genomes: dict[str, Path], tmp_path: Path, sample: str, declared: str
) -> None:
    result = _run(genomes, tmp_path, sample, declared)
    assert result["clinical_use"] is False
    (failure,) = result["failures"]
    assert failure["check"] == "sex"
    assert f"declared {declared} but inferred {sample}" in failure["reason"]


def test_sex_swap_override_is_recorded(genomes: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "checks.json"
    main(
        [
            "--samples", str(_sheet(tmp_path / "samples.tsv", "male", "female")),
            "--family", "fam", "--vcf", str(genomes["male_vcf"]), "--fai", str(genomes["fai"]),
            "--genome-build", "GRCh37", "--mosdepth", f"male={genomes['male_summary']}",
            "--override", "sex", "--override-reason", "transgender patient, confirmed",
            "--out", str(out),
        ]
    )  # fmt: skip
    result = json.loads(out.read_text())
    assert result["clinical_use"] is True
    assert result["overridden"] == ["sex"]
    assert result["override_reason"] == "transgender patient, confirmed"
    assert result["failures"][0]["check"] == "sex"


def test_unknown_declared_sex_is_information(genomes: dict[str, Path], tmp_path: Path) -> None:
    result = _run(genomes, tmp_path, "male", "unknown")
    entry = result["checks"]["sex"]["samples"][0]
    assert entry["status"] == "info" and entry["inferred"] == "male"
    assert result["clinical_use"] is True


def test_not_assessable_policy_decides_clinical_use(
    genomes: dict[str, Path], tmp_path: Path
) -> None:
    """A single sample: sex passes, relatedness is not assessable (no relative sequenced)."""
    result = _run(genomes, tmp_path, "female", "female")
    assert result["verdicts"] == [
        {"check": "sex", "verdict": "passed", "reason": "declared sex confirmed for female"},
        {
            "check": "relatedness",
            "verdict": "not assessable",
            "reason": "no relatives sequenced to compare with",
        },
    ]
    assert result["not_assessable_blocks"] is False and result["clinical_use"] is True
    blocked = _run(genomes, tmp_path, "female", "female", "--not-assessable-blocks")
    assert blocked["not_assessable_blocks"] is True and blocked["clinical_use"] is False
    assert blocked["failures"] == [] and blocked["overridden"] == []
    assert blocked["verdicts"] == result["verdicts"]
    overridden = _run(
        genomes, tmp_path, "female", "female", "--not-assessable-blocks",
        "--override", "relatedness", "--override-reason", "singleton, identity confirmed",
    )  # fmt: skip
    assert overridden["clinical_use"] is True and overridden["overridden"] == ["relatedness"]
    again = checks_file.read_checks(tmp_path / "checks.json")
    assert again.not_assessable_blocks is True and again.verdicts[1].verdict == "not assessable"


def test_check_verdicts_are_never_blurred() -> None:
    """A check passes only when every sample, pair or trio that decides it passed."""
    status = checks_file.CheckStatus
    na = "not assessable (reference has no chrX/chrY)"
    samples = (
        checks_file.SexCheck("kid", "female", "female", status.PASS, "declared female, ..."),
        checks_file.SexCheck("dad", "unknown", "male", status.INFO, "declared unknown; ..."),
        checks_file.SexCheck("mum", "female", "not assessable", status.NOT_ASSESSABLE, na),
    )
    info_pair = checks_file.PairCheck("kid", "dad", 0.25, "first", 0.24, 500, 0, status.INFO, "i")
    trio = checks_file.TrioCheck("kid", "dad", "mum", 500, 1, 0.002, status.PASS, "trio ok")
    few = dataclasses.replace(trio, status=status.NOT_ASSESSABLE, reason="kid: too few sites")
    wrong = dataclasses.replace(trio, status=status.FAIL, reason="kid: 20 % inconsistent")

    def verdicts(sex: tuple, trios: tuple) -> list[tuple[str, str]]:
        overall = family_checks.overall_status(s.status for s in sex)
        related = checks_file.RelatednessChecks(status.PASS, 500, (info_pair,), trios)
        found = checks_file.check_verdicts(checks_file.SexChecks(overall, sex), related)
        return [(v.verdict.value, v.reason) for v in found]

    assert verdicts(samples[:1], (trio,)) == [
        ("passed", "declared sex confirmed for kid"),
        ("passed", "trio ok"),  # the trio's pairs are shown, the trio decides
    ]
    assert verdicts(samples, (few,)) == [
        ("not assessable", "dad: declared sex unknown; mum: reference has no chrX/chrY"),
        ("not assessable", "kid: too few sites"),
    ]
    assert verdicts(samples[2:], (wrong,)) == [
        ("not assessable", "reference has no chrX/chrY"),
        ("failed", "kid: 20 % inconsistent"),
    ]
    assert verdicts(samples[:1], ())[1] == (
        "not assessable",
        "no relatives sequenced to compare with",
    )


def test_reference_without_sex_chromosomes_is_not_assessable() -> None:
    depths = {"chr21": (1000, 30.0)}
    result = sex.infer_sex("female", "s", depths, ["chr21"], None)
    assert result.status == "not assessable"
    assert result.reason == "not assessable (reference has no chrX/chrY)"


def test_inconclusive_coverage_fails() -> None:
    depths = {"chr1": (1000, 30.0), "chrX": (1000, 30.0), "chrY": (1000, 15.0)}  # XXY-like
    result = sex.infer_sex("male", "s", depths, ["chr1", "chrX", "chrY"], None)
    assert result.status == "fail" and "neither XX nor XY" in result.reason


def test_read_contig_depths_prefers_region_rows(tmp_path: Path) -> None:
    summary = tmp_path / "s.mosdepth.summary.txt"
    summary.write_text(
        "chrom\tlength\tbases\tmean\tmin\tmax\nchrX\t100\t500\t5.00\t0\t9\n"
        "chrX_region\t50\t500\t10.00\t0\t9\ntotal\t100\t500\t5.00\t0\t9\n"
    )
    assert tool_outputs.read_contig_depths(summary) == {"chrX": (50, 10.0)}
    summary.write_text("nonsense\n")
    with pytest.raises(InputError, match="not a mosdepth summary"):
        tool_outputs.read_contig_depths(summary)


# ---------------------------------------------------------------- relatedness


def _person(sample: str, father: str | None = None, mother: str | None = None) -> Person:
    return Person(sample, "f", father, mother, Sex.UNKNOWN, False)


def test_expected_kinships_of_a_pedigree() -> None:
    family = [
        _person("kid", "dad", "mum"),
        _person("dad"),
        _person("mum"),
        _person("sib", "dad", "mum"),
        _person("grandkid", "kid", None),
    ]
    phi = relatedness.expected_kinships(family)
    assert phi[("kid", "dad")] == 0.25 and phi[("kid", "sib")] == 0.25
    assert phi[("dad", "mum")] == 0.0 and phi[("grandkid", "dad")] == 0.125
    assert phi[("kid", "kid")] == 0.5


def _population(n: int, seed: int) -> tuple[list[int], list[int]]:
    """Two haplotypes (0/1 alleles) at n sites with allele frequency 0.3."""
    rng = random.Random(seed)
    return (
        [int(rng.random() < 0.3) for _ in range(n)],
        [int(rng.random() < 0.3) for _ in range(n)],
    )


def test_king_kinship_separates_parent_child_from_unrelated() -> None:
    dad, mum, stranger = _population(4000, 1), _population(4000, 2), _population(4000, 3)
    kid = [dad[0][i] + mum[1][i] for i in range(4000)]
    dad_g = [a + b for a, b in zip(*dad, strict=True)]
    stranger_g = [a + b for a, b in zip(*stranger, strict=True)]
    phi_po, sites, ibs0 = relatedness.king_kinship(kid, dad_g)
    assert phi_po is not None and 0.2 < phi_po < 0.3 and ibs0 == 0 and sites == 4000
    phi_un, _, ibs0_un = relatedness.king_kinship(kid, stranger_g)
    assert phi_un is not None and abs(phi_un) < 0.05 and ibs0_un and ibs0_un > 0.01
    phi_dup, _, _ = relatedness.king_kinship(kid, kid)
    assert phi_dup == 0.5


def test_mendelian_counts_inconsistent_sites() -> None:
    sites, bad = relatedness.mendelian([1, 2, 0, 2, None], [0, 1, 2, 0, 1], [1, 1, 0, 0, 1])
    # kid 1 from 0x1 ok; 2 from 1x1 ok; 0 from 2x0 bad; 2 from 0x0 bad; missing skipped.
    assert (sites, bad) == (4, 2)


def test_trio_with_wrong_parent_fails() -> None:
    dad, mum, stranger = _population(2000, 4), _population(2000, 5), _population(2000, 6)
    kid = tuple(dad[0][i] + mum[1][i] for i in range(2000))
    geno = Genotypes(
        ("kid", "dad", "mum"),
        tuple(
            zip(
                kid,
                (a + b for a, b in zip(*stranger, strict=True)),  # labelled dad, not the father
                (a + b for a, b in zip(*mum, strict=True)),
                strict=True,
            )
        ),
    )
    family = [_person("kid", "dad", "mum"), _person("dad"), _person("mum")]
    (trio,) = relatedness.check_trios(family, geno)
    assert trio.status == "fail" and trio.rate is not None and trio.rate > 0.05
    # The duo check (no complete trio) catches it with kinship alone.
    duo = [_person("kid", "dad", None), _person("dad")]
    geno_duo = Genotypes(("kid", "dad"), tuple((row[0], row[1]) for row in geno.dosages))
    (pair,) = relatedness.check_pairs(duo, geno_duo)
    assert pair.status == "fail" and "unrelated" in pair.reason


def test_override_needs_reason_and_known_names(tmp_path: Path) -> None:
    sheet = _sheet(tmp_path / "samples.tsv", "s", "male")
    pedigree = load_pedigree(sheet)
    args = (pedigree, "fam", tmp_path / "x.vcf.gz", tmp_path / "x.fai", {"s": tmp_path / "m"})
    with pytest.raises(InputError, match="override_reason"):
        family_checks.family_checks(*args, overrides=["sex"])
    with pytest.raises(InputError, match="unknown check"):
        family_checks.family_checks(*args, overrides=["blood_type"], override_reason="x")


def test_read_checks_rejects_other_json(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('{"a": 1}')
    with pytest.raises(InputError, match="not a hurtig checks file"):
        checks_file.read_checks(path)
