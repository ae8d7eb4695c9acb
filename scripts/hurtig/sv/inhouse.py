r"""The in-house SV frequency database: the lab's own SV/CNV observations, grown run by run.

Usage::

    hurtig sv-inhouse add --db sv_inhouse.sqlite --vcf results/sv/FAM.vcf.gz --family FAM \
        [--include-filtered] [--done results/sv/inhouse/FAM.tsv]
    hurtig sv-inhouse stats --db sv_inhouse.sqlite

An SQLite file (Python's ``sqlite3``), like the small-variant database
(:mod:`hurtig.annotation.inhouse_db`), with its own tables (one file may hold both):
``sv_samples`` (one row per sample ever added: its family, source file and SHA256) and
``sv_events`` (one row per sample and event it carries: contig, 1-based first and last affected
base, SVTYPE, homozygous flag). Events taken: FILTER PASS or called by at least two callers
(``NCALLERS``), as the ranking's default SV filter; ``--include-filtered`` takes every event.

- **Idempotent per family**: adding a family first deletes, in the same transaction, the rows of
  that family and of every sample being added, so re-running a family replaces its events
  instead of counting them twice (a sample dropped from the family disappears with it).
- **Safe against concurrent runs**: every write is one ``BEGIN IMMEDIATE`` transaction (SQLite's
  write lock; a second writer waits up to ``timeout`` seconds, WAL journal), so readers see the
  old or the new state, never half a family. SQLite's locking needs a local or lock-capable file
  system (not all NFS mounts are).

**Matching** (:func:`frequency`): a stored event matches a queried one when it is on the same
contig, has the same SVTYPE and the two overlap reciprocally by at least 50 %
(:data:`hurtig.sv.merge.MIN_RECIPROCAL_OVERLAP`: the shared bases are ≥ 50 % of each event's
length; 1-based inclusive spans), the rule the merge of the callers uses. The queried family's
own rows are left out (by family id and by its samples).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pysam

from hurtig.errors import InputError
from hurtig.io.files import sha256_file, write_text_atomic
from hurtig.io.sqlite_db import open_database
from hurtig.sv.merge import MIN_RECIPROCAL_OVERLAP, reciprocal_overlap

SCHEMA = """
CREATE TABLE IF NOT EXISTS sv_samples (
    sample TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    source TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    added TEXT NOT NULL,
    n_events INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sv_events (
    chrom TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    svtype TEXT NOT NULL,
    sample TEXT NOT NULL,
    family TEXT NOT NULL,
    hom INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sv_events_by_pos ON sv_events (chrom, svtype, start);
CREATE INDEX IF NOT EXISTS sv_events_by_family ON sv_events (family);
"""

#: Seconds a writer (or the annotation's reader) waits for another writer's lock.
DEFAULT_TIMEOUT = 600.0

Event = tuple[str, int, int, str, int]
"""``(chrom, start, end, svtype, hom)`` of one sample's event."""


def connect(db: str | os.PathLike[str], timeout: float = DEFAULT_TIMEOUT) -> sqlite3.Connection:
    """Open (creating if needed) the database; autocommit mode, explicit transactions."""
    return open_database(db, SCHEMA, "in-house SV database", timeout)


def _carries(rec: pysam.VariantRecord, sample: str) -> int:
    """0 not carried, 1 heterozygous, 2 homozygous (or hemizygous)."""
    alleles = [a for a in (rec.samples[sample].get("GT") or ()) if a is not None]
    alt = [a for a in alleles if a > 0]
    if not alt:
        return 0
    return 2 if len(alt) == len(alleles) else 1


def _passes(rec: pysam.VariantRecord, include_filtered: bool) -> bool:
    if include_filtered or "PASS" in rec.filter or len(rec.filter) == 0:
        return True
    return int(rec.info.get("NCALLERS", 0) or 0) >= 2


def sample_events(vcf: str | os.PathLike[str], include_filtered: bool) -> dict[str, list[Event]]:
    """Events each sample of the family SV VCF carries.

    Raises:
        InputError: unreadable VCF or a record without SVTYPE.
    """
    try:
        reader = pysam.VariantFile(str(vcf))
    except (OSError, ValueError) as err:
        raise InputError(f"{vcf}: cannot read the SV VCF ({err})") from err
    with reader:
        names = list(reader.header.samples)
        out: dict[str, list[Event]] = {s: [] for s in names}
        for rec in reader:
            if "SVTYPE" not in rec.info:
                raise InputError(f"{vcf}: {rec.chrom}:{rec.pos} has no INFO/SVTYPE")
            if not _passes(rec, include_filtered):
                continue
            svtype = str(rec.info["SVTYPE"])
            for name in names:
                kind = _carries(rec, name)
                if kind:
                    out[name].append(
                        (rec.chrom, rec.pos + 1, int(rec.stop), svtype, int(kind == 2))
                    )
    return out


def add_vcf(
    db: str | os.PathLike[str],
    vcf: str | os.PathLike[str],
    family: str,
    include_filtered: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, int]:
    """Add (or replace) a family's events, in one transaction.

    Returns:
        Sample → number of events stored.
    """
    if not Path(vcf).is_file():
        raise InputError(f"{vcf}: SV VCF not found")
    events = sample_events(vcf, include_filtered)
    checksum = sha256_file(vcf)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    con = connect(db, timeout)
    try:
        con.execute("BEGIN IMMEDIATE")
        try:
            for table in ("sv_events", "sv_samples"):
                con.execute(f"DELETE FROM {table} WHERE family = ?", (family,))
            for sample, rows in events.items():
                con.execute("DELETE FROM sv_events WHERE sample = ?", (sample,))
                con.execute("DELETE FROM sv_samples WHERE sample = ?", (sample,))
                con.executemany(
                    "INSERT INTO sv_events VALUES (?,?,?,?,?,?,?)",
                    [(c, s, e, t, sample, family, h) for c, s, e, t, h in rows],
                )
                con.execute(
                    "INSERT INTO sv_samples VALUES (?,?,?,?,?,?)",
                    (sample, family, str(Path(vcf).resolve()), checksum, now, len(rows)),
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return {s: len(rows) for s, rows in events.items()}


@dataclass(frozen=True)
class SvFrequency:
    """How often the database's other families carry an event.

    Attributes:
        ac: alleles carrying a matching event (heterozygous 1, homozygous 2).
        an: alleles in the database (2 per sample), the excluded family left out.
        carriers: samples carrying a matching event.
        families: families with a carrier.
        db_families: families in the database, the excluded family left out.
    """

    ac: int
    an: int
    carriers: int
    families: int
    db_families: int

    @property
    def af(self) -> float | None:
        """``ac / an``; ``None`` for an empty database."""
        return self.ac / self.an if self.an else None


class SvDatabase:
    """A read view of the database with one family left out (a missing file reads as empty)."""

    def __init__(
        self, db: str | os.PathLike[str], family: str, samples: Collection[str] = ()
    ) -> None:
        """Open the database, leaving out ``family`` and ``samples``."""
        self.exclude_family = family
        self.exclude = set(samples)
        self._con = connect(db) if Path(db).is_file() else None
        rows = []
        if self._con is not None:
            # one read transaction: every count comes from the same snapshot of the database
            self._con.execute("BEGIN")
            rows = self._con.execute("SELECT sample, family FROM sv_samples").fetchall()
        kept = [(s, f) for s, f in rows if f != family and s not in self.exclude]
        self.samples = len(kept)
        self.families = len({f for _, f in kept})

    def close(self) -> None:
        """Close the connection."""
        if self._con is not None:
            self._con.execute("COMMIT")
            self._con.close()

    def frequency(self, chrom: str, start: int, end: int, svtype: str) -> SvFrequency:
        """Matching events (same contig and type, reciprocal overlap ≥ 50 %) of other families."""
        rows: list[tuple[int, int, str, str, int]] = []
        if self._con is not None:
            length = end - start + 1
            # a match is at most twice as long as the event and overlaps it
            rows = self._con.execute(
                "SELECT start, end, sample, family, hom FROM sv_events WHERE chrom = ? AND"
                " svtype = ? AND start BETWEEN ? AND ? AND end >= ?",
                (chrom, svtype, start - 2 * length, end, start),
            ).fetchall()
        hits: dict[str, tuple[str, int]] = {}
        for s, e, sample, family, hom in rows:
            if family == self.exclude_family or sample in self.exclude:
                continue
            if reciprocal_overlap(s, e, start, end) >= MIN_RECIPROCAL_OVERLAP:
                _, best = hits.get(sample, (family, 0))
                hits[sample] = (family, max(best, 2 if hom else 1))
        return SvFrequency(
            ac=sum(n for _, n in hits.values()),
            an=2 * self.samples,
            carriers=len(hits),
            families=len({f for f, _ in hits.values()}),
            db_families=self.families,
        )


def stats(db: str | os.PathLike[str]) -> dict[str, int]:
    """Families, samples and events in the database."""
    con = connect(db)
    try:
        families, samples = con.execute(
            "SELECT count(DISTINCT family), count(*) FROM sv_samples"
        ).fetchone()
        events = con.execute("SELECT count(*) FROM sv_events").fetchone()[0]
    finally:
        con.close()
    return {"families": families, "samples": samples, "events": events}


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="hurtig sv-inhouse", description="The in-house SV frequency database."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add or replace a family's SVs")
    add.add_argument("--db", required=True, help="SQLite database (created when missing)")
    add.add_argument("--vcf", required=True, help="the family's SV VCF (hurtig sv-annotate)")
    add.add_argument("--family", required=True, help="family id (re-adding it replaces it)")
    add.add_argument("--include-filtered", action="store_true", help="take every event")
    add.add_argument("--done", help="write a small summary file here when finished")
    info = sub.add_parser("stats", help="print families, samples and events in the database")
    info.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    if args.command == "add":
        added = add_vcf(args.db, args.vcf, args.family, args.include_filtered)
        text = "".join(f"{s}\t{n}\n" for s, n in added.items())
        if args.done:
            write_text_atomic(Path(args.done), text)
        summary = ", ".join(f"{s}={n}" for s, n in added.items())
        print(f"hurtig sv-inhouse: added {args.family}: {summary}", file=sys.stderr)
    else:
        if not Path(args.db).is_file():
            raise InputError(f"{args.db}: in-house SV database not found")
        print("\t".join(f"{k}={v}" for k, v in stats(args.db).items()))
    return 0
