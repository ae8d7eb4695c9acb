"""Tests for the in-house database (hurtig.annotation.inhouse_db) and its annotation source."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pysam
import pytest
from cyvcf2 import VCF

from hurtig.annotation.engine import annotate
from hurtig.annotation.inhouse_db import add_vcf, main, stats
from hurtig.annotation.source import SourceSpec
from hurtig.errors import run_cli

REPO = Path(__file__).resolve().parents[2]


def family_vcf(path: Path, samples: list[str], rows: list[tuple[int, str, str, list[str]]]) -> Path:
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=chr1,length=100000>",
        '##FILTER=<ID=LowQual,Description="low">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples),
    ]
    for pos, ref, alt, gts in rows:
        filt = "LowQual" if pos == 900 else "PASS"
        lines.append(f"chr1\t{pos}\t.\t{ref}\t{alt}\t50\t{filt}\t.\tGT\t" + "\t".join(gts))
    path.write_text("\n".join(lines) + "\n")
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return Path(f"{path}.gz")


def test_add_counts_and_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "inhouse.sqlite"
    fam1 = family_vcf(
        tmp_path / "f1.vcf",
        ["A", "B"],
        [
            (100, "C", "T", ["0/1", "1/1"]),
            (200, "G", "A", ["0/0", "0/1"]),
            (900, "T", "G", ["0/1", "0/1"]),
        ],
    )
    fam2 = family_vcf(
        tmp_path / "f2.vcf", ["C"], [(100, "C", "T", ["0/1"]), (300, "AT", "A", ["1/1"])]
    )
    assert add_vcf(db, fam1) == {"A": 1, "B": 2}  # the LowQual record is not counted
    add_vcf(db, fam2)
    add_vcf(db, fam1)  # re-running a family must not double count
    assert stats(db) == {"samples": 3, "alleles": 3}

    calls = family_vcf(
        tmp_path / "calls.vcf",
        ["X"],
        [
            (100, "C", "T", ["0/1"]),
            (200, "G", "A", ["0/1"]),
            (300, "AT", "A", ["0/1"]),
            (400, "C", "G", ["0/1"]),
        ],
    )
    out = tmp_path / "out.vcf.gz"
    annotate(calls, out, extra=[SourceSpec("inhouse", str(db), (("exclude", ("C",)),))])
    got = {v.POS: v for v in VCF(str(out))}
    first = got[100].INFO  # A het + B hom; C excluded
    assert (first["INHOUSE_HET"], first["INHOUSE_HOM"], first["INHOUSE_AC"]) == (1, 1, 3)
    assert first["INHOUSE_AN"] == 4 and first["INHOUSE_SAMPLES"] == 2
    assert abs(first["INHOUSE_AF"] - 0.75) < 1e-9
    assert got[200].INFO["INHOUSE_AC"] == 1
    assert got[300].INFO.get("INHOUSE_AC") is None  # only seen in the excluded sample
    assert got[400].INFO.get("INHOUSE_AC") is None
    header = VCF(str(out)).raw_header
    assert '##hurtig_source=<ID=inhouse,File="inhouse.sqlite",Version="2 samples"' in header


def test_two_concurrent_writers(tmp_path: Path) -> None:
    db = tmp_path / "inhouse.sqlite"
    rows = [(p, "C", "T", ["0/1"]) for p in range(10, 20000, 7)]
    vcfs = [family_vcf(tmp_path / f"s{i}.vcf", [f"S{i}"], rows) for i in range(2)]
    env = dict(os.environ)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "hurtig", "inhouse", "add", "--db", str(db), "--vcf", str(v)],
            env=env,
            stderr=subprocess.PIPE,
        )
        for v in vcfs
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    assert stats(db) == {"samples": 2, "alleles": len(rows)}
    out = tmp_path / "o.vcf.gz"
    annotate(vcfs[0], out, extra=[SourceSpec("inhouse", str(db))])
    values = [v.INFO["INHOUSE_HET"] for v in VCF(str(out))]
    assert values == [2] * len(rows)


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(main, ["stats", "--db", str(tmp_path / "missing.sqlite")]) == 2
    assert "in-house database not found" in capsys.readouterr().err
