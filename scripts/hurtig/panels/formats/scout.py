"""Scout panel TSV (``scout``).

``##panel_id=``, ``##version=``, ``##display_name=`` headers, then the columns ``hgnc_id,
hgnc_symbol, disease_associated_transcripts, genetic_disease_models, mosaicism,
reduced_penetrance`` (the header line may start with ``#``). hurtig also reads the optional
columns ``phenotypes`` (``;``-separated), ``omim`` (the gene's MIM number) and ``mechanism``
(e.g. ``loss of function``), which the report shows as gene–disease context and the suggested
ACMG criteria use (docs/ACMG.md).
"""

from __future__ import annotations

from pathlib import Path

from hurtig.errors import InputError
from hurtig.panels.formats.definition import (
    GeneDisease,
    Panel,
    PanelGene,
    decode,
    normalise_hgnc,
    parse_inheritance,
    read_bytes,
    single_file_panel,
)


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "y", "x")


def _gene(row: dict[str, str], where: str) -> PanelGene:
    symbol = row.get("hgnc_symbol", "")
    hgnc_id = normalise_hgnc(row.get("hgnc_id", ""))
    if not symbol and not hgnc_id:
        raise InputError(f"{where}: no hgnc_symbol or hgnc_id")
    txs = row.get("disease_associated_transcripts", "")
    return PanelGene(
        hgnc_id=hgnc_id,
        symbol=symbol,
        transcripts=tuple(t.strip() for t in txs.split(",") if t.strip()),
        inheritance=parse_inheritance(row.get("genetic_disease_models", ""), where),
        mosaicism=_flag(row.get("mosaicism", "")),
        reduced_penetrance=_flag(row.get("reduced_penetrance", "")),
        disease=GeneDisease(
            tuple(p.strip() for p in row.get("phenotypes", "").split(";") if p.strip()),
            row.get("omim", "").strip(),
            row.get("mechanism", "").strip(),
        ),
    )


def read_scout(path: str | Path) -> Panel:
    """Read a Scout panel TSV.

    Raises:
        InputError: unreadable, no ``##panel_id``, header without hgnc columns, bad model.
    """
    path = Path(path)
    data = read_bytes(path)
    meta: dict[str, str] = {}
    header: list[str] | None = None
    genes: list[PanelGene] = []
    for lineno, line in enumerate(decode(path, data).splitlines(), start=1):
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
        genes.append(_gene(row, f"{path}: line {lineno}"))
    if not meta.get("panel_id"):
        raise InputError(f"{path}: missing ##panel_id= header")
    return single_file_panel(
        path,
        data,
        genes,
        "scout",
        panel_id=meta["panel_id"],
        version=meta.get("version", ""),
        display_name=meta.get("display_name", "") or meta["panel_id"],
    )
