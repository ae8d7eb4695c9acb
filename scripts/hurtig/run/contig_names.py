"""Contig names of the reference, the annotation sources and the gene model agree (chr21 vs 21).

Checked when the workflow is parsed (:func:`hurtig.run.model.load_run`), so a gnomAD named ``21``
against a ``chr21`` reference stops the run before any job, with the config line that fixes it.
Names are read cheaply: the reference's ``.fai`` (else its FASTA headers), the tabix index of
gnomAD, ClinVar and every score file, the ``##sequence-region`` lines of the GFF3 (else its
first column). A scan (FASTA without ``.fai``, GFF3 without ``##sequence-region``) is remembered
in a cache folder, keyed by the file's path, size and modification time.

``annotation.contig_map`` pairs name one contig twice (source name to reference name, e.g.
``{"21": "chr21"}``); the annotation engine reads them both ways
(:func:`hurtig.annotation.contigs.both_ways`), and so does this check. The gene model gets no
map: bcftools csq needs the reference's names.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path

import pysam

from hurtig.annotation.contigs import both_ways, counterpart
from hurtig.errors import InputError
from hurtig.io.files import write_text_atomic

_FASTA_HEADER = re.compile(rb"\n>(\S*)")
_CHUNK = 1 << 24
_MITOCHONDRIA = ("chrM", "MT", "M", "chrMT")
_SHOWN = 3


class ContigCache:
    """Contig names found by scanning a file, kept as JSON under a folder (or nowhere)."""

    def __init__(self, folder: Path | None) -> None:
        """Keep scans under ``folder`` (created on the first write); ``None`` keeps nothing."""
        self.folder = folder

    def names(self, path: Path, scan: Callable[[Path], list[str]]) -> list[str]:
        """The names of ``path``: remembered when the file is unchanged, else scanned now."""
        stat = path.stat()
        identity = {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        entry = None
        if self.folder is not None:
            entry = self.folder / f"{hashlib.sha256(str(path).encode()).hexdigest()[:20]}.json"
            try:
                known = json.loads(entry.read_text())
                if known.get("identity") == identity:
                    return list(known["names"])
            except (OSError, ValueError):
                pass
        names = scan(path)
        if entry is not None:
            # a read-only working folder only costs the next parse a rescan
            with contextlib.suppress(OSError):
                write_text_atomic(entry, json.dumps({"identity": identity, "names": names}))
        return names


def _open_text(path: Path) -> gzip.GzipFile | io.BufferedReader:
    """A file for reading bytes, decompressed when it is gzip or bgzip."""
    with path.open("rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else path.open("rb")


def fasta_headers(path: Path) -> list[str]:
    """The sequence names of a FASTA (plain or gzip), by reading it through once."""
    names: list[str] = []
    with _open_text(path) as handle:
        buffer = b"\n"  # a header on the first line follows a newline too
        while chunk := handle.read(_CHUNK):
            buffer += chunk
            cut = buffer.rfind(b"\n")
            names += [m.decode() for m in _FASTA_HEADER.findall(buffer, 0, cut)]
            buffer = buffer[cut:]
        names += [m.decode() for m in _FASTA_HEADER.findall(buffer)]
    return names


def reference_contigs(fasta: Path, cache: ContigCache) -> list[str]:
    """The reference's contig names: from its ``.fai`` when present, else from its headers."""
    fai = Path(f"{fasta}.fai")
    if fai.is_file() and fai.stat().st_mtime_ns >= fasta.stat().st_mtime_ns:
        return [line.split("\t", 1)[0] for line in fai.read_text().splitlines() if line]
    return cache.names(fasta, fasta_headers)


def indexed_contigs(where: str, path: Path) -> list[str]:
    """The contig names in the tabix index (``.tbi`` or ``.csi``) of a bgzipped file.

    Raises:
        InputError: no index, or the file is not bgzipped.
    """
    try:
        with pysam.TabixFile(str(path)) as indexed:
            return list(indexed.contigs)
    except (OSError, ValueError) as err:
        raise InputError(
            f"{where}: cannot read the tabix index of {path} ({err}); the file must be "
            f"bgzipped and indexed: tabix -p vcf (or -s1 -b2 -e2 for a TSV) {path.name}"
        ) from err


