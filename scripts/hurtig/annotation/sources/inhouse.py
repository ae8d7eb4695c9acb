"""The in-house frequency database as an annotation source (``INHOUSE_*`` INFO keys).

Counts per allele, from the database :mod:`hurtig.annotation.inhouse_db` writes:
``INHOUSE_HET``/``INHOUSE_HOM`` samples carrying the allele heterozygous/homozygous,
``INHOUSE_AC`` = het + 2·hom, ``INHOUSE_AN`` = 2 × samples in the database (every sample is
called genome-wide; hemizygous chrX/chrY calls of males count as homozygous), ``INHOUSE_AF`` =
AC/AN, ``INHOUSE_SAMPLES`` = samples in the database. Samples of the family being annotated can
be excluded (the pipeline excludes them, so the values do not depend on whether the family was
added before). The database is read in one read transaction: every query sees the same
snapshot, whatever writers do meanwhile.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from hurtig.annotation.inhouse_db import DEFAULT_TIMEOUT
from hurtig.annotation.source import (
    DEFAULT_SEEK_RECORDS,
    Source,
    SourceRecord,
    SourceSpec,
    format_value,
)
from hurtig.errors import InputError

#: Rows fetched from SQLite per generated text block.
BATCH_ROWS = 20000


INHOUSE_HEADER: tuple[dict[str, str], ...] = (
    {
        "ID": "INHOUSE_AC",
        "Number": "1",
        "Type": "Integer",
        "Description": "In-house allele count (het + 2*hom)",
    },
    {"ID": "INHOUSE_HET", "Number": "1", "Type": "Integer", "Description": "In-house het carriers"},
    {"ID": "INHOUSE_HOM", "Number": "1", "Type": "Integer", "Description": "In-house hom carriers"},
    {
        "ID": "INHOUSE_AN",
        "Number": "1",
        "Type": "Integer",
        "Description": "In-house allele number (2 x samples in the database)",
    },
    {"ID": "INHOUSE_AF", "Number": "1", "Type": "Float", "Description": "In-house AF (AC/AN)"},
    {
        "ID": "INHOUSE_SAMPLES",
        "Number": "1",
        "Type": "Integer",
        "Description": "Samples in the in-house database (the denominator)",
    },
)


class InhouseSource(Source):
    """The in-house database as a sorted annotation stream (``INHOUSE_*``)."""

    file_format = "sqlite"
    cacheable = False  # the database grows with every run

    def __init__(
        self,
        path: Path,
        contig_map: dict[str, str],
        seek_records: int = DEFAULT_SEEK_RECORDS,
        exclude: Sequence[str] = (),
    ) -> None:
        """Open the database read-only; samples in ``exclude`` are not counted."""
        self.exclude = tuple(exclude)
        super().__init__("inhouse", path, contig_map, seek_records)

    @classmethod
    def from_spec(
        cls, spec: SourceSpec, contig_map: dict[str, str], seek_records: int
    ) -> InhouseSource:
        """Open the database a spec names (option ``exclude``: samples not counted)."""
        return cls(Path(spec.path), contig_map, seek_records, spec.option("exclude", ()))

    def _open(self) -> None:
        """Open one read transaction; count the samples; list the contigs."""
        if not self.path.is_file():
            raise InputError(f"{self.path}: in-house database not found")
        uri = f"file:{self.path.resolve()}?mode=ro"
        try:
            self.con = sqlite3.connect(uri, uri=True, timeout=DEFAULT_TIMEOUT)
            # One read transaction: every query sees the same snapshot, whatever writers do.
            self.con.execute("BEGIN")
            rows = self.con.execute("SELECT sample FROM samples").fetchall()
            self.contigs = {r[0] for r in self.con.execute("SELECT DISTINCT chrom FROM calls")}
        except sqlite3.DatabaseError as err:
            raise InputError(f"{self.path}: not an in-house database ({err})") from err
        self.n_samples = sum(1 for (s,) in rows if s not in self.exclude)
        self.header = ()
        self.numbers = {}

    #: Generated text lines are ``POS REF ALT HET HOM``.
    columns = (0, 1, 2)

    def text_chunks(self, contig: str, start: int) -> Iterator[bytes]:
        """Counts per allele of ``contig`` from ``start`` on, as tab-separated text blocks."""
        marks = ",".join("?" * len(self.exclude))
        where = f"AND sample NOT IN ({marks})" if self.exclude else ""
        query = (
            "SELECT pos, ref, alt, sum(hom = 0), sum(hom = 1) FROM calls "
            f"WHERE chrom = ? AND pos >= ? {where} GROUP BY pos, ref, alt ORDER BY pos"
        )
        # Alleles are stored trimmed, so none starting before `start` can match.
        cursor = self.con.execute(query, (contig, start, *self.exclude))
        while rows := cursor.fetchmany(BATCH_ROWS):
            yield "".join(f"{p}\t{r}\t{a}\t{het}\t{hom}\n" for p, r, a, het, hom in rows).encode()

    def record(self, line: str) -> SourceRecord:
        """Parse one generated line."""
        pos, ref, alt, het, hom = line.split("\t")
        return SourceRecord(int(pos), ".", ref, [alt], (int(het), int(hom)))

    def info_lines(self) -> tuple[dict[str, str], ...]:
        """The ``INHOUSE_*`` INFO definitions."""
        return INHOUSE_HEADER

    def version(self) -> str:
        """The number of samples counted (the database has no release)."""
        return f"{self.n_samples} samples"

    def extra_provenance(self) -> str:
        """Samples counted and excluded."""
        return f"Samples={self.n_samples},Excluded={len(self.exclude)}"

    def values(self, rec: SourceRecord, idx: int) -> list[str]:
        """The ``INHOUSE_*`` items of an allele's counts (none for an allele no sample has)."""
        het, hom = rec.rest
        if het + hom == 0 or self.n_samples == 0:
            return []
        an = 2 * self.n_samples
        ac = het + 2 * hom
        return [
            f"INHOUSE_AC={ac}",
            f"INHOUSE_HET={het}",
            f"INHOUSE_HOM={hom}",
            f"INHOUSE_AN={an}",
            f"INHOUSE_AF={format_value(round(ac / an, 6))}",
            f"INHOUSE_SAMPLES={self.n_samples}",
        ]
