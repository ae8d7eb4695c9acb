"""Gene panels: find a definition in the registry, read it, resolve it to padded regions.

CLI::

    hurtig resolve-panel (--panel FILE_OR_ELLA_FOLDER | --registry DIR --spec ID[@VERSION]) \
        --gff3 GFF3 --out-bed OUT.bed --out-json OUT.json \
        [--acceptor-padding 20 --donor-padding 6 --min-confidence 3]

Registry layout (a folder; ``panels:`` in the config):

- ``{registry}/{panel_id}/{version}/`` holding one definition file in any supported format
  (Scout TSV, plain gene list, PanelApp TSV or JSON; see :mod:`hurtig.panels.formats`) or the
  files of an ELLA panel;
- ``{registry}/{Name}_{version}/``: an OUS/ELLA panel folder as ELLA exports it (panel id =
  ``Name``), recognised by ``{Name}_{version}_genes_transcripts.tsv`` inside;
- ``{registry}/{panel_id}.tsv|.txt|.json`` (unversioned single file, the older layout) is read
  when the id has no versioned entry; its version is the file's own.

``id`` selects the newest version (natural order: ``v`` prefix ignored, numbers compared as
numbers, so 1.10 > 1.9), ``id@version`` pins one.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from hurtig.errors import InputError
from hurtig.genes.gene_model import GeneModel, Segment, Transcript, load_gff3
from hurtig.io.files import write_text_atomic
from hurtig.panels.formats import (
    GREEN,
    InheritanceMode,
    Panel,
    PanelGene,
    ella_files,
    load_any,
    parse_inheritance,
    read_scout,
)

__all__ = [
    "InheritanceMode",
    "Panel",
    "PanelGene",
    "load_any",
    "load_registry_panel",
    "locate_panel",
    "parse_inheritance",
    "read_panel",
    "resolve_panel",
]

DEFAULT_ACCEPTOR_PADDING = 20
DEFAULT_DONOR_PADDING = 6
DEFINITION_SUFFIXES = (".tsv", ".txt", ".json", ".jsonl")
"""File name endings of a panel definition inside a registry version folder."""

_ID = re.compile(r"^[A-Za-z0-9._-]+$")

read_panel = read_scout
"""Read a Scout panel TSV (kept for callers of the first version of this module)."""


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Natural sort key of a version: ``v`` prefix dropped, digit runs compared as numbers."""
    text = version[1:] if version[:1] in ("v", "V") and version[1:2].isdigit() else version
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    )


def parse_spec(spec: str) -> tuple[str, str | None]:
    """Split ``id`` or ``id@version``.

    Raises:
        InputError: empty id/version or characters outside ``[A-Za-z0-9._-]``.
    """
    panel_id, sep, version = spec.strip().partition("@")
    if not _ID.match(panel_id) or (sep and not _ID.match(version)):
        raise InputError(f"panel spec {spec!r}: expected ID or ID@VERSION ([A-Za-z0-9._-])")
    return panel_id, (version if sep else None)


def _definition_in(folder: Path) -> Path:
    """The definition inside a registry version folder (a file, or the folder for ELLA)."""
    if any(folder.glob("*_genes_transcripts.tsv")):
        return folder
    files = sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and p.suffix.lower() in DEFINITION_SUFFIXES
        and not p.name.upper().startswith("README")
    )
    if len(files) != 1:
        names = ", ".join(p.name for p in files) or "none"
        raise InputError(f"{folder}: expected one panel definition file, found {names}")
    return files[0]


def registry_versions(registry: Path, panel_id: str) -> dict[str, Path]:
    """Versions of one panel in the registry → definition path.

    Raises:
        InputError: a version present in both layouts, or a bad version folder.
    """
    found: dict[str, Path] = {}
    versioned = registry / panel_id
    if versioned.is_dir():
        for sub in sorted(versioned.iterdir()):
            if sub.is_dir() and not sub.name.startswith("."):
                found[sub.name] = sub
    for folder in sorted(registry.glob(f"{panel_id}_*")):
        version = folder.name[len(panel_id) + 1 :]
        if folder.is_dir() and (folder / f"{folder.name}_genes_transcripts.tsv").is_file():
            if version in found:
                raise InputError(
                    f"{registry}: panel {panel_id} version {version} is both "
                    f"{found[version]} and {folder}"
                )
            found[version] = folder
    return found


