"""Plain gene list: one HGNC symbol or ``HGNC:nnn`` per line; ``#`` starts a comment.

The id is the file stem and the version empty unless the registry supplies them.
"""

from __future__ import annotations

from pathlib import Path

from hurtig.errors import InputError
from hurtig.panels.formats.definition import (
    Panel,
    PanelGene,
    decode,
    normalise_hgnc,
    read_bytes,
    single_file_panel,
)


def read_gene_list(path: str | Path) -> Panel:
    """Read a plain gene list.

    Raises:
        InputError: unreadable, a line with more than one word, no genes.
    """
    path = Path(path)
    data = read_bytes(path)
    genes = []
    for lineno, raw in enumerate(decode(path, data).splitlines(), start=1):
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
    return single_file_panel(path, data, genes, "gene_list")
