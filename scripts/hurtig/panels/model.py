"""The resolved panel: its owner type and the two files it is written to.

``hurtig resolve-panel`` writes, per panel, ``results/panels/_regions/{panel}.json``
(:class:`ResolvedPanel`: the definition's identity and checksums, every gene with its default
transcript, structure and padded regions, the genes left out) and
``results/panels/_regions/{panel}.bed`` (BED6 of the padded regions, :meth:`ResolvedPanel.bed_text`,
read back by :func:`read_bed`). Coordinates: ``start0`` is 0-based, ``end`` is 1-based
inclusive (BED); transcript structure is 1-based inclusive (GFF3).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hurtig.errors import InputError
from hurtig.genes.gene_model import Segment, Transcript
from hurtig.io.files import write_text_atomic
from hurtig.panels.formats.definition import GeneDisease


@dataclass(frozen=True)
class Region:
    """A padded region of a default transcript (BED6 row).

    Attributes:
        chrom: sequence name.
        start0: 0-based start.
        end: end (exclusive 0-based = inclusive 1-based).
        name: ``SYMBOL|TRANSCRIPT|exonN`` (``+exonM`` appended for merged exons).
        strand: ``+`` or ``-`` (``.`` when a BED without strand was read).
    """

    chrom: str
    start0: int
    end: int
    name: str
    strand: str

    @property
    def gene(self) -> str:
        """The gene symbol of the region name."""
        return self.name.split("|")[0]

    def bed_line(self) -> str:
        """The BED6 line (with its newline)."""
        return f"{self.chrom}\t{self.start0}\t{self.end}\t{self.name}\t0\t{self.strand}\n"


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
        "version": tx.version,
        "refseq": list(tx.refseq),
    }


def transcript_from_json(doc: Mapping[str, Any]) -> Transcript:
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
            start=int(doc["start"]),
            end=int(doc["end"]),
            exons=tuple(Segment(int(a), int(b)) for a, b in doc["exons"]),
            cds=tuple(
                Segment(int(a), int(b), None if ph is None else int(ph))
                for a, b, ph in doc.get("cds", [])
            ),
            tags=tuple(str(t) for t in doc.get("tags", [])),
            ccds=str(doc.get("ccds", "")),
            version=str(doc.get("version", "")),
            refseq=tuple(str(r) for r in doc.get("refseq", [])),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(f"panel JSON: bad transcript model ({err})") from err


@dataclass(frozen=True)
class ResolvedGene:
    """A panel gene with its default transcript and regions.

    Attributes:
        symbol: symbol as in the gene model.
        hgnc_id: HGNC id (panel's, else the gene model's).
        gene_id: Ensembl gene id.
        transcript: default transcript id (without version: the key bcftools csq reports).
        transcript_source: why it was chosen (``panel``, ``mane_select``,
            ``ensembl_canonical``, ``longest_cds``, ``longest``).
        biotype: transcript biotype.
        chrom: sequence name.
        strand: strand.
        inheritance: modes of inheritance as strings.
        notes: remarks (e.g. panel RefSeq transcript that could not be mapped).
        regions: padded regions.
        model: the default transcript's structure (exons, CDS) for HGVS downstream.
        panel_transcripts: transcripts the panel names for the gene.
        transcript_note: the fallback line (panel transcript not found, or found with another
            version: which one is used and why), empty when the panel's transcript is used as
            named or the panel names none.
        disease: the panel's phenotypes, OMIM number and mechanism for the gene.
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
    transcript_note: str = ""
    disease: GeneDisease = field(default_factory=GeneDisease)

    @property
    def transcript_versioned(self) -> str:
        """The default transcript with its version (``ENST00000291568.5``) when known."""
        return self.model.versioned_id

    @property
    def transcript_fallback(self) -> bool:
        """True when the panel named transcripts but none of them could be used."""
        return bool(self.panel_transcripts) and self.transcript_source != "panel"

    def to_json(self) -> dict[str, object]:
        """The gene's entry in the panel JSON."""
        return {
            "symbol": self.symbol,
            "hgnc_id": self.hgnc_id,
            "gene_id": self.gene_id,
            "transcript": self.transcript,
            "transcript_versioned": self.transcript_versioned,
            "refseq": list(self.model.refseq),
            "transcript_source": self.transcript_source,
            "biotype": self.biotype,
            "chrom": self.chrom,
            "strand": self.strand,
            "inheritance": list(self.inheritance),
            "notes": list(self.notes),
            "regions": [
                {"chrom": r.chrom, "start0": r.start0, "end": r.end, "name": r.name}
                for r in self.regions
            ],
            "panel_transcripts": list(self.panel_transcripts),
            "transcript_model": transcript_to_json(self.model),
            "transcript_fallback": self.transcript_fallback,
            "transcript_note": self.transcript_note,
            "disease": self.disease.to_json(),
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ResolvedGene:
        """Rebuild a gene entry (older files without the later keys are accepted).

        Raises:
            InputError: malformed transcript model.
            KeyError: no ``symbol`` or ``transcript_model``.
            TypeError, ValueError: malformed values.
        """
        model = transcript_from_json(doc["transcript_model"])
        strand = str(doc.get("strand", model.strand))
        return cls(
            symbol=str(doc["symbol"]),
            hgnc_id=str(doc.get("hgnc_id", "")),
            gene_id=str(doc.get("gene_id", model.gene_id)),
            transcript=str(doc.get("transcript", model.id)),
            transcript_source=str(doc.get("transcript_source", "")),
            biotype=str(doc.get("biotype", model.biotype)),
            chrom=str(doc.get("chrom", model.chrom)),
            strand=strand,
            inheritance=tuple(str(m) for m in doc.get("inheritance", [])),
            notes=tuple(str(n) for n in doc.get("notes", [])),
            regions=tuple(
                Region(str(r["chrom"]), int(r["start0"]), int(r["end"]), str(r["name"]), strand)
                for r in doc.get("regions", [])
            ),
            model=model,
            panel_transcripts=tuple(str(t) for t in doc.get("panel_transcripts", [])),
            transcript_note=str(doc.get("transcript_note", "")),
            disease=GeneDisease.from_json(doc.get("disease")),
        )


def _str_dicts(items: Sequence[Mapping[str, Any]]) -> tuple[dict[str, str], ...]:
    return tuple({str(k): str(v) for k, v in item.items()} for item in items)


@dataclass(frozen=True)
class ResolvedPanel:
    """A panel resolved on a gene model: the ``results/panels/_regions/{panel}.json`` file.

    Attributes:
        id: panel id (the registry's).
        version: panel version (may be empty).
        display_name: human name.
        sha256: checksum of the definition file(s).
        format: definition format (``scout``, ``ella``, ...).
        file: the definition file or folder.
        files: ``(path, sha256)`` of every definition file read.
        gene_model: the GFF3 the panel was resolved on.
        acceptor_padding: intronic bases before each exon.
        donor_padding: intronic bases after each exon.
        genes: resolved genes, in panel order.
        missing_genes: genes not resolved, as ``{symbol, hgnc_id, reason}``.
        excluded_genes: entries the definition leaves out on purpose, same shape.
        spec: the registry spec (``id`` or ``id@version``) when resolved from a registry.
    """

    id: str
    version: str
    display_name: str
    sha256: str
    format: str
    file: str
    files: tuple[tuple[str, str], ...]
    gene_model: str
    acceptor_padding: int
    donor_padding: int
    genes: tuple[ResolvedGene, ...]
    missing_genes: tuple[dict[str, str], ...] = ()
    excluded_genes: tuple[dict[str, str], ...] = ()
    spec: str | None = None

    def genes_by_symbol(self) -> dict[str, ResolvedGene]:
        """Genes by symbol (a symbol listed twice keeps its first place and last entry)."""
        return {g.symbol: g for g in self.genes}

    def to_json(self) -> dict[str, object]:
        """The JSON document (key order as written)."""
        doc: dict[str, object] = {
            "id": self.id,
            "version": self.version,
            "display_name": self.display_name,
            "sha256": self.sha256,
            "format": self.format,
            "file": self.file,
            "files": [{"path": f, "sha256": h} for f, h in self.files],
            "gene_model": self.gene_model,
            "acceptor_padding": self.acceptor_padding,
            "donor_padding": self.donor_padding,
            "genes": [g.to_json() for g in self.genes],
            "missing_genes": [dict(m) for m in self.missing_genes],
            "excluded_genes": [dict(e) for e in self.excluded_genes],
        }
        if self.spec:
            doc["spec"] = self.spec
        return doc

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ResolvedPanel:
        """Rebuild from a JSON document (keys added in later versions may be absent).

        Raises:
            InputError: malformed transcript model.
            KeyError, TypeError, ValueError: other malformed content.
        """
        return cls(
            id=str(doc["id"]),
            version=str(doc.get("version", "")),
            display_name=str(doc.get("display_name", "")),
            sha256=str(doc.get("sha256", "")),
            format=str(doc.get("format", "")),
            file=str(doc.get("file", "")),
            files=tuple((str(f["path"]), str(f["sha256"])) for f in doc.get("files", [])),
            gene_model=str(doc.get("gene_model", "")),
            acceptor_padding=int(doc.get("acceptor_padding", 0)),
            donor_padding=int(doc.get("donor_padding", 0)),
            genes=tuple(ResolvedGene.from_json(g) for g in doc["genes"]),
            missing_genes=_str_dicts(doc.get("missing_genes", [])),
            excluded_genes=_str_dicts(doc.get("excluded_genes", [])),
            spec=str(doc["spec"]) if doc.get("spec") else None,
        )

    def write(self, path: Path) -> None:
        """Write the JSON file (atomically)."""
        write_text_atomic(path, json.dumps(self.to_json(), indent=2) + "\n")

    @classmethod
    def read(cls, path: Path) -> ResolvedPanel:
        """Read a JSON file written by :meth:`write`.

        Raises:
            InputError: unreadable or malformed.
        """
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise InputError(f"{path}: cannot read panel JSON ({err})") from err

    def bed_text(self) -> str:
        """BED6 text of all regions, sorted by chrom, start, end, name."""
        return bed_text(self.genes)

    def write_bed(self, path: Path) -> None:
        """Write the BED file (atomically)."""
        write_text_atomic(path, self.bed_text())


def bed_text(genes: Sequence[ResolvedGene]) -> str:
    """BED6 text of the genes' regions, sorted by chrom, start, end, name."""
    rows = sorted(
        (r for g in genes for r in g.regions), key=lambda r: (r.chrom, r.start0, r.end, r.name)
    )
    return "".join(r.bed_line() for r in rows)


def read_bed(path: Path) -> list[Region]:
    """The regions of a panel BED (strand ``.`` when the file has no strand column).

    Comment, ``track`` and ``browser`` lines are skipped.

    Raises:
        InputError: unreadable, or a line without chrom, start, end and name.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(f"{path}: cannot read BED ({err})") from err
    out = []
    for i, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        cols = line.split("\t")
        try:
            strand = cols[5] if len(cols) > 5 else "."
            out.append(Region(cols[0], int(cols[1]), int(cols[2]), cols[3], strand))
        except (IndexError, ValueError) as err:
            raise InputError(f"{path}: line {i}: expected chrom, start, end, name") from err
    return out
