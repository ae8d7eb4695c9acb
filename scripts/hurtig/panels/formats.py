"""Gene panel definitions in the formats labs use, read into one :class:`Panel`.

Formats (facts in docs/PANELS of the design guide; see also docs/RANKING.md):

- ``scout``: Scout panel TSV (``##panel_id=``, ``##version=`` headers; columns ``hgnc_id,
  hgnc_symbol, disease_associated_transcripts, genetic_disease_models, ...``).
- ``gene_list``: one gene per line (HGNC symbol or ``HGNC:nnn``); ``#`` starts a comment.
- ``panelapp_tsv``: Genomics England PanelApp TSV download (``Entity Name, Entity type, Gene
  Symbol, ..., GEL_Status, ...``); genes below the confidence threshold are excluded (listed).
- ``panelapp_json``: one PanelApp API panel (``{"name", "version", "genes": [...]}``; also a
  one-panel ``{"results": [...]}`` page or a one-line JSONL export).
- ``ella``: an OUS/ELLA panel folder ``{Name}_{version}/`` with
  ``{Name}_{version}_genes_transcripts.tsv`` (RefSeq transcripts, per-transcript inheritance).

:func:`load_any` detects the format. Checksums: a single file's SHA-256; for a folder, the
SHA-256 of the lines ``{file name}  {file SHA-256}\\n`` of its definition files in name order.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

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

PANELAPP_MODES: tuple[tuple[str, tuple[InheritanceMode, ...]], ...] = (
    ("MONOALLELIC", (InheritanceMode.AD,)),
    ("BIALLELIC", (InheritanceMode.AR,)),
    ("BOTH", (InheritanceMode.AD, InheritanceMode.AR)),
    ("X-LINKED: hemizygous mutation in males, biallelic", (InheritanceMode.XR,)),
    ("X-LINKED: hemizygous mutation in males, monoallelic", (InheritanceMode.XD,)),
    ("X-LINKED", (InheritanceMode.XD, InheritanceMode.XR)),
    ("MITOCHONDRIAL", (InheritanceMode.MT,)),
)
"""PanelApp ``Model_Of_Inheritance`` prefixes (first match wins) → modes; others → unknown."""


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
    """

    hgnc_id: str
    symbol: str
    transcripts: tuple[str, ...]
    inheritance: tuple[InheritanceMode, ...]
    mosaicism: bool = False
    reduced_penetrance: bool = False


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
        format: ``scout``, ``gene_list``, ``panelapp_tsv``, ``panelapp_json`` or ``ella``.
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


def panelapp_modes(text: str | None) -> tuple[InheritanceMode, ...]:
    """Map a PanelApp ``Model_Of_Inheritance`` string (see :data:`PANELAPP_MODES`)."""
    value = (text or "").strip()
    for prefix, modes in PANELAPP_MODES:
        if value.upper().startswith(prefix.upper()):
            return modes
    return ()


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "y", "x")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read panel ({err})") from err


