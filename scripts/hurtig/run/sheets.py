"""Load and validate the run configuration and the sample/unit sheets before any job starts.

Every problem is reported as one :class:`~hurtig.errors.InputError` line that names the file, and
where it applies the row and column, so a lab bioinformatician can fix the sheet at once.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from hurtig.errors import InputError
from hurtig.run.layout import DEMO_READS, SCHEMA_DIR

MISSING_PARENT = {"", "0"}


@dataclass(frozen=True)
class Sample:
    """One row of samples.tsv."""

    sample: str
    family: str
    father: str | None
    mother: str | None
    sex: str
    affected: bool
    panels: tuple[str, ...]


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


def _schema(name: str) -> dict[str, Any]:
    with (SCHEMA_DIR / f"{name}.schema.yaml").open() as handle:
        schema: dict[str, Any] = yaml.safe_load(handle)
    return schema


def _first_error(schema: dict[str, Any], instance: Any) -> jsonschema.ValidationError | None:
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return errors[0] if errors else None


def _describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key")
    where = ".".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


def resolve(base: Path, value: str | None) -> Path | None:
    """Resolve a possibly relative path against ``base``; empty values stay ``None``."""
    if value is None or str(value).strip() == "":
        return None
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def validate_config(config: dict[str, Any], config_file: Path) -> None:
    """Validate the configuration dict against the JSON schema.

    Raises:
        InputError: naming the config file and the first problem.
    """
    error = _first_error(_schema("config"), config)
    if error is not None:
        raise InputError(f"{config_file}: {_describe(error)}")


def _read_tsv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    with path.open(newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("##")]
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


def _check_rows(
    path: Path, schema_name: str, header: list[str], rows: list[dict[str, str]]
) -> None:
    schema = _schema(schema_name)
    known = set(schema["properties"])
    unknown = [h for h in header if h not in known]
    if unknown:
        raise InputError(
            f"{path}: unknown column '{unknown[0]}' (allowed: {', '.join(schema['properties'])})"
        )
    required = [c for c in schema.get("required", []) if c not in header]
    if required:
        raise InputError(f"{path}: missing column '{required[0]}'")
    for number, row in enumerate(rows, start=2):
        instance = {k: v for k, v in row.items() if v != "" or k in schema.get("required", [])}
        error = _first_error(schema, instance)
        if error is not None:
            column = error.absolute_path[0] if error.absolute_path else ""
            label = f"column '{column}': " if column else ""
            raise InputError(f"{path}: row {number}: {label}{error.message}")


def load_samples(path: Path) -> dict[str, Sample]:
    """Read and validate samples.tsv (pedigree and panels).

    Checks: known columns, schema per row, unique sample ids, parents present in the sheet and in
    the same family, father male / mother female when sex is declared.

    Returns:
        Samples by id, in sheet order.
    """
    header, rows = _read_tsv(path)
    _check_rows(path, "samples", header, rows)
    if not rows:
        raise InputError(f"{path}: no samples")
    samples: dict[str, Sample] = {}
    for number, row in enumerate(rows, start=2):
        if row["sample"] in samples:
            raise InputError(f"{path}: row {number}: sample '{row['sample']}' appears twice")
        panels = tuple(p for p in row["panels"].split(",") if p)
        samples[row["sample"]] = Sample(
            sample=row["sample"],
            family=row["family"],
            father=None if row["father"] in MISSING_PARENT else row["father"],
            mother=None if row["mother"] in MISSING_PARENT else row["mother"],
            sex=row["sex"],
            affected=row["affected"] == "true",
            panels=panels,
        )
    for number, sample in enumerate(samples.values(), start=2):
        for role, parent, sex in (
            ("father", sample.father, "male"),
            ("mother", sample.mother, "female"),
        ):
            if parent is None:
                continue
            if parent not in samples:
                raise InputError(
                    f"{path}: row {number}: {role} '{parent}' of sample '{sample.sample}' "
                    "is not in the sheet"
                )
            other = samples[parent]
            if other.family != sample.family:
                raise InputError(
                    f"{path}: row {number}: {role} '{parent}' is in family '{other.family}', "
                    f"not '{sample.family}'"
                )
            if other.sex not in (sex, "unknown"):
                raise InputError(
                    f"{path}: row {number}: {role} '{parent}' has sex '{other.sex}', expected {sex}"
                )
            if parent == sample.sample:
                raise InputError(f"{path}: row {number}: sample '{parent}' is its own {role}")
    return samples


def load_units(
    path: Path, samples: dict[str, Sample], produced_dir: Path | None = None
) -> list[Unit]:
    """Read and validate units.tsv against the samples.

    Checks: known columns, schema per row, either fq1+fq2 or bam, unique (sample, unit), samples
    known, every sample has at least one unit, input files exist (except files under
    ``produced_dir``, which the workflow itself makes, such as the simulated demo reads).
    """
    header, rows = _read_tsv(path)
    _check_rows(path, "units", header, rows)
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
        fq1, fq2 = resolve(base, row.get("fq1")), resolve(base, row.get("fq2"))
        bam = resolve(base, row.get("bam"))
        if bam is not None and (fq1 or fq2):
            raise InputError(f"{where}: give either fq1/fq2 or bam, not both")
        if bam is None and (fq1 is None or fq2 is None):
            raise InputError(f"{where}: paired FASTQ needs both fq1 and fq2 (or give bam)")
        for column, file in (("fq1", fq1), ("fq2", fq2), ("bam", bam)):
            if file is None or (produced_dir is not None and file.is_relative_to(produced_dir)):
                continue
            if not file.is_file():
                raise InputError(f"{where}: column '{column}': file not found: {file}")
        units.append(
            Unit(row["sample"], row["unit"], fq1, fq2, bam, row["platform"], row["library"])
        )
    without = [s for s in samples if all(u.sample != s for u in units)]
    if without:
        raise InputError(f"{path}: sample '{without[0]}' has no units")
    return units


def check_panels(samples: dict[str, Sample], panel_dir: Path | None, config_file: Path) -> None:
    """Check that every requested panel has a definition file in the panel folder."""
    requested = sorted({p for s in samples.values() for p in s.panels})
    if not requested:
        return
    if panel_dir is None:
        raise InputError(f"{config_file}: samples request panels but 'panels' is not set")
    if not panel_dir.is_dir():
        raise InputError(f"{config_file}: panels folder not found: {panel_dir}")
    from hurtig.panels.registry import locate_panel, parse_spec  # registry layout lives there

    specs: dict[str, str] = {}
    for panel in requested:
        panel_id = parse_spec(panel)[0]
        if specs.setdefault(panel_id, panel) != panel:
            raise InputError(
                f"{config_file}: samples request panel {panel_id} as both "
                f"{specs[panel_id]!r} and {panel!r}; use one version per run"
            )
        try:
            locate_panel(panel_dir, panel)
        except InputError as err:
            raise InputError(
                f"{panel_dir}: panel '{panel}' requested in samples sheet not found ({err})"
            ) from err


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: validate a config file and its sheets without running anything."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", type=Path)
    args = parser.parse_args(argv)
    config_file: Path = args.config.resolve()
    if not config_file.is_file():
        raise InputError(f"{config_file}: file not found")
    with config_file.open() as handle:
        config = yaml.safe_load(handle) or {}
    validate_config(config, config_file)
    base = config_file.parent
    samples_path = resolve(base, config["samples"])
    units_path = resolve(base, config["units"])
    assert samples_path is not None and units_path is not None
    samples = load_samples(samples_path)
    units = load_units(units_path, samples, produced_dir=DEMO_READS)
    check_panels(samples, resolve(base, config.get("panels")), config_file)
    print(f"{config_file}: OK ({len(samples)} samples, {len(units)} units)")
    return 0
