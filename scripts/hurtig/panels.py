"""Read a Scout gene panel and resolve it against the gene model to padded regions.

CLI::

    python -m hurtig.panels --panel FILE --gff3 GFF3 --out-bed OUT.bed --out-json OUT.json \
        [--acceptor-padding 20 --donor-padding 6]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from hurtig.errors import InputError, run_cli
from hurtig.gff import GeneModel, Segment, Transcript, load_gff3
from hurtig.vcfio import write_text_atomic

DEFAULT_ACCEPTOR_PADDING = 20
DEFAULT_DONOR_PADDING = 6


class InheritanceMode(StrEnum):
    """Panel modes of inheritance (Scout ``genetic_disease_models``)."""

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
class PanelGene:
    """One row of a Scout panel.

    Attributes:
        hgnc_id: ``HGNC:nnn`` or empty.
        symbol: HGNC symbol.
        transcripts: disease-associated transcripts named by the panel.
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
    """A Scout panel file.

    Attributes:
        id: ``##panel_id``.
        version: ``##version``.
        display_name: ``##display_name`` (falls back to the id).
        sha256: checksum of the file bytes.
        path: file path.
        genes: rows in file order.
    """

    id: str
    version: str
    display_name: str
    sha256: str
    path: str
    genes: tuple[PanelGene, ...]


@dataclass(frozen=True)
class Region:
    """A padded region of a default transcript (BED6 row).

    Attributes:
        chrom: sequence name.
        start0: 0-based start.
        end: end (exclusive 0-based = inclusive 1-based).
        name: ``SYMBOL|TRANSCRIPT|exonN``.
        strand: ``+`` or ``-``.
    """

    chrom: str
    start0: int
    end: int
    name: str
    strand: str


@dataclass(frozen=True)
class ResolvedGene:
    """A panel gene with its default transcript and regions.

    Attributes:
        symbol: symbol as in the gene model.
        hgnc_id: HGNC id (panel's, else the gene model's).
        gene_id: Ensembl gene id.
        transcript: default transcript id.
        transcript_source: why it was chosen (``panel``, ``canonical``, ``longest_cds``,
            ``longest``).
        biotype: transcript biotype.
        chrom: sequence name.
        strand: strand.
        inheritance: modes of inheritance as strings.
        notes: remarks (e.g. panel RefSeq transcript that could not be mapped).
        regions: padded regions.
        model: the default transcript's structure (exons, CDS) for HGVS downstream.
    """

    symbol: str
    hgnc_id: str
    gene_id: str
    transcript: str
    transcript_source: str
    biotype: str
    chrom: str
    strand: str
    inheritance: tuple[str, ...]
    notes: tuple[str, ...]
    regions: tuple[Region, ...]
    model: Transcript


def transcript_to_json(tx: Transcript) -> dict[str, object]:
    """Serialise a transcript's structure (exons and CDS in transcript order)."""
    return {
        "id": tx.id,
        "gene_id": tx.gene_id,
        "name": tx.name,
        "biotype": tx.biotype,
        "chrom": tx.chrom,
        "strand": tx.strand,
        "start": tx.start,
        "end": tx.end,
        "exons": [[e.start, e.end] for e in tx.exons],
        "cds": [[c.start, c.end, c.phase] for c in tx.cds],
        "tags": list(tx.tags),
        "ccds": tx.ccds,
    }


