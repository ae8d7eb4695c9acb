"""Which reader a panel definition needs: the format registry.

:data:`FORMATS` lists the formats in the order they are tried; the first whose
:attr:`PanelFormat.detects` accepts the definition reads it, and a file no format claims is read
as a plain gene list (:data:`FALLBACK`). :func:`load_any` is the one entry point the registry
and ``hurtig resolve-panel`` use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hurtig.errors import InputError
from hurtig.panels.formats.definition import GREEN, Panel, decode, read_bytes
from hurtig.panels.formats.ella import TITLE_PREFIX, read_ella
from hurtig.panels.formats.gene_list import read_gene_list
from hurtig.panels.formats.panelapp import read_panelapp_json, read_panelapp_tsv
from hurtig.panels.formats.scout import read_scout


@dataclass(frozen=True)
class Sniff:
    """What format detection looks at.

    Attributes:
        path: the definition (file or folder).
        is_dir: the definition is a folder.
        lines: the file's non-blank lines (empty for a folder).
    """

    path: Path
    is_dir: bool
    lines: tuple[str, ...]

    @property
    def first(self) -> str:
        """The first non-blank line without leading white space (empty when none)."""
        return self.lines[0].lstrip() if self.lines else ""


@dataclass(frozen=True)
class PanelFormat:
    """A panel definition format.

    Attributes:
        name: the name written as ``format`` in the resolved panel JSON.
        detects: whether a definition is in this format.
        read: reads the definition (path, lowest PanelApp-style confidence kept) into a panel.
    """

    name: str
    detects: Callable[[Sniff], bool]
    read: Callable[[Path, int], Panel]


def _is_ella(s: Sniff) -> bool:
    return s.is_dir or s.first.startswith(TITLE_PREFIX)


def _read_ella(path: Path, _min_confidence: int) -> Panel:
    # a lone ELLA *_genes_transcripts.tsv reads its folder
    return read_ella(path if path.is_dir() else path.parent)


def _is_scout(s: Sniff) -> bool:
    return any(ln.startswith("##panel_id") for ln in s.lines) or (
        s.first.lstrip("#").lower().startswith(("hgnc_id\t", "hgnc_symbol\t"))
    )


ELLA = PanelFormat("ella", _is_ella, _read_ella)
PANELAPP_JSON = PanelFormat(
    "panelapp_json", lambda s: s.first.startswith(("{", "[")), read_panelapp_json
)
SCOUT = PanelFormat("scout", _is_scout, lambda path, _: read_scout(path))
PANELAPP_TSV = PanelFormat(
    "panelapp_tsv", lambda s: s.first.startswith("Entity Name\t"), read_panelapp_tsv
)
FALLBACK = PanelFormat("gene_list", lambda _: True, lambda path, _: read_gene_list(path))
"""A file no other format claims is a plain gene list."""

FORMATS: list[PanelFormat] = [PANELAPP_JSON, ELLA, SCOUT, PANELAPP_TSV]
"""The formats tried in order (a folder can only be ELLA)."""


def register_format(fmt: PanelFormat) -> None:
    """Add a format, tried after the ones already listed and before the gene-list fallback.

    Raises:
        ValueError: a format of that name is already registered.
    """
    if any(f.name == fmt.name for f in [*FORMATS, FALLBACK]):
        raise ValueError(f"panel format {fmt.name!r} is already registered")
    FORMATS.append(fmt)


def sniff(path: Path) -> Sniff:
    """What detection needs to know about a definition.

    Raises:
        InputError: missing path, unreadable or non-UTF-8 file.
    """
    if path.is_dir():
        return Sniff(path, True, ())
    if not path.is_file():
        raise InputError(f"{path}: panel definition not found")
    text = decode(path, read_bytes(path))
    return Sniff(path, False, tuple(ln for ln in text.splitlines() if ln.strip()))


def find_format(path: str | Path) -> PanelFormat:
    """The format that reads a definition.

    Raises:
        InputError: missing path.
    """
    s = sniff(Path(path))
    if s.is_dir:
        return ELLA
    return next((f for f in FORMATS if f.detects(s)), FALLBACK)


def load_any(path: str | Path, min_confidence: int = GREEN) -> Panel:
    """Read a panel definition of any registered format.

    Args:
        path: a file, or an ELLA folder (a lone ELLA ``*_genes_transcripts.tsv`` reads its
            folder).
        min_confidence: PanelApp confidence threshold (3 = green only).

    Returns:
        The panel with the file's own id and version (the registry may override them).

    Raises:
        InputError: unreadable or malformed definition.
    """
    path = Path(path)
    return find_format(path).read(path, min_confidence)
