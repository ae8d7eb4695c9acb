"""The one place the report reads the prioritisation's output (TSV + JSON of one sample × panel).

:func:`read_prioritised` returns what the report needs from ``results/panels/{sample}/{panel}``
``.tsv`` and ``.json`` (written by :mod:`hurtig.prioritise.candidates`). When the prioritisation
gets its own owner type, only this module changes.

JSON keys read: ``sample``, ``panel`` (required), ``family``, ``sex``, ``affected`` (the
proband's affected status: true/false), ``settings`` and ``variants`` (matched to the TSV rows by
``rank``; each with ``evidence`` and optionally ``clinvar_id``).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hurtig.errors import InputError
from hurtig.prioritise.columns import CONTRACT_COLUMNS

AFFECTED_VALUES = (True, "true", "True", "1", 1)
"""JSON values of ``affected`` that mean affected (anything else present means unaffected)."""


@dataclass(frozen=True)
class PrioritisedVariant:
    """One TSV row (plus ``clinvar_id`` from the JSON when the TSV lacks it) and its evidence."""

    row: dict[str, str]
    evidence: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class PrioritisedInput:
    """The prioritisation's output as the report reads it.

    Attributes:
        columns: the TSV's columns, in file order.
        variants: the variants, best first (TSV order).
        sample: sample id (None without the JSON).
        family: family id ("" without the JSON).
        sex: the sample's sex as the JSON records it (None when absent).
        affected: the proband's affected status (None when the JSON does not say).
        panel: the resolved panel (id, version, display_name, sha256, genes, missing_genes).
        settings: the filter and ranking settings applied.
    """

    columns: tuple[str, ...]
    variants: tuple[PrioritisedVariant, ...]
    sample: str | None = None
    family: str = ""
    sex: str | None = None
    affected: bool | None = None
    panel: dict[str, Any] | None = None
    settings: Any = field(default_factory=dict)


def read_tsv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Read the prioritised TSV.

    Args:
        path: `hurtig.prioritise.candidates` TSV output.

    Returns:
        The columns in file order, and one dict per row in file order.

    Raises:
        InputError: the file is missing or lacks one of the required columns.
    """
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            header = reader.fieldnames or []
            missing = [c for c in CONTRACT_COLUMNS if c not in header]
            if missing:
                raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
            rows = []
            for number, row in enumerate(reader, start=2):
                if None in row or any(v is None for v in row.values()):
                    raise InputError(f"{path}: line {number} has the wrong number of fields")
                rows.append({k: v for k, v in row.items() if k is not None})
            return list(header), rows
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err


def load_json(path: Path, what: str) -> dict[str, Any]:
    """Load a JSON object, raising `InputError` naming the file on failure."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(data, dict):
        raise InputError(f"{path}: {what} must be a JSON object")
    return data


def join_evidence(
    rows: list[dict[str, str]], data: dict[str, Any], json_path: Path
) -> list[PrioritisedVariant]:
    """Attach the JSON evidence to the TSV rows (matched by rank)."""
    json_variants = data.get("variants", [])
    if not isinstance(json_variants, list):
        raise InputError(f"{json_path}: 'variants' must be a list")
    if len(json_variants) != len(rows):
        raise InputError(
            f"{json_path}: {len(json_variants)} variants but the TSV has {len(rows)} rows "
            "(not from the same run?)"
        )
    by_rank = {str(v.get("rank", "")): v for v in json_variants if isinstance(v, dict)}
    variants = []
    for row in rows:
        entry = by_rank.get(row["rank"])
        if entry is None:
            raise InputError(f"{json_path}: no variant with rank {row['rank']} (TSV has it)")
        evidence = entry.get("evidence") or []
        if not isinstance(evidence, list):
            raise InputError(f"{json_path}: rank {row['rank']}: 'evidence' must be a list")
        merged = dict(row)
        if entry.get("clinvar_id") is not None and not merged.get("clinvar_id"):
            merged["clinvar_id"] = str(entry["clinvar_id"])
        variants.append(
            PrioritisedVariant(merged, tuple(e for e in evidence if isinstance(e, dict)))
        )
    return variants


def read_prioritised(tsv: Path, json_path: Path | None) -> PrioritisedInput:
    """Read the prioritised TSV and (when given) its JSON companion.

    Raises:
        InputError: a file is missing or malformed, or the two do not belong together.
    """
    columns, rows = read_tsv(tsv)
    if json_path is None:
        return PrioritisedInput(tuple(columns), tuple(PrioritisedVariant(r, ()) for r in rows))
    data = load_json(json_path, "the prioritisation JSON")
    for key in ("sample", "panel"):
        if key not in data:
            raise InputError(f"{json_path}: no '{key}' key")
    panel = data["panel"]
    if not isinstance(panel, dict):
        raise InputError(f"{json_path}: 'panel' must be an object")
    affected = data.get("affected")
    return PrioritisedInput(
        columns=tuple(columns),
        variants=tuple(join_evidence(rows, data, json_path)),
        sample=str(data["sample"]),
        family=str(data.get("family", "")),
        sex=str(data["sex"]) if data.get("sex") else None,
        affected=None if affected is None else affected in AFFECTED_VALUES,
        panel=panel,
        settings=data.get("settings", {}),
    )
