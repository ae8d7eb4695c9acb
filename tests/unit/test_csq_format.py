"""FORMAT/BCSQ on every record csq annotated (hurtig.annotation.csq_cache), against real csq.

bcftools csq writes ``FORMAT/BCSQ`` of 0 on a record without haplotype consequences only once
an earlier record of the same run set a bit; the fill gives a cold run's output what a warm run
writes. The oracle is csq itself: the same records after a warm-up record that sets a bit.
"""

from __future__ import annotations

import gzip
import random
import subprocess
from pathlib import Path

import numpy as np
import pytest

from builders.annotation import synthetic_annotation_set
from hurtig.annotation.csq_cache import fill_format_bcsq, missing_format_bcsq
from hurtig.annotation.text_blocks import split_lines


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-contig synthetic genome with genes, its gene model and calls (synth.py)."""
    return synthetic_annotation_set(tmp_path_factory.mktemp("synth"), 3000, 2)


def _csq(synthetic: Path, header: list[str], body: list[str], tmp: Path) -> list[str]:
    vcf = tmp / "in.vcf"
    vcf.write_text("\n".join([*header, *body]) + "\n")
    done = subprocess.run(
        ["bcftools", "csq", "-l", "-f", str(synthetic / "genome.fa"),
         "-g", str(synthetic / "genes.gff3.gz"), "-Ov", str(vcf)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return [x for x in done.stdout.splitlines() if not x.startswith("#")]


def _filled(lines: list[str]) -> list[str]:
    blob = ("\n".join(lines) + "\n").encode()
    arr = np.frombuffer(blob, dtype=np.uint8)
    cut = split_lines(arr, 8, "test")
    return fill_format_bcsq(blob, cut, missing_format_bcsq(arr, cut)).decode().splitlines()


def test_a_cold_csq_run_filled_equals_a_warm_one(tmp_path: Path, synthetic: Path) -> None:
    with gzip.open(synthetic / "calls.vcf.gz", "rt") as handle:
        text = handle.read().splitlines()
    header = [x for x in text if x.startswith("##") and not x.startswith("##FORMAT")]
    header += [
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Depths">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\ts2",
    ]
    body = [x.split("\t")[:8] for x in text if not x.startswith("#")]
    plain = _csq(synthetic, header, ["\t".join([*f, "GT", "1/1", "1/1"]) for f in body], tmp_path)
    warm_at = next(
        i for i, x in enumerate(plain)
        if "BCSQ" in x.split("\t")[8] and int(x.split("\t")[9].rpartition(":")[2])
    )  # fmt: skip
    warm = body[warm_at]
    rng = random.Random(7)
    samples = [
        ("GT", "0/1", "1/1"), ("GT", "0/0", "./."), (".", ".", "."), ("GT:AD", "0/1", "."),
        ("GT:AD", "1/1:0,9", "0/1:4,5"), ("GT", "1", "0"),
    ]  # fmt: skip
    tested = []
    for fields in body[warm_at + 1 :]:
        fmt, s1, s2 = rng.choice(samples)
        tested.append("\t".join([*fields, fmt, s1, s2]))
    warm_line = "\t".join([*warm, "GT", "0/1", "0/1"])
    cold = _csq(synthetic, header, tested, tmp_path)
    hot = _csq(synthetic, header, [warm_line, *tested], tmp_path)[1:]
    assert cold != hot  # the cold run lacks FORMAT/BCSQ on some records
    missing = [x for x in cold if "BCSQ=" in x and "BCSQ" not in x.split("\t")[8]]
    assert len(missing) > 5
    assert {x.split("\t")[8] for x in missing} >= {".", "GT", "GT:AD"}
    assert _filled(cold) == hot
    assert _filled(hot) == hot  # nothing to fill in a warm run


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("c\t1\t.\tA\tC\t.\t.\tBCSQ=x\tGT\t0/1", "c\t1\t.\tA\tC\t.\t.\tBCSQ=x\tGT:BCSQ\t0/1:0"),
        ("c\t1\t.\tA\tC\t.\t.\tDP=1;BCSQ=x|y\tGT:AD\t0/1\t.", "GT:AD:BCSQ\t0/1:.:0\t.:.:0"),
        ("c\t1\t.\tA\tC\t.\t.\tBCSQ=x;DP=2\t.\t.", "BCSQ\t0"),
        ("c\t1\t.\tA\tC\t.\t.\tXBCSQ=x\tGT\t0/1", None),  # another key
        ("c\t1\t.\tA\tC\t.\t.\tBCSQX=x\tGT\t0/1", None),
        ("c\t1\t.\tA\tC\t.\t.\tBCSQ=x\tGT:BCSQ\t0/1:0", None),  # has it
        ("c\t1\t.\tA\tC\t.\t.\tBCSQ=x\tBCSQ:GT\t0:0/1", None),
        ("c\t1\t.\tA\tC\t.\t.\tBCSQ=x", None),  # no FORMAT column
        ("c\t1\t.\tA\tC\t.\t.\tBCSQ\tGT\t0/1", "GT:BCSQ\t0/1:0"),  # a flag (csq never)
        ("c\t1\t.\tA\tC\t.\t.\tDP=3\tGT:BCSQX\t0/1:1", None),
    ],
)
def test_fill_cases(line: str, expected: str | None) -> None:
    other = "c\t2\t.\tG\tT\t.\t.\tDP=1\tGT\t1/1"
    got = _filled([other, line, other])
    assert got[0] == got[2] == other
    if expected is None:
        assert got[1] == line
    else:
        assert got[1].endswith(expected)
        assert got[1].split("\t")[:8] == line.split("\t")[:8]
