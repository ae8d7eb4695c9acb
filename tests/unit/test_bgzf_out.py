"""The in-process BGZF writer and its tabix index (hurtig.annotation.bgzf_out, tbi_build).

VCF-like text with several contigs, long deletions across bins, ``INFO/END`` in every form
htslib reads (first key, after ``;``, ``.``, before ``POS``, ``SVEND=``) and records that fall
on BGZF block edges is written in blocks of whole lines of random sizes. The file must
decompress to the text; the index must hold the same bins, chunks and linear index as
``tabix -p vcf`` builds on the same file, and every region query must return the same records
with our index as with tabix's (pysam/htslib reading both) and as a plain interval filter.
"""

from __future__ import annotations

import gzip
import random
import shutil
import struct
import subprocess
from pathlib import Path

import pysam
import pytest

from hurtig.annotation.bgzf_out import BLOCK, IndexedBgzfWriter, _zlib_deflate, deflater
from hurtig.annotation.engine import annotate

Index = tuple[bytes, list[tuple[dict[int, list[int]], list[int]]], bytes]


def parse_tbi(path: Path) -> Index:
    """Header, per reference (bins → offsets, linear index), and the tail of a ``.tbi``."""
    data = gzip.decompress(path.read_bytes())
    (n_ref,) = struct.unpack_from("<i", data, 4)
    (l_nm,) = struct.unpack_from("<i", data, 32)
    at = 36 + l_nm
    head, refs = data[:at], []
    for _ in range(n_ref):
        (n_bin,) = struct.unpack_from("<i", data, at)
        at += 4
        bins = {}
        for _ in range(n_bin):
            key, n_chunk = struct.unpack_from("<Ii", data, at)
            bins[key] = list(struct.unpack_from(f"<{2 * n_chunk}Q", data, at + 8))
            at += 8 + 16 * n_chunk
        (n_intv,) = struct.unpack_from("<i", data, at)
        refs.append((bins, list(struct.unpack_from(f"<{n_intv}Q", data, at + 4))))
        at += 4 + 8 * n_intv
    return head, refs, data[at:]


def _info(rng: random.Random, pos: int) -> str:
    noise = "".join(rng.choice("ACGT") for _ in range(rng.randint(0, 200)))
    forms = [
        f"DP={rng.randint(1, 99)};X={noise}",
        f"END={pos + rng.randint(0, 90_000)};X={noise}",
        f"X={noise};END={pos + rng.randint(1, 40_000)}",
        f"SVEND={pos + 50_000};X=1",
        f"SVEND={pos + 50_000};END={pos + 30_000}",
        "END=.;X=1",
        f"END={max(pos - 5, 0)}",
        f"END={pos - 1}",
        f"END={pos}",
        ".",
    ]
    weights = [80, 3, 3, 2, 2, 1, 1, 1, 1, 6]
    return rng.choices(forms, weights)[0]


def _text(seed: int) -> bytes:
    rng = random.Random(seed)
    lines = []
    for contig in ("chr1", "chr2", "chrUn_KI270742v1", "chrM"):
        pos = rng.randint(0, 5)
        for _ in range(rng.randint(1, 2500)):
            pos += rng.choice([0, 1, 3, 40, 700, 5_000, 20_000, 300_000])
            ref = "A" * rng.choice([1, 1, 1, 2, 30, 20_000])
            info = _info(rng, pos)
            lines.append(f"{contig}\t{pos}\t.\t{ref}\tC\t50\tPASS\t{info}\tGT\t0/1")
    return ("\n".join(lines) + "\n").encode()


def _write(path: Path, text: bytes, seed: int, zlib_only: bool = False) -> None:
    rng = random.Random(seed)
    deflate = (lambda d: _zlib_deflate(1, d)) if zlib_only else None
    writer = IndexedBgzfWriter(str(path), 1, deflate)
    at = 0
    while at < len(text):
        # Blocks of whole lines; sometimes ending exactly on a BGZF block edge.
        want = rng.choice([1, 500, BLOCK, 3 * BLOCK, 1 << 20])
        cut = text.rfind(b"\n", at, at + want) + 1
        if cut <= at:
            cut = text.index(b"\n", at) + 1
        writer.write(text[at:cut])
        at = cut
    writer.close()


@pytest.mark.parametrize("seed", range(4))
def test_index_equals_tabix(tmp_path: Path, seed: int) -> None:
    text = _text(seed)
    ours = tmp_path / "ours.vcf.gz"
    _write(ours, text, seed, zlib_only=seed == 3)
    assert gzip.decompress(ours.read_bytes()) == text
    theirs = tmp_path / "theirs.vcf.gz"
    shutil.copy(ours, theirs)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(theirs)], check=True, capture_output=True)
    assert parse_tbi(Path(f"{ours}.tbi")) == parse_tbi(Path(f"{theirs}.tbi"))


