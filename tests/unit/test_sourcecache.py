"""Tests of prepared annotation sources (hurtig.annotation.prepared_cache) and the cached join.

The reference for every cached result is the uncached join on the same files (tested against
hand-written expectations in test_annotate*.py): a cached run must write byte-identical VCFs.
Inputs cover the cases that stress the cache: several alleles at one position, a multiallelic
source record, a padded source deletion that trims into the next position, a record whose trim
crosses a bin edge, duplicate keys (first in file order wins), lower-case and MNP/complex
alleles, symbolic alleles, records without values, and contig renaming.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pysam
import pytest

import hurtig.annotation.keys as keys_mod
import hurtig.annotation.prepared_cache as prepared_cache
from hurtig.annotation.engine import annotate
from hurtig.annotation.prepared_cache import BIN_BITS
from hurtig.annotation.prepared_cache import main as cache_main
from hurtig.annotation.registry import source_name
from hurtig.annotation.source import SourceSpec
from hurtig.annotation.sources.scores import score_specs
from hurtig.errors import InputError

EDGE = 1 << BIN_BITS  # first position of the second bin
INFO = [
    '##INFO=<ID=AF,Number=A,Type=Float,Description="AF">',
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="AC">',
    '##INFO=<ID=AN,Number=1,Type=Integer,Description="AN">',
    '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="sig">',
    '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="rev">',
    '##INFO=<ID=CLNDN,Number=.,Type=String,Description="dn">',
]


def rec(chrom: str, pos: int, ref: str, alt: str, info: str = ".", vid: str = ".") -> str:
    return "\t".join([chrom, str(pos), vid, ref, alt, ".", ".", info])


def write_vcf(path: Path, records: list[str], contigs: tuple[str, ...] = ("chr1", "chr2")) -> Path:
    """Write, bgzip and index a VCF (records sorted by contig and position, stable)."""
    records = sorted(records, key=lambda r: (r.split("\t")[0], int(r.split("\t")[1])))
    lines = ["##fileformat=VCFv4.2", *[f"##contig=<ID={c},length=2000000>" for c in contigs]]
    lines += [*INFO, "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    plain = path.with_name(path.name.removesuffix(".gz"))
    plain.write_text("\n".join([*lines, *records]) + "\n")
    pysam.tabix_index(str(plain), preset="vcf", force=True)
    return Path(f"{plain}.gz")


def calls_records(chrom: str = "chr1") -> list[str]:
    out = [
        rec(chrom, 100, "A", "G"),
        rec(chrom, 100, "A", "T"),
        rec(chrom, 100, "AT", "A"),
        rec(chrom, 150, "C", "CAG"),
        rec(chrom, 150, "C", "CAGAG"),  # second ALT of the source: a collision with equal keys
        rec(chrom, 200, "C", "T"),  # from a long MNP-style source record at 199
        rec(chrom, 300, "ACG", "TCA"),  # MNP: trimmed to A..G>T..A (kept as is: ends differ)
        rec(chrom, 400, "GAC", "GTC"),  # complex: trimmed to A>T at 401
        rec(chrom, 500, "a", "c"),  # lower case
        rec(chrom, 600, "C", "<DEL>"),  # symbolic: never matched
        rec(chrom, 700, "T", "*"),
        rec(chrom, 800, "G", "A"),  # source record without values
        rec(chrom, 900, "G", "C"),  # absent everywhere
        rec(chrom, EDGE - 1, "T", "A"),
        rec(chrom, EDGE, "TAA", "T"),  # matched by a padded source record in the first bin
        rec(chrom, EDGE + 5, "C", "G"),
    ]
    return out + [rec(chrom, 1000 + 10 * i, "C", "A") for i in range(50)]


def gnomad_records(chrom: str = "chr1") -> list[str]:
    out = [
        rec(chrom, 100, "A", "G", "AF=0.1;AC=10;AN=100"),
        rec(chrom, 100, "A", "C,T", "AF=0.2,0.3;AC=20,30;AN=100"),
        rec(chrom, 100, "ATT", "AT", "AF=0.4;AC=40;AN=100"),
        rec(chrom, 100, "A", "G", "AF=0.9;AC=90;AN=100"),  # duplicate key: first wins
        rec(chrom, 150, "C", "CAG,CAGAG", "AF=0.01,0.02;AC=1,2;AN=100"),
        rec(chrom, 199, "GCAAAAAA", "GTAAAAAA", "AF=0.5;AC=50;AN=100"),
        rec(chrom, 300, "ACG", "TCA", "AF=0.06;AC=6;AN=100"),
        rec(chrom, 401, "A", "T", "AF=0.07;AC=7;AN=100"),
        rec(chrom, 500, "A", "C", "AF=0.08;AC=8;AN=100"),
        rec(chrom, 600, "C", "A", "AF=0.09;AC=9;AN=100"),
        rec(chrom, 800, "G", "A", "."),
        rec(chrom, EDGE - 1, "T", "A", "AF=0.11;AC=11;AN=100"),
        rec(chrom, EDGE - 1, "GTAA", "GT", "AF=0.12;AC=12;AN=100"),  # trims to TAA>T at EDGE
        rec(chrom, EDGE + 5, "C", "G", "AF=0.13;AC=13;AN=100"),
    ]
    return out + [
        rec(chrom, 1000 + 10 * i, "C", "A", f"AF=0.{i:03d};AC={i};AN=100") for i in range(50)
    ]


def clinvar_records(chrom: str = "chr1") -> list[str]:
    info = "CLNSIG=Pathogenic;CLNREVSTAT=criteria_provided,_single_submitter;CLNDN=Disease_{}"
    return [
        rec(chrom, 100, "AT", "A", info.format(1), "11"),
        rec(chrom, 401, "A", "T", info.format(2), "12"),
        rec(chrom, EDGE, "TAA", "T", info.format(3), "13"),
    ]


def score_file(tmp_path: Path, chrom: str = "chr1") -> Path:
    rows = ["#Chrom\tPos\tRef\tAlt\tPHRED"]
    rows += [f"{chrom}\t{1000 + 10 * i}\tC\tA\t{i / 4}" for i in range(0, 50, 3)]
    rows += [f"{chrom}\t{EDGE + 5}\tC\tG\t33.5"]
    path = tmp_path / "cadd.tsv"
    path.write_text("\n".join(rows) + "\n")
    index = pysam.tabix_index(
        str(path), seq_col=0, start_col=1, end_col=1, meta_char="#", force=True
    )
    return Path(index)


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    both = [*gnomad_records("chr1"), *gnomad_records("chr2")]
    scores = [
        {
            "name": "cadd",
            "file": str(score_file(tmp_path)),
            "format": "tsv",
            "fields": [{"column": "PHRED", "info": "CADD_PHRED", "type": "Float"}],
        }
    ]
    score_json = tmp_path / "scores.json"
    score_json.write_text(json.dumps(scores))
    return {
        "calls": write_vcf(
            tmp_path / "calls.vcf.gz", [*calls_records("chr1"), *calls_records("chr2")]
        ),
        "gnomad": write_vcf(tmp_path / "gnomad.vcf.gz", both),
        "clinvar": write_vcf(tmp_path / "clinvar.vcf.gz", clinvar_records()),
        "scores": score_json,
    }


def build(sources: dict[str, Path], out: Path, *extra: str) -> None:
    argv = [
        "--out",
        str(out),
        "--gnomad",
        str(sources["gnomad"]),
        "--clinvar",
        str(sources["clinvar"]),
    ]
    assert cache_main([*argv, "--scores", str(sources["scores"]), *extra]) == 0


def run(sources: Mapping[str, Path | None], out: Path, cache: Path | None, **kw: Any) -> str:
    calls = sources["calls"]
    assert calls is not None
    annotate(
        calls,
        out,
        gnomad=sources["gnomad"],
        clinvar=sources["clinvar"],
        extra=score_specs(sources["scores"]) if sources["scores"] else [],
        cache_dir=cache,
        **kw,
    )
    with gzip.open(out, "rt") as handle:
        return handle.read()


@pytest.mark.parametrize("level", ["0", "6"])
def test_cached_run_is_byte_identical(tmp_path: Path, sources: dict[str, Path], level: str) -> None:
    cache = tmp_path / "cache"
    build(sources, cache, "--compress-level", level, "--threads", "2")
    assert sorted(p.name for p in cache.iterdir() if p.name[0] != ".") == [
        "cadd",
        "clinvar",
        "gnomad",
    ]
    direct = run(sources, tmp_path / "direct.vcf.gz", None)
    cached = run(sources, tmp_path / "cached.vcf.gz", cache)
    assert cached == direct
    body = [line.split("\t") for line in cached.splitlines() if not line.startswith("#")]
    info = {(f[0], int(f[1]), f[3], f[4]): f[7] for f in body}
    # Spot checks against the source records (the values themselves are tested elsewhere).
    assert info[("chr1", 100, "A", "G")].startswith("GNOMAD_AF=0.1;")  # first record wins
    assert "GNOMAD_AF=0.3" in info[("chr1", 100, "A", "T")]  # second ALT of a multiallelic
    assert "GNOMAD_AF=0.4" in info[("chr1", 100, "AT", "A")]
    assert "CLINVAR_ID=11" in info[("chr1", 100, "AT", "A")]
    assert "GNOMAD_AF=0.01" in info[("chr1", 150, "C", "CAG")]
    assert "GNOMAD_AF=0.02" in info[("chr1", 150, "C", "CAGAG")]
    assert "GNOMAD_AF=0.5" in info[("chr1", 200, "C", "T")]
    assert "GNOMAD_AF=0.07" in info[("chr2", 400, "GAC", "GTC")]
    assert "GNOMAD_AF=0.08" in info[("chr1", 500, "a", "c")]
    assert info[("chr1", 600, "C", "<DEL>")] == "."
    assert info[("chr1", 800, "G", "A")] == "."
    assert "GNOMAD_AF=0.12" in info[("chr2", EDGE, "TAA", "T")]
    assert "CLINVAR_ID=13" in info[("chr1", EDGE, "TAA", "T")]
    assert "CADD_PHRED=33.5" in info[("chr1", EDGE + 5, "C", "G")]
    header = [line for line in cached.splitlines() if line.startswith("##hurtig_source")]
    assert len(header) == 3 and all("SHA256=" in line for line in header)


def test_hash_collisions_are_resolved_by_text(
    tmp_path: Path, sources: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a degenerate hash (position only) every indel at a position collides: still exact."""
    direct = run(sources, tmp_path / "direct.vcf.gz", None)
    real = keys_mod.allele_hkeys

    def position_only(
        pos: np.ndarray, text: np.ndarray, starts: np.ndarray, ends: np.ndarray
    ) -> np.ndarray:
        return real(pos, text, starts, starts)  # empty text: the key is the position alone

    monkeypatch.setattr(keys_mod, "allele_hkeys", position_only)
    monkeypatch.setattr(prepared_cache, "allele_hkeys", position_only)
    cache = tmp_path / "cache"
    build(sources, cache)  # in this process: the cache holds the degenerate keys too
    assert run(sources, tmp_path / "cached.vcf.gz", cache) == direct


