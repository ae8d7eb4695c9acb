"""Reads are not lost between trimming and the CRAM: counts checked where tools exit 0 regardless.

fastp exits 0 when it cannot write its output (a full disk leaves empty or cut trimmed files),
and a reader of a cut gzip file may simply stop early. ``hurtig check-trimmed`` reads every
trimmed chunk pair to the end (:func:`hurtig.qc.read_pairs.check_reads`) and compares the pairs
with what fastp says it kept; ``hurtig check-markdup`` compares the records duplicate marking read
with the reads the sample kept (every kept read is at least one record of the CRAM).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

from hurtig.errors import InputError
from hurtig.qc.read_pairs import check_reads, load_json, section_count


def trimmed_pairs(folder: Path, fastp_json: Path) -> int:
    """Check the trimmed chunk pairs of a unit against fastp's report; the pairs kept.

    Raises:
        InputError: a chunk is cut short or unpaired, or the chunks hold fewer pairs than fastp
            reports it kept.
    """
    kept = section_count(fastp_json, "read1_after_filtering")
    total = 0
    for r1 in sorted(folder.glob("*.R1.fastq.gz")):
        r2 = r1.with_name(r1.name.replace(".R1.", ".R2."))
        counted = check_reads(r1, r2)["r1"]
        assert isinstance(counted, dict)
        total += int(counted["reads"])
    if total != kept:
        raise InputError(
            f"{folder}: the trimmed reads hold {total} pairs but fastp kept {kept} "
            "(could it write them all? a full disk?)"
        )
    return total


_READ = re.compile(r"^READ: (\d+)$", re.M)


def check_markdup(stats: Path, reads_json: Path) -> int:
    """Duplicate marking read at least one record per kept read; the records read.

    Raises:
        InputError: fewer records than kept reads (reads lost on the way).
    """
    try:
        match = _READ.search(stats.read_text())
    except OSError as err:
        raise InputError(f"{stats}: cannot read ({err})") from err
    if match is None:
        raise InputError(f"{stats}: no READ line (not samtools markdup statistics?)")
    records = int(match.group(1))
    kept = int(str(load_json(reads_json)["kept_read_pairs"])) * 2
    if records < kept:
        raise InputError(
            f"{stats}: duplicate marking read {records} records but the sample kept {kept} reads"
            " (reads lost between trimming and the CRAM)"
        )
    return records


def trimmed_main(argv: Sequence[str] | None = None) -> int:
    """``hurtig check-trimmed``: the trimmed chunks hold every pair fastp kept."""
    parser = argparse.ArgumentParser(prog="hurtig check-trimmed", description=__doc__)
    parser.add_argument("--dir", required=True, type=Path, help="folder of the trimmed chunks")
    parser.add_argument("--fastp", required=True, type=Path, help="fastp's JSON report")
    args = parser.parse_args(argv)
    trimmed_pairs(args.dir, args.fastp)
    return 0


def markdup_main(argv: Sequence[str] | None = None) -> int:
    """``hurtig check-markdup``: the CRAM's records cover every read the sample kept."""
    parser = argparse.ArgumentParser(prog="hurtig check-markdup", description=__doc__)
    parser.add_argument("--stats", required=True, type=Path, help="samtools markdup -f output")
    parser.add_argument("--reads", required=True, type=Path, help="hurtig verify-reads output")
    args = parser.parse_args(argv)
    check_markdup(args.stats, args.reads)
    return 0
