"""The merged index of the shard parts (hurtig.io.tabix_merge) answers queries like a fresh one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pysam
import pytest

from hurtig.annotation.engine import annotate
from hurtig.errors import InputError
from hurtig.io.tabix_merge import merge, read_shifted

CONTIGS = ("chr1", "chr2", "chr3", "chrX")


def write_calls(path: Path, per_contig: int = 6000) -> Path:
    """Many records per contig (several BGZF blocks, bins and linear-index windows)."""
    lines = ["##fileformat=VCFv4.2"]
    lines += [f"##contig=<ID={c},length=5000000>" for c in CONTIGS]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    for c in CONTIGS:
        if c == "chr2":
            continue  # a contig of the header without records
        lines += [
            f"{c}\t{100 + 617 * i}\t.\tA\tG\t50\tPASS\tDP={i % 90}" for i in range(per_contig)
        ]
    plain = path.with_suffix("")
    plain.write_text("\n".join(lines) + "\n")
    pysam.tabix_index(str(plain), preset="vcf", force=True)
    return Path(f"{plain}.gz")


def fetch_all(vcf: Path, regions: list[tuple[str, int, int]]) -> list[list[str]]:
    with pysam.TabixFile(str(vcf)) as tbx:
        return [list(tbx.fetch(c, s, e)) for c, s, e in regions]


@pytest.mark.parametrize("threads", [1, 3])
def test_merged_index_matches_fresh_index(tmp_path: Path, threads: int) -> None:
    calls = write_calls(tmp_path / "calls.vcf.gz")
    out = tmp_path / "out.vcf.gz"
    annotate(calls, out, threads=threads)
    fresh = tmp_path / "fresh.vcf.gz"
    shutil.copy(out, fresh)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(fresh)], check=True)
    regions = [(c, s, s + w) for c in ("chr1", "chr3", "chrX") for s, w in ((0, 10**7), (99, 1),
               (123456, 50000), (1_000_000, 700_000), (3_600_000, 10**6))]  # fmt: skip
    got, want = fetch_all(out, regions), fetch_all(fresh, regions)
    assert got == want
    assert sum(map(len, got)) > 6000
    with pysam.TabixFile(str(out)) as tbx:
        assert list(tbx.contigs) == ["chr1", "chr3", "chrX"]
    # bcftools reads it too, region by region.
    proc = subprocess.run(
        ["bcftools", "view", "-H", "-r", "chr3:200000-300000", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.splitlines() == fetch_all(fresh, [("chr3", 199999, 300000)])[0]


def test_bad_index_and_duplicate_contigs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tbi"
    bad.write_bytes(b"not an index")
    with pytest.raises(InputError, match=r"unreadable tabix index|not a tabix index"):
        read_shifted(bad, 0)
    calls = write_calls(tmp_path / "calls.vcf.gz", per_contig=10)
    index = f"{calls}.tbi"
    with pytest.raises(InputError, match="a contig appears in two parts"):
        merge([(index, 0), (index, 1000)], tmp_path / "m.tbi")
