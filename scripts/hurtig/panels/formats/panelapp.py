"""Genomics England PanelApp panels: the TSV download and the API's JSON.

- ``panelapp_tsv``: the TSV download (``Entity Name, Entity type, Gene Symbol, ..., GEL_Status,
  ...``).
- ``panelapp_json``: one API panel (``{"name", "version", "genes": [...]}``; also a one-panel
  ``{"results": [...]}`` page or a one-line JSONL export).

Genes below the confidence threshold (green by default), STRs and regions are left out and
listed as excluded.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hurtig.errors import InputError
from hurtig.panels.formats.definition import (
    GREEN,
    GeneDisease,
    InheritanceMode,
    Panel,
    PanelGene,
    decode,
    normalise_hgnc,
    read_bytes,
    single_file_panel,
)

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

PANELAPP_TSV_REQUIRED = ("Entity Name", "Entity type", "Gene Symbol", "GEL_Status")


def panelapp_modes(text: str | None) -> tuple[InheritanceMode, ...]:
    """Map a PanelApp ``Model_Of_Inheritance`` string (see :data:`PANELAPP_MODES`)."""
    value = (text or "").strip()
    for prefix, modes in PANELAPP_MODES:
        if value.upper().startswith(prefix.upper()):
            return modes
    return ()


def _confidence(value: object, where: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError as err:
        raise InputError(f"{where}: confidence {value!r} is not a number") from err


def panelapp_disease(
    phenotypes: Sequence[str], omim: Sequence[str], pathogenicity: str
) -> GeneDisease:
    """The gene–disease facts of a PanelApp entry.

    PanelApp's ``mode_of_pathogenicity`` is empty unless loss of function does NOT cause the
    phenotype (or "Other"); that statement is kept as the mechanism.
    """
    mechanism = pathogenicity.strip()
    if mechanism.lower().startswith("loss-of-function variants"):
        mechanism = "loss-of-function variants do not cause this phenotype"
    return GeneDisease(
        tuple(p.strip() for p in phenotypes if p.strip()),
        next((o.strip() for o in omim if o.strip()), ""),
        mechanism,
    )


def _panelapp_gene(
    symbol: str,
    hgnc_id: str,
    entity_type: str,
    confidence: int,
    moi: str,
    transcripts: Sequence[str],
    min_confidence: int,
    disease: GeneDisease,
) -> tuple[PanelGene | None, dict[str, str] | None]:
    """The gene, or why the entry is excluded."""
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
        disease=disease,
    )
    return gene, None


def read_panelapp_tsv(path: str | Path, min_confidence: int = GREEN) -> Panel:
    """Read a PanelApp TSV download.

    Args:
        path: the TSV.
        min_confidence: lowest ``GEL_Status`` kept (3 = green).

    Raises:
        InputError: unreadable, required columns missing, bad confidence, no gene kept.
    """
    path = Path(path)
    data = read_bytes(path)
    reader = csv.DictReader(io.StringIO(decode(path, data)), delimiter="\t")
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
            panelapp_disease(
                (row.get("Phenotypes") or "").split(";"),
                (row.get("Omim") or "").split(";"),
                row.get("Mode of pathogenicity") or "",
            ),
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
    version = versions.pop() if versions else ""
    return single_file_panel(path, data, genes, "panelapp_tsv", version=version, excluded=excluded)


def _panelapp_document(path: Path, text: str) -> dict[str, Any]:
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


def _json_gene(
    entry: object, where: str, min_confidence: int
) -> tuple[PanelGene | None, dict[str, str] | None]:
    if not isinstance(entry, Mapping):
        raise InputError(f"{where}: not an object")
    gd = entry.get("gene_data") or {}
    symbol = str(gd.get("gene_symbol") or gd.get("hgnc_symbol") or entry.get("entity_name") or "")
    return _panelapp_gene(
        symbol,
        str(gd.get("hgnc_id") or ""),
        str(entry.get("entity_type") or ""),
        _confidence(entry.get("confidence_level"), where),
        str(entry.get("mode_of_inheritance") or ""),
        [str(t) for t in (entry.get("transcript") or [])],
        min_confidence,
        panelapp_disease(
            [str(p) for p in (entry.get("phenotypes") or [])],
            [str(o) for o in (gd.get("omim_gene") or [])],
            str(entry.get("mode_of_pathogenicity") or ""),
        ),
    )


def read_panelapp_json(path: str | Path, min_confidence: int = GREEN) -> Panel:
    """Read one PanelApp API panel (JSON object, one-panel result page or one-line JSONL).

    Args:
        path: the file.
        min_confidence: lowest ``confidence_level`` kept (3 = green).

    Raises:
        InputError: unreadable, several panels, malformed gene entry, no gene kept.
    """
    path = Path(path)
    data = read_bytes(path)
    doc = _panelapp_document(path, decode(path, data))
    genes, excluded = [], []
    for i, entry in enumerate(doc["genes"], start=1):
        gene, why = _json_gene(entry, f"{path}: genes[{i}]", min_confidence)
        if gene is not None:
            genes.append(gene)
        elif why is not None:
            excluded.append(why)
    for kind in ("strs", "regions"):
        for entry in doc.get(kind) or []:
            name = str(entry.get("entity_name", "")) if isinstance(entry, dict) else ""
            excluded.append(
                {"symbol": name, "hgnc_id": "", "reason": f"PanelApp {kind[:-1]} (not analysed)"}
            )
    if not genes:
        raise InputError(f"{path}: no gene with confidence >= {min_confidence}")
    return single_file_panel(
        path,
        data,
        genes,
        "panelapp_json",
        panel_id=str(doc.get("id") or path.stem),
        version=str(doc.get("version") or ""),
        display_name=str(doc.get("name") or path.stem),
        excluded=excluded,
    )
