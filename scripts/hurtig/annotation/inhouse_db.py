r"""The in-house frequency database: the lab's own observations of each allele (like loqusdb).

Usage::

    hurtig inhouse add --db inhouse.sqlite --vcf results/annotated/FAM.vcf.gz \
        [--samples S1 S2] [--include-filtered]
    hurtig inhouse stats --db inhouse.sqlite

The database is an SQLite file (Python's ``sqlite3``): table ``samples`` (one row per sample
ever added, with the source file and its SHA256) and table ``calls`` (one row per sample and
non-reference allele: contig, 1-based position, trimmed REF/ALT, homozygous flag). This module
writes it; :class:`hurtig.annotation.sources.inhouse.InhouseSource` reads it as an annotation
source.

- **Idempotent**: adding a sample first deletes its earlier rows, in the same transaction, so
  re-running a family replaces its calls instead of counting them twice.
- **Safe against concurrent runs**: every write is one ``BEGIN IMMEDIATE`` transaction (SQLite
  takes the database write lock; a second writer waits up to ``timeout`` seconds) and readers see
  either the old or the new state, never half a sample. SQLite's locking needs a local or
  lock-capable file system (not all NFS mounts are).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from cyvcf2 import VCF

from hurtig.annotation.keys import trim_alleles
from hurtig.errors import InputError
from hurtig.io.files import sha256_file, write_text_atomic
from hurtig.io.sqlite_db import open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS samples (
    sample TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    added TEXT NOT NULL,
    n_calls INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS calls (
    chrom TEXT NOT NULL,
    pos INTEGER NOT NULL,
    ref TEXT NOT NULL,
    alt TEXT NOT NULL,
    sample TEXT NOT NULL,
    hom INTEGER NOT NULL,
    PRIMARY KEY (chrom, pos, ref, alt, sample)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS calls_by_sample ON calls (sample);
"""


#: Seconds a writer (or the annotation's reader) waits for another writer's lock.
DEFAULT_TIMEOUT = 600.0


def connect(db: str | os.PathLike[str], timeout: float = DEFAULT_TIMEOUT) -> sqlite3.Connection:
    """Open (creating if needed) the database; autocommit mode, explicit transactions.

    Args:
        db: the SQLite file.
        timeout: seconds a writer waits for another writer's lock.

    Returns:
        The connection.
    """
    return open_database(db, SCHEMA, "in-house database", timeout)


def sample_calls(
    vcf: str | os.PathLike[str], samples: Sequence[str] | None, include_filtered: bool
) -> dict[str, list[tuple[str, int, str, str, int]]]:
    """Non-reference calls per sample: ``(chrom, pos, ref, alt, hom)`` with trimmed alleles.

    Args:
        vcf: the family VCF (one ALT per record, as the pipeline writes it).
        samples: samples to take (default: all in the VCF).
        include_filtered: also take records whose FILTER is not PASS.

    Returns:
        Sample → calls.
    """
    try:
        reader = VCF(str(vcf))
    except Exception as err:  # cyvcf2 raises generic errors
        raise InputError(f"{vcf}: cannot read VCF ({err})") from err
    names = list(reader.samples)
    wanted = list(samples) if samples else names
    missing = [s for s in wanted if s not in names]
    if missing:
        raise InputError(f"{vcf}: samples not in the VCF: {', '.join(missing)}")
    idx = np.array([names.index(s) for s in wanted], dtype=int)
    out: dict[str, list[tuple[str, int, str, str, int]]] = {s: [] for s in wanted}
    for variant in reader:
        if len(variant.ALT) != 1:
            raise InputError(f"{vcf}: {variant.CHROM}:{variant.POS} is multiallelic; split first")
        alt = variant.ALT[0]
        if not alt or alt[0] in "<*." or (not include_filtered and variant.FILTER is not None):
            continue
        types = np.asarray(variant.gt_types)[idx]  # 0 hom-ref, 1 het, 2 unknown, 3 hom-alt
        if not ((types == 1) | (types == 3)).any():
            continue
        pos, ref, alt = trim_alleles(variant.POS, variant.REF.upper(), alt.upper())
        for name, gt in zip(wanted, types.tolist(), strict=True):
            if gt in (1, 3):
                out[name].append((variant.CHROM, pos, ref, alt, int(gt == 3)))
    reader.close()
    return out


def add_vcf(
    db: str | os.PathLike[str],
    vcf: str | os.PathLike[str],
    samples: Sequence[str] | None = None,
    include_filtered: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, int]:
    """Add (or replace) the calls of samples of a VCF in the database, one transaction.

    Args:
        db: database file (created when missing).
        vcf: the family VCF.
        samples: which samples (default all).
        include_filtered: count non-PASS records too.
        timeout: seconds to wait for a concurrent writer.

    Returns:
        Sample → number of calls stored.
    """
    if not Path(vcf).is_file():
        raise InputError(f"{vcf}: VCF not found")
    calls = sample_calls(vcf, samples, include_filtered)
    checksum = sha256_file(vcf)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    con = connect(db, timeout)
    try:
        con.execute("BEGIN IMMEDIATE")
        try:
            for sample, rows in calls.items():
                con.execute("DELETE FROM calls WHERE sample = ?", (sample,))
                con.execute("DELETE FROM samples WHERE sample = ?", (sample,))
                con.executemany(
                    "INSERT INTO calls (chrom, pos, ref, alt, sample, hom) VALUES (?,?,?,?,?,?)",
                    [(c, p, r, a, sample, h) for c, p, r, a, h in rows],
                )
                con.execute(
                    "INSERT INTO samples VALUES (?,?,?,?,?)",
                    (sample, str(Path(vcf).resolve()), checksum, now, len(rows)),
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    except sqlite3.IntegrityError as err:
        raise InputError(f"{vcf}: duplicate call in the VCF ({err})") from err
    finally:
        con.close()
    return {s: len(rows) for s, rows in calls.items()}


def stats(db: str | os.PathLike[str]) -> dict[str, int]:
    """Number of samples and of distinct alleles in the database."""
    con = connect(db)
    try:
        n_samples = con.execute("SELECT count(*) FROM samples").fetchone()[0]
        n_alleles = con.execute(
            "SELECT count(*) FROM (SELECT 1 FROM calls GROUP BY chrom, pos, ref, alt)"
        ).fetchone()[0]
    finally:
        con.close()
    return {"samples": n_samples, "alleles": n_alleles}


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="hurtig inhouse", description="The in-house allele frequency database."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add or replace the samples of a VCF")
    add.add_argument("--db", required=True, help="SQLite database (created when missing)")
    add.add_argument("--vcf", required=True, help="family VCF, one ALT per record")
    add.add_argument("--samples", nargs="*", help="samples to add (default: all)")
    add.add_argument("--include-filtered", action="store_true", help="count non-PASS records")
    add.add_argument("--done", help="write a small summary file here when finished")
    info = sub.add_parser("stats", help="print samples and alleles in the database")
    info.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    if args.command == "add":
        added = add_vcf(args.db, args.vcf, args.samples, args.include_filtered)
        text = "".join(f"{s}\t{n}\n" for s, n in added.items())
        if args.done:
            write_text_atomic(Path(args.done), text)
        summary = ", ".join(f"{s}={n}" for s, n in added.items())
        print(f"hurtig inhouse: added {summary}", file=sys.stderr)
    else:
        if not Path(args.db).is_file():
            raise InputError(f"{args.db}: in-house database not found")
        print("\t".join(f"{k}={v}" for k, v in stats(args.db).items()))
    return 0
