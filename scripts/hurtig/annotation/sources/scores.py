"""Score sources declared in the configuration (CADD, REVEL, SpliceAI, …): no code per source.

A score source is a tabix-indexed VCF or TSV and the fields to copy from it, given as one entry
of the config list ``annotation.scores``::

    - name: cadd                      # letters, digits, _ ; names the ##hurtig_source line
      file: whole_genome_SNVs.tsv.gz  # bgzip + tabix (TSV: tabix -s1 -b2 -e2)
      format: tsv                     # tsv or vcf (default: vcf for *.vcf.gz / *.bcf, else tsv)
      version: "GRCh38-v1.7"          # optional; default: from the file's header
      columns: [Chrom, Pos, Ref, Alt] # TSV only: the position/allele columns (default: first 4)
      fields:
        - {column: PHRED, info: CADD_PHRED, type: Float, description: "CADD PHRED score"}
    - name: revel
      file: revel.vcf.gz
      fields:
        - {column: REVEL, info: REVEL, type: Float}   # for a VCF, column = the INFO key

Matching is allele-exact on the trimmed ``(pos, ref, alt)`` like gnomAD (a multiallelic VCF
record is split; Number=A fields follow the ALT). A TSV column is named as in the file's last
``#`` header line or by 1-based number. When a source has several rows for one allele (e.g. one
per transcript), the first row in file order is used. A value that does not parse as the
declared ``type`` stops the run with the file and position named.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hurtig.annotation.source import (
    DEFAULT_SEEK_RECORDS,
    Source,
    SourceRecord,
    SourceSpec,
    clean_value,
)
from hurtig.errors import InputError

TYPES = ("Float", "Integer", "String")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class ScoreField:
    """One value to copy: source column (or INFO key) → our INFO key."""

    column: str
    info: str
    type: str = "Float"
    description: str = ""


@dataclass(frozen=True)
class ScoreSpec:
    """One configured score source."""

    name: str
    file: Path
    format: str
    fields: tuple[ScoreField, ...]
    version: str | None = None
    columns: tuple[str, ...] = ()


def score_from_config(entry: dict[str, Any], base: Path) -> ScoreSpec:
    """Validate one ``annotation.scores`` entry.

    Args:
        entry: the config mapping.
        base: folder that relative ``file`` paths resolve against.

    Returns:
        The spec.
    """
    where = f"annotation.scores[{entry.get('name', '?')}]"
    name = str(entry.get("name", ""))
    if not _NAME.match(name):
        raise InputError(f"{where}: name must be letters, digits and _ (got {name!r})")
    if "file" not in entry:
        raise InputError(f"{where}: file is required")
    path = Path(str(entry["file"]))
    path = path if path.is_absolute() else base / path
    fmt = entry.get("format") or ("vcf" if re.search(r"\.(vcf(\.gz)?|bcf)$", path.name) else "tsv")
    if fmt not in ("vcf", "tsv"):
        raise InputError(f"{where}: format must be vcf or tsv (got {fmt!r})")
    raw_fields = entry.get("fields") or []
    if not raw_fields:
        raise InputError(f"{where}: fields must list at least one {{column, info}}")
    fields = []
    for item in raw_fields:
        typ = str(item.get("type", "Float"))
        info = str(item.get("info", ""))
        if typ not in TYPES:
            raise InputError(f"{where}: type must be one of {', '.join(TYPES)} (got {typ!r})")
        if not _KEY.match(info) or "column" not in item:
            raise InputError(f"{where}: each field needs column and a valid info key")
        fields.append(ScoreField(str(item["column"]), info, typ, str(item.get("description", ""))))
    columns = tuple(str(c) for c in entry.get("columns") or ())
    if columns and len(columns) != 4:
        raise InputError(f"{where}: columns must name CHROM, POS, REF and ALT (4 columns)")
    version = entry.get("version")
    return ScoreSpec(name, path, fmt, tuple(fields), str(version) if version else None, columns)


def load_scores(path: Path | str) -> list[dict[str, Any]]:
    """Read the JSON list of score entries: a file, or the JSON text itself (from the workflow)."""
    try:
        text = str(path) if str(path).lstrip().startswith("[") else Path(path).read_text()
        data = json.loads(text)
    except (OSError, ValueError) as err:
        raise InputError(f"{str(path)[:80]}: cannot read score sources ({err})") from err
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON list of score sources")
    return data


def score_specs(path: Path | str) -> list[SourceSpec]:
    """Source specs (kind ``score``) of a JSON list of score entries, in the list's order.

    Relative ``file`` paths resolve against the JSON file's folder (inline JSON: the working
    folder).
    """
    out = []
    inline = str(path).lstrip().startswith("[")
    base = Path.cwd() if inline else Path(path).parent
    for entry in load_scores(path):
        spec = score_from_config(entry, base)
        resolved = dict(entry, file=str(spec.file))
        out.append(SourceSpec("score", str(spec.file), (("config", json.dumps(resolved)),)))
    return out


def _check(value: str, typ: str) -> str | None:
    """The value as written to INFO, None when missing; raise ValueError when mistyped."""
    if value in ("", ".", "NA", "nan"):
        return None
    if typ == "Float":
        number = float(value)
        return None if math.isnan(number) else value
    if typ == "Integer":
        int(value)
        return value
    return clean_value(value)


def _spec_of(spec: SourceSpec) -> ScoreSpec:
    """The score spec a source spec carries (its ``config`` option, relative to the file)."""
    return score_from_config(json.loads(spec.option("config")), Path(spec.path).parent)


class ScoreSource(Source):
    """A configured score file as a merge-join annotation source."""

    def __init__(
        self,
        spec: ScoreSpec,
        contig_map: dict[str, str],
        seek_records: int = DEFAULT_SEEK_RECORDS,
    ) -> None:
        """Open the score file of a configured score source."""
        self.spec = spec
        self.file_format = spec.format
        super().__init__(spec.name, spec.file, contig_map, seek_records, spec.version)
        if spec.format == "tsv":
            names: list[str] = []
            for line in self.header:
                if line.startswith("#") and not line.startswith("##"):
                    names = line.lstrip("#").split("\t")
            self._cols = (
                [self._index(c, names) for c in spec.columns] if spec.columns else [0, 1, 2, 3]
            )
            self._take = [self._index(f.column, names) for f in spec.fields]
            self._width = max(self._cols + self._take) + 1
            self.columns = (self._cols[1], self._cols[2], self._cols[3])
            # (field, column, memo of raw text → item) for fast_values.
            self._fast_fields: list[tuple[ScoreField, int, dict[str, str | None]]] = [
                (fld, take, {}) for fld, take in zip(spec.fields, self._take, strict=True)
            ]

    @classmethod
    def from_spec(
        cls, spec: SourceSpec, contig_map: dict[str, str], seek_records: int
    ) -> ScoreSource:
        """Open the score source of a spec made by :func:`score_specs`."""
        return cls(_spec_of(spec), contig_map, seek_records)

    @classmethod
    def spec_name(cls, spec: SourceSpec) -> str:
        """The configured ``name`` of the score source."""
        return _spec_of(spec).name

    def _index(self, column: str, names: list[str]) -> int:
        if column.isdigit():
            return int(column) - 1
        lowered = [n.strip().lower() for n in names]
        if column.lower() in lowered:
            return lowered.index(column.lower())
        raise InputError(f"{self.path}: no column {column!r} in the header ({', '.join(names)})")

    def record(self, line: str) -> SourceRecord:
        """Parse one matched source line (a VCF record, or a TSV row kept whole)."""
        if self.spec.format == "vcf":
            return super().record(line)
        row = line.split("\t")
        if len(row) < self._width:
            raise InputError(f"{self.path}: short row: {line[:80]!r}")
        c_pos, c_ref, c_alt = self._cols[1], self._cols[2], self._cols[3]
        return SourceRecord(
            int(row[c_pos]), ".", row[c_ref].upper(), row[c_alt].upper().split(","), row
        )

    def info_lines(self) -> tuple[dict[str, str], ...]:
        """One INFO definition per configured field."""
        return tuple(
            {
                "ID": f.info,
                "Number": "1",
                "Type": f.type,
                "Description": f.description or f"{f.column} from {self.name} ({self.path.name})",
            }
            for f in self.spec.fields
        )

    def fast_values(self, line: str) -> list[str] | None:
        """Items of a matched one-ALT TSV row (memoised checks), or None for :meth:`values`.

        Rows that are short, multiallelic or hold a value that fails its type check go the
        general path (which reports the error), so the output is that of :meth:`values`.
        """
        if self.spec.format != "tsv":
            return None
        row = line.split("\t")
        if len(row) < self._width or "," in row[self._cols[3]]:
            return None
        out = []
        for fld, take, memo in self._fast_fields:
            raw = row[take]
            item = memo.get(raw, "")
            if item == "":
                try:
                    value = _check(raw, fld.type)
                except ValueError:
                    return None
                item = None if value is None else f"{fld.info}={value}"
                if len(memo) >= 1 << 18:
                    memo.clear()
                memo[raw] = item
            if item is not None:
                out.append(item)
        return out

    def values(self, rec: SourceRecord, idx: int) -> list[str]:
        """The configured fields of a matched record, type-checked."""
        out = []
        info = self.record_info(rec) if self.spec.format == "vcf" else None
        for i, fld in enumerate(self.spec.fields):
            if info is not None:
                raw = self.allele_value(info, fld.column, rec, idx)
            else:
                raw = rec.rest[self._take[i]]
            if raw is None:
                continue
            try:
                value = _check(raw, fld.type)
            except ValueError as err:
                raise InputError(
                    f"{self.path}: {fld.column}={raw!r} at position {rec.pos} is not {fld.type}"
                ) from err
            if value is not None:
                out.append(f"{fld.info}={value}")
        return out
