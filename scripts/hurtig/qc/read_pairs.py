"""Integrity of a unit's paired FASTQ files, checked where fastp would carry on regardless.

fastp exits 0 on a truncated gzip file, on an R2 shorter than its R1 and on R1 given twice; it
trims what it could read and the run goes on with part of the data. ``hurtig check-reads`` reads
both files to the end, in parallel with trimming, and refuses them with one line naming the file:

- a gzip stream that is truncated or corrupt (CRC, bad header), or text that is not FASTQ;
- R1 and R2 with different numbers of reads;
- R1 and R2 holding the same reads (same sequences in the first records), or read names that do
  not pair.

``hurtig verify-reads`` then holds the sample's alignment until every unit passed, fastp read as
many pairs as the check counted, and the sample has at least the configured number of read pairs.
"""

from __future__ import annotations

import argparse
import json
import re
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from hurtig.errors import InputError
from hurtig.io.files import write_text_atomic

BLOCK = 1 << 20
PAIRING_RECORDS = 1000
"""How many leading records of R1 and R2 are compared for pairing and sameness."""
_MATE_SUFFIX = re.compile(rb"/[12]$")


@dataclass(frozen=True)
class FastqSummary:
    """What one pass over a FASTQ file found.

    Attributes:
        path: the file.
        reads: number of records (lines / 4).
        head: the first records as (name, sequence), at most :data:`PAIRING_RECORDS`.
    """

    path: str
    reads: int
    head: tuple[tuple[bytes, bytes], ...]


def _chunks(path: Path) -> Iterator[bytes]:
    """The decompressed content of a gzip (multi-member, BGZF too) or plain file, in blocks.

    Raises:
        EOFError: the last gzip member ends before its end-of-stream marker (a cut-short file).
        zlib.error: corrupt compressed data (bad header, CRC or length check).
    """
    with path.open("rb") as handle:
        first = handle.read(2)
        handle.seek(0)
        if first != b"\x1f\x8b":
            while block := handle.read(BLOCK):
                yield block
            return
        inflater, in_member = zlib.decompressobj(zlib.MAX_WBITS | 16), False
        while block := handle.read(BLOCK):
            while block:
                in_member = True
                out = inflater.decompress(block)
                if out:
                    yield out
                if not inflater.eof:
                    break
                # next gzip member (BGZF and concatenated gzip files)
                block = inflater.unused_data
                inflater, in_member = zlib.decompressobj(zlib.MAX_WBITS | 16), False
        if in_member:
            raise EOFError("the gzip stream ends before its end-of-stream marker")


