"""Resolve a panel on the gene model: each gene's default transcript and padded regions.

A gene is found by HGNC id, else by symbol. Its default transcript is the first of: a
panel-named Ensembl transcript in the model, a canonical-tagged one, the protein-coding one with
the longest CDS, the longest (:func:`choose_transcript`). Its regions are the coding parts of the
transcript's exons padded into the flanking introns (:func:`transcript_regions`).
"""

from __future__ import annotations

from collections.abc import Sequence

from hurtig.genes.gene_model import GeneModel, Transcript
from hurtig.panels.formats.definition import Panel
from hurtig.panels.model import Region, ResolvedGene, ResolvedPanel

DEFAULT_ACCEPTOR_PADDING = 20
DEFAULT_DONOR_PADDING = 6


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
                panel_transcripts=pg.transcripts,
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