def _gff3_seqids(path: Path) -> list[str]:
    """The seqids of a GFF3's features (first column), in order of appearance."""
    seen: dict[str, None] = {}
    with _open_text(path) as handle:
        for line in handle:
            if line.startswith(b"##FASTA"):
                break
            if line.startswith(b"#") or not line.strip():
                continue
            seen.setdefault(line.split(b"\t", 1)[0].decode(), None)
    return list(seen)


def gff3_contigs(path: Path, cache: ContigCache) -> list[str]:
    """The GFF3's seqids: its ``##sequence-region`` lines, else its features' first column."""
    regions: list[str] = []
    with _open_text(path) as handle:
        for line in handle:
            if not line.startswith(b"#"):
                break
            if line.startswith(b"##sequence-region"):
                fields = line.split()
                if len(fields) > 1:
                    regions.append(fields[1].decode())
    return regions or cache.names(path, _gff3_seqids)


def _few(names: Iterable[str]) -> str:
    """At most three names, comma-separated, with how many more."""
    listed = list(dict.fromkeys(names))
    shown = ", ".join(listed[:_SHOWN])
    return shown if len(listed) <= _SHOWN else f"{shown} and {len(listed) - _SHOWN} more"


def _twin(name: str, reference: Collection[str]) -> str | None:
    """The reference's name for ``name`` in the other naming style (chr21/21, chrM/MT)."""
    candidates = [counterpart(name)]
    if name in _MITOCHONDRIA:
        candidates += [m for m in _MITOCHONDRIA if m != name]
    return next((c for c in candidates if c in reference), None)


def renamed_contigs(
    names: Iterable[str], reference: Collection[str], contig_map: Mapping[str, str]
) -> dict[str, str]:
    """Names the reference has in the other style and the map does not cover: name → ref name."""
    pairs = both_ways(dict(contig_map))
    out: dict[str, str] = {}
    for name in names:
        if name in reference or pairs.get(name) in reference:
            continue
        twin = _twin(name, reference)
        if twin is not None:
            out[name] = twin
    return out


def check_source(
    where: str, path: Path, reference: Collection[str], contig_map: Mapping[str, str]
) -> None:
    """An annotation source names contigs as the reference does, or through the contig map.

    Raises:
        InputError: the source uses the other naming style (with the ``contig_map`` to add), or
            none of its contigs is in the reference.
    """
    names = indexed_contigs(where, path)
    renamed = renamed_contigs(names, reference, contig_map)
    if renamed:
        raise InputError(
            f"{where}: {path.name} names contigs {_few(renamed)} but the reference "
            f"{_few(renamed.values())}: add annotation.contig_map: {json.dumps(renamed)} "
            "to the config"
        )
    pairs = both_ways(dict(contig_map))
    if names and not any(n in reference or pairs.get(n) in reference for n in names):
        raise InputError(
            f"{where}: {path.name} shares no contig with the reference ({path.name}: "
            f"{_few(names)}; reference: {_few(reference)}): use a source for this reference "
            "or map its names with annotation.contig_map"
        )


def check_gene_model(
    where: str, path: Path, reference: Collection[str], cache: ContigCache
) -> None:
    """The GFF3 uses the reference's contig names (bcftools csq takes no map).

    Raises:
        InputError: it uses the other naming style, or none of its seqids is in the reference.
    """
    names = gff3_contigs(path, cache)
    renamed = renamed_contigs(names, reference, {})
    if renamed:
        raise InputError(
            f"{where}: {path.name} names contigs {_few(renamed)} but the reference "
            f"{_few(renamed.values())}: the gene model must use the reference's names "
            "(annotation.contig_map does not apply to it); use a GFF3 for this reference"
        )
    if names and not any(n in reference for n in names):
        raise InputError(
            f"{where}: {path.name} shares no contig with the reference ({path.name}: "
            f"{_few(names)}; reference: {_few(reference)}): use a GFF3 for this reference"
        )
