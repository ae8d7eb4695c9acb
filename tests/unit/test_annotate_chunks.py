"""Tests of the chunked, vectorised join (hurtig.annotation.join) behind hurtig annotate.

Blocks are made tiny (a few bytes) so that input lines, source lines and whole records fall
across block edges; the expected values are written out from the source records below.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pysam
import pytest
from cyvcf2 import VCF

import hurtig.annotation.engine as engine_mod
import hurtig.annotation.source as source_mod
from hurtig.annotation.cli import main
from hurtig.annotation.engine import annotate
from hurtig.annotation.keys import allele_key
from hurtig.annotation.text_blocks import parse_ints, split_lines
from hurtig.errors import InputError

GNOMAD_INFO = [
    '##INFO=<ID=AF,Number=A,Type=Float,Description="AF">',
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="AC">',
    '##INFO=<ID=AN,Number=1,Type=Integer,Description="AN">',
]


def write_vcf(path: Path, records: list[str], info: Sequence[str] = (), fmt: str = "vcf") -> Path:
    """Write a sorted sites VCF on chr1 (records are tab-joined CHROM..INFO) and index it."""
    lines = ["##fileformat=VCFv4.2", "##contig=<ID=chr1,length=10000>", *info]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    plain = path.with_name(path.name.split(".")[0] + ".vcf")
    plain.write_text("\n".join([*lines, *records]) + "\n")
    if fmt == "bcf":
        subprocess.run(["bcftools", "view", "-Ob", "-o", str(path), str(plain)], check=True)
        subprocess.run(["bcftools", "index", "-c", str(path)], check=True)
        return path
    pysam.tabix_index(str(plain), preset="vcf", force=True)
    return Path(f"{plain}.gz")


def rec(pos: int, ref: str, alt: str, info: str = ".") -> str:
    return "\t".join(["chr1", str(pos), ".", ref, alt, ".", ".", info])


CALLS = [
    rec(100, "A", "G"),  # several records at one position: SNV
    rec(100, "A", "T"),  # … a second SNV (second ALT of a multiallelic source record)
    rec(100, "AT", "A"),  # … and a deletion (trimmed key of a padded source record)
    rec(200, "C", "T"),  # matched by a source deletion record that starts at 150 (see below)
    rec(205, "G", "A"),  # inside that deletion's span, no match
    *[rec(300 + 7 * i, "C", "A") for i in range(40)],  # many lines: many input blocks
    rec(900, "T", "C"),  # absent
]

GNOMAD = [
    rec(100, "A", "G", "AF=0.1;AC=10;AN=100"),
    rec(100, "A", "C,T", "AF=0.2,0.3;AC=20,30;AN=100"),
    rec(100, "ATT", "AT", "AF=0.4;AC=40;AN=100"),  # trims to AT>A at 100
    rec(100, "A", "G", "AF=0.9;AC=90;AN=100"),  # duplicate key: the first record wins
    # A long source record at 199: its trimmed ALT (C>T) is at 200; the line is read well
    # before the input reaches 200 and must survive the block edges in between.
    rec(199, "GCAAAAAAAAAAAAAAAAAA", "GTAAAAAAAAAAAAAAAAAA", "AF=0.5;AC=50;AN=100"),
    *[rec(300 + 7 * i, "C", "A", f"AF=0.{i:03d};AC={i};AN=100") for i in range(40)],
]


def expected_af() -> dict[tuple[int, str, str], float]:
    want = {(100, "A", "G"): 0.1, (100, "A", "T"): 0.3, (100, "AT", "A"): 0.4}
    want[(200, "C", "T")] = 0.5
    for i in range(40):
        want[(300 + 7 * i, "C", "A")] = float(f"0.{i:03d}")
    return want


def got_af(path: Path) -> dict[tuple[int, str, str], float | None]:
    return {(v.POS, v.REF, v.ALT[0]): v.INFO.get("GNOMAD_AF") for v in VCF(str(path))}


@pytest.mark.parametrize("block", [7, 61, 1 << 20])
def test_block_edges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    calls = write_vcf(tmp_path / "calls.vcf.gz", CALLS)
    gnomad = write_vcf(tmp_path / "gnomad.vcf.gz", GNOMAD, GNOMAD_INFO)
    monkeypatch.setattr(engine_mod, "INPUT_BLOCK", block)
    monkeypatch.setattr(source_mod, "SOURCE_BLOCK", block)
    out = tmp_path / "out.vcf.gz"
    counts = annotate(calls, out, gnomad=gnomad)
    assert counts == {"records": len(CALLS), "gnomad_hits": len(expected_af())}
    got = got_af(out)
    want = expected_af()
    for key, af in got.items():
        if key in want:
            assert af == pytest.approx(want[key]), key
        else:
            assert af is None, key
    assert len(got) == len(CALLS)


def test_sparse_input_seeks(tmp_path: Path) -> None:
    """A sparse input re-opens the source far ahead instead of reading through; same values."""
    calls = write_vcf(tmp_path / "calls.vcf.gz", [rec(100, "A", "G"), rec(573, "C", "A")])
    gnomad = write_vcf(tmp_path / "gnomad.vcf.gz", GNOMAD, GNOMAD_INFO)
    for seek in (1, 100000):
        out = tmp_path / f"out{seek}.vcf.gz"
        annotate(calls, out, gnomad=gnomad, seek_records=seek)
        got = got_af(out)
        assert got[(100, "A", "G")] == pytest.approx(0.1)
        assert got[(573, "C", "A")] == pytest.approx(0.039)


def test_bcf_shard_cli(tmp_path: Path) -> None:
    """A per-shard BCF with a .csi index, --threads 1, through the command line."""
    calls = write_vcf(tmp_path / "shard.bcf", CALLS[:5], fmt="bcf")
    assert Path(f"{calls}.csi").is_file()
    gnomad = write_vcf(tmp_path / "gnomad.vcf.gz", GNOMAD, GNOMAD_INFO)
    out = tmp_path / "shard.annotated.vcf.gz"
    argv = ["--vcf", str(calls), "--out", str(out), "--gnomad", str(gnomad), "--threads", "1"]
    assert main(argv) == 0
    got = got_af(out)
    assert got[(100, "AT", "A")] == pytest.approx(0.4)
    assert got[(205, "G", "A")] is None
    assert Path(f"{out}.tbi").is_file()


def test_unsorted_and_malformed(tmp_path: Path) -> None:
    calls = tmp_path / "bad.vcf"
    header = "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=10000>\n"
    header += "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    calls.write_text(header + rec(200, "A", "G") + "\n" + rec(100, "A", "G") + "\n")
    gnomad = write_vcf(tmp_path / "gnomad.vcf.gz", GNOMAD, GNOMAD_INFO)
    with pytest.raises(InputError, match="not sorted at chr1:100"):
        annotate(calls, tmp_path / "o.vcf.gz", gnomad=gnomad)
    arr = np.frombuffer(b"chr1\t12x\tA\n", dtype=np.uint8)
    lines = split_lines(arr, 3, "f.vcf")
    with pytest.raises(InputError, match="bad position"):
        parse_ints(arr, lines.field_starts[1], lines.field_ends[1], "f.vcf")
    with pytest.raises(InputError, match="too few columns"):
        split_lines(arr, 5, "f.vcf")


def test_allele_key() -> None:
    assert allele_key(10, "A", "G") == 10 * 1024 + 1 * 32 + 7
    assert allele_key(10, "CAAG", "CA") == (11, "AAG", "A")  # trimmed like the source side
    assert allele_key(10, "AC", "AT") == 11 * 1024 + 3 * 32 + 20  # trims to one letter
    for alt in ("<DEL>", "*", ".", "A[chr2:5["):
        assert allele_key(10, "A", alt) is None