def _expected(text: bytes, contig: str, lo: int, hi: int) -> list[str]:
    """Records overlapping 1-based [lo, hi], computed as htslib reads a VCF interval."""
    found = []
    for line in text.decode().splitlines():
        f = line.split("\t")
        if f[0] != contig:
            continue
        beg = max(int(f[1]) - 1, 0)
        end = beg + len(f[3])
        info = f[7]
        value = info[4:] if info.startswith("END=") else info.partition(";END=")[2]
        value = value.split(";")[0]
        if value.isdigit() and int(value) > beg:
            end = int(value)
        if beg < hi and end > lo - 1:
            found.append(line)
    return found


def test_region_queries_answer_like_tabix(tmp_path: Path) -> None:
    text = _text(11)
    ours = tmp_path / "ours.vcf.gz"
    _write(ours, text, 11)
    theirs = tmp_path / "theirs.vcf.gz"
    shutil.copy(ours, theirs)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(theirs)], check=True, capture_output=True)
    rng = random.Random(5)
    with pysam.TabixFile(str(ours)) as a, pysam.TabixFile(str(theirs)) as b:
        assert list(a.contigs) == list(b.contigs)
        for _ in range(300):
            contig = rng.choice(list(a.contigs))
            lo = rng.randint(1, 30_000_000)
            hi = lo + rng.choice([0, 10, 20_000, 2_000_000])
            got = list(a.fetch(contig, lo - 1, hi))
            assert got == list(b.fetch(contig, lo - 1, hi))
            assert got == _expected(text, contig, lo, hi)


@pytest.mark.parametrize("level", [1, 6])
def test_deflater_is_plain_deflate(level: int) -> None:
    noise = random.Random(level).randbytes(BLOCK)  # incompressible: stored, still one block
    for data in (b"chr1\t1\t.\tA\tC\n" * 3000, noise):
        deflated, crc = deflater(level)(memoryview(data))
        assert gzip.zlib.decompress(deflated, -15) == data  # type: ignore[attr-defined]
        assert crc == gzip.zlib.crc32(data)  # type: ignore[attr-defined]
        assert len(deflated) <= 0x10000 - 26


def test_unindexable_line_is_refused(tmp_path: Path) -> None:
    writer = IndexedBgzfWriter(str(tmp_path / "x.vcf.gz"), 1)
    with pytest.raises(Exception, match="no position to index"):
        writer.write(b"chr1\tabc\t.\tA\tC\n")
    writer.abort()
    assert not (tmp_path / "x.vcf.gz").exists()


def test_annotate_output_index_equals_tabix(tmp_path: Path) -> None:
    """The merged index of the shard parts, behind the header, is what tabix builds on the file."""
    rng = random.Random(3)
    contigs = ["chr1", "chr2", "chrUn_KI270742v1", "chrM"]
    lines = ["##fileformat=VCFv4.2", *(f"##contig=<ID={c},length=400000000>" for c in contigs)]
    lines += [
        '##INFO=<ID=END,Number=1,Type=Integer,Description="end">',
        '##INFO=<ID=X,Number=1,Type=String,Description="x">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="gt">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1",
    ]
    for contig in contigs:
        pos = 1
        for _ in range(rng.randint(200, 3000)):
            pos += rng.choice([0, 1, 40, 700, 5_000, 20_000, 300_000])
            ref = "A" * rng.choice([1, 1, 2, 30, 20_000])
            noise = "".join(rng.choice("ACGT") for _ in range(rng.randint(0, 300)))
            info = rng.choice([f"X={noise}", f"END={pos + 60_000};X={noise}"])
            lines.append(f"{contig}\t{pos}\t.\t{ref}\tC\t50\tPASS\t{info}\tGT\t0/1")
    text = tmp_path / "calls.vcf"
    text.write_text("\n".join(lines) + "\n")
    calls = tmp_path / "calls.vcf.gz"
    subprocess.run(["bgzip", "-f", str(text)], check=True)
    subprocess.run(["bcftools", "index", "-f", str(calls)], check=True)
    out = tmp_path / "out.vcf.gz"
    annotate(calls, out, threads=2)
    theirs = tmp_path / "theirs.vcf.gz"
    shutil.copy(out, theirs)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(theirs)], check=True, capture_output=True)
    assert parse_tbi(Path(f"{out}.tbi")) == parse_tbi(Path(f"{theirs}.tbi"))
