"""Tests for hurtig.devtools.evaluate_calls (genotype-aware truth-set comparison, bcftools norm)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from builders import VcfBuilder, write_fasta
from hurtig.devtools import evaluate_calls as ev
from hurtig.errors import InputError, run_cli

pytestmark = pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools not on PATH")

# 1-based positions are given in comments. The homopolymer GTTTTTTA starts at 13.
SEQ = (
    "ACGTTGCATGCA"  # 1-12
    "GTTTTTTA"  # 13-20 (G at 13, T at 14-19, A at 20)
    "CGATCGGATC"  # 21-30
    "ATCGTAGCTA"  # 31-40
    "TGCATCGACT"  # 41-50
    "GACTGATCGA"  # 51-60
)


def base(pos: int) -> str:
    """Reference base at a 1-based position."""
    return SEQ[pos - 1]


Site = tuple[int, str, str, str] | tuple[int, str, str, str, str]


def write_vcf(tmp_path: Path, name: str, sample: str, records: list[Site]) -> Path:
    """Write records (pos, ref, alt, gt[, filter]) as a bgzipped, indexed VCF."""
    vcf = VcfBuilder(samples=[sample], contigs={"chrT": len(SEQ)})
    vcf.add_header_line('##FILTER=<ID=LowQual,Description="Low quality">')
    for rec in records:
        pos, ref, alt, gt = rec[:4]
        filt = rec[4] if len(rec) > 4 else "PASS"
        vcf.add("chrT", pos, ref, alt.split(","), calls={sample: gt}, filters=filt, qual=50)
    return vcf.to_path(tmp_path / f"{name}.vcf.gz")


@pytest.fixture
def case(tmp_path: Path) -> dict[str, Path]:
    """Truth and query covering every outcome; the bed covers positions 1-30 only."""
    truth: list[Site] = [
        (3, base(3), "A", "0/1"),  # TP SNV (het)
        (9, base(9), "C", "1/1"),  # FN SNV
        (11, base(11), "G", "0/1"),  # genotype mismatch (query hom)
        (13, "GT", "G", "0/1"),  # homopolymer deletion, left-aligned
        (22, base(22), "C,T", "1/2"),  # multiallelic truth: two het alleles
        (25, base(25), "G", "0/1"),  # FN: the query call is filtered
        (35, base(35), "A", "1/1"),  # outside the bed: FN in window only
    ]
    query: list[Site] = [
        (3, base(3), "A", "0/1"),
        (6, base(6), "C", "0/1"),  # FP SNV
        (11, base(11), "G", "1/1"),
        (18, "TT", "T", "0/1"),  # same deletion, right-shifted in the homopolymer
        (22, base(22), "C", "0/1"),
        (22, base(22), "T", "1/0"),
        (25, base(25), "G", "0/1", "LowQual"),  # filtered: dropped
        (27, base(27), "A", "0/0"),  # hom-ref: dropped
        (28, base(28), "C", "./."),  # no-call: dropped
        (45, base(45), "G", "0/1"),  # FP outside the bed
        (48, base(48), base(48) + "TT", "0/1"),  # FP insertion outside the bed
    ]
    bed = tmp_path / "conf.bed"
    bed.write_text("chrT\t0\t30\n")
    return {
        "ref": write_fasta(tmp_path / "ref.fa", {"chrT": SEQ}),
        "truth": write_vcf(tmp_path, "truth", "INTEGRATION", truth),
        "query": write_vcf(tmp_path, "query", "NA12878", query),
        "bed": bed,
    }


def test_evaluate_counts_every_outcome(case: dict[str, Path]) -> None:
    report = ev.evaluate(case["truth"], case["query"], case["ref"], bed=case["bed"])
    conf = report["metrics"]["confident_bed"]
    snv, indel = conf["SNV"], conf["INDEL"]
    # TP: pos 3, 22 C, 22 T; FP: pos 6; FN: pos 9, pos 25 (filtered in query); GT mismatch: pos 11
    assert (snv["tp"], snv["fp"], snv["fn"], snv["gt_mismatch"]) == (3, 2, 3, 1)
    assert snv["truth_total"] == 6
    assert snv["query_total"] == 5
    assert snv["precision"] == pytest.approx(3 / 5)
    assert snv["recall"] == pytest.approx(3 / 6)
    assert snv["f1"] == pytest.approx(2 * 0.6 * 0.5 / 1.1)
    allele = snv["allele_only"]
    assert (allele["tp"], allele["fp"], allele["fn"]) == (4, 1, 2)
    # right-shifted deletion matches the left-aligned truth after bcftools norm
    assert (indel["tp"], indel["fp"], indel["fn"], indel["gt_mismatch"]) == (1, 0, 0, 0)
    assert indel["f1"] == pytest.approx(1.0)

    window = report["metrics"]["window"]
    assert (window["SNV"]["tp"], window["SNV"]["fp"], window["SNV"]["fn"]) == (3, 3, 4)
    assert (window["INDEL"]["tp"], window["INDEL"]["fp"], window["INDEL"]["fn"]) == (1, 1, 0)

    sites = {(s["pos"], s["alt"]): s["class"] for s in report["sites"]["confident_bed"]}
    assert sites == {(6, "C"): "FP", (9, "C"): "FN", (11, "G"): "GT_MISMATCH", (25, "G"): "FN"}
    assert report["inputs"]["truth_sample"] == "INTEGRATION"
    assert report["inputs"]["query_sample"] == "NA12878"
    assert report["inputs"]["bed_bp"] == 30


def test_region_restricts_window_and_bed(case: dict[str, Path]) -> None:
    report = ev.evaluate(
        case["truth"], case["query"], case["ref"], bed=case["bed"], region="chrT:1-12"
    )
    snv = report["metrics"]["window"]["SNV"]
    assert (snv["tp"], snv["fp"], snv["fn"], snv["gt_mismatch"]) == (1, 2, 2, 1)
    assert report["metrics"]["confident_bed"]["SNV"]["tp"] == 1
    # no indel calls and no indel truth in 1-12: every ratio is undefined
    indel = report["metrics"]["window"]["INDEL"]
    assert indel["precision"] is None
    assert indel["recall"] is None
    assert indel["f1"] is None


def test_without_bed_confident_scope_is_null(case: dict[str, Path]) -> None:
    report = ev.evaluate(case["truth"], case["query"], case["ref"])
    assert report["metrics"]["confident_bed"] is None
    assert report["sites"]["confident_bed"] is None
    assert report["metrics"]["window"]["INDEL"]["tp"] == 1


def test_cli_writes_json_and_tsv(case: dict[str, Path], tmp_path: Path) -> None:
    out, tsv = tmp_path / "out" / "m.json", tmp_path / "out" / "m.tsv"
    argv = [
        "--truth", str(case["truth"]), "--query", str(case["query"]),
        "--reference", str(case["ref"]), "--bed", str(case["bed"]),
        "--query-sample", "NA12878", "--truth-sample", "INTEGRATION",
        "--out", str(out), "--tsv", str(tsv),
    ]  # fmt: skip
    assert ev.main(argv) == 0
    report = json.loads(out.read_text())
    assert set(report["metrics"]) == {"confident_bed", "window"}
    lines = tsv.read_text().splitlines()
    assert lines[0].split("\t") == list(ev.TSV_COLUMNS)
    assert len(lines) == 1 + 2 * 2 * 2
    assert sorted(p.name for p in out.parent.iterdir()) == ["m.json", "m.tsv"]


def test_unknown_sample_and_ref_mismatch_are_input_errors(
    case: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(InputError, match="sample 'HG002' not found"):
        ev.evaluate(case["truth"], case["query"], case["ref"], query_sample="HG002")
    wrong = "T" if base(3) != "T" else "C"
    bad = write_vcf(tmp_path, "bad", "S", [(3, wrong, "A" if wrong != "A" else "G", "0/1")])
    argv = ["--truth", str(case["truth"]), "--query", str(bad), "--reference", str(case["ref"])]
    assert run_cli(ev.main, [*argv, "--out", str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err
    assert "bcftools norm failed" in err
    assert len(err.strip().splitlines()) == 1


def test_zygosity_and_types() -> None:
    assert ev.zygosity((0, 1)) == "het"
    assert ev.zygosity((1, 1)) == "hom"
    assert ev.zygosity((1,)) == "hom"
    assert ev.zygosity((None, 1)) == "het"
    assert ev.zygosity((0, 0)) is None
    assert ev.zygosity((None, None)) is None
    assert ev.zygosity(None) is None
    assert ev.variant_type("A", "G") == "SNV"
    assert ev.variant_type("AC", "GT") == "SNV"
    assert ev.variant_type("A", "AT") == "INDEL"


def test_bed_and_region_conventions(tmp_path: Path) -> None:
    bed = tmp_path / "b.bed"
    bed.write_text("track name=x\nchr1\t10\t20\nchr1\t15\t30\nchr1\t40\t41\n")
    iv = ev.read_bed(bed)
    assert not iv.contains("chr1", 10)  # 0-based start: first base is 11
    assert iv.contains("chr1", 11)
    assert iv.contains("chr1", 30)
    assert not iv.contains("chr1", 31)
    assert iv.contains("chr1", 41)
    assert not iv.contains("chr2", 15)
    assert iv.total_bp() == 21
    region = ev.parse_region("chr1:1,000-2,000")
    assert region.contains("chr1", 1000)
    assert region.contains("chr1", 2000)
    assert not region.contains("chr1", 2001)
    assert ev.parse_region("chrM").contains("chrM", 10**9)
    with pytest.raises(InputError):
        ev.parse_region("chr1:5-2")