def _text(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: panel is not UTF-8 text ({err})") from err


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _dedupe(genes: Iterable[PanelGene], path: Path) -> tuple[PanelGene, ...]:
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


def read_scout(path: str | Path) -> Panel:
    """Read a Scout panel TSV.

    Raises:
        InputError: unreadable, no ``##panel_id``, header without hgnc columns, bad model.
    """
    path = Path(path)
    data = _read(path)
    meta: dict[str, str] = {}
    header: list[str] | None = None
    genes: list[PanelGene] = []
    for lineno, line in enumerate(_text(path, data).splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("##"):
            key, _, value = line[2:].partition("=")
            meta[key.strip()] = value.strip()
            continue
        if header is None:
            header = [c.strip().lower() for c in line.lstrip("#").split("\t")]
            if "hgnc_symbol" not in header and "hgnc_id" not in header:
                raise InputError(f"{path}: line {lineno}: header lacks hgnc_symbol/hgnc_id")
            continue
        cells = line.split("\t")
        row = {k: (cells[i].strip() if i < len(cells) else "") for i, k in enumerate(header)}
        symbol = row.get("hgnc_symbol", "")
        hgnc_id = normalise_hgnc(row.get("hgnc_id", ""))
        if not symbol and not hgnc_id:
            raise InputError(f"{path}: line {lineno}: no hgnc_symbol or hgnc_id")
        txs = row.get("disease_associated_transcripts", "")
        genes.append(
            PanelGene(
                hgnc_id=hgnc_id,
                symbol=symbol,
                transcripts=tuple(t.strip() for t in txs.split(",") if t.strip()),
                inheritance=parse_inheritance(
                    row.get("genetic_disease_models", ""), f"{path}: line {lineno}"
                ),
                mosaicism=_flag(row.get("mosaicism", "")),
                reduced_penetrance=_flag(row.get("reduced_penetrance", "")),
            )
        )
    if not meta.get("panel_id"):
        raise InputError(f"{path}: missing ##panel_id= header")
    sha = _sha(data)
    return Panel(
        id=meta["panel_id"],
        version=meta.get("version", ""),
        display_name=meta.get("display_name", "") or meta["panel_id"],
        sha256=sha,
        path=str(path),
        genes=_dedupe(genes, path),
        format="scout",
        files=((str(path), sha),),
    )


def read_gene_list(path: str | Path) -> Panel:
    """Read a plain gene list (one HGNC symbol or ``HGNC:nnn`` per line; ``#`` comments).

    The id is the file stem and the version empty unless the registry supplies them.

    Raises:
        InputError: unreadable, a line with more than one word, no genes.
    """
    path = Path(path)
    data = _read(path)
    genes = []
    for lineno, raw in enumerate(_text(path, data).splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if len(line.split()) != 1:
            raise InputError(f"{path}: line {lineno}: expected one gene per line, got {line!r}")
        hgnc = normalise_hgnc(line) if line.upper().startswith("HGNC:") else ""
        if line.upper().startswith("HGNC:") and not hgnc:
            raise InputError(f"{path}: line {lineno}: bad HGNC id {line!r}")
        genes.append(
            PanelGene(hgnc_id=hgnc, symbol="" if hgnc else line, transcripts=(), inheritance=())
        )
    sha = _sha(data)
    return Panel(
        id=path.stem,
        version="",
        display_name=path.stem,
        sha256=sha,
        path=str(path),
        genes=_dedupe(genes, path),
        format="gene_list",
        files=((str(path), sha),),
    )


def _confidence(value: object, where: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError as err:
        raise InputError(f"{where}: confidence {value!r} is not a number") from err


def _panelapp_gene(
    symbol: str,
    hgnc_id: str,
    entity_type: str,
    confidence: int,
    moi: str,
    transcripts: Sequence[str],
    min_confidence: int,
) -> tuple[PanelGene | None, dict[str, str] | None]:
    if entity_type.strip().lower() != "gene":
        reason = f"PanelApp entity type {entity_type or 'unknown'} (only genes are analysed)"
        return None, {"symbol": symbol, "hgnc_id": hgnc_id, "reason": reason}
    if confidence < min_confidence:
        colour = {2: "amber", 1: "red", 0: "removed"}.get(confidence, "below threshold")
        return None, {
            "symbol": symbol,
            "hgnc_id": hgnc_id,
            "reason": f"PanelApp confidence {confidence} ({colour}) < {min_confidence}",
        }
    gene = PanelGene(
        hgnc_id=normalise_hgnc(hgnc_id),
        symbol=symbol,
        transcripts=tuple(sorted(transcripts, key=lambda t: (not t.startswith("ENST"), t))),
        inheritance=panelapp_modes(moi),
    )
    return gene, None


PANELAPP_TSV_REQUIRED = ("Entity Name", "Entity type", "Gene Symbol", "GEL_Status")


def read_panelapp_tsv(path: str | Path, min_confidence: int = GREEN) -> Panel:
    """Read a PanelApp TSV download.

    Args:
        path: the TSV.
        min_confidence: lowest ``GEL_Status`` kept (3 = green).

    Raises:
        InputError: unreadable, required columns missing, bad confidence, no gene kept.
    """
    path = Path(path)
    data = _read(path)
    reader = csv.DictReader(io.StringIO(_text(path, data)), delimiter="\t")
    missing = [c for c in PANELAPP_TSV_REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path}: PanelApp TSV lacks column {missing[0]!r}")
    genes, excluded, versions = [], [], set()
    for lineno, row in enumerate(reader, start=2):
        where = f"{path}: line {lineno}"
        symbol = (row.get("Gene Symbol") or row.get("Entity Name") or "").strip()
        gene, why = _panelapp_gene(
            symbol,
            (row.get("HGNC") or "").strip(),
            row.get("Entity type") or "",
            _confidence(row.get("GEL_Status"), where),
            row.get("Model_Of_Inheritance") or "",
            (),
            min_confidence,
        )
        if (row.get("version") or "").strip():
            versions.add(row["version"].strip())
        if gene is not None:
            genes.append(gene)
        elif why is not None:
            excluded.append(why)
    if len(versions) > 1:
        raise InputError(f"{path}: rows name several panel versions {sorted(versions)}")
    if not genes:
        raise InputError(f"{path}: no gene with confidence >= {min_confidence}")
    sha = _sha(data)
    return Panel(
        id=path.stem,
        version=versions.pop() if versions else "",
        display_name=path.stem,
        sha256=sha,
        path=str(path),
        genes=_dedupe(genes, path),
        format="panelapp_tsv",
        files=((str(path), sha),),
        excluded=tuple(excluded),
    )


def _panelapp_document(path: Path, text: str) -> dict[str, object]:
    stripped = text.strip()
    try:
        docs = [json.loads(stripped)]
    except ValueError:
        try:
            docs = [json.loads(line) for line in stripped.splitlines() if line.strip()]
        except ValueError as err:
            raise InputError(f"{path}: not JSON or JSON lines ({err})") from err
    if len(docs) == 1 and isinstance(docs[0], dict) and isinstance(docs[0].get("results"), list):
        docs = docs[0]["results"]
    if len(docs) != 1:
        raise InputError(f"{path}: holds {len(docs)} panels; a definition must hold one")
    doc = docs[0]
    if not isinstance(doc, dict) or not isinstance(doc.get("genes"), list):
        raise InputError(f"{path}: not a PanelApp panel (no 'genes' list)")
    return doc


def read_panelapp_json(path: str | Path, min_confidence: int = GREEN) -> Panel:
    """Read one PanelApp API panel (JSON object, one-panel result page or one-line JSONL).

    Args:
        path: the file.
        min_confidence: lowest ``confidence_level`` kept (3 = green).

    Raises:
        InputError: unreadable, several panels, malformed gene entry, no gene kept.
    """
    path = Path(path)
    data = _read(path)
    doc = _panelapp_document(path, _text(path, data))
    genes, excluded = [], []
    for i, entry in enumerate(doc["genes"], start=1):  # type: ignore[union-attr]
        where = f"{path}: genes[{i}]"
        if not isinstance(entry, dict):
            raise InputError(f"{where}: not an object")
        gd = entry.get("gene_data") or {}
        symbol = str(
            gd.get("gene_symbol") or gd.get("hgnc_symbol") or entry.get("entity_name") or ""
        )
        gene, why = _panelapp_gene(
            symbol,
            str(gd.get("hgnc_id") or ""),
            str(entry.get("entity_type") or ""),
            _confidence(entry.get("confidence_level"), where),
            str(entry.get("mode_of_inheritance") or ""),
            [str(t) for t in (entry.get("transcript") or [])],
            min_confidence,
        )
        if gene is not None:
            genes.append(gene)
        elif why is not None:
            excluded.append(why)
    for kind in ("strs", "regions"):
        for entry in doc.get(kind) or []:  # type: ignore[union-attr]
            name = str(entry.get("entity_name", "")) if isinstance(entry, dict) else ""
            excluded.append(
                {"symbol": name, "hgnc_id": "", "reason": f"PanelApp {kind[:-1]} (not analysed)"}
            )
    if not genes:
        raise InputError(f"{path}: no gene with confidence >= {min_confidence}")
    sha = _sha(data)
    name = str(doc.get("name") or path.stem)
    return Panel(
        id=str(doc.get("id") or path.stem),
        version=str(doc.get("version") or ""),
        display_name=name,
        sha256=sha,
        path=str(path),
        genes=_dedupe(genes, path),
        format="panelapp_json",
        files=((str(path), sha),),
        excluded=tuple(excluded),
    )


ELLA_COLUMNS = ("name", "strand", "hgnc id", "hgnc symbol", "inheritance")


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


def read_ella(folder: str | Path) -> Panel:
    """Read an OUS/ELLA panel folder ``{Name}_{version}/``.

    Genes come from ``*_genes_transcripts.tsv``: every transcript row of a gene is kept as a
    panel transcript (``MANE Select``-tagged first); the gene's mode is the consensus of its
    transcripts' modes (:func:`ella_consensus`).

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
    text = _text(path, _read(path))
    title = ""
    header: list[str] | None = None
    rows: dict[str, dict[str, object]] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("# Gene panel:"):
            title = line[len("# Gene panel:") :].split("--", 1)[0].strip()
            continue
        if line.startswith("#chromosome"):
            header = [c.strip().lower() for c in line.lstrip("#").split("\t")]
            lacking = [c for c in ELLA_COLUMNS if c not in header]
            if lacking:
                raise InputError(f"{path}: line {lineno}: header lacks {lacking[0]!r}")
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
        entry = rows.setdefault(hgnc or symbol.upper(), {"symbol": symbol, "hgnc": hgnc, "tx": []})
        mane = "mane select" in row.get("tags", "").lower()
        entry["tx"].append(  # type: ignore[union-attr]
            (not mane, row["name"], parse_inheritance(row["inheritance"], f"{path}: line {lineno}"))
        )
    if header is None:
        raise InputError(f"{path}: no #chromosome header line")
    genes = []
    for entry in rows.values():
        txs = sorted(entry["tx"], key=lambda t: (t[0], t[1]))  # type: ignore[arg-type]
        genes.append(
            PanelGene(
                hgnc_id=str(entry["hgnc"]),
                symbol=str(entry["symbol"]),
                transcripts=tuple(t[1] for t in txs if t[1]),
                inheritance=ella_consensus([t[2] for t in txs]),
            )
        )
    name, _, version = folder.name.rpartition("_")
    if title and name and title != f"{name}-{version}":
        raise InputError(f"{path}: header names panel {title!r}, folder says {name}-{version}")
    files = tuple((str(p), _sha(_read(p))) for p in ella_files(folder))
    digest = "".join(f"{Path(p).name}  {s}\n" for p, s in files).encode()
    return Panel(
        id=name or folder.name,
        version=version if name else "",
        display_name=name or folder.name,
        sha256=_sha(digest),
        path=str(folder),
        genes=_dedupe(genes, path),
        format="ella",
        files=files,
    )


def detect_format(path: str | Path) -> str:
    """Which reader a definition needs (see the module docstring).

    Raises:
        InputError: missing path.
    """
    path = Path(path)
    if path.is_dir():
        return "ella"
    if not path.is_file():
        raise InputError(f"{path}: panel definition not found")
    text = _text(path, _read(path))
    lines = [ln for ln in text.splitlines() if ln.strip()]
    first = lines[0].lstrip() if lines else ""
    if first.startswith(("{", "[")):
        return "panelapp_json"
    if first.startswith("# Gene panel:"):
        return "ella"
    if any(ln.startswith("##panel_id") for ln in lines) or (
        first.lstrip("#").lower().startswith(("hgnc_id\t", "hgnc_symbol\t"))
    ):
        return "scout"
    if first.startswith("Entity Name\t"):
        return "panelapp_tsv"
    return "gene_list"


def load_any(path: str | Path, min_confidence: int = GREEN) -> Panel:
    """Read a panel definition of any supported format.

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
    fmt = detect_format(path)
    if fmt == "ella":
        return read_ella(path if path.is_dir() else path.parent)
    if fmt == "panelapp_json":
        return read_panelapp_json(path, min_confidence)
    if fmt == "panelapp_tsv":
        return read_panelapp_tsv(path, min_confidence)
    if fmt == "scout":
        return read_scout(path)
    return read_gene_list(path)
