"""The panel registry: a folder of versioned panel definitions (``panels:`` in the config).

Layout:

- ``{registry}/{panel_id}/{version}/`` holding one definition file in any supported format
  (Scout TSV, plain gene list, PanelApp TSV or JSON; see :mod:`hurtig.panels.formats`) or the
  files of an ELLA panel;
- ``{registry}/{Name}_{version}/``: an OUS/ELLA panel folder as ELLA exports it (panel id =
  ``Name``), recognised by ``{Name}_{version}_genes_transcripts.tsv`` inside;
- ``{registry}/{panel_id}.tsv|.txt|.json`` (unversioned single file, the older layout) is read
  when the id has no versioned entry; its version is the file's own.

``id`` selects the newest version (natural order: ``v`` prefix ignored, numbers compared as
numbers, so 1.10 > 1.9), ``id@version`` pins one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from hurtig.errors import InputError
from hurtig.panels.formats.definition import GREEN, Panel
from hurtig.panels.formats.ella import ella_files
from hurtig.panels.formats.registry import load_any

DEFINITION_SUFFIXES = (".tsv", ".txt", ".json", ".jsonl")
"""File name endings of a panel definition inside a registry version folder."""

_ID = re.compile(r"^[A-Za-z0-9._-]+$")


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Natural sort key of a version: ``v`` prefix dropped, digit runs compared as numbers."""
    text = version[1:] if version[:1] in ("v", "V") and version[1:2].isdigit() else version
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    )


def parse_spec(spec: str) -> tuple[str, str | None]:
    """Split ``id`` or ``id@version``.

    Raises:
        InputError: empty id/version or characters outside ``[A-Za-z0-9._-]``.
    """
    panel_id, sep, version = spec.strip().partition("@")
    if not _ID.match(panel_id) or (sep and not _ID.match(version)):
        raise InputError(f"panel spec {spec!r}: expected ID or ID@VERSION ([A-Za-z0-9._-])")
    return panel_id, (version if sep else None)


def _definition_in(folder: Path) -> Path:
    """The definition inside a registry version folder (a file, or the folder for ELLA)."""
    if any(folder.glob("*_genes_transcripts.tsv")):
        return folder
    files = sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and p.suffix.lower() in DEFINITION_SUFFIXES
        and not p.name.upper().startswith("README")
    )
    if len(files) != 1:
        names = ", ".join(p.name for p in files) or "none"
        raise InputError(f"{folder}: expected one panel definition file, found {names}")
    return files[0]


def registry_versions(registry: Path, panel_id: str) -> dict[str, Path]:
    """Versions of one panel in the registry → definition path.

    Raises:
        InputError: a version present in both layouts, or a bad version folder.
    """
    found: dict[str, Path] = {}
    versioned = registry / panel_id
    if versioned.is_dir():
        for sub in sorted(versioned.iterdir()):
            if sub.is_dir() and not sub.name.startswith("."):
                found[sub.name] = sub
    for folder in sorted(registry.glob(f"{panel_id}_*")):
        version = folder.name[len(panel_id) + 1 :]
        if folder.is_dir() and (folder / f"{folder.name}_genes_transcripts.tsv").is_file():
            if version in found:
                raise InputError(
                    f"{registry}: panel {panel_id} version {version} is both "
                    f"{found[version]} and {folder}"
                )
            found[version] = folder
    return found


def _flat_file(registry: Path, panel_id: str) -> Path | None:
    hits = [registry / f"{panel_id}{s}" for s in DEFINITION_SUFFIXES]
    hits = [h for h in hits if h.is_file()]
    if len(hits) > 1:
        raise InputError(f"{registry}: panel {panel_id} has several files: {hits[0].name}, ...")
    return hits[0] if hits else None


def locate_panel(registry: Path, spec: str) -> Path:
    """The definition (file, or ELLA folder) a panel spec selects in the registry.

    Args:
        registry: the registry folder.
        spec: ``id`` (newest version) or ``id@version``.

    Returns:
        The definition path.

    Raises:
        InputError: no registry, unknown panel or version (the message names registry and spec).
    """
    registry = Path(registry)
    panel_id, version = parse_spec(spec)
    if not registry.is_dir():
        raise InputError(f"{registry}: panel registry folder not found (spec {spec!r})")
    versions = registry_versions(registry, panel_id)
    if versions:
        if version is None:
            newest = max(versions, key=version_key)
            path = versions[newest]
        elif version in versions:
            path = versions[version]
        else:
            have = ", ".join(sorted(versions, key=version_key))
            raise InputError(
                f"{registry}: panel {spec!r} not found (versions of {panel_id}: {have})"
            )
        return path if path.name.startswith(f"{panel_id}_") else _definition_in(path)
    flat = _flat_file(registry, panel_id)
    if flat is None:
        raise InputError(f"{registry}: panel {spec!r} not found")
    if version is not None:
        raise InputError(
            f"{registry}: panel {spec!r} not found ({flat.name} is unversioned; use "
            f"{panel_id}/{version}/ to pin versions)"
        )
    return flat


def definition_files(registry: Path, spec: str) -> list[Path]:
    """The files a panel spec reads (one file, or an ELLA folder's files): workflow inputs.

    Raises:
        InputError: as :func:`locate_panel`.
    """
    path = locate_panel(registry, spec)
    return list(ella_files(path)) if path.is_dir() else [path]


def spec_for(panel_id: str, requested: Iterable[str]) -> str:
    """The spec (``id`` or ``id@version``) requested for a panel id; the first one wins.

    Raises:
        InputError: the id is not requested.
    """
    for spec in requested:
        if parse_spec(spec)[0] == panel_id:
            return spec
    raise InputError(f"panel {panel_id} is not requested by any sample")


def workflow_inputs(registry: Path, panel_id: str, requested: Iterable[str]) -> list[str]:
    """Definition files of the requested version of a panel, as rule input strings."""
    return [str(p) for p in definition_files(registry, spec_for(panel_id, requested))]


def _same_version(a: str, b: str) -> bool:
    return version_key(a) == version_key(b)


def load_registry_panel(registry: Path, spec: str, min_confidence: int = GREEN) -> Panel:
    """Locate and read a panel; the registry's id and version name it.

    A definition that names itself differently (Scout ``##panel_id``, an ELLA folder) or
    declares another version is refused, so an output never names a version it did not use.
    PanelApp files keep their own name as the display name.

    Raises:
        InputError: as :func:`locate_panel`, or a definition that contradicts the registry.
    """
    registry = Path(registry)
    panel_id, _ = parse_spec(spec)
    path = locate_panel(registry, spec)
    panel = load_any(path, min_confidence)
    if path == _flat_file(registry, panel_id):
        if panel.format == "scout" and panel.id != panel_id:
            raise InputError(f"{path}: ##panel_id={panel.id} but the file is {panel_id}")
        return replace(panel, id=panel_id)
    if path.name.startswith(f"{panel_id}_") and path.is_dir():
        version = path.name[len(panel_id) + 1 :]
    else:
        version = (path if path.is_dir() else path.parent).name
    if panel.format in ("scout", "ella") and panel.id not in (panel_id, version):
        raise InputError(f"{path}: names panel {panel.id!r}, registry folder is {panel_id!r}")
    if panel.version and not _same_version(panel.version, version):
        raise InputError(
            f"{path}: declares version {panel.version!r}, registry folder is {version!r}"
        )
    display = panel.display_name if panel.display_name != panel.id else panel_id
    return replace(panel, id=panel_id, version=version, display_name=display)
