"""The JSON schemas of the config file and the sheets, and reading a sheet against its schema.

Every problem is one :class:`~hurtig.errors.InputError` line naming the file, and where it applies
the row and column, so a lab bioinformatician can fix the sheet at once.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from hurtig.errors import InputError
from hurtig.run.layout import SCHEMA_DIR

Rows = Sequence[dict[str, str]]
"""A sheet's rows, column → cell."""


@cache
def schema(name: str) -> dict[str, Any]:
    """The schema ``config/schemas/{name}.schema.yaml`` (``config``, ``samples``, ``units``)."""
    with (SCHEMA_DIR / f"{name}.schema.yaml").open() as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def first_error(schema_: dict[str, Any], instance: Any) -> jsonschema.ValidationError | None:
    """The first validation error of an instance (in document order), or ``None``."""
    validator = jsonschema.Draft7Validator(schema_)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return errors[0] if errors else None


def describe(error: jsonschema.ValidationError) -> str:
    """One readable line for a schema error (``filters: unknown key 'max_af'`` style)."""
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties":
        message = error.message.replace("Additional properties are not allowed", "unknown key")
        return f"{where}: {message}" if where else message
    return f"{where}: {error.message}" if where else error.message


def read_tsv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a TSV sheet (``##`` comment lines and blank lines skipped).

    Raises:
        InputError: missing, unreadable, not UTF-8 or empty file, duplicate column names, a row
            longer than the header.
    """
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    lines = [line for line in _text_lines(path) if line.strip() and not line.startswith("##")]
    if not lines:
        raise InputError(f"{path}: file is empty (a header row is required)")
    reader = csv.reader(lines, delimiter="\t")
    header = [h.strip().lstrip("#") for h in next(reader)]
    if len(set(header)) != len(header):
        raise InputError(f"{path}: duplicate column names in header {header}")
    rows = []
    for number, fields in enumerate(reader, start=2):
        if len(fields) > len(header):
            raise InputError(
                f"{path}: row {number} has {len(fields)} fields, header has {len(header)}"
            )
        padded = [f.strip() for f in fields] + [""] * (len(header) - len(fields))
        rows.append(dict(zip(header, padded, strict=True)))
    return header, rows


def _text_lines(path: Path) -> list[str]:
    """The lines of a UTF-8 text file, line ends kept.

    Raises:
        InputError: unreadable, or a line that is not UTF-8 (named by its number).
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    lines = data.splitlines(keepends=True)
    for number, raw in enumerate(lines, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputError(
                f"{path}: line {number}: not UTF-8 text (byte {err.start + 1} of the line); "
                "save the sheet as UTF-8"
            ) from err
    return [raw.decode("utf-8") for raw in lines]


def read_sheet(
    path: Path, schema_name: str, supply: Callable[[list[dict[str, str]]], Rows] | None = None
) -> list[dict[str, str]]:
    """The rows of a sheet, each checked against the sheet's schema.

    Args:
        path: the sheet.
        schema_name: its schema (``samples``, ``units``).
        supply: fills in columns from another file (the PED pedigree) before the checks.

    Raises:
        InputError: unknown or missing column, or the first row that breaks the schema.
    """
    header, rows = read_tsv(path)
    sheet_schema = schema(schema_name)
    known = set(sheet_schema["properties"])
    unknown = [h for h in header if h not in known]
    if unknown:
        allowed = ", ".join(sheet_schema["properties"])
        raise InputError(f"{path}: unknown column '{unknown[0]}' (allowed: {allowed})")
    if supply is not None:
        rows = list(supply(rows))
        header = [*header, *(c for c in (rows[0] if rows else {}) if c not in header)]
    required = sheet_schema.get("required", [])
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"{path}: missing column '{missing[0]}'")
    for number, row in enumerate(rows, start=2):
        instance = {k: v for k, v in row.items() if v != "" or k in required}
        error = first_error(sheet_schema, instance)
        if error is not None:
            column = error.absolute_path[0] if error.absolute_path else ""
            label = f"column '{column}': " if column else ""
            raise InputError(f"{path}: row {number}: {label}{error.message}")
    return rows