def transcript_from_json(doc: dict[str, object]) -> Transcript:
    """Rebuild a transcript written by :func:`transcript_to_json`.

    Raises:
        InputError: malformed document.
    """
    try:
        return Transcript(
            id=str(doc["id"]),
            gene_id=str(doc.get("gene_id", "")),
            name=str(doc.get("name", "")),
            biotype=str(doc.get("biotype", "")),
            chrom=str(doc["chrom"]),
            strand=str(doc["strand"]),
            start=int(doc["start"]),  # type: ignore[arg-type]
            end=int(doc["end"]),  # type: ignore[arg-type]
            exons=tuple(Segment(int(a), int(b)) for a, b in doc["exons"]),  # type: ignore[union-attr]
            cds=tuple(
                Segment(int(a), int(b), None if ph is None else int(ph))
                for a, b, ph in doc.get("cds", [])  # type: ignore[union-attr]
            ),
            tags=tuple(str(t) for t in doc.get("tags", [])),  # type: ignore[union-attr]
            ccds=str(doc.get("ccds", "")),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(f"panel JSON: bad transcript model ({err})") from err


def _normalise_hgnc(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if value.upper().startswith("HGNC:"):
        value = value[5:]
    return f"HGNC:{value}" if value.isdigit() else ""


def parse_inheritance(text: str, where: str = "") -> tuple[InheritanceMode, ...]:
    """Parse ``genetic_disease_models`` (comma/semicolon/slash separated).

    Args:
        text: the cell.
        where: file and line for error messages.

    Returns:
        Unique modes in a fixed order (AD, AR, XD, XR, MT).

    Raises:
        InputError: unknown model.
    """
    modes: set[InheritanceMode] = set()
    for raw in text.replace(";", ",").replace("/", ",").split(","):
        token = raw.strip().upper()
        if not token or token in ("N/A", "NA", "UNKNOWN"):
            continue
        if token not in _MODE_ALIASES:
            raise InputError(f"{where}: unknown genetic_disease_models value {raw.strip()!r}")
        modes.add(_MODE_ALIASES[token])
    return tuple(m for m in InheritanceMode if m in modes)


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "y", "x")


def read_panel(path: str | Path) -> Panel:
    """Read a Scout panel TSV.

    Args:
        path: the panel file.

    Returns:
        The panel.

    Raises:
        InputError: missing file, missing ``##panel_id``/header/symbol column, bad model.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read panel ({err})") from err
    meta: dict[str, str] = {}
    header: list[str] | None = None
    genes: list[PanelGene] = []
    seen: set[str] = set()
    for lineno, line in enumerate(data.decode("utf-8").splitlines(), start=1):
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
        hgnc_id = _normalise_hgnc(row.get("hgnc_id", ""))
        if not symbol and not hgnc_id:
            raise InputError(f"{path}: line {lineno}: no hgnc_symbol or hgnc_id")
        key = hgnc_id or symbol.upper()
        if key in seen:
            raise InputError(f"{path}: line {lineno}: gene {symbol or hgnc_id} listed twice")
        seen.add(key)
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
    if "panel_id" not in meta or not meta["panel_id"]:
        raise InputError(f"{path}: missing ##panel_id= header")
    if not genes:
        raise InputError(f"{path}: panel has no genes")
    return Panel(
        id=meta["panel_id"],
        version=meta.get("version", ""),
        display_name=meta.get("display_name", "") or meta["panel_id"],
        sha256=hashlib.sha256(data).hexdigest(),
        path=str(path),
        genes=tuple(genes),
    )


def choose_transcript(
    gene_transcripts: Sequence[Transcript], panel_transcripts: Sequence[str]
) -> tuple[Transcript, str, tuple[str, ...]]:
    """Pick the default transcript of a gene.

    Order: a panel-named Ensembl transcript present in the model; else a canonical-tagged
    transcript (MANE_Select, Ensembl_canonical); else the protein-coding transcript with the
    longest CDS; else the longest transcript (exonic length). Ties: lowest transcript id.

    Args:
        gene_transcripts: the gene's transcripts (non-empty).
        panel_transcripts: transcripts named by the panel.

    Returns:
        (transcript, source label, notes).
    """
    notes: list[str] = []
    by_id = {t.id: t for t in gene_transcripts}
    for name in panel_transcripts:
        base = name.split(".", 1)[0]
        if base in by_id:
            return by_id[base], "panel", tuple(notes)
        if base.startswith(("NM_", "NR_", "XM_")):
            notes.append(f"panel transcript {name} is RefSeq; no RefSeq-Ensembl table, not used")
        else:
            notes.append(f"panel transcript {name} not in the gene model")
    ordered = sorted(gene_transcripts, key=lambda t: t.id)
    for tag in ("MANE_Select", "Ensembl_canonical"):
        tagged = [t for t in ordered if tag in t.tags]
        if tagged:
            return tagged[0], "canonical", tuple(notes)
    coding = [t for t in ordered if t.biotype == "protein_coding" and t.is_coding]
    if coding:
        best = min(coding, key=lambda t: (-t.cds_length, t.id))
        return best, "longest_cds", tuple(notes)
    best = min(ordered, key=lambda t: (-sum(e.length for e in t.exons), t.id))
    return best, "longest", tuple(notes)


def transcript_regions(
    tx: Transcript,
    symbol: str,
    acceptor_padding: int = DEFAULT_ACCEPTOR_PADDING,
    donor_padding: int = DEFAULT_DONOR_PADDING,
) -> tuple[Region, ...]:
    """Coding exons (whole exons for non-coding) padded into the flanking introns.

    The acceptor side is before the exon in transcript direction, the donor side after it.
    The first exon's 5' side and the last exon's 3' side get no intronic padding where the
    coding part ends inside the exon (there is no intron there).

    Args:
        tx: the transcript.
        symbol: gene symbol for the region name.
        acceptor_padding: bases added before each exon part (transcript direction).
        donor_padding: bases added after each exon part.

    Returns:
        BED regions sorted by start, overlapping ones merged.
    """
    parts = tx.coding_exons()
    n_exons = len(tx.exons)
    regions: list[Region] = []
    for number, seg in parts:
        exon = tx.exons[number - 1]
        # padding applies only where the part reaches an exon boundary that borders an intron
        five_at_boundary = (seg.start == exon.start) if tx.strand == "+" else (seg.end == exon.end)
        three_at_boundary = (seg.end == exon.end) if tx.strand == "+" else (seg.start == exon.start)
        pad5 = acceptor_padding if five_at_boundary and number > 1 else 0
        pad3 = donor_padding if three_at_boundary and number < n_exons else 0
        if tx.strand == "+":
            start, end = seg.start - pad5, seg.end + pad3
        else:
            start, end = seg.start - pad3, seg.end + pad5
        regions.append(
            Region(tx.chrom, max(0, start - 1), end, f"{symbol}|{tx.id}|exon{number}", tx.strand)
        )
    regions.sort(key=lambda r: (r.start0, r.end))
    merged: list[Region] = []
    for reg in regions:
        if merged and reg.start0 <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Region(
                last.chrom,
                last.start0,
                max(last.end, reg.end),
                f"{last.name}+{reg.name.rsplit('|', 1)[1]}",
                last.strand,
            )
        else:
            merged.append(reg)
    return tuple(merged)


def resolve_panel(
    panel: Panel,
    model: GeneModel,
    acceptor_padding: int = DEFAULT_ACCEPTOR_PADDING,
    donor_padding: int = DEFAULT_DONOR_PADDING,
) -> tuple[tuple[ResolvedGene, ...], tuple[dict[str, str], ...]]:
    """Resolve each panel gene to a default transcript and padded regions.

    Args:
        panel: the panel.
        model: the gene model.
        acceptor_padding: intronic bases before each exon.
        donor_padding: intronic bases after each exon.

    Returns:
        (resolved genes in panel order, missing genes as ``{symbol, hgnc_id, reason}``).
    """
    resolved: list[ResolvedGene] = []
    missing: list[dict[str, str]] = []
    for pg in panel.genes:
        gene = model.gene_by_hgnc(pg.hgnc_id) if pg.hgnc_id else None
        if gene is None and pg.symbol:
            gene = model.gene_by_symbol(pg.symbol)
        if gene is None:
            missing.append(
                {"symbol": pg.symbol, "hgnc_id": pg.hgnc_id, "reason": "not in the gene model"}
            )
            continue
        if not gene.transcripts:
            missing.append(
                {"symbol": pg.symbol, "hgnc_id": pg.hgnc_id, "reason": "gene has no transcripts"}
            )
            continue
        tx, source, notes = choose_transcript(gene.transcripts, pg.transcripts)
        extra = list(notes)
        if pg.symbol and pg.symbol.upper() != gene.name.upper():
            extra.append(f"panel symbol {pg.symbol} is {gene.name} in the gene model")
        resolved.append(
            ResolvedGene(
                symbol=gene.name,
                hgnc_id=pg.hgnc_id or gene.hgnc_id,
                gene_id=gene.id,
                transcript=tx.id,
                transcript_source=source,
                biotype=tx.biotype,
                chrom=tx.chrom,
                strand=tx.strand,
                inheritance=tuple(m.value for m in pg.inheritance),
                notes=tuple(extra),
                regions=transcript_regions(tx, gene.name, acceptor_padding, donor_padding),
                model=tx,
            )
        )
    return tuple(resolved), tuple(missing)


def bed_text(genes: Sequence[ResolvedGene]) -> str:
    """BED6 text of all regions, sorted by chrom, start, end."""
    rows = sorted(
        (r for g in genes for r in g.regions), key=lambda r: (r.chrom, r.start0, r.end, r.name)
    )
    return "".join(f"{r.chrom}\t{r.start0}\t{r.end}\t{r.name}\t0\t{r.strand}\n" for r in rows)


def panel_json(
    panel: Panel,
    genes: Sequence[ResolvedGene],
    missing: Sequence[dict[str, str]],
    gff3: str,
    acceptor_padding: int,
    donor_padding: int,
) -> dict[str, object]:
    """The panel JSON document (see docs/INTERFACES.md)."""
    gene_docs = []
    for g in genes:
        doc = {k: v for k, v in asdict(g).items() if k != "model"}
        doc["transcript_model"] = transcript_to_json(g.model)
        doc["inheritance"] = list(g.inheritance)
        doc["notes"] = list(g.notes)
        doc["regions"] = [
            {"chrom": r.chrom, "start0": r.start0, "end": r.end, "name": r.name} for r in g.regions
        ]
        gene_docs.append(doc)
    return {
        "id": panel.id,
        "version": panel.version,
        "display_name": panel.display_name,
        "sha256": panel.sha256,
        "file": panel.path,
        "gene_model": gff3,
        "acceptor_padding": acceptor_padding,
        "donor_padding": donor_padding,
        "genes": gene_docs,
        "missing_genes": list(missing),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m hurtig.panels", description=__doc__)
    parser.add_argument("--panel", required=True, type=Path, help="Scout panel TSV")
    parser.add_argument("--gff3", required=True, type=Path, help="Ensembl GFF3 (plain or .gz)")
    parser.add_argument("--out-bed", required=True, type=Path)
    parser.add_argument("--out-json", required=True, type=Path)
    parser.add_argument("--acceptor-padding", type=int, default=DEFAULT_ACCEPTOR_PADDING)
    parser.add_argument("--donor-padding", type=int, default=DEFAULT_DONOR_PADDING)
    args = parser.parse_args(argv)
    if args.acceptor_padding < 0 or args.donor_padding < 0:
        raise InputError("--acceptor-padding/--donor-padding: must be >= 0")
    panel = read_panel(args.panel)
    model = load_gff3(args.gff3)
    genes, missing = resolve_panel(panel, model, args.acceptor_padding, args.donor_padding)
    if not genes:
        raise InputError(f"{args.panel}: none of the panel genes is in {args.gff3}")
    doc = panel_json(
        panel, genes, missing, str(args.gff3), args.acceptor_padding, args.donor_padding
    )
    write_text_atomic(args.out_bed, bed_text(genes))
    write_text_atomic(args.out_json, json.dumps(doc, indent=2) + "\n")
    for miss in missing:
        print(
            f"hurtig warning: {panel.id}: gene {miss['symbol'] or miss['hgnc_id']} "
            f"{miss['reason']}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
