"""Parse an Ensembl GFF3 gene model into genes, transcripts, exons and CDS parts.

Coordinates are 1-based and inclusive, as in GFF3. Exons and CDS parts are kept in
transcript order (5' to 3' of the transcript: ascending on ``+``, descending on ``-``).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from hurtig.errors import InputError

CANONICAL_TAGS: tuple[str, ...] = ("MANE_Select", "Ensembl_canonical")
"""Transcript tags that mark the gene model's preferred transcript, strongest first."""

_HGNC_RE = re.compile(r"HGNC:(\d+)")
_REFSEQ_RE = re.compile(r"^[NX][MR]_\d+(?:\.\d+)?$")
REFSEQ_ATTRIBUTES: tuple[str, ...] = ("Dbxref", "db_xref", "MANE_Select", "MANE_Plus_Clinical")
"""Transcript attributes searched for RefSeq accessions (``Dbxref=RefSeq:NM_000100.4,...``)."""


@dataclass(frozen=True)
class Segment:
    """One exon or CDS part.

    Attributes:
        start: first base, 1-based.
        end: last base, 1-based inclusive.
        phase: CDS phase (0, 1, 2) or ``None`` for exons.
    """

    start: int
    end: int
    phase: int | None = None

    @property
    def length(self) -> int:
        """Number of bases."""
        return self.end - self.start + 1


@dataclass(frozen=True)
class Transcript:
    """A transcript with its exons and CDS parts in transcript order.

    Attributes:
        id: Ensembl transcript id without the ``transcript:`` prefix.
        gene_id: Ensembl gene id without the ``gene:`` prefix.
        name: transcript name (e.g. ``APP-004``).
        biotype: Ensembl biotype (``protein_coding``, ``lincRNA`` ...).
        chrom: sequence name.
        strand: ``+`` or ``-``.
        start: lowest coordinate.
        end: highest coordinate.
        exons: exons in transcript order.
        cds: CDS parts in transcript order (empty for non-coding transcripts).
        tags: ``tag=`` values (e.g. ``basic``, ``Ensembl_canonical``, ``MANE_Select``).
        ccds: CCDS id or empty.
        version: Ensembl version (``version=`` attribute) or empty.
        refseq: RefSeq accessions (with version) the gene model maps to this transcript.
    """

    id: str
    gene_id: str
    name: str
    biotype: str
    chrom: str
    strand: str
    start: int
    end: int
    exons: tuple[Segment, ...]
    cds: tuple[Segment, ...] = ()
    tags: tuple[str, ...] = ()
    ccds: str = ""
    version: str = ""
    refseq: tuple[str, ...] = ()

    @property
    def versioned_id(self) -> str:
        """``ENST...N`` when the version is known, else the bare id."""
        return f"{self.id}.{self.version}" if self.version else self.id

    @property
    def is_coding(self) -> bool:
        """True when the transcript has CDS parts."""
        return bool(self.cds)

    @property
    def cds_length(self) -> int:
        """Total CDS length in bases (0 for non-coding)."""
        return sum(part.length for part in self.cds)

    @property
    def is_canonical(self) -> bool:
        """True when tagged MANE_Select or Ensembl_canonical."""
        return any(tag in self.tags for tag in CANONICAL_TAGS)

    @property
    def cds_start(self) -> int | None:
        """Lowest genomic CDS coordinate (``None`` for non-coding)."""
        return min(p.start for p in self.cds) if self.cds else None

    @property
    def cds_end(self) -> int | None:
        """Highest genomic CDS coordinate (``None`` for non-coding)."""
        return max(p.end for p in self.cds) if self.cds else None

    def coding_exons(self) -> tuple[tuple[int, Segment], ...]:
        """Coding parts of exons, numbered by exon rank (1-based, transcript order).

        Returns:
            ``(exon_number, Segment)`` pairs; for non-coding transcripts every whole exon.
        """
        if not self.cds:
            return tuple((i + 1, exon) for i, exon in enumerate(self.exons))
        lo, hi = self.cds_start, self.cds_end
        assert lo is not None and hi is not None
        out: list[tuple[int, Segment]] = []
        for i, exon in enumerate(self.exons):
            start, end = max(exon.start, lo), min(exon.end, hi)
            if start <= end:
                out.append((i + 1, Segment(start, end)))
        return tuple(out)


@dataclass(frozen=True)
class Gene:
    """A gene with its transcripts.

    Attributes:
        id: Ensembl gene id without the ``gene:`` prefix.
        name: gene symbol (``Name=``).
        biotype: Ensembl biotype.
        chrom: sequence name.
        strand: ``+`` or ``-``.
        start: lowest coordinate.
        end: highest coordinate.
        hgnc_id: ``HGNC:nnn`` taken from the description, or empty.
        transcripts: transcripts sorted by id.
    """

    id: str
    name: str
    biotype: str
    chrom: str
    strand: str
    start: int
    end: int
    hgnc_id: str = ""
    transcripts: tuple[Transcript, ...] = ()


