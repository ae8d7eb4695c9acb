"""The join of one shard's input text against all its sources, block by block.

A record is one text line: the join cuts a block of whole input lines into fields with numpy,
makes the block's allele keys (:func:`hurtig.annotation.keys.block_keys`), asks every source
for the lines it matches — through its prepared cache when it has one
(:class:`hurtig.annotation.join_cache.CachedStream`), else by reading the source file
(:func:`hurtig.annotation.join_files.join_source`) — and appends each source's ``KEY=value``
items to the INFO column of the matched lines, in source order. All other lines are written
through untouched. The input must be sorted and hold one ALT per record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from hurtig.annotation.csq_cache import fill_format_bcsq, missing_format_bcsq
from hurtig.annotation.join_cache import CachedStream
from hurtig.annotation.join_files import SourceStream, join_source
from hurtig.annotation.keys import block_keys
from hurtig.annotation.prepared_cache import SourceCache
from hurtig.annotation.source import DEFAULT_SEEK_RECORDS, Source
from hurtig.annotation.text_blocks import (
    Lines,
    Matches,
    assemble_lines,
    chrom_runs,
    parse_ints,
    read_blocks,
    split_lines,
    sub_lines,
)
from hurtig.errors import InputError


class Sink(Protocol):
    """Where the joined text goes: anything with ``write(bytes)`` (a file, a BGZF writer)."""

    def write(self, data: bytes, /) -> object:
        """Append ``data``."""


#: A piece of output: whole lines, and the offsets of their newlines in it.
Piece = tuple[bytes, np.ndarray]


def _strip_keys(info: str, keys: set[str]) -> str:
    kept = [item for item in info.split(";") if item.partition("=")[0] not in keys]
    return ";".join(kept) if kept else "."


def _strip_block(block: bytes, keys: set[str]) -> bytes:
    """Remove ``keys`` from the INFO column of every line of a block (re-annotation only)."""
    out = []
    for line in block.decode().splitlines():
        fields = line.split("\t", 8)
        if len(fields) >= 8:
            fields[7] = _strip_keys(fields[7], keys)
        out.append("\t".join(fields))
    return ("\n".join(out) + "\n").encode()


class BlockJoiner:
    """Joins successive blocks of input lines (one shard) against the sources."""

    def __init__(
        self,
        sources: Sequence[Source],
        caches: Sequence[SourceCache | None],
        where: str,
        strip: set[str] | None,
        fill_bcsq: bool = False,
    ) -> None:
        """Join against ``sources`` (read through ``caches[i]`` when it is not None).

        Args:
            sources: opened sources, in output order.
            caches: each source's prepared cache, or None to read the source file.
            where: the input's name for error messages.
            strip: INFO keys to remove from the input first (our keys already present).
            fill_bcsq: give every record with ``INFO/BCSQ`` a ``FORMAT/BCSQ`` (csq's output:
                :mod:`hurtig.annotation.csq_cache`).
        """
        self.sources = sources
        self.fill_bcsq = fill_bcsq
        self.caches = caches
        self.where = where
        self.strip = strip
        self.seen: set[str] = set()
        self.contig: str | None = None
        self.last_pos = 0
        self.streams: list[SourceStream | CachedStream | None] = []
        self.hits = [0] * len(sources)
        self.records = 0
        self.seek_records = sources[0].seek_records if sources else DEFAULT_SEEK_RECORDS

    def _start_contig(self, chrom: str) -> None:
        if chrom in self.seen:
            raise InputError(f"{self.where}: not sorted (contig {chrom} seen twice)")
        self.seen.add(chrom)
        self.close()
        self.contig, self.last_pos = chrom, 0
        self.streams = []
        for source, cache in zip(self.sources, self.caches, strict=True):
            source.check_naming([chrom])
            name = source.resolve(chrom)
            if name is None:
                self.streams.append(None)
            elif cache is not None:
                self.streams.append(CachedStream(cache, name))
            else:
                self.streams.append(SourceStream(source, name, source.seek_records))

    def close(self) -> None:
        """Stop the source readers of the current contig."""
        for stream in self.streams:
            if stream is not None:
                stream.close()
        self.streams = []

    def block(self, blob: bytes, out: list[Piece]) -> None:
        """Annotate one block of whole lines and append the output bytes to ``out``."""
        if self.strip:
            blob = _strip_block(blob, self.strip)
        arr = np.frombuffer(blob, dtype=np.uint8)
        lines = split_lines(arr, 8, self.where, last_optional=False)
        if self.fill_bcsq and len(missing := missing_format_bcsq(arr, lines)):
            blob = fill_format_bcsq(blob, lines, missing)
            arr = np.frombuffer(blob, dtype=np.uint8)
            lines = split_lines(arr, 8, self.where, last_optional=False)
        for lo, hi, chrom in chrom_runs(arr, lines):
            if chrom != self.contig:
                self._start_contig(chrom)
            self._run(blob, arr, sub_lines(lines, lo, hi), chrom, out)

    def _run(
        self, blob: bytes, arr: np.ndarray, lines: Lines, chrom: str, out: list[Piece]
    ) -> None:
        start, stop = int(lines.starts[0]), int(lines.ends[-1]) + 1
        pos = parse_ints(arr, lines.field_starts[1], lines.field_ends[1], self.where)
        if pos[0] < self.last_pos or (len(pos) > 1 and (np.diff(pos) < 0).any()):
            steps = np.diff(np.concatenate([[self.last_pos], pos]))
            bad = int(np.flatnonzero(steps < 0)[0])
            raise InputError(f"{self.where}: not sorted at {chrom}:{pos[bad]}")
        self.last_pos = int(pos[-1])
        self.records += len(pos)
        keys = block_keys(blob, arr, lines, pos, self.where, chrom)
        additions: list[tuple[int, Matches]] = []
        if len(keys.pos):
            for k, stream in enumerate(self.streams):
                if stream is None:
                    continue
                if isinstance(stream, CachedStream):
                    found = stream.match(keys)
                else:
                    found = [join_source(stream, keys, self.last_pos)]
                self.hits[k] += sum(len(m.lines) for m in found)
                additions += [(k, m) for m in found]
        if not any(len(m.lines) for _, m in additions):
            out.append((blob[start:stop], lines.ends - start))
            return
        local = Lines(
            lines.starts - start,
            lines.ends - start,
            [f - start for f in lines.field_starts],
            [f - start for f in lines.field_ends],
        )
        out.append(assemble_lines(arr[start:stop], local, 7, additions))

    def counts(self) -> dict[str, int]:
        """Counters: ``records`` and ``<source>_hits``."""
        counts = {"records": self.records}
        for i, source in enumerate(self.sources):
            counts[f"{source.name}_hits"] = self.hits[i]
        return counts


def join_stream(
    blocks: Iterable[bytes],
    out: Sink,
    sources: Sequence[Source],
    caches: Sequence[SourceCache | None],
    where: str,
    strip: set[str] | None = None,
    fill_bcsq: bool = False,
) -> dict[str, int]:
    """Annotate VCF body text (one ALT per record, sorted) and write it to ``out``.

    Args:
        blocks: the body as bytes blocks (cut anywhere; header lines are not expected).
        out: binary sink.
        sources: opened sources.
        caches: each source's prepared cache, or None to read the source file.
        where: the input's name for error messages.
        strip: INFO keys to remove from the input first (our keys already present).
        fill_bcsq: the text is csq's: ``FORMAT/BCSQ`` on every record with ``INFO/BCSQ``.

    Returns:
        Counters: ``records`` and ``<source>_hits``.
    """
    joiner = BlockJoiner(sources, caches, where, strip, fill_bcsq)
    lined = getattr(out, "write_lines", None)
    try:
        for blob in read_blocks(blocks):
            pieces: list[Piece] = []
            joiner.block(blob, pieces)
            for piece, newlines in pieces:  # each holds whole lines: no copy into one block
                if lined is not None:  # the index needs no newline scan (issue 17)
                    lined(piece, newlines)
                else:
                    out.write(piece)
    finally:
        joiner.close()
    return joiner.counts()
