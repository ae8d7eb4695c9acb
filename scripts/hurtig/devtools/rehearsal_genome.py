"""A synthetic GRCh38-shaped reference for genome-scale rehearsals: contigs, sequence, genes.

Contig names and relative sizes are GRCh38's (primary assembly chr1..chr22, chrX, chrY, chrM and a
few unplaced/unlocalised contigs), scaled by a factor (chrM keeps its real 16,569 bp; no contig is
shorter than :data:`MIN_CONTIG`). The bases come from the real GRCh38 chr21 sequence the demo
ships (:data:`SOURCE_WINDOWS`, 1.17 Mbp, seen as one ring): the genome is the ring laid end to end
over the contigs, cut into tiles at contig ends and ring wraps. Every tile is mutated (2 %
substitutions, its own seed) and every third one reverse-complemented, so copies of the same ring
position differ by ~4 % and reads map uniquely. Primary chromosomes get N-runs at both ends like
real telomeres (10 kb scaled). Genes of the demo's Ensembl model that lie wholly inside a tile are
copied onto it with shifted (or mirrored) coordinates and ids suffixed ``_r<tile>``.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pysam

GRCH38_PRIMARY: tuple[tuple[str, int], ...] = (
    ("chr1", 248_956_422),
    ("chr2", 242_193_529),
    ("chr3", 198_295_559),
    ("chr4", 190_214_555),
    ("chr5", 181_538_259),
    ("chr6", 170_805_979),
    ("chr7", 159_345_973),
    ("chr8", 145_138_636),
    ("chr9", 138_394_717),
    ("chr10", 133_797_422),
    ("chr11", 135_086_622),
    ("chr12", 133_275_309),
    ("chr13", 114_364_328),
    ("chr14", 107_043_718),
    ("chr15", 101_991_189),
    ("chr16", 90_338_345),
    ("chr17", 83_257_441),
    ("chr18", 80_373_285),
    ("chr19", 58_617_616),
    ("chr20", 64_444_167),
    ("chr21", 46_709_983),
    ("chr22", 50_818_468),
    ("chrX", 156_040_895),
    ("chrY", 57_227_415),
    ("chrM", 16_569),
)
"""GRCh38 primary-assembly chromosomes and their lengths (GCA_000001405.15)."""
GRCH38_UNPLACED: tuple[tuple[str, int], ...] = (
    ("chr1_KI270706v1_random", 175_055),
    ("chr14_GL000009v2_random", 201_709),
    ("chr22_KI270733v1_random", 179_772),
    ("chrUn_KI270742v1", 186_739),
    ("chrUn_GL000220v1", 161_802),
)
"""A few GRCh38 unlocalised (``_random``) and unplaced (``chrUn_``) contigs and their lengths."""
MITO = "chrM"
MIN_CONTIG = 1_000
"""Floor on a scaled contig's length (wgsim skips contigs shorter than its insert size)."""
TELOMERE = 10_000
"""Real GRCh38 chromosomes start and end with 10 kb of N; scaled like the rest."""
SOURCE_WINDOWS: tuple[tuple[str, int, int], ...] = (
    ("chr21", 24_985_581, 26_023_859),
    ("chr21", 43_758_155, 43_894_067),
)
"""Real-sequence windows of the demo's chr21 (1-based, inclusive): the ring the tiles copy."""
SUBSTITUTION_RATE = 0.02
REVERSE_EVERY = 3
_COMPLEMENT = bytes.maketrans(b"ACGTN", b"TGCAN")
_CODE = np.full(256, 255, dtype=np.uint8)
_CODE[list(b"ACGT")] = [0, 1, 2, 3]


@dataclass(frozen=True)
class Tile:
    """A piece of a contig copied from the ring.

    Attributes:
        index: tile number over the whole genome (names gene copies, seeds the mutations).
        contig: contig name.
        start: 0-based start in the contig.
        length: bases.
        source: 0-based ring offset of the piece's first base (before any reversal).
        reverse: the piece is reverse-complemented.
    """

    index: int
    contig: str
    start: int
    length: int
    source: int
    reverse: bool

    def to_contig(self, ring_pos: int) -> int:
        """0-based contig position of a 0-based ring position inside this tile."""
        offset = ring_pos - self.source
        if self.reverse:
            offset = self.length - 1 - offset
        return self.start + offset


