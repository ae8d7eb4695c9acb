"""OUS/ELLA panel folders: ``{Name}_{version}/`` with ``{Name}_{version}_genes_transcripts.tsv``.

The transcripts file lists RefSeq transcripts with per-transcript inheritance; every transcript
row of a gene is kept as a panel transcript (``MANE Select``-tagged first) and the gene's mode
is the consensus of its transcripts' modes (:func:`ella_consensus`). The folder's checksum
covers its TSV and BED files and ``report_config.txt``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hurtig.errors import InputError
from hurtig.panels.formats.definition import (
    InheritanceMode,
    Panel,
    PanelGene,
    decode,
    normalise_hgnc,
    parse_inheritance,
    read_bytes,
    sha256_bytes,
    unique_genes,
)

ELLA_COLUMNS = ("name", "strand", "hgnc id", "hgnc symbol", "inheritance")
TITLE_PREFIX = "# Gene panel:"
"""The first line of an ELLA transcripts file."""


def ella_consensus(modes: Sequence[tuple[InheritanceMode, ...]]) -> tuple[InheritanceMode, ...]:
    """Per-gene mode from per-transcript modes (ELLA rule).

    All AD → AD; all AR → AR; any X-linked → the X modes seen; unknown only → unknown;
    otherwise AD/AR.
    """
    known = [m for m in modes if m]
    flat = {x for m in known for x in m}
    x_modes = flat & {InheritanceMode.XD, InheritanceMode.XR}
    if x_modes:
        return tuple(m for m in InheritanceMode if m in x_modes)
    if not known:
        return ()
    if all(m == (InheritanceMode.AD,) for m in known):
        return (InheritanceMode.AD,)
    if all(m == (InheritanceMode.AR,) for m in known):
        return (InheritanceMode.AR,)
    if flat == {InheritanceMode.MT}:
        return (InheritanceMode.MT,)
    return (InheritanceMode.AD, InheritanceMode.AR)


def ella_files(folder: Path) -> tuple[Path, ...]:
    """The definition files of an ELLA folder (TSV, BED and report_config.txt), by name."""
    return tuple(
        sorted(
            p
            for p in folder.iterdir()
            if p.is_file()
            and not p.name.startswith(".")
            and (p.suffix in (".tsv", ".bed") or p.name == "report_config.txt")
        )
    )


@dataclass
class _GeneRows:
    """The transcript rows of one gene: (not MANE, transcript, modes)."""

    symbol: str
    hgnc: str
    transcripts: list[tuple[bool, str, tuple[InheritanceMode, ...]]] = field(default_factory=list)

    def gene(self) -> PanelGene:
        txs = sorted(self.transcripts, key=lambda t: (t[0], t[1]))
        return PanelGene(
            hgnc_id=self.hgnc,
            symbol=self.symbol,
            transcripts=tuple(t[1] for t in txs if t[1]),
            inheritance=ella_consensus([t[2] for t in txs]),
        )


def _header(line: str, path: Path, lineno: int) -> list[str]:
    header = [c.strip().lower() for c in line.lstrip("#").split("\t")]
    lacking = [c for c in ELLA_COLUMNS if c not in header]
    if lacking:
        raise InputError(f"{path}: line {lineno}: header lacks {lacking[0]!r}")
    return header


def _read_transcripts(path: Path) -> tuple[str, dict[str, _GeneRows]]:
    """The panel title and the transcript rows per gene (by HGNC id, else symbol)."""
    title = ""
    header: list[str] | None = None
    rows: dict[str, _GeneRows] = {}
    for lineno, line in enumerate(decode(path, read_bytes(path)).splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith(TITLE_PREFIX):
            title = line[len(TITLE_PREFIX) :].split("--", 1)[0].strip()
            continue
        if line.startswith("#chromosome"):
            header = _header(line, path, lineno)
            continue
        if line.startswith("#"):
            continue
        if header is None:
            raise InputError(f"{path}: line {lineno}: data before the #chromosome header")
        cells = line.split("\t")
        row = {k: (cells[i].strip() if i < len(cells) else "") for i, k in enumerate(header)}
        symbol, hgnc = row["hgnc symbol"], normalise_hgnc(row["hgnc id"])
        if not symbol and not hgnc:
            raise InputError(f"{path}: line {lineno}: no HGNC symbol or id")
        entry = rows.setdefault(hgnc or symbol.upper(), _GeneRows(symbol, hgnc))
        mane = "mane select" in row.get("tags", "").lower()
        modes = parse_inheritance(row["inheritance"], f"{path}: line {lineno}")
        entry.transcripts.append((not mane, row["name"], modes))
    if header is None:
        raise InputError(f"{path}: no #chromosome header line")
    return title, rows


def read_ella(folder: str | Path) -> Panel:
    """Read an OUS/ELLA panel folder ``{Name}_{version}/`` (see the module docstring).

    Raises:
        InputError: not a folder, no or several genes_transcripts files, bad header/rows.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: ELLA panel must be a folder")
    tx_files = sorted(folder.glob("*_genes_transcripts.tsv"))
    if len(tx_files) != 1:
        raise InputError(f"{folder}: expected one *_genes_transcripts.tsv, found {len(tx_files)}")
    path = tx_files[0]
    title, rows = _read_transcripts(path)
    genes = [entry.gene() for entry in rows.values()]
    name, _, version = folder.name.rpartition("_")
    if title and name and title != f"{name}-{version}":
        raise InputError(f"{path}: header names panel {title!r}, folder says {name}-{version}")
    files = tuple((str(p), sha256_bytes(read_bytes(p))) for p in ella_files(folder))
    digest = "".join(f"{Path(p).name}  {s}\n" for p, s in files).encode()
    return Panel(
        id=name or folder.name,
        version=version if name else "",
        display_name=name or folder.name,
        sha256=sha256_bytes(digest),
        path=str(folder),
        genes=unique_genes(genes, path),
        format="ella",
        files=files,
    )