def test_contig_map_and_threads(tmp_path: Path, sources: dict[str, Path]) -> None:
    """Sources named 1/2 while the input says chr1/chr2: the map applies to cached sources too."""
    style = ("1", "2")
    renamed = dict(
        sources,
        gnomad=write_vcf(
            tmp_path / "g1.vcf.gz", [*gnomad_records("1"), *gnomad_records("2")], contigs=style
        ),
        clinvar=write_vcf(tmp_path / "c1.vcf.gz", clinvar_records("1"), contigs=style),
    )
    scores = json.loads(sources["scores"].read_text())
    scores[0]["file"] = str(score_file(tmp_path, "1"))
    sources["scores"].write_text(json.dumps(scores))
    cache = tmp_path / "cache"
    build(renamed, cache)
    cmap = {"contig_map": {"chr1": "1", "chr2": "2"}}
    direct = run(renamed, tmp_path / "direct.vcf.gz", None, **cmap)
    for threads in (1, 2):
        cached = run(renamed, tmp_path / f"cached{threads}.vcf.gz", cache, threads=threads, **cmap)
        assert cached == direct
    assert "GNOMAD_AF=0.12" in direct and "CLINVAR_ID=13" in direct and "CADD_PHRED=33.5" in direct


def test_stale_or_missing_cache_refused(tmp_path: Path, sources: dict[str, Path]) -> None:
    cache = tmp_path / "cache"
    with pytest.raises(InputError, match=r"annotation cache of gnomad .* not found"):
        run(sources, tmp_path / "o.vcf.gz", cache)
    build(sources, cache)
    # Same name, other content: refused, naming the cache and the reason.
    write_vcf(tmp_path / "gnomad.vcf.gz", gnomad_records("chr1")[:5])
    with pytest.raises(InputError, match=r"cache/gnomad: .*built from another file"):
        run(sources, tmp_path / "o.vcf.gz", cache)
    assert not (tmp_path / "o.vcf.gz").exists()
    # Touched but unchanged (same size and checksum): accepted.
    build(sources, cache)
    st = os.stat(sources["gnomad"])
    os.utime(sources["gnomad"], ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    run(sources, tmp_path / "o.vcf.gz", cache)
    # Other score settings (another INFO key): refused.
    scores = json.loads(sources["scores"].read_text())
    scores[0]["fields"][0]["info"] = "CADD_OTHER"
    sources["scores"].write_text(json.dumps(scores))
    with pytest.raises(InputError, match=r"cache/cadd: .*other source settings"):
        run(sources, tmp_path / "o.vcf.gz", cache)


def test_truncated_cache_file_is_an_error_not_a_crash(
    tmp_path: Path, sources: dict[str, Path]
) -> None:
    """Bins are read from the mapped file: one cut short fails with a line, not SIGBUS."""
    cache = tmp_path / "cache"
    build(sources, cache)
    bins = sorted((cache / "gnomad").glob("*.bins"))
    assert bins
    with open(bins[0], "r+b") as handle:
        handle.truncate(os.path.getsize(bins[0]) // 2)
    with pytest.raises(InputError, match=r"truncated cache file .*; rebuild the cache"):
        run(sources, tmp_path / "o.vcf.gz", cache)
    assert not (tmp_path / "o.vcf.gz").exists()


def test_cli(tmp_path: Path, sources: dict[str, Path]) -> None:
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "hurtig", "prepare-source", "--out", str(tmp_path / "c")]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode != 0 and "no source given" in proc.stderr
    proc = subprocess.run(
        [*cmd, "--gnomad", str(sources["gnomad"]), "--only", "gnomad"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "gnomad: " in proc.stderr and (tmp_path / "c" / "gnomad" / "manifest.json").is_file()
    assert source_name(SourceSpec("gnomad", str(sources["gnomad"]))) == "gnomad"


def test_prepare_keeps_valid_cache_and_runs_take_turns(
    tmp_path: Path, sources: dict[str, Path]
) -> None:
    """Two runs sharing a cache folder: one builds, the other waits and keeps it; stale rebuilds."""
    env = dict(os.environ)
    cache = tmp_path / "shared"

    def start(i: int) -> subprocess.Popen[str]:
        done = tmp_path / f"done{i}.json"
        cmd = [sys.executable, "-m", "hurtig", "prepare-source", "--out", str(cache)]
        cmd += ["--gnomad", str(sources["gnomad"]), "--done", str(done)]
        return subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)

    procs = [start(1), start(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    notes = [json.loads((tmp_path / f"done{i}.json").read_text())[0] for i in (1, 2)]
    assert sorted(n["built"] for n in notes) == [False, True]
    assert notes[0]["sha256"] == notes[1]["sha256"] and notes[0]["alleles"] > 100
    assert not any(p.name.startswith(".gnomad.") and p.is_dir() for p in cache.iterdir())
    # A changed source file: the next preparation rebuilds, and the result matches it.
    write_vcf(tmp_path / "gnomad.vcf.gz", gnomad_records("chr1")[:20])
    proc = start(3)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    note = json.loads((tmp_path / "done3.json").read_text())[0]
    assert note["built"] and note["sha256"] != notes[0]["sha256"]
    run(dict(sources, clinvar=None, scores=None), tmp_path / "o.vcf.gz", cache)