def scaled_contigs(scale: float, unplaced: bool = True) -> dict[str, int]:
    """Contig names and lengths of the rehearsal genome at ``scale`` (e.g. 0.01 for 1/100)."""
    contigs = [*GRCH38_PRIMARY, *(GRCH38_UNPLACED if unplaced else ())]
    return {
        name: length if name == MITO else max(MIN_CONTIG, round(length * scale))
        for name, length in contigs
    }


def telomere_length(name: str, scale: float) -> int:
    """N-run at each end of ``name``: scaled telomere on primary chromosomes, else none."""
    primary = {n for n, _ in GRCH38_PRIMARY} - {MITO}
    return round(TELOMERE * scale) if name in primary else 0


def plan_tiles(contigs: dict[str, int], ring_length: int, scale: float) -> list[Tile]:
    """Lay the ring end to end over the contigs (inside their telomeres), cut into tiles."""
    tiles: list[Tile] = []
    cursor = 0
    for name, length in contigs.items():
        tel = telomere_length(name, scale)
        pos, end = tel, length - tel
        while pos < end:
            n = min(end - pos, ring_length - cursor)
            index = len(tiles)
            tiles.append(
                Tile(index, name, pos, n, cursor, index % REVERSE_EVERY == REVERSE_EVERY - 1)
            )
            pos += n
            cursor = (cursor + n) % ring_length
    return tiles


def load_ring(fasta: Path) -> bytes:
    """The source windows of the demo chr21 FASTA, concatenated, upper case."""
    with pysam.FastaFile(str(fasta)) as fa:
        return b"".join(
            fa.fetch(chrom, start - 1, end).upper().encode() for chrom, start, end in SOURCE_WINDOWS
        )


def mutate(sequence: bytes, seed: int, rate: float = SUBSTITUTION_RATE) -> bytes:
    """``sequence`` with a fraction ``rate`` of its A/C/G/T bases substituted (seeded)."""
    rng = np.random.default_rng(seed)
    arr = np.frombuffer(sequence, dtype=np.uint8).copy()
    codes = _CODE[arr]
    hit = (rng.random(len(arr)) < rate) & (codes < 4)
    shift = rng.integers(1, 4, len(arr), dtype=np.uint8)
    new_codes = (codes[hit] + shift[hit]) % 4
    arr[hit] = np.frombuffer(b"ACGT", dtype=np.uint8)[new_codes]
    return arr.tobytes()


def reverse_complement(sequence: bytes) -> bytes:
    """Reverse complement of an upper-case A/C/G/T/N sequence."""
    return sequence.translate(_COMPLEMENT)[::-1]


def tile_sequence(ring: bytes, tile: Tile, seed: int) -> bytes:
    """The bases of one tile: ring piece, mutated with ``seed + index``, maybe reversed."""
    piece = mutate(ring[tile.source : tile.source + tile.length], seed + tile.index)
    return reverse_complement(piece) if tile.reverse else piece


def contig_sequences(
    ring: bytes, contigs: dict[str, int], tiles: Sequence[Tile], seed: int
) -> Iterator[tuple[str, bytes]]:
    """(name, sequence) of every contig: N-filled, tiles written in."""
    by_contig: dict[str, list[Tile]] = {}
    for tile in tiles:
        by_contig.setdefault(tile.contig, []).append(tile)
    for name, length in contigs.items():
        seq = bytearray(b"N" * length)
        for tile in by_contig.get(name, []):
            seq[tile.start : tile.start + tile.length] = tile_sequence(ring, tile, seed)
        yield name, bytes(seq)


def write_fasta(path: Path, records: Iterator[tuple[str, bytes]]) -> dict[str, bytes]:
    """Write plain FASTA (60 bases a line); returns the sequences by name."""
    kept: dict[str, bytes] = {}
    with path.open("wb") as handle:
        for name, seq in records:
            kept[name] = seq
            handle.write(f">{name}\n".encode())
            for i in range(0, len(seq), 60):
                handle.write(seq[i : i + 60] + b"\n")
    return kept


# --------------------------------------------------------------------------- gene model


@dataclass(frozen=True)
class SourceGene:
    """One gene of the source model with all its descendant features, in ring coordinates."""

    start: int
    end: int
    features: tuple[tuple[str, ...], ...]


