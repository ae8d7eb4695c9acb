"""hurtig check-reads / verify-reads: a FASTQ pair is whole, paired and not the same reads."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
from pathlib import Path

import pytest

from hurtig.errors import InputError
from hurtig.qc.read_counts import check_markdup, trimmed_pairs
from hurtig.qc.read_pairs import check_reads, verify_sample


def fastq(path: Path, reads: int, mate: int, seed: int = 1, names: str = "r") -> Path:
    """A FASTQ of ``reads`` records (gzip for a .gz name), named ``{names}{i}/{mate}``."""
    rng = random.Random(seed * 10 + mate)
    text = "".join(
        f"@{names}{i}/{mate}\n{''.join(rng.choice('ACGT') for _ in range(50))}\n+\n{'I' * 50}\n"
        for i in range(reads)
    )
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def test_good_pair_gzip_bgzip_and_plain(tmp_path: Path) -> None:
    r1 = fastq(tmp_path / "a_R1.fq.gz", 3000, 1)
    r2 = fastq(tmp_path / "a_R2.fq", 3000, 2)
    assert check_reads(r1, r2)["r1"] == {"path": str(r1), "reads": 3000}
    plain = tmp_path / "b_R1.fq"
    plain.write_bytes(gzip.decompress(r1.read_bytes()))
    subprocess.run(["bgzip", "-f", str(plain)], check=True)
    assert check_reads(Path(f"{plain}.gz"), r2)["r2"] == {"path": str(r2), "reads": 3000}


def test_truncated_gzip_names_the_file(tmp_path: Path) -> None:
    r1 = fastq(tmp_path / "R1.fq.gz", 3000, 1)
    r2 = fastq(tmp_path / "R2.fq.gz", 3000, 2)
    cut = tmp_path / "cut.fq.gz"
    cut.write_bytes(r1.read_bytes()[: r1.stat().st_size // 2])
    with pytest.raises(InputError, match=rf"^{cut}: truncated or corrupt"):
        check_reads(cut, r2)


def test_corrupt_gzip_crc(tmp_path: Path) -> None:
    r1 = fastq(tmp_path / "R1.fq.gz", 200, 1)
    r2 = fastq(tmp_path / "R2.fq.gz", 200, 2)
    data = bytearray(r2.read_bytes())
    data[-6] ^= 0xFF  # inside the CRC32 of the gzip trailer
    bad = tmp_path / "bad.fq.gz"
    bad.write_bytes(bytes(data))
    with pytest.raises(InputError, match=rf"^{bad}: truncated or corrupt"):
        check_reads(r1, bad)


def test_r2_shorter_than_r1(tmp_path: Path) -> None:
    r1 = fastq(tmp_path / "R1.fq.gz", 3000, 1)
    r2 = fastq(tmp_path / "R2.fq.gz", 1500, 2)
    with pytest.raises(InputError, match=rf"^{r2}: 1500 reads but its R1 {r1} has 3000$"):
        check_reads(r1, r2)


def test_same_reads_as_r1(tmp_path: Path) -> None:
    r1 = fastq(tmp_path / "R1.fq.gz", 100, 1)
    copy = tmp_path / "R2.fq.gz"
    copy.write_bytes(r1.read_bytes())
    with pytest.raises(InputError, match="holds the same reads as its R1"):
        check_reads(r1, copy)
    with pytest.raises(InputError, match="holds the same reads as its R1"):
        check_reads(r1, r1)


def test_names_that_do_not_pair(tmp_path: Path) -> None:
    r1 = fastq(tmp_path / "R1.fq.gz", 100, 1)
    r2 = fastq(tmp_path / "R2.fq.gz", 100, 2, names="other")
    with pytest.raises(InputError, match="read 1 is 'other0/2' but R1's is 'r0/1'"):
        check_reads(r1, r2)


def test_not_fastq(tmp_path: Path) -> None:
    r1 = fastq(tmp_path / "R1.fq", 10, 1)
    r2 = tmp_path / "R2.fq"
    r2.write_text(">seq\nACGT\n>seq2\nACGT\n" * 5)
    with pytest.raises(InputError, match=rf"^{r2}: record 1 does not start with '@'"):
        check_reads(r1, r2)
    odd = tmp_path / "odd.fq"
    odd.write_text(r1.read_text() + "@extra\nACGT\n")
    with pytest.raises(InputError, match="not a whole number of FASTQ records"):
        check_reads(odd, r1)


def _fastp_json(path: Path, pairs: int, kept: int | None = None) -> Path:
    path.write_text(
        json.dumps(
            {
                "read1_before_filtering": {"total_reads": pairs},
                "read1_after_filtering": {"total_reads": pairs if kept is None else kept},
            }
        )
    )
    return path


def test_verify_sample(tmp_path: Path) -> None:
    r1 = fastq(tmp_path / "R1.fq.gz", 1200, 1)
    r2 = fastq(tmp_path / "R2.fq.gz", 1200, 2)
    check = tmp_path / "u.json"
    check.write_text(json.dumps(check_reads(r1, r2)))
    full, short = _fastp_json(tmp_path / "f.json", 1200), _fastp_json(tmp_path / "s.json", 800)
    verified = verify_sample("S1", [check], [full], 1000)
    assert (verified["read_pairs"], verified["kept_read_pairs"]) == (1200, 1200)
    with pytest.raises(InputError, match=rf"^{r1}: fastp read 800 of its 1200 read pairs"):
        verify_sample("S1", [check], [short], 1000)
    with pytest.raises(
        InputError, match=r"^sample S1: 1200 read pairs, fewer than the minimum alignment"
    ):
        verify_sample("S1", [check], [full], 5000)


def test_fastp_really_exits_0_on_a_truncated_file(tmp_path: Path) -> None:
    """Why the check exists: real fastp accepts a cut-short file and trims part of it."""
    r1 = fastq(tmp_path / "R1.fq.gz", 4000, 1)
    r2 = fastq(tmp_path / "R2.fq.gz", 4000, 2)
    cut = tmp_path / "cut.fq.gz"
    cut.write_bytes(r1.read_bytes()[: r1.stat().st_size // 2])
    done = subprocess.run(
        ["fastp", "--in1", str(cut), "--in2", str(r2), "--out1", str(tmp_path / "o1.fq.gz"),
         "--out2", str(tmp_path / "o2.fq.gz"), "-j", str(tmp_path / "f.json"),
         "-h", str(tmp_path / "f.html")],
        capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0
    with pytest.raises(InputError, match="truncated or corrupt"):
        check_reads(cut, r2)


def test_trimmed_chunks_must_hold_what_fastp_kept(tmp_path: Path) -> None:
    chunks = tmp_path / "chunks"
    chunks.mkdir()
    fastq(chunks / "0001.R1.fastq.gz", 600, 1, seed=1)
    fastq(chunks / "0001.R2.fastq.gz", 600, 2, seed=1)
    fastq(chunks / "0002.R1.fastq.gz", 400, 1, seed=2)
    fastq(chunks / "0002.R2.fastq.gz", 400, 2, seed=2)
    assert trimmed_pairs(chunks, _fastp_json(tmp_path / "f.json", 1100, kept=1000)) == 1000
    with pytest.raises(InputError, match=r"hold 1000 pairs but fastp kept 1050 \(could it write"):
        trimmed_pairs(chunks, _fastp_json(tmp_path / "g.json", 1100, kept=1050))
    (chunks / "0002.R2.fastq.gz").write_bytes(b"")  # what fastp leaves on a full disk
    with pytest.raises(InputError, match=r"0002\.R2\.fastq\.gz: 0 reads but its R1"):
        trimmed_pairs(chunks, _fastp_json(tmp_path / "h.json", 1100, kept=1000))


def test_markdup_must_read_every_kept_read(tmp_path: Path) -> None:
    reads = tmp_path / "reads.json"
    reads.write_text(json.dumps({"kept_read_pairs": 100}))
    stats = tmp_path / "markdup.txt"
    stats.write_text("COMMAND: samtools markdup\nREAD: 202\nWRITTEN: 202\n")
    assert check_markdup(stats, reads) == 202
    stats.write_text("COMMAND: samtools markdup\nREAD: 150\nWRITTEN: 150\n")
    with pytest.raises(InputError, match="read 150 records but the sample kept 200 reads"):
        check_markdup(stats, reads)
