"""The provenance file ``results/provenance/{sample}.json``: its record, reader and writer.

Written by ``hurtig provenance`` (:mod:`hurtig.report.provenance`), read by the report. The JSON
(``schema`` ``hurtig-provenance/1``, two-space indent, keys in this order)::

    {"schema", "sample", "created_utc",
     "pipeline": {"name", "version", "git_commit", "git_dirty"},
     "tools": {"bwa": "0.7.17-r1188", ...},          # "not found" when missing
     "config": {"file", "sha256"},                   # SHA256 of canonical JSON (sorted keys)
     "inputs": [{"name", "path", "size", "sha256"}, ...]}

The reader also accepts the older field names (``pipeline.dirty``, ``config_sha256``,
``created``, ``inputs`` as an object keyed by name); writing such a record gives the current
schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hurtig.errors import InputError
from hurtig.io.files import write_text_atomic

SCHEMA = "hurtig-provenance/1"
_REQUIRED = ("sample", "created_utc", "pipeline", "tools", "config", "inputs")


@dataclass(frozen=True)
class PipelineState:
    """The pipeline that ran: name, version and the git state of its checkout."""

    name: str
    version: str
    git_commit: str
    git_dirty: bool | None


@dataclass(frozen=True)
class ConfigDigest:
    """The run configuration's file name and SHA-256 (of its canonical JSON)."""

    file: str
    sha256: str | None


@dataclass(frozen=True)
class InputFile:
    """One checksummed input (names may repeat, e.g. several FASTQs)."""

    name: str
    path: str | None
    size: int | None
    sha256: str | None


@dataclass(frozen=True)
class Provenance:
    """What produced a sample's results: versions, commit, config and input checksums.

    Attributes:
        schema: ``hurtig-provenance/1``.
        sample: sample id.
        created_utc: ISO 8601 time of recording (``...Z``).
        pipeline: the pipeline's version and git state.
        tools: tool or package name → version (``not found`` when missing).
        config: the run configuration's digest (None when not recorded).
        inputs: the checksummed inputs, in the order given.
    """

    schema: str
    sample: str
    created_utc: str | None
    pipeline: PipelineState
    tools: dict[str, str]
    config: ConfigDigest | None
    inputs: tuple[InputFile, ...]

    def to_json(self) -> dict[str, Any]:
        """The JSON object, keys in the file's order."""
        data: dict[str, Any] = {
            "schema": self.schema,
            "sample": self.sample,
            "created_utc": self.created_utc,
            "pipeline": {
                "name": self.pipeline.name,
                "version": self.pipeline.version,
                "git_commit": self.pipeline.git_commit,
                "git_dirty": self.pipeline.git_dirty,
            },
            "tools": dict(self.tools),
        }
        if self.config is not None:
            data["config"] = {"file": self.config.file, "sha256": self.config.sha256}
        data["inputs"] = [
            {"name": i.name, "path": i.path, "size": i.size, "sha256": i.sha256}
            for i in self.inputs
        ]
        return data


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _input_entries(value: Any, source: str) -> list[dict[str, Any]]:
    entries = value or []
    if isinstance(entries, dict):
        entries = [{"name": k, **v} for k, v in entries.items() if isinstance(v, dict)]
    if not isinstance(entries, list):
        raise InputError(f"{source}: 'inputs' must be a list")
    if not all(isinstance(entry, dict) for entry in entries):
        raise InputError(f"{source}: every entry of 'inputs' must be an object")
    return entries


def _input_file(entry: dict[str, Any], source: str) -> InputFile:
    size = entry.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int)):
        raise InputError(f"{source}: input size must be a whole number of bytes, got {size!r}")
    return InputFile(
        name=str(entry.get("name", "input")),
        path=_optional_text(entry.get("path")),
        size=size,
        sha256=_optional_text(entry.get("sha256")),
    )


def _config_digest(data: dict[str, Any]) -> ConfigDigest | None:
    config = data.get("config")
    if "config_sha256" in data:
        file = str(config.get("file") or "") if isinstance(config, dict) else ""
        return ConfigDigest(file, _optional_text(data["config_sha256"]))
    if isinstance(config, dict):
        return ConfigDigest(str(config.get("file") or ""), _optional_text(config.get("sha256")))
    return None


def provenance_from_json(data: Any, source: str) -> Provenance:
    """Rebuild a :class:`Provenance` from its JSON object (``source`` names it in errors)."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: provenance must be a JSON object")
    if data.get("schema") == SCHEMA:
        missing = [key for key in _REQUIRED if key not in data]
        if missing:
            raise InputError(f"{source}: provenance lacks {', '.join(missing)}")
    tools = data.get("tools") or {}
    if not isinstance(tools, dict):
        raise InputError(f"{source}: 'tools' must be an object")
    pipeline = data.get("pipeline")
    pipeline = pipeline if isinstance(pipeline, dict) else {}
    dirty = pipeline.get("git_dirty", pipeline.get("dirty"))
    return Provenance(
        schema=str(data.get("schema") or ""),
        sample=str(data.get("sample") or ""),
        created_utc=_optional_text(
            data["created"] if "created" in data else data.get("created_utc")
        ),
        pipeline=PipelineState(
            name=str(pipeline.get("name") or ""),
            version=str(pipeline.get("version") or ""),
            git_commit=str(pipeline.get("git_commit") or ""),
            git_dirty=None if dirty is None else bool(dirty),
        ),
        tools={str(name): str(version) for name, version in tools.items()},
        config=_config_digest(data),
        inputs=tuple(_input_file(e, source) for e in _input_entries(data.get("inputs"), source)),
    )


def read_provenance(path: Path) -> Provenance:
    """Read a provenance file.

    Raises:
        InputError: the file is missing, not JSON, or not a provenance record.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not valid JSON ({err})") from err
    return provenance_from_json(data, str(path))


def write_provenance(record: Provenance, path: Path) -> None:
    """Write a provenance file atomically (two-space indented UTF-8 JSON, final newline)."""
    write_text_atomic(path, json.dumps(record.to_json(), indent=2, ensure_ascii=False) + "\n")
