"""CNVkit's per-bin read depth of a sample: ``cnvkit coverage``'s numbers at a fraction of its cost.

CNVkit 0.9.9 (``cnvlib.coverage``) sums each bin's per-base pileup depth with ``samtools
bedcov`` (reads with UNMAP, SECONDARY, QCFAIL or DUP left out, deletions and reference skips
counted, no mapping-quality floor in ``cnvkit batch``), divides by the bin's length (``depth``)
and takes ``log2`` (-20 for an empty bin). On a CRAM, bedcov decodes every read's sequence,
qualities and tags again for every bin it queries, although the depth needs none of them: on
the demo 14 s of CPU (60 µs a read) against 0.9 s for the same reads as BAM, the longest
SV job of a genome (~8 h a sample at 30x, perf/RESULTS.md). Told that it needs only the flag,
position, mapping quality and CIGAR (htslib's ``required_fields``), bedcov returns the same
sums (checked against CNVkit's own file in tests/unit/test_cnv_coverage.py). The bins are cut
into chunks of 5,000, as CNVkit does with ``-p``, and the chunks run side by side.

The output is CNVkit's ``.targetcoverage.cnn`` table (``chromosome start end gene depth log2``)
with full-precision numbers, so that ``cnvkit fix`` sees the values ``cnvkit batch`` keeps in
memory. It appears atomically.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hurtig.errors import InputError

REQUIRED_FIELDS = 0x2 | 0x4 | 0x8 | 0x10 | 0x20
"""htslib's SAM_FLAG | SAM_RNAME | SAM_POS | SAM_MAPQ | SAM_CIGAR: what a pileup depth reads."""

NULL_LOG2 = -20.0
"""CNVkit's ``NULL_LOG2_COVERAGE``: the log2 of a bin without reads."""

CHUNK_BINS = 5000
"""Bins a ``samtools bedcov`` call gets (CNVkit's ``to_chunks`` size)."""

HEADER = "chromosome\tstart\tend\tgene\tdepth\tlog2\n"

Bin = tuple[str, int, int, str]
"""``(chromosome, start (0-based), end, gene)`` of one bin."""


def read_bins(path: Path) -> list[Bin]:
    """The bins of a BED file (CNVkit's target BED: 3 or 4 columns, gene ``-`` when absent).

    Raises:
        InputError: unreadable file, a malformed line, or no bins at all.
    """
    bins: list[Bin] = []
    try:
        with path.open() as handle:
            for n, line in enumerate(handle, start=1):
                if not line.strip() or line.startswith(("#", "track", "browser")):
                    continue
                fields = line.rstrip("\n").split("\t")
                try:
                    chrom, start, end = fields[0], int(fields[1]), int(fields[2])
                except (IndexError, ValueError) as err:
                    raise InputError(f"{path}: line {n}: not a BED line") from err
                if not chrom or start < 0 or end <= start:
                    raise InputError(f"{path}: line {n}: empty or reversed bin")
                bins.append((chrom, start, end, fields[3] if len(fields) > 3 else "-"))
    except OSError as err:
        raise InputError(f"{path}: cannot read the bins ({err})") from err
    if not bins:
        raise InputError(f"{path}: no bins")
    return bins


def bedcov(bins: Sequence[Bin], alignments: Path, fasta: Path, workdir: Path) -> list[int]:
    """Per-bin base counts of ``samtools bedcov`` (CNVkit's settings), in the order of ``bins``.

    Raises:
        InputError: bedcov failed (its message), or its output does not list exactly these bins.
    """
    fd, name = tempfile.mkstemp(dir=workdir, suffix=".bed")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.writelines(f"{c}\t{s}\t{e}\t{g}\n" for c, s, e, g in bins)
        command = [
            "samtools",
            "bedcov",
            "--reference",
            str(fasta),
            "--input-fmt-option",
            f"required_fields={REQUIRED_FIELDS:#x}",
            name,
            str(alignments),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        Path(name).unlink(missing_ok=True)
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()
        raise InputError(
            f"{alignments}: samtools bedcov failed: {message[-1] if message else done.returncode}"
        )
    lines = done.stdout.splitlines()
    if len(lines) != len(bins):
        raise InputError(f"{alignments}: samtools bedcov returned {len(lines)} of {len(bins)} bins")
    counts: list[int] = []
    for (chrom, start, end, _), line in zip(bins, lines, strict=True):
        fields = line.split("\t")
        if fields[0] != chrom or fields[1] != str(start) or fields[2] != str(end):
            raise InputError(f"{alignments}: samtools bedcov answered {line!r} for {chrom}:{start}")
        counts.append(int(fields[-1]))
    return counts


def cnn_rows(bins: Sequence[Bin], counts: Sequence[int]) -> str:
    """CNVkit's coverage table: mean depth and its log2 per bin, full precision."""
    out = [HEADER]
    for (chrom, start, end, gene), count in zip(bins, counts, strict=True):
        depth = count / (end - start)
        log2 = math.log2(depth) if depth > 0 else NULL_LOG2
        out.append(f"{chrom}\t{start}\t{end}\t{gene}\t{depth!r}\t{log2!r}\n")
    return "".join(out)


def bin_coverage(bins_path: Path, alignments: Path, fasta: Path, out: Path, threads: int) -> int:
    """Write the ``.cnn`` of ``alignments`` over the bins in ``bins_path``; returns their count."""
    bins = read_bins(bins_path)
    chunks = [bins[i : i + CHUNK_BINS] for i in range(0, len(bins), CHUNK_BINS)]
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.") as work:
        pool = ThreadPoolExecutor(max(1, min(threads, len(chunks))))
        try:
            parts = list(pool.map(lambda c: bedcov(c, alignments, fasta, Path(work)), chunks))
        finally:  # a failed chunk ends the run now, not after every chunk still queued
            pool.shutdown(wait=True, cancel_futures=True)
        tmp = Path(work) / out.name
        tmp.write_text(cnn_rows(bins, [n for part in parts for n in part]))
        os.replace(tmp, out)
    return len(bins)


def main(argv: Sequence[str] | None = None) -> int:
    """``hurtig cnv-coverage``: CNVkit's target coverage table of one sample."""
    parser = argparse.ArgumentParser(prog="hurtig cnv-coverage", description=__doc__)
    parser.add_argument("--bins", type=Path, required=True, help="CNVkit's target BED")
    parser.add_argument("--alignments", type=Path, required=True, help="indexed CRAM or BAM")
    parser.add_argument("--fasta", type=Path, required=True, help="the CRAM's reference")
    parser.add_argument("--out", type=Path, required=True, help="the .targetcoverage.cnn to write")
    parser.add_argument("--threads", type=int, default=1, help="bedcov calls side by side")
    args = parser.parse_args(argv)
    bin_coverage(args.bins, args.alignments, args.fasta, args.out, args.threads)
    return 0
