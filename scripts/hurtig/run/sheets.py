"""The units sheet and the config file: read and validated before any job starts.

Every problem is reported as one :class:`~hurtig.errors.InputError` line that names the file, and
where it applies the row and column. The samples sheet is the pedigree model
(:mod:`hurtig.run.pedigree`); the whole run is loaded by :func:`hurtig.run.model.load_run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hurtig.errors import InputError
from hurtig.run.pedigree import Person
from hurtig.run.schemas import describe, first_error, read_sheet, schema


@dataclass(frozen=True)
class Unit:
    """One row of units.tsv: FASTQ pair or BAM of one sequencing unit, paths made absolute."""

    sample: str
    unit: str
    fq1: Path | None
    fq2: Path | None
    bam: Path | None
    platform: str
    library: str


def resolve(base: Path, value: str | None) -> Path | None:
    """Resolve a possibly relative path against ``base``; empty values stay ``None``."""
    if value is None or str(value).strip() == "":
        return None
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def validate_config(config: dict[str, Any], config_file: Path) -> None:
    """Validate the configuration dict against ``config/schemas/config.schema.yaml``.

    The schema declares every key, the ``filters`` and ``ranking`` settings included, so a typo
    anywhere in the config is refused here, before any job.

    Raises:
        InputError: naming the config file and the first problem.
    """
    error = first_error(schema("config"), config)
    if error is not None:
        raise InputError(f"{config_file}: {describe(error)}")


def load_units(
    path: Path, samples: dict[str, Person], produced_dir: Path | None = None
) -> list[Unit]:
    """Read and validate units.tsv against the samples.

    Checks: known columns, schema per row, either fq1+fq2 or bam, unique (sample, unit), samples
    known, every sample has at least one unit, input files exist (except files under
    ``produced_dir``, which the workflow itself makes, such as the simulated demo reads).
    """
    rows = read_sheet(path, "units")
    base = path.parent.resolve()
    units: list[Unit] = []
    seen: set[tuple[str, str]] = set()
    for number, row in enumerate(rows, start=2):
        where = f"{path}: row {number}"
        if row["sample"] not in samples:
            raise InputError(f"{where}: sample '{row['sample']}' is not in the samples sheet")
        key = (row["sample"], row["unit"])
        if key in seen:
            raise InputError(f"{where}: unit '{row['unit']}' of '{row['sample']}' appears twice")
        seen.add(key)
        unit = _unit(where, base, row)
        for column in ("fq1", "fq2", "bam"):
            file: Path | None = getattr(unit, column)
            if file is None or (produced_dir is not None and file.is_relative_to(produced_dir)):
                continue
            if not file.is_file():
                raise InputError(f"{where}: column '{column}': file not found: {file}")
        units.append(unit)
    without = [s for s in samples if all(u.sample != s for u in units)]
    if without:
        raise InputError(f"{path}: sample '{without[0]}' has no units")
    return units


def _unit(where: str, base: Path, row: dict[str, str]) -> Unit:
    """One unit row with its paths resolved; either a FASTQ pair or a BAM."""
    fq1, fq2 = resolve(base, row.get("fq1")), resolve(base, row.get("fq2"))
    bam = resolve(base, row.get("bam"))
    if bam is not None and (fq1 or fq2):
        raise InputError(f"{where}: give either fq1/fq2 or bam, not both")
    if bam is None and (fq1 is None or fq2 is None):
        raise InputError(f"{where}: paired FASTQ needs both fq1 and fq2 (or give bam)")
    return Unit(row["sample"], row["unit"], fq1, fq2, bam, row["platform"], row["library"])
