r"""A panel definition as every format reads it, and the helpers the format readers share.

Checksums: a single file's SHA-256; for a folder, the SHA-256 of the lines
``{file name}  {file SHA-256}\n`` of its definition files in name order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from hurtig.errors import InputError

GREEN = 3
"""PanelApp confidence level of a green (diagnostic-grade) gene."""


class InheritanceMode(StrEnum):
    """Panel modes of inheritance."""

    AD = "AD"
    AR = "AR"
    XD = "XD"
    XR = "XR"
    MT = "MT"


_MODE_ALIASES = {
    "AD": InheritanceMode.AD,
    "AR": InheritanceMode.AR,
    "AR_HOM": InheritanceMode.AR,
    "AR_HOM_DN": InheritanceMode.AR,
    "AR_COMP": InheritanceMode.AR,
    "AR_COMP_DN": InheritanceMode.AR,
    "AD_DN": InheritanceMode.AD,
    "XD": InheritanceMode.XD,
    "XD_DN": InheritanceMode.XD,
    "XR": InheritanceMode.XR,
    "XR_DN": InheritanceMode.XR,
    "X": InheritanceMode.XR,
    "MT": InheritanceMode.MT,
}


@dataclass(frozen=True)
class GeneDisease:
    """What a panel says about a gene's disease, where its format carries it.

    Attributes:
        phenotypes: disease names / phenotypes (with their OMIM numbers as the panel writes them).
        omim: the gene's OMIM (MIM) number, or empty.
        mechanism: the disease mechanism as the panel states it (e.g. ``loss of function``), or
            empty.
    """

    phenotypes: tuple[str, ...] = ()
    omim: str = ""
    mechanism: str = ""

    def to_json(self) -> dict[str, object]:
        """The JSON object."""
        return {"phenotypes": list(self.phenotypes), "omim": self.omim, "mechanism": self.mechanism}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any] | None) -> GeneDisease:
        """Rebuild from :meth:`to_json` output (``None``: nothing known)."""
        if not doc:
            return cls()
        return cls(
            tuple(str(p) for p in doc.get("phenotypes", [])),
            str(doc.get("omim", "")),
            str(doc.get("mechanism", "")),
        )


@dataclass(frozen=True)
class PanelGene:
    """One gene of a panel.

    Attributes:
        hgnc_id: ``HGNC:nnn`` or empty.
        symbol: HGNC symbol.
        transcripts: transcripts named by the panel (preferred first).
        inheritance: modes of inheritance (empty = unknown).
        mosaicism: panel flag.
        reduced_penetrance: panel flag.
        disease: phenotypes, OMIM number and mechanism, where the format has them.
    """

    hgnc_id: str
    symbol: str
    transcripts: tuple[str, ...]
    inheritance: tuple[InheritanceMode, ...]
    mosaicism: bool = False
    reduced_penetrance: bool = False
    disease: GeneDisease = field(default_factory=GeneDisease)


@dataclass(frozen=True)
class Panel:
    """A panel definition.

    Attributes:
        id: panel id (registry folder name, else the file's own id, else the file stem).
        version: panel version (registry folder, else the file's own; may be empty).
        display_name: human name (falls back to the id).
        sha256: checksum of the definition file(s) (see the module docstring).
        path: definition file or folder.
        genes: genes in file order.
        format: the name of the format that read it (``scout``, ``gene_list``,
            ``panelapp_tsv``, ``panelapp_json``, ``ella``, or a registered one).
        files: ``(path, sha256)`` of every definition file read.
        excluded: entries left out on purpose, as ``{symbol, hgnc_id, reason}``.
    """

    id: str
    version: str
    display_name: str
    sha256: str
    path: str
    genes: tuple[PanelGene, ...]
    format: str = "scout"
    files: tuple[tuple[str, str], ...] = ()
    excluded: tuple[dict[str, str], ...] = field(default=())


def normalise_hgnc(value: str) -> str:
    """``HGNC:nnn`` from ``nnn`` or ``HGNC:nnn``; empty when not an HGNC id."""
    value = value.strip()
    if not value:
        return ""
    if value.upper().startswith("HGNC:"):
        value = value[5:]
    return f"HGNC:{value}" if value.isdigit() else ""


def parse_inheritance(text: str, where: str = "") -> tuple[InheritanceMode, ...]:
    """Parse Scout/ELLA mode codes (comma, semicolon or slash separated).

    Args:
        text: the cell, e.g. ``AD,AR`` or ``AD/AR`` or ``N/A``.
        where: file and line for error messages.

    Returns:
        Unique modes in a fixed order (AD, AR, XD, XR, MT).

    Raises:
        InputError: unknown code.
    """
    modes: set[InheritanceMode] = set()
    cleaned = text.upper().replace("N/A", "")
    for raw in cleaned.replace(";", ",").replace("/", ",").split(","):
        token = raw.strip()
        if not token or token in ("NA", "UNKNOWN"):
            continue
        if token not in _MODE_ALIASES:
            raise InputError(f"{where}: unknown inheritance value {raw.strip()!r}")
        modes.add(_MODE_ALIASES[token])
    return tuple(m for m in InheritanceMode if m in modes)


def read_bytes(path: Path) -> bytes:
    """The file's bytes.

    Raises:
        InputError: unreadable.
    """
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read panel ({err})") from err


def decode(path: Path, data: bytes) -> str:
    """UTF-8 text of a definition (a byte-order mark is dropped).

    Raises:
        InputError: not UTF-8.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: panel is not UTF-8 text ({err})") from err


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def unique_genes(genes: Iterable[PanelGene], path: Path) -> tuple[PanelGene, ...]:
    """The genes in order, refusing a gene listed twice (by HGNC id, else symbol) or none.

    Raises:
        InputError: a duplicate, or no genes.
    """
    seen: set[str] = set()
    out = []
    for g in genes:
        key = g.hgnc_id or g.symbol.upper()
        if key in seen:
            raise InputError(f"{path}: gene {g.symbol or g.hgnc_id} listed twice")
        seen.add(key)
        out.append(g)
    if not out:
        raise InputError(f"{path}: panel has no genes")
    return tuple(out)


def single_file_panel(
    path: Path,
    data: bytes,
    genes: Iterable[PanelGene],
    fmt: str,
    *,
    panel_id: str | None = None,
    version: str = "",
    display_name: str | None = None,
    excluded: Iterable[dict[str, str]] = (),
) -> Panel:
    """A :class:`Panel` read from one file (id and display name default to the file stem).

    Raises:
        InputError: a gene listed twice, or no genes.
    """
    sha = sha256_bytes(data)
    return Panel(
        id=panel_id or path.stem,
        version=version,
        display_name=display_name or path.stem,
        sha256=sha,
        path=str(path),
        genes=unique_genes(genes, path),
        format=fmt,
        files=((str(path), sha),),
        excluded=tuple(excluded),
    )
