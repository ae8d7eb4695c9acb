"""Resolve a panel on the gene model: each gene's default transcript and padded regions.

A gene is found by HGNC id, else by symbol. Its default transcript is the first of: a
panel-named transcript the model has (RefSeq through the model's mapping, or Ensembl), the MANE
Select one, the Ensembl canonical one, the protein-coding one with the longest CDS, the longest
(:func:`choose_transcript`). Its regions are the coding parts of the
transcript's exons padded into the flanking introns (:func:`transcript_regions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from hurtig.genes.gene_model import GeneModel, Transcript
from hurtig.panels.formats.definition import Panel
from hurtig.panels.model import Region, ResolvedGene, ResolvedPanel

DEFAULT_ACCEPTOR_PADDING = 20
DEFAULT_DONOR_PADDING = 6


SOURCE_LABELS: dict[str, str] = {
    "panel": "named by the panel",
    "mane_select": "MANE Select",
    "ensembl_canonical": "Ensembl canonical",
    "longest_cds": "longest CDS",
    "longest": "longest transcript",
}
"""Readable names of :attr:`TranscriptChoice.source` values, in the order they are tried."""

REFSEQ_PREFIXES: tuple[str, ...] = ("NM_", "NR_", "XM_", "XR_")


class TranscriptChoice(NamedTuple):
    """A gene's default transcript and why it was chosen.

    Attributes:
        transcript: the chosen transcript.
        source: a key of :data:`SOURCE_LABELS`.
        notes: one remark per panel transcript that could not be used as named.
        fallback: one line for the console and the report when the panel named transcripts and
            none was used, or the one used differs in version; empty otherwise.
    """

    transcript: Transcript
    source: str
    notes: tuple[str, ...]
    fallback: str = ""


def _match_refseq(name: str, transcripts: Sequence[Transcript]) -> tuple[Transcript | None, str]:
    """The transcript the gene model maps to a RefSeq id: same version first, else same id."""
    for tx in transcripts:
        if name in tx.refseq:
            return tx, ""
    base = name.split(".", 1)[0]
    for tx in transcripts:
        mapped = [r for r in tx.refseq if r.split(".", 1)[0] == base]
        if mapped:
            return (
                tx,
                f"panel transcript {name}: the gene model maps {mapped[0]} to {tx.versioned_id}",
            )
    if any(tx.refseq for tx in transcripts):
        return None, f"panel transcript {name} is not among the gene's RefSeq mappings"
    return None, f"panel transcript {name} is RefSeq; the gene model maps no RefSeq id to this gene"


def match_panel_transcript(
    name: str, transcripts: Sequence[Transcript]
) -> tuple[Transcript | None, str]:
    """The gene-model transcript a panel names (RefSeq or Ensembl id, with or without version).

    Args:
        name: the panel's transcript id.
        transcripts: the gene's transcripts.

    Returns:
        (transcript or ``None``, remark): the remark says why none matched, or that the matched
        one has another version than the panel's; empty for an exact match.
    """
    name = name.strip()
    if name.startswith(REFSEQ_PREFIXES):
        return _match_refseq(name, transcripts)
    base, _, version = name.partition(".")
    for tx in transcripts:
        if tx.id == base:
            if version and tx.version and version != tx.version:
                return tx, f"panel transcript {name}: the gene model has {tx.versioned_id}"
            return tx, ""
    return None, f"panel transcript {name} not in the gene model"


def _default_transcript(transcripts: Sequence[Transcript]) -> tuple[Transcript, str]:
    """MANE Select, else Ensembl canonical, else longest CDS, else longest; ties: lowest id."""
    ordered = sorted(transcripts, key=lambda t: t.id)
    for tag, source in (("MANE_Select", "mane_select"), ("Ensembl_canonical", "ensembl_canonical")):
        tagged = [t for t in ordered if tag in t.tags]
        if tagged:
            return tagged[0], source
    coding = [t for t in ordered if t.biotype == "protein_coding" and t.is_coding]
    if coding:
        return min(coding, key=lambda t: (-t.cds_length, t.id)), "longest_cds"
    return min(ordered, key=lambda t: (-sum(e.length for e in t.exons), t.id)), "longest"


def describe_transcript(tx: Transcript) -> str:
    """``ENST...N`` with the RefSeq ids the gene model maps to it (``ENST..5 / NM_..4``)."""
    return " / ".join((tx.versioned_id, *tx.refseq))


def choose_transcript(
    gene_transcripts: Sequence[Transcript], panel_transcripts: Sequence[str]
) -> TranscriptChoice:
    """Pick the default transcript of a gene.

    Order: the first panel-named transcript the gene model has (RefSeq ids through the gene
    model's RefSeq mapping, same version first; Ensembl ids with or without version); else
    the MANE Select transcript; else the Ensembl canonical one; else the protein-coding
    transcript with the longest CDS; else the longest transcript (exonic length). Ties: lowest
    transcript id.

    Args:
        gene_transcripts: the gene's transcripts (non-empty).
        panel_transcripts: transcripts named by the panel.

    Returns:
        The choice, with a fallback line when the panel's transcript was not used as named.
    """
    notes: list[str] = []
    for name in panel_transcripts:
        tx, remark = match_panel_transcript(name, gene_transcripts)
        if tx is not None:
            return TranscriptChoice(tx, "panel", tuple(notes), remark)
        notes.append(remark)
    tx, source = _default_transcript(gene_transcripts)
    fallback = ""
    if panel_transcripts:
        fallback = (
            f"panel transcript {', '.join(panel_transcripts)} not found in the gene model; "
            f"using {describe_transcript(tx)} ({SOURCE_LABELS[source]})"
        )
    return TranscriptChoice(tx, source, tuple(notes), fallback)


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
        choice = choose_transcript(gene.transcripts, pg.transcripts)
        tx = choice.transcript
        extra = list(choice.notes)
        if pg.symbol and pg.symbol.upper() != gene.name.upper():
            extra.append(f"panel symbol {pg.symbol} is {gene.name} in the gene model")
        resolved.append(
            ResolvedGene(
                symbol=gene.name,
                hgnc_id=pg.hgnc_id or gene.hgnc_id,
                gene_id=gene.id,
                transcript=tx.id,
                transcript_source=choice.source,
                biotype=tx.biotype,
                chrom=tx.chrom,
                strand=tx.strand,
                inheritance=tuple(m.value for m in pg.inheritance),
                notes=tuple(extra),
                regions=transcript_regions(tx, gene.name, acceptor_padding, donor_padding),
                model=tx,
                panel_transcripts=pg.transcripts,
                transcript_note=choice.fallback,
                disease=pg.disease,
            )
        )
    return tuple(resolved), tuple(missing)


def resolved_panel(
    panel: Panel,
    model: GeneModel,
    gene_model: str,
    acceptor_padding: int = DEFAULT_ACCEPTOR_PADDING,
    donor_padding: int = DEFAULT_DONOR_PADDING,
    spec: str | None = None,
) -> ResolvedPanel:
    """Resolve a panel into the :class:`ResolvedPanel` that ``hurtig resolve-panel`` writes.

    Args:
        panel: the panel definition.
        model: the gene model.
        gene_model: the gene model's path, as recorded in the JSON.
        acceptor_padding: intronic bases before each exon.
        donor_padding: intronic bases after each exon.
        spec: the registry spec, when the panel came from a registry.
    """
    genes, missing = resolve_panel(panel, model, acceptor_padding, donor_padding)
    return ResolvedPanel(
        id=panel.id,
        version=panel.version,
        display_name=panel.display_name,
        sha256=panel.sha256,
        format=panel.format,
        file=panel.path,
        files=panel.files,
        gene_model=gene_model,
        acceptor_padding=acceptor_padding,
        donor_padding=donor_padding,
        genes=genes,
        missing_genes=missing,
        excluded_genes=panel.excluded,
        spec=spec,
    )