def _flat_file(registry: Path, panel_id: str) -> Path | None:
    hits = [registry / f"{panel_id}{s}" for s in DEFINITION_SUFFIXES]
    hits = [h for h in hits if h.is_file()]
    if len(hits) > 1:
        raise InputError(f"{registry}: panel {panel_id} has several files: {hits[0].name}, ...")
    return hits[0] if hits else None


def locate_panel(registry: Path, spec: str) -> Path:
    """The definition (file, or ELLA folder) a panel spec selects in the registry.

    Args:
        registry: the registry folder.
        spec: ``id`` (newest version) or ``id@version``.

    Returns:
        The definition path.

    Raises:
        InputError: no registry, unknown panel or version (the message names registry and spec).
    """
    registry = Path(registry)
    panel_id, version = parse_spec(spec)
    if not registry.is_dir():
        raise InputError(f"{registry}: panel registry folder not found (spec {spec!r})")
    versions = registry_versions(registry, panel_id)
    if versions:
        if version is None:
            newest = max(versions, key=version_key)
            path = versions[newest]
        elif version in versions:
            path = versions[version]
        else:
            have = ", ".join(sorted(versions, key=version_key))
            raise InputError(
                f"{registry}: panel {spec!r} not found (versions of {panel_id}: {have})"
            )
        return path if path.name.startswith(f"{panel_id}_") else _definition_in(path)
    flat = _flat_file(registry, panel_id)
    if flat is None:
        raise InputError(f"{registry}: panel {spec!r} not found")
    if version is not None:
        raise InputError(
            f"{registry}: panel {spec!r} not found ({flat.name} is unversioned; use "
            f"{panel_id}/{version}/ to pin versions)"
        )
    return flat


def definition_files(registry: Path, spec: str) -> list[Path]:
    """The files a panel spec reads (one file, or an ELLA folder's files): workflow inputs.

    Raises:
        InputError: as :func:`locate_panel`.
    """
    path = locate_panel(registry, spec)
    return list(ella_files(path)) if path.is_dir() else [path]


def spec_for(panel_id: str, requested: Iterable[str]) -> str:
    """The spec (``id`` or ``id@version``) requested for a panel id; the first one wins.

    Raises:
        InputError: the id is not requested.
    """
    for spec in requested:
        if parse_spec(spec)[0] == panel_id:
            return spec
    raise InputError(f"panel {panel_id} is not requested by any sample")


def workflow_inputs(registry: Path, panel_id: str, requested: Iterable[str]) -> list[str]:
    """Definition files of the requested version of a panel, as rule input strings."""
    return [str(p) for p in definition_files(registry, spec_for(panel_id, requested))]


def _same_version(a: str, b: str) -> bool:
    return version_key(a) == version_key(b)