@dataclass(frozen=True)
class GeneModel:
    """All genes of a GFF3 file, with look-ups.

    Attributes:
        path: source file.
        genes: genes sorted by chrom and start.
    """

    path: str
    genes: tuple[Gene, ...]
    _by_symbol: dict[str, Gene] = field(default_factory=dict, repr=False, compare=False)
    _by_hgnc: dict[str, Gene] = field(default_factory=dict, repr=False, compare=False)
    _transcripts: dict[str, Transcript] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Fill the look-up tables."""
        for gene in self.genes:
            self._by_symbol.setdefault(gene.name.upper(), gene)
            if gene.hgnc_id:
                self._by_hgnc.setdefault(gene.hgnc_id, gene)
            for tx in gene.transcripts:
                self._transcripts[tx.id] = tx

    def gene_by_symbol(self, symbol: str) -> Gene | None:
        """Gene by symbol (case-insensitive) or ``None``."""
        return self._by_symbol.get(symbol.upper())

    def gene_by_hgnc(self, hgnc_id: str) -> Gene | None:
        """Gene by HGNC id (``HGNC:620`` or ``620``) or ``None``."""
        key = hgnc_id if hgnc_id.upper().startswith("HGNC:") else f"HGNC:{hgnc_id}"
        return self._by_hgnc.get(key.upper())

    def transcript(self, transcript_id: str) -> Transcript | None:
        """Transcript by id, with or without a version suffix, or ``None``."""
        tx = self._transcripts.get(transcript_id)
        if tx is None and "." in transcript_id:
            tx = self._transcripts.get(transcript_id.split(".", 1)[0])
        return tx


def _open_text(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt") as handle:
            yield from handle
    except OSError as err:
        raise InputError(f"{path}: cannot read GFF3 ({err})") from err


def _attributes(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in text.strip().split(";"):
        if not item:
            continue
        key, _, value = item.partition("=")
        out[key] = unquote(value)
    return out


def refseq_accessions(attrs: dict[str, str]) -> tuple[str, ...]:
    """RefSeq transcript accessions named in a feature's attributes, in order, no duplicates.

    Entries of :data:`REFSEQ_ATTRIBUTES` are comma-separated; a database prefix
    (``RefSeq:``, ``RefSeq_mRNA:``) is dropped; only ``NM_``/``NR_``/``XM_``/``XR_`` ids are kept.
    """
    out: list[str] = []
    for key in REFSEQ_ATTRIBUTES:
        for item in attrs.get(key, "").split(","):
            acc = item.strip().rsplit(":", 1)[-1]
            if _REFSEQ_RE.match(acc) and acc not in out:
                out.append(acc)
    return tuple(out)


def _version(attrs: dict[str, str]) -> str:
    """The Ensembl version: ``version=``, else the suffix of a versioned ``transcript_id``."""
    version = attrs.get("version", "")
    if not version.isdigit():
        version = attrs.get("transcript_id", "").rpartition(".")[2]
    return version if version.isdigit() else ""


def _strip(value: str, prefix: str) -> str:
    return value[len(prefix) :] if value.startswith(prefix) else value


_Record = dict[str, str | int]


def _gene_record(
    attrs: dict[str, str], ftype: str, cols: list[str], start: int, end: int
) -> _Record:
    fid = attrs.get("ID", "")
    hgnc = _HGNC_RE.search(attrs.get("description", ""))
    return {
        "name": attrs.get("Name", _strip(fid, "gene:")),
        "biotype": attrs.get("biotype", ftype),
        "chrom": cols[0],
        "strand": cols[6],
        "start": start,
        "end": end,
        "hgnc_id": f"HGNC:{hgnc.group(1)}" if hgnc else "",
    }


def _transcript_record(
    attrs: dict[str, str], ftype: str, cols: list[str], start: int, end: int
) -> _Record:
    tags = [t for t in attrs.get("tag", "").split(",") if t]
    if attrs.get("Ensembl_canonical") or attrs.get("is_canonical") == "1":
        tags.append("Ensembl_canonical")
    return {
        "gene_id": _strip(attrs.get("Parent", ""), "gene:"),
        "name": attrs.get("Name", ""),
        "biotype": attrs.get("biotype", ftype),
        "chrom": cols[0],
        "strand": cols[6],
        "start": start,
        "end": end,
        "tags": ",".join(tags),
        "ccds": attrs.get("ccdsid", ""),
        "version": _version(attrs),
        "refseq": ",".join(refseq_accessions(attrs)),
    }


@dataclass
class _Features:
    """GFF3 features collected by id, before they are assembled into genes."""

    genes: dict[str, _Record] = field(default_factory=dict)
    transcripts: dict[str, _Record] = field(default_factory=dict)
    exons: dict[str, list[Segment]] = field(default_factory=dict)
    cds: dict[str, list[Segment]] = field(default_factory=dict)

    def add(self, path: Path, lineno: int, line: str) -> None:
        """Collect one feature line.

        Raises:
            InputError: not 9 columns, or bad coordinates.
        """
        cols = line.rstrip("\n").split("\t")
        if len(cols) != 9:
            raise InputError(f"{path}: line {lineno}: expected 9 tab-separated columns")
        ftype, phase_s = cols[2], cols[7]
        try:
            start, end = int(cols[3]), int(cols[4])
        except ValueError as err:
            raise InputError(f"{path}: line {lineno}: bad coordinates") from err
        attrs = _attributes(cols[8])
        fid = attrs.get("ID", "")
        parent = attrs.get("Parent", "")
        if fid.startswith("gene:"):
            self.genes[_strip(fid, "gene:")] = _gene_record(attrs, ftype, cols, start, end)
        elif fid.startswith("transcript:"):
            record = _transcript_record(attrs, ftype, cols, start, end)
            self.transcripts[_strip(fid, "transcript:")] = record
        elif ftype in ("exon", "CDS") and parent.startswith("transcript:"):
            for par in parent.split(","):
                tid = _strip(par, "transcript:")
                if ftype == "exon":
                    self.exons.setdefault(tid, []).append(Segment(start, end))
                else:
                    phase = int(phase_s) if phase_s in ("0", "1", "2") else None
                    self.cds.setdefault(tid, []).append(Segment(start, end, phase))

    def transcripts_by_gene(self) -> dict[str, list[Transcript]]:
        """Transcripts with at least one exon, by gene id, parts in transcript order."""
        by_gene: dict[str, list[Transcript]] = {}
        for tid, info in self.transcripts.items():
            strand = str(info["strand"])
            rev = strand == "-"
            tx_exons = sorted(set(self.exons.get(tid, [])), key=lambda s: s.start, reverse=rev)
            tx_cds = sorted(set(self.cds.get(tid, [])), key=lambda s: s.start, reverse=rev)
            if not tx_exons:
                continue
            by_gene.setdefault(str(info["gene_id"]), []).append(
                Transcript(
                    id=tid,
                    gene_id=str(info["gene_id"]),
                    name=str(info["name"]),
                    biotype=str(info["biotype"]),
                    chrom=str(info["chrom"]),
                    strand=strand,
                    start=int(info["start"]),
                    end=int(info["end"]),
                    exons=tuple(tx_exons),
                    cds=tuple(tx_cds),
                    tags=tuple(t for t in str(info["tags"]).split(",") if t),
                    ccds=str(info["ccds"]),
                    version=str(info["version"]),
                    refseq=tuple(a for a in str(info["refseq"]).split(",") if a),
                )
            )
        return by_gene


def load_gff3(path: str | Path) -> GeneModel:
    """Read an Ensembl GFF3 (plain or gzipped).

    Genes are features with ``ID=gene:...``; transcripts have ``ID=transcript:...`` and
    ``Parent=gene:...``; ``exon`` and ``CDS`` features have ``Parent=transcript:...``.
    Identical duplicate gene lines are tolerated.

    Args:
        path: the GFF3 file.

    Returns:
        The gene model.

    Raises:
        InputError: unreadable file, malformed line, or no genes.
    """
    path = Path(path)
    features = _Features()
    for lineno, line in enumerate(_open_text(path), start=1):
        if line.startswith("#") or not line.strip():
            continue
        features.add(path, lineno, line)
    if not features.genes:
        raise InputError(f"{path}: no gene features (ID=gene:...) found")
    by_gene = features.transcripts_by_gene()
    gene_list = [
        Gene(
            id=gid,
            name=str(g["name"]),
            biotype=str(g["biotype"]),
            chrom=str(g["chrom"]),
            strand=str(g["strand"]),
            start=int(g["start"]),
            end=int(g["end"]),
            hgnc_id=str(g["hgnc_id"]),
            transcripts=tuple(sorted(by_gene.get(gid, []), key=lambda t: t.id)),
        )
        for gid, g in features.genes.items()
    ]
    gene_list.sort(key=lambda g: (g.chrom, g.start, g.id))
    return GeneModel(path=str(path), genes=tuple(gene_list))