def _attrs(text: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split(";") if "=" in item)


def _ring_offset(chrom: str, pos: int) -> int | None:
    offset = 0
    for w_chrom, w_start, w_end in SOURCE_WINDOWS:
        if chrom == w_chrom and w_start <= pos <= w_end:
            return offset + pos - w_start
        offset += w_end - w_start + 1
    return None


def _root(fid: str, parents: dict[str, str]) -> str:
    while fid in parents:
        fid = parents[fid]
    return fid


def load_source_genes(gff3: Path) -> list[SourceGene]:
    """Genes of ``gff3`` lying wholly inside one source window, in ring coordinates (0-based)."""
    rows: list[list[str]] = []
    parents: dict[str, str] = {}
    with gzip.open(gff3, "rt") as handle:
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if line.startswith("#") or len(fields) != 9:
                continue
            attrs = _attrs(fields[8])
            if "ID" in attrs and "Parent" in attrs:
                parents[attrs["ID"]] = attrs["Parent"].split(",")[0]
            rows.append(fields)
    groups: dict[str, list[list[str]]] = {}
    for fields in rows:
        attrs = _attrs(fields[8])
        key = attrs.get("ID") or attrs.get("Parent", "").split(",")[0]
        groups.setdefault(_root(key, parents), []).append(fields)
    genes = []
    for feats in groups.values():
        starts = [_ring_offset(f[0], int(f[3])) for f in feats]
        ends = [_ring_offset(f[0], int(f[4])) for f in feats]
        if any(x is None for x in starts + ends):
            continue
        lo, hi = min(x for x in starts if x is not None), max(x for x in ends if x is not None)
        if hi - lo != max(int(f[4]) for f in feats) - min(int(f[3]) for f in feats):
            continue  # spans two windows
        shifted = tuple(
            (*f[:3], str(s), str(e), *f[5:]) for f, s, e in zip(feats, starts, ends, strict=True)
        )
        genes.append(SourceGene(lo, hi, shifted))
    return sorted(genes, key=lambda g: g.start)


_RENAMED = ("ID", "Parent", "Name", "gene_id", "transcript_id", "exon_id", "protein_id")


def rename_attributes(text: str, tag: str) -> str:
    """GFF3 attributes with ids and names suffixed ``_<tag>``; the HGNC description dropped."""
    out = []
    for item in text.split(";"):
        key, _, value = item.partition("=")
        if key == "description":
            continue
        if key in _RENAMED and value:
            value = ",".join(f"{v}_{tag}" for v in value.split(","))
        out.append(f"{key}={value}")
    return ";".join(out)


def copy_gene(gene: SourceGene, tile: Tile) -> list[list[str]]:
    """The gene's features on ``tile`` (1-based coordinates, strand flipped on a reversed tile)."""
    flip = {"+": "-", "-": "+"}
    out = []
    for f in gene.features:
        a, b = tile.to_contig(int(f[3])) + 1, tile.to_contig(int(f[4])) + 1
        strand = flip.get(f[6], f[6]) if tile.reverse else f[6]
        attrs = rename_attributes(f[8], f"r{tile.index}")
        out.append(
            [tile.contig, f[1], f[2], str(min(a, b)), str(max(a, b)), f[5], strand, f[7], attrs]
        )
    return out


def gene_model(genes: Sequence[SourceGene], tiles: Sequence[Tile]) -> list[list[str]]:
    """GFF3 rows of every gene copy, contig by contig, genes by start."""
    rows: list[list[str]] = []
    for tile in tiles:
        copies = [
            copy_gene(g, tile)
            for g in genes
            if g.start >= tile.source and g.end < tile.source + tile.length
        ]
        copies.sort(key=lambda feats: min(int(f[3]) for f in feats))
        for feats in copies:
            rows.extend(feats)
    return rows


def write_gene_model(path: Path, rows: Sequence[Sequence[str]], contigs: dict[str, int]) -> None:
    """Plain-text GFF3 with sequence-region lines (bgzip it afterwards)."""
    with path.open("w") as handle:
        handle.write("##gff-version 3\n")
        for name, length in contigs.items():
            handle.write(f"##sequence-region {name} 1 {length}\n")
        for row in rows:
            handle.write("\t".join(row) + "\n")