def load_registry_panel(registry: Path, spec: str, min_confidence: int = GREEN) -> Panel:
    """Locate and read a panel; the registry's id and version name it.

    A definition that names itself differently (Scout ``##panel_id``, an ELLA folder) or
    declares another version is refused, so an output never names a version it did not use.
    PanelApp files keep their own name as the display name.

    Raises:
        InputError: as :func:`locate_panel`, or a definition that contradicts the registry.
    """
    registry = Path(registry)
    panel_id, _ = parse_spec(spec)
    path = locate_panel(registry, spec)
    panel = load_any(path, min_confidence)
    if path == _flat_file(registry, panel_id):
        if panel.format == "scout" and panel.id != panel_id:
            raise InputError(f"{path}: ##panel_id={panel.id} but the file is {panel_id}")
        return replace(panel, id=panel_id)
    if path.name.startswith(f"{panel_id}_") and path.is_dir():
        version = path.name[len(panel_id) + 1 :]
    else:
        version = (path if path.is_dir() else path.parent).name
    if panel.format in ("scout", "ella") and panel.id not in (panel_id, version):
        raise InputError(f"{path}: names panel {panel.id!r}, registry folder is {panel_id!r}")
    if panel.version and not _same_version(panel.version, version):
        raise InputError(
            f"{path}: declares version {panel.version!r}, registry folder is {version!r}"
        )
    display = panel.display_name if panel.display_name != panel.id else panel_id
    return replace(panel, id=panel_id, version=version, display_name=display)


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
        panel_transcripts: transcripts the panel names for the gene.
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
    panel_transcripts: tuple[str, ...] = ()

    @property
    def transcript_fallback(self) -> bool:
        """True when the panel named transcripts but none of them could be used."""
        return bool(self.panel_transcripts) and self.transcript_source != "panel"


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
        doc["panel_transcripts"] = list(g.panel_transcripts)
        doc["transcript_fallback"] = g.transcript_fallback
        doc["regions"] = [
            {"chrom": r.chrom, "start0": r.start0, "end": r.end, "name": r.name} for r in g.regions
        ]
        gene_docs.append(doc)
    return {
        "id": panel.id,
        "version": panel.version,
        "display_name": panel.display_name,
        "sha256": panel.sha256,
        "format": panel.format,
        "file": panel.path,
        "files": [{"path": f, "sha256": h} for f, h in panel.files],
        "gene_model": gff3,
        "acceptor_padding": acceptor_padding,
        "donor_padding": donor_padding,
        "genes": gene_docs,
        "missing_genes": list(missing),
        "excluded_genes": list(panel.excluded),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="hurtig resolve-panel", description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--panel", type=Path, help="one definition (any format) or ELLA folder")
    source.add_argument("--registry", type=Path, help="panel registry folder (with --spec)")
    parser.add_argument("--spec", help="ID or ID@VERSION in the registry")
    parser.add_argument("--gff3", required=True, type=Path, help="Ensembl GFF3 (plain or .gz)")
    parser.add_argument("--out-bed", required=True, type=Path)
    parser.add_argument("--out-json", required=True, type=Path)
    parser.add_argument("--acceptor-padding", type=int, default=DEFAULT_ACCEPTOR_PADDING)
    parser.add_argument("--donor-padding", type=int, default=DEFAULT_DONOR_PADDING)
    parser.add_argument(
        "--min-confidence",
        type=int,
        default=GREEN,
        help="PanelApp: lowest confidence kept (3 = green only, the default)",
    )
    args = parser.parse_args(argv)
    if args.acceptor_padding < 0 or args.donor_padding < 0:
        raise InputError("--acceptor-padding/--donor-padding: must be >= 0")
    if (args.registry is None) != (args.spec is None):
        raise InputError("--registry and --spec go together")
    if args.registry is not None:
        panel = load_registry_panel(args.registry, args.spec, args.min_confidence)
    else:
        panel = load_any(args.panel, args.min_confidence)
    model = load_gff3(args.gff3)
    genes, missing = resolve_panel(panel, model, args.acceptor_padding, args.donor_padding)
    if not genes:
        raise InputError(f"{panel.path}: none of the panel genes is in {args.gff3}")
    doc = panel_json(
        panel, genes, missing, str(args.gff3), args.acceptor_padding, args.donor_padding
    )
    if args.spec:
        doc["spec"] = args.spec
    write_text_atomic(args.out_bed, bed_text(genes))
    write_text_atomic(args.out_json, json.dumps(doc, indent=2) + "\n")
    label = f"{panel.id}@{panel.version or 'unversioned'}"
    for miss in missing:
        name = miss["symbol"] or miss["hgnc_id"]
        print(f"hurtig warning: {label}: gene {name} {miss['reason']}", file=sys.stderr)
    for g in genes:
        if g.transcript_fallback:
            print(
                f"hurtig warning: {label}: {g.symbol}: panel transcript "
                f"{', '.join(g.panel_transcripts)} not usable, using {g.transcript} "
                f"({g.transcript_source})",
                file=sys.stderr,
            )
    return 0
