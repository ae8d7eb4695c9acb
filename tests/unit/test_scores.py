"""Tests for configured score sources (hurtig.annotation.sources.scores): CADD TSV and VCF INFO."""

from __future__ import annotations

import json
from pathlib import Path

import pysam
import pytest
from cyvcf2 import VCF

from hurtig.annotation.cli import main as annotate_main
from hurtig.annotation.sources.scores import score_from_config
from hurtig.errors import InputError, run_cli


def calls(tmp_path: Path) -> Path:
    path = tmp_path / "calls.vcf"
    rows = [(100, "A", "G"), (100, "A", "T"), (250, "C", "CA"), (300, "G", "A")]
    lines = ["##fileformat=VCFv4.2", "##contig=<ID=chr1,length=1000>"]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    lines += [f"chr1\t{p}\t.\t{r}\t{a}\t.\t.\t." for p, r, a in rows]
    path.write_text("\n".join(lines) + "\n")
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return Path(f"{path}.gz")


def cadd_tsv(tmp_path: Path) -> Path:
    path = tmp_path / "cadd.tsv"
    path.write_text(
        "## CADD GRCh38-v1.7 (c) University of Washington\n"
        "#Chrom\tPos\tRef\tAlt\tRawScore\tPHRED\n"
        "chr1\t100\tA\tC\t0.1\t2.5\nchr1\t100\tA\tG\t3.2\t24.1\nchr1\t100\tA\tT\t1.0\t9.9\n"
        "chr1\t300\tG\tA\t-0.3\t0.9\n"
    )
    return Path(
        pysam.tabix_index(str(path), seq_col=0, start_col=1, end_col=1, meta_char="#", force=True)
    )


def revel_vcf(tmp_path: Path) -> Path:
    path = tmp_path / "revel.vcf"
    path.write_text(
        "##fileformat=VCFv4.2\n##version=REVEL-1.3\n"
        '##INFO=<ID=REVEL,Number=A,Type=Float,Description="REVEL">\n'
        '##INFO=<ID=TAG,Number=1,Type=String,Description="tag">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "chr1\t100\t.\tA\tG,T\t.\t.\tREVEL=0.91,0.12;TAG=x y\n"
        "chr1\t249\t.\tTC\tTCA\t.\t.\tREVEL=0.5;TAG=ins\n"
    )
    return Path(pysam.tabix_index(str(path), preset="vcf", force=True))


def test_tsv_and_vcf_sources(tmp_path: Path) -> None:
    config = [
        {
            "name": "cadd",
            "file": str(cadd_tsv(tmp_path)),
            "fields": [
                {"column": "PHRED", "info": "CADD_PHRED", "type": "Float"},
                {"column": "5", "info": "CADD_RAW", "type": "Float"},
            ],
        },
        {
            "name": "revel",
            "file": "revel.vcf.gz",  # relative to the JSON file's folder
            "fields": [
                {"column": "REVEL", "info": "REVEL", "type": "Float"},
                {"column": "TAG", "info": "REVEL_TAG", "type": "String"},
            ],
        },
    ]
    revel_vcf(tmp_path)
    scores = tmp_path / "scores.json"
    scores.write_text(json.dumps(config))
    out = tmp_path / "out.vcf.gz"
    args = ["--vcf", str(calls(tmp_path)), "--out", str(out), "--scores", str(scores)]
    assert annotate_main(args) == 0
    got = {(v.POS, v.ALT[0]): dict(v.INFO) for v in VCF(str(out))}
    assert got[(100, "G")]["CADD_PHRED"] == pytest.approx(24.1)
    assert got[(100, "G")]["CADD_RAW"] == pytest.approx(3.2)
    assert got[(100, "T")]["CADD_PHRED"] == pytest.approx(9.9)
    assert got[(100, "G")]["REVEL"] == pytest.approx(0.91)  # Number=A: the matching ALT
    assert got[(100, "T")]["REVEL"] == pytest.approx(0.12)
    assert got[(100, "G")]["REVEL_TAG"] == "x_y"  # made safe for INFO
    assert got[(250, "CA")]["REVEL"] == pytest.approx(0.5)  # padded source insertion, trimmed
    assert got[(300, "A")]["CADD_PHRED"] == pytest.approx(0.9)
    assert got[(300, "A")].get("REVEL") is None
    header = VCF(str(out)).raw_header
    assert '##hurtig_source=<ID=cadd,File="cadd.tsv.gz",Version="CADD GRCh38-v1.7"' in header
    assert '##hurtig_source=<ID=revel,File="revel.vcf.gz",Version="REVEL-1.3"' in header
    assert "##INFO=<ID=CADD_PHRED,Number=1,Type=Float" in header


def test_bad_config_and_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InputError, match="type must be one of"):
        score_from_config(
            {
                "name": "x",
                "file": "f.tsv.gz",
                "fields": [{"column": "A", "info": "B", "type": "Str"}],
            },
            tmp_path,
        )
    with pytest.raises(InputError, match="fields must list"):
        score_from_config({"name": "x", "file": "f.tsv.gz"}, tmp_path)
    bad = [{"name": "cadd", "file": str(cadd_tsv(tmp_path)),
            "fields": [{"column": "NOPE", "info": "X", "type": "Float"}]}]  # fmt: skip
    scores = tmp_path / "bad.json"
    scores.write_text(json.dumps(bad))
    args = ["--vcf", str(calls(tmp_path)), "--out", str(tmp_path / "o.vcf.gz")]
    assert run_cli(annotate_main, [*args, "--scores", str(scores)]) == 2
    assert "no column 'NOPE'" in capsys.readouterr().err
    typed = [{"name": "cadd", "file": str(cadd_tsv(tmp_path)),
              "fields": [{"column": "PHRED", "info": "X", "type": "Integer"}]}]  # fmt: skip
    scores.write_text(json.dumps(typed))
    assert run_cli(annotate_main, [*args, "--scores", str(scores)]) == 2
    assert "is not Integer" in capsys.readouterr().err
