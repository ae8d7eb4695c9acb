"""The units sheet and the config file: read and validated before any job starts.

Every problem is reported as one :class:`~hurtig.errors.InputError` line that names the file, and
where it applies the row and column. The samples sheet is the pedigree model
(:mod:`hurtig.run.pedigree`); the whole run is loaded by :func:`hurtig.run.model.load_run`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hurtig.errors import InputError
from hurtig.run.pedigree import Person
from hurtig.run.schemas import describe, first_error, read_sheet, schema

UNSAFE_PATH_CHARACTERS = "{}$`;|&<>\\'\"*?"
"""Characters refused in any input path (config and units.tsv), besides control characters.

``{`` ``}`` are Snakemake wildcards; the rest are active in a shell, so a path holding one is
refused even though every rule quotes its paths (``{input:q}``): one missed quote must not be
able to run a command. ``*`` and ``?`` look like a glob the user expected to be expanded. Spaces,
non-ASCII letters and ``( ) [ ] ! # % + , = @ ~ :`` are accepted (quoted like every path).
"""

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Unicode categories refused in paths: control (newline, tab, ...), format, line separators."""

MAGIC: dict[str, tuple[tuple[bytes, ...], str]] = {
    "fq1": ((b"\x1f\x8b",), "not gzip-compressed (fq1 must be a gzipped FASTQ)"),
    "fq2": ((b"\x1f\x8b",), "not gzip-compressed (fq2 must be a gzipped FASTQ)"),
    "bam": ((b"\x1f\x8b", b"CRAM"), "neither a BAM (BGZF) nor a CRAM file"),
}
"""Per units.tsv column: the leading bytes a file must start with, and the error otherwise."""


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


def character_name(char: str) -> str:
    """A character as an error message shows it: ``'{'``, ``a newline (U+000A)``."""
    special = {"\n": "a newline", "\t": "a tab", "\r": "a carriage return"}
    if char in special:
        return f"{special[char]} (U+{ord(char):04X})"
    if unicodedata.category(char) in INVISIBLE_CATEGORIES:
        return f"the invisible character U+{ord(char):04X}"
    return f'"{char}"' if char == "'" else f"'{char}'"


def check_path_text(where: str, path: Path | str) -> None:
    """Refuse a path holding a character that cannot be passed on safely.

    Args:
        where: the file, row and column (or config key) the path comes from.
        path: the path as it will be used (absolute).

    Raises:
        InputError: naming ``where``, the character and the path.
    """
    text = str(path)
    bad = next(
        (
            c
            for c in text
            if c in UNSAFE_PATH_CHARACTERS or unicodedata.category(c) in INVISIBLE_CATEGORIES
        ),
        None,
    )
    if bad is not None:
        shown = "".join(
            c.encode("unicode_escape").decode("ascii")
            if unicodedata.category(c) in INVISIBLE_CATEGORIES
            else c
            for c in text
        )
        raise InputError(
            f"{where}: path {shown} contains {character_name(bad)}; rename or link the file "
            "(paths may not hold control characters or any of "
            f"{' '.join(UNSAFE_PATH_CHARACTERS)})"
        )


def check_readable(where: str, path: Path, magic: tuple[tuple[bytes, ...], str] | None) -> None:
    """A file can be opened and read, is not empty, and starts with the expected bytes.

    Raises:
        InputError: naming ``where``, the file and the problem.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as err:
        raise InputError(f"{where}: cannot read {path} ({err.strerror})") from err
    if not head:
        raise InputError(f"{where}: file is empty: {path}")
    if magic is not None and not head.startswith(magic[0]):
        raise InputError(f"{where}: {magic[1]}: {path}")


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
    path: Path,
    samples: dict[str, Person],
    produced_dir: Path | None = None,
    *,
    check_contents: bool = True,
) -> list[Unit]:
    """Read and validate units.tsv against the samples.

    Checks: known columns, schema per row, either fq1+fq2 or bam, unique (sample, unit), samples
    known, every sample has at least one unit, paths free of unsafe characters
    (:func:`check_path_text`), input files exist (except files under ``produced_dir``, which the
    workflow itself makes, such as the simulated demo reads), no file named twice (fq1 = fq2, by
    path or inode, or one file in two rows) and, with ``check_contents``, every file readable,
    not empty and of the right format (gzip FASTQ; BAM or CRAM).
    """
    rows = read_sheet(path, "units")
    base = path.parent.resolve()
    units: list[Unit] = []
    seen: set[tuple[str, str]] = set()
    used: dict[object, tuple[int, str, Path]] = {}
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
            if file is None:
                continue
            produced = produced_dir is not None and file.is_relative_to(produced_dir)
            _check_unit_file(f"{where}: column '{column}'", file, column, produced, check_contents)
            _check_once(where, (number, column), file, used)
        units.append(unit)
    without = [s for s in samples if all(u.sample != s for u in units)]
    if without:
        raise InputError(f"{path}: sample '{without[0]}' has no units")
    return units


def _check_unit_file(where: str, file: Path, column: str, produced: bool, contents: bool) -> None:
    """One input file of a unit: safe path, exists (unless the workflow makes it), readable."""
    check_path_text(where, file)
    if produced:
        return
    if not file.is_file():
        problem = "not a regular file" if file.exists() else "file not found"
        raise InputError(f"{where}: {problem}: {file}")
    if contents:
        check_readable(where, file, MAGIC[column])


def _check_once(
    where: str, here: tuple[int, str], file: Path, used: dict[object, tuple[int, str, Path]]
) -> None:
    """No input file is named twice: not as fq1 and fq2, not in two rows (path or inode)."""
    try:
        info = file.stat()
        key: object = (info.st_dev, info.st_ino)
    except OSError:  # made by the workflow later: compare paths
        key = str(file)
    row, column, first = used.setdefault(key, (*here, file))
    if (row, column) == here:
        return
    detail = f": {file}" if first == file else f" ({first} and {file} are links to one file)"
    if row == here[0]:
        raise InputError(
            f"{where}: {column} and {here[1]} are the same file{detail}; "
            "read 1 and read 2 must be two files"
        )
    raise InputError(
        f"{where}: column '{here[1]}': the file of row {row} (column '{column}') again{detail}"
    )


def _unit(where: str, base: Path, row: dict[str, str]) -> Unit:
    """One unit row with its paths resolved; either a FASTQ pair or a BAM."""
    fq1, fq2 = resolve(base, row.get("fq1")), resolve(base, row.get("fq2"))
    bam = resolve(base, row.get("bam"))
    if bam is not None and (fq1 or fq2):
        raise InputError(f"{where}: give either fq1/fq2 or bam, not both")
    if bam is None and (fq1 is None or fq2 is None):
        raise InputError(f"{where}: paired FASTQ needs both fq1 and fq2 (or give bam)")
    return Unit(row["sample"], row["unit"], fq1, fq2, bam, row["platform"], row["library"])