def summarise(path: Path) -> FastqSummary:
    """Count the records of a FASTQ file and keep its first names and sequences.

    Raises:
        InputError: unreadable, truncated or corrupt gzip, or not FASTQ (line count not a multiple
            of 4, a record not starting with ``@``).
    """
    lines = 0
    last = b"\n"
    head: list[tuple[bytes, bytes]] = []
    pending = b""
    try:
        for block in _chunks(path):
            lines += block.count(b"\n")
            last = block[-1:]
            if len(head) < PAIRING_RECORDS:
                pending = _take_head(path, pending + block, head)
    except (OSError, EOFError, zlib.error) as err:
        raise InputError(f"{path}: truncated or corrupt ({err})") from err
    if last != b"\n":
        lines += 1  # a last line without a newline
    if lines % 4:
        raise InputError(f"{path}: {lines} lines, not a whole number of FASTQ records (cut short?)")
    return FastqSummary(str(path), lines // 4, tuple(head))


def _take_head(path: Path, text: bytes, head: list[tuple[bytes, bytes]]) -> bytes:
    """Move whole records from ``text`` into ``head`` (up to the limit); the rest is returned."""
    while len(head) < PAIRING_RECORDS:
        end = 0
        for _ in range(4):
            end = text.find(b"\n", end) + 1
            if end == 0:
                return text
        name, sequence, *_ = text[:end].split(b"\n", 3)
        if not name.startswith(b"@"):
            raise InputError(f"{path}: record {len(head) + 1} does not start with '@' (not FASTQ)")
        head.append((name[1:].split()[0] if name[1:].split() else b"", sequence))
        text = text[end:]
    return b""


def check_pair(r1: FastqSummary, r2: FastqSummary) -> None:
    """R1 and R2 belong together: same read count, paired names, not the same reads.

    Raises:
        InputError: naming the file and the problem.
    """
    if r1.reads != r2.reads:
        raise InputError(f"{r2.path}: {r2.reads} reads but its R1 {r1.path} has {r1.reads}")
    if r1.head and all(a[1] == b[1] for a, b in zip(r1.head, r2.head, strict=True)):
        raise InputError(f"{r2.path}: holds the same reads as its R1 {r1.path} (R1 given twice?)")
    for number, (a, b) in enumerate(zip(r1.head, r2.head, strict=True), start=1):
        if _MATE_SUFFIX.sub(b"", a[0]) != _MATE_SUFFIX.sub(b"", b[0]):
            raise InputError(
                f"{r2.path}: read {number} is {b[0].decode(errors='replace')!r} but R1's is "
                f"{a[0].decode(errors='replace')!r}: the files do not pair"
            )


def check_reads(r1: Path, r2: Path) -> dict[str, object]:
    """Read both files (in parallel) and check them; the counts as a JSON-able dict."""
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(summarise, (r1, r2))
    check_pair(first, second)
    return {
        "r1": {"path": first.path, "reads": first.reads},
        "r2": {"path": second.path, "reads": second.reads},
    }


def load_json(path: Path) -> dict[str, object]:
    """A JSON object from a file (one error line naming the file otherwise)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot read ({err})") from err
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a JSON object")
    return doc


def section_count(path: Path, section_name: str) -> int:
    """``<section>.total_reads`` of a fastp JSON report (e.g. ``read1_before_filtering``)."""
    section = load_json(path).get(section_name)
    try:
        assert isinstance(section, dict)
        return int(section["total_reads"])
    except (AssertionError, KeyError, TypeError, ValueError) as err:
        raise InputError(
            f"{path}: no read1_before_filtering.total_reads (not fastp's JSON?)"
        ) from err


def verify_sample(
    sample: str, checks: Sequence[Path], fastp: Sequence[Path], min_read_pairs: int
) -> dict[str, object]:
    """A sample's units passed :func:`check_reads`, fastp read all of them, and there are enough.

    Args:
        sample: the sample id (named in the error).
        checks: ``hurtig check-reads`` outputs of the sample's units.
        fastp: fastp JSON reports of the same units, in the same order.
        min_read_pairs: the fewest read pairs a sample may have.

    Raises:
        InputError: fastp stopped early on a unit, or the sample has too few read pairs.
    """
    if len(checks) != len(fastp):
        raise InputError(
            f"sample {sample}: {len(checks)} read checks but {len(fastp)} fastp reports"
        )
    total = kept = 0
    for check, report in zip(checks, fastp, strict=True):
        counted = load_json(check)
        r1 = counted["r1"]
        assert isinstance(r1, dict)
        pairs, read = int(r1["reads"]), section_count(report, "read1_before_filtering")
        if read != pairs:
            raise InputError(
                f"{r1['path']}: fastp read {read} of its {pairs} read pairs ({report}): it stopped "
                "early, see its log"
            )
        total += pairs
        kept += section_count(report, "read1_after_filtering")
    if total < min_read_pairs:
        raise InputError(
            f"sample {sample}: {total} read pairs, fewer than the minimum "
            f"alignment.min_read_pairs = {min_read_pairs}"
        )
    return {
        "sample": sample,
        "read_pairs": total,
        "kept_read_pairs": kept,
        "units": [str(c) for c in checks],
    }


def verify_main(argv: Sequence[str] | None = None) -> int:
    """``hurtig verify-reads``: hold a sample's alignment until its reads are whole and enough."""
    parser = argparse.ArgumentParser(prog="hurtig verify-reads", description=__doc__)
    parser.add_argument("--sample", required=True)
    parser.add_argument("--checks", required=True, nargs="+", type=Path)
    parser.add_argument("--fastp", required=True, nargs="+", type=Path)
    parser.add_argument("--min-read-pairs", type=int, default=1000)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    result = verify_sample(args.sample, args.checks, args.fastp, args.min_read_pairs)
    write_text_atomic(args.out, json.dumps(result, indent=1) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``hurtig check-reads``: check one unit's FASTQ pair, write the counts."""
    parser = argparse.ArgumentParser(prog="hurtig check-reads", description=__doc__)
    parser.add_argument("--r1", required=True, type=Path)
    parser.add_argument("--r2", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path, help="JSON with the read counts")
    args = parser.parse_args(argv)
    result = check_reads(args.r1, args.r2)
    write_text_atomic(args.out, json.dumps(result, indent=1) + "\n")
    return 0
