"""Only the records near a gene go through ``bcftools csq``; the others pass it by.

csq writes a consequence only for a record that overlaps a feature of the gene model (genes,
transcripts, exons, UTRs; splice regions lie inside transcripts), yet it parses and re-formats
every record: on the 5 M-record benchmark 56 % of the records lie outside every feature and cost
csq 1.5 µs each (4.3 s of its 13 s; perf/RESULTS.md, issue 17). When the input is a bgzipped
VCF and the gene model is cut by sequence (:mod:`hurtig.annotation.gene_split`), a shard
decompresses its own records (libdeflate, like the output), sends csq (reading stdin) only the
records whose REF span comes within :data:`MARGIN` bp of a feature (symbolic and breakend
alleles always), and puts csq's output lines back between the untouched others, in input order;
the join then sees the same text as when csq read everything (tested byte for byte).

Threads: a feeder thread reads the input and writes csq's stdin while the shard's main thread
reads csq's stdout, so neither pipe can fill up while the other side waits; the feeder hands each
block (with its mask) to the main thread through an unbounded queue, because csq may hold back
output until it has read further.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import tempfile
import threading
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from numba import njit

from hurtig.annotation.bgzf_in import bgzf_text, first_offsets, is_bgzf_vcf
from hurtig.annotation.csq_cache import (
    NO_TABLE,
    ConsequenceCache,
    ConsequenceTable,
    build_lines,
    match_lines,
    open_consequences,
)
from hurtig.annotation.text_blocks import (
    parse_ints,
    read_blocks,
    split_lines,
)
from hurtig.errors import InputError
from hurtig.io.files import last_line

#: Records this close (bp) to a feature go through csq (csq's splice regions are inside
#: transcripts; the margin only adds safety).
MARGIN = 100
#: Feature types that are not genes (whole sequences or regulatory regions): no consequence.
NOT_GENES = frozenset(
    {b"chromosome", b"scaffold", b"supercontig", b"contig", b"region", b"biological_region"}
)
#: Input text handed on at a time (as the join reads csq's pipe: one join block).
GATHER = 1 << 20

#: Merged feature spans of one contig: starts and stops (0-based, half-open).
Spans = tuple[np.ndarray, np.ndarray]


def feature_spans(part: str) -> Spans:
    """Merged 0-based half-open spans (± :data:`MARGIN`) of one contig's gene-model features.

    Cached beside the part as ``<part>.spans.npy`` (the part's folder is keyed by the model).
    """
    cached = Path(f"{part}.spans.npy")
    if cached.is_file():
        both = np.load(cached)
        return both[0], both[1]
    data = Path(part).read_bytes()
    if data and not data.endswith(b"\n"):
        data += b"\n"
    arr = np.frombuffer(data, dtype=np.uint8)
    begs = ends = np.zeros(0, dtype=np.int64)
    if len(arr):
        lines = split_lines(arr, 5, part)
        fs, fe = lines.field_starts, lines.field_ends
        types = [arr[a:b].tobytes() for a, b in zip(fs[2], fe[2], strict=True)]
        genes = np.array([t not in NOT_GENES for t in types], dtype=bool)
        begs = parse_ints(arr, fs[3], fe[3], part)[genes]
        ends = parse_ints(arr, fs[4], fe[4], part)[genes]
    starts, stops = _merge(begs - 1 - MARGIN, ends + MARGIN)
    tmp = cached.with_name(f".{cached.name}.{os.getpid()}.npy")
    np.save(tmp, np.stack([starts, stops]))
    os.replace(tmp, cached)
    return starts, stops


def _merge(begs: np.ndarray, ends: np.ndarray) -> Spans:
    """Sorted, disjoint union of the intervals ``[begs, ends)``."""
    if not len(begs):
        return begs.astype(np.int64), ends.astype(np.int64)
    order = np.argsort(begs, kind="stable")
    begs, ends = np.maximum(begs[order], 0), np.maximum.accumulate(ends[order])
    new = np.ones(len(begs), dtype=bool)
    new[1:] = begs[1:] > ends[:-1]
    first = np.flatnonzero(new)
    last = np.append(first[1:] - 1, len(begs) - 1)
    return begs[first], ends[last]


@dataclass
class FedBlock:
    """One block of input lines and which of them csq annotates."""

    text: bytes
    starts: np.ndarray  # line starts
    stops: np.ndarray  # line ends, after the newline
    to_csq: np.ndarray  # bool per line


def _gathered(texts: Iterator[bytes]) -> Iterator[bytes]:
    """BGZF blocks' texts joined into pieces of about :data:`GATHER` bytes (the join's block)."""
    held: list[bytes] = []
    size = 0
    for text in texts:
        held.append(text)
        size += len(text)
        if size >= GATHER:
            yield b"".join(held)
            held, size = [], 0
    if held:
        yield b"".join(held)


def _records(vcf: str, first: str | None) -> Generator[bytes, None, None]:
    """Whole-line blocks of ``vcf``'s records, from contig ``first``'s when the index says where."""
    offsets = first_offsets(vcf) if first is not None else {}
    start = offsets.get(first, 0) if first is not None else 0
    in_header = start == 0
    for blob in read_blocks(_gathered(bgzf_text(vcf, start))):
        if not in_header and first is not None and not blob.startswith(f"{first}\t".encode()):
            raise InputError(f"{vcf}: its index does not match it (is it older than the file?)")
        first = None
        if in_header:
            arr = np.frombuffer(blob, dtype=np.uint8)
            heads = np.concatenate([[0], np.flatnonzero(arr == 10)[:-1] + 1])
            body = np.flatnonzero(arr[heads] != ord("#"))
            if not len(body):
                continue
            blob, in_header = blob[int(heads[body[0]]) :], False
        yield blob


def _view_records(vcf: str, contigs: Sequence[str] | None) -> Generator[bytes, None, None]:
    """Whole-line blocks of a BCF's records on ``contigs`` as ``bcftools view`` writes them.

    The text csq would have parsed from the BCF; read through a pipe. ``bcftools view`` failing
    (a damaged file) is an error once its output ends.
    """
    regions = ["-r", ",".join(contigs)] if contigs else []
    with tempfile.TemporaryFile() as errors:
        view = subprocess.Popen(
            ["bcftools", "view", "--no-version", "-H", "-Ov", *regions, vcf],
            stdout=subprocess.PIPE, stderr=errors,
        )  # fmt: skip
        assert view.stdout is not None
        stream = view.stdout
        try:
            yield from read_blocks(iter(lambda: stream.read(GATHER), b""))
        except BaseException:  # closed early, or the reader failed: stop bcftools view
            view.kill()
            view.wait()
            stream.close()
            raise
        stream.close()
        code = view.wait()
        if code != 0:
            last = last_line(errors, f"exit code {code} without a message (a damaged file?)")
            raise InputError(f"{vcf}: bcftools view failed: {last}")


class RecordFeeder:
    """Reads a shard's records, feeds csq the ones near genes, keeps the blocks in order."""

    def __init__(
        self,
        vcf: str,
        header: Sequence[str],
        contigs: Sequence[str] | None,
        parts: dict[str, str],
        csq_in: IO[bytes],
        consequences: str | None = None,
    ) -> None:
        """Feed ``csq_in`` (csq's stdin) from ``vcf``: ``header`` first, then the records.

        Args:
            vcf: the bgzipped input VCF (read here), or an indexed BCF (through ``bcftools
                view``).
            header: its header lines, newline-free (written to csq first).
            contigs: the shard's contigs (consecutive in the file), or None for all.
            parts: contig → its file of the cut gene model.
            csq_in: csq's stdin.
            consequences: a folder of prepared consequences
                (:mod:`hurtig.annotation.csq_cache`): the plain records it holds get csq's
                text from it instead of going through csq.
        """
        self.vcf, self.header, self.parts, self.csq_in = vcf, header, parts, csq_in
        self.bgzf = is_bgzf_vcf(vcf)  # else a BCF, read through bcftools view
        self.n_samples = max(len(header[-1].split("\t")) - 9, 0) if header else 0
        self.cache: ConsequenceCache | None = None
        if consequences is not None:  # gone since the shards were planned (a rebuild): csq
            self.cache = open_consequences(Path(consequences))  # answers all, same output
        self.cached = 0  # records that got csq's text from the cache
        self.contigs = list(contigs) if contigs else None
        self.blocks: queue.Queue[FedBlock | BaseException | None] = queue.Queue()
        self.spans: dict[str, Spans] = {}
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        """Start feeding in a thread."""
        self.thread.start()

    def _spans(self, chrom: str) -> Spans:
        if chrom not in self.spans:
            part = self.parts.get(chrom)
            empty = np.zeros(0, dtype=np.int64)
            self.spans[chrom] = feature_spans(part) if part else (empty, empty)
        return self.spans[chrom]

    def _table(self, chrom: str) -> ConsequenceTable:
        return self.cache.table(chrom) if self.cache is not None else NO_TABLE

    def _run(self) -> None:
        try:
            self.csq_in.write(("\n".join(self.header) + "\n").encode())
            wanted = set(self.contigs) if self.contigs else None
            seen = False
            blobs = (
                _records(self.vcf, self.contigs[0] if self.contigs else None)
                if self.bgzf
                else _view_records(self.vcf, self.contigs)
            )
            for blob in blobs:
                arr = np.frombuffer(blob, dtype=np.uint8)
                stops = np.empty(len(arr) // 4 + 2, dtype=np.int64)
                mask = np.empty(len(stops), dtype=np.bool_)
                entries = np.empty(len(stops), dtype=np.int64)
                runs: list[tuple[int, int, ConsequenceTable]] = []
                at, n, keep_lo, keep_hi, done = 0, 0, -1, -1, False
                while at < len(arr):
                    chrom = _name_at(blob, at)
                    if wanted is not None and chrom not in wanted:
                        if seen:  # past the shard's contigs
                            done = True
                            break
                    else:
                        seen = True
                    starts, spans_stop = self._spans(chrom)
                    name = np.frombuffer(chrom.encode(), dtype=np.uint8)
                    was = at
                    table = self._table(chrom)
                    got, at = _scan_kernel(arr, at, name, starts, spans_stop, stops, mask, n)
                    if got < 0 or at == was:  # a bad line, or one without a CHROM and a tab
                        raise InputError(f"{self.vcf}: malformed record {_line_at(blob, at)!r}")
                    match_lines(arr, was, stops, mask, entries, n, got, table.pos, table.aoff,
                                table.alleles, self.n_samples)  # fmt: skip
                    runs.append((n, got, table))
                    if wanted is None or chrom in wanted:
                        keep_lo = n if keep_lo < 0 else keep_lo
                        keep_hi = got
                    elif keep_lo >= 0:  # a contig between the shard's: not consecutive
                        raise InputError(f"{self.vcf}: contig {chrom} inside the shard's contigs")
                    n = got
                if keep_lo >= 0 and keep_hi > keep_lo:
                    self._hand_on(blob, stops[:n], mask[:n], entries[:n], runs, keep_lo, keep_hi)
                if done:
                    break
            blobs.close()  # a reader stopped early ends here (bcftools view is stopped)
            self.csq_in.close()
            self.blocks.put(None)
        except BaseException as err:
            self.blocks.put(err)
            with contextlib.suppress(OSError):
                self.csq_in.close()

    def _hand_on(
        self,
        blob: bytes,
        ends: np.ndarray,
        mask: np.ndarray,
        entries: np.ndarray,
        runs: list[tuple[int, int, ConsequenceTable]],
        lo: int,
        hi: int,
    ) -> None:
        """Queue lines ``lo:hi`` of the block and write those near genes to csq.

        ``ends`` holds each line's end (after its newline); lines with a cache entry get csq's
        text written in here (:func:`hurtig.annotation.csq_cache.build_lines`), per contig run.
        """
        base = int(ends[lo - 1]) if lo else 0
        if (entries[lo:hi] >= 0).any():
            text, stops = self._with_cached(blob, ends, entries, runs, lo, hi)
        else:
            stops = ends[lo:hi] - base
            text = blob[base : int(ends[hi - 1])]
        starts = np.concatenate([[0], stops[:-1]])
        block = FedBlock(text, starts, stops, mask[lo:hi].copy())
        self.blocks.put(block)
        idx = np.flatnonzero(block.to_csq)
        if not len(idx):
            return
        cuts = np.flatnonzero(np.diff(idx) != 1)
        firsts = np.concatenate([[idx[0]], idx[cuts + 1]])
        lasts = np.concatenate([idx[cuts], [idx[-1]]])
        pieces = [text[starts[a] : stops[b]] for a, b in zip(firsts, lasts, strict=True)]
        self.csq_in.write(b"".join(pieces))

    def _with_cached(
        self,
        blob: bytes,
        ends: np.ndarray,
        entries: np.ndarray,
        runs: list[tuple[int, int, ConsequenceTable]],
        lo: int,
        hi: int,
    ) -> tuple[bytes, np.ndarray]:
        """Lines ``lo:hi`` with the cached records' text built; the new line ends."""
        arr = np.frombuffer(blob, dtype=np.uint8)
        line_starts = np.concatenate([[0], ends[:-1]])
        pieces: list[bytes] = []
        stops: list[np.ndarray] = []
        size = 0
        for a, b, table in runs:
            a, b = max(a, lo), min(b, hi)
            if a >= b:
                continue
            found = entries[a:b]
            hits = int(np.count_nonzero(found >= 0))
            if hits:
                self.cached += hits
                out, line_ends = build_lines(
                    arr, line_starts[a:b], ends[a:b], found,
                    table.mask, table.tid, table.toff, table.text,
                )  # fmt: skip
                pieces.append(out.tobytes())
            else:
                start = int(line_starts[a])
                pieces.append(blob[start : int(ends[b - 1])])
                line_ends = ends[a:b] - start
            stops.append(line_ends + size)
            size += len(pieces[-1])
        return b"".join(pieces), np.concatenate(stops)


def _name_at(blob: bytes, at: int) -> str:
    """The CHROM of the line starting at ``at``."""
    tab = blob.find(b"\t", at)
    newline = blob.find(b"\n", at)
    stop = tab if 0 <= tab < newline else newline
    return blob[at:stop].decode(errors="replace")


def _line_at(blob: bytes, at: int) -> bytes:
    """The line starting at ``at`` (for an error message)."""
    return blob[at:].split(b"\n", 1)[0][:80]


@njit(cache=True, nogil=True)
def _field_end(arr: np.ndarray, i: int) -> int:  # pragma: no cover (compiled)
    """Offset of the tab or newline ending the field at ``i`` (``len(arr)`` when none)."""
    while i < len(arr) and arr[i] != 9 and arr[i] != 10:
        i += 1
    return i


@njit(cache=True, nogil=True)
def _near(starts: np.ndarray, stops: np.ndarray, beg: int, end: int) -> bool:  # pragma: no cover
    """Whether ``[beg, end)`` overlaps a span (sorted, disjoint): the last one starting before."""
    lo = int(np.searchsorted(starts, end))
    return lo > 0 and bool(stops[lo - 1] > beg)


@njit(cache=True, nogil=True)
def _is_odd_alt(arr: np.ndarray, alt: int, stop: int) -> bool:  # pragma: no cover (compiled)
    """A symbolic (``<DEL>``) or breakend (``N[chr1:5[``) ALT."""
    if stop <= alt:
        return False
    first, last = arr[alt], arr[stop - 1]
    return first == 60 or first == 91 or first == 93 or last == 91 or last == 93


@njit(cache=True, nogil=True)
def _scan_kernel(
    arr: np.ndarray,
    at: int,
    name: np.ndarray,
    span_starts: np.ndarray,
    span_stops: np.ndarray,
    stops: np.ndarray,
    mask: np.ndarray,
    n: int,
) -> tuple[int, int]:  # pragma: no cover (compiled)
    """Scan the lines from ``at`` while their CHROM is ``name``: line ends and near-gene mask.

    Writes each line's end (after the newline) to ``stops[n...]``, whether csq must see it
    to ``mask[n...]`` (REF span within a feature span, or a symbolic/breakend ALT), and its
    entry among the contig's prepared consequences (``c_*``, :mod:`hurtig.annotation.csq_cache`)
    to ``entries[n...]``: -1, or the entry of a plain near-gene line found there (then csq need
    not see it).

    Returns:
        The new line count and the offset of the first line not scanned; (-1, offset of the
        bad line) for a line without CHROM, POS, ID, REF and ALT or with a bad POS.
    """
    size, width = len(arr), len(name)
    while at < size:
        if at + width >= size or arr[at + width] != 9:
            return n, at
        for j in range(width):
            if arr[at + j] != name[j]:
                return n, at
        i, pos, digits = at + width + 1, 0, 0
        while i < size and 48 <= arr[i] <= 57 and digits < 19:
            pos, i, digits = pos * 10 + (arr[i] - 48), i + 1, digits + 1
        if digits == 0 or digits > 18 or i >= size or arr[i] != 9:
            return -1, at
        id_end = _field_end(arr, i + 1)
        ref_end = _field_end(arr, id_end + 1)
        if ref_end >= size or arr[id_end] != 9 or arr[ref_end] != 9:
            return -1, at
        alt_end = _field_end(arr, ref_end + 1)
        odd = _is_odd_alt(arr, ref_end + 1, alt_end)
        i = alt_end
        while i < size and arr[i] != 10:
            i += 1
        if i >= size:
            return -1, at
        beg = pos - 1
        stops[n] = i + 1
        mask[n] = odd or _near(span_starts, span_stops, beg, beg + max(ref_end - id_end - 1, 1))
        n += 1
        at = i + 1
    return n, at


def load_kernel() -> None:
    """Load the compiled scan now (numba's cache; compiled on first use), before forking."""
    none = np.zeros(0, dtype=np.int64)
    line = np.frombuffer(b"c\t1\t.\tA\tC\n", dtype=np.uint8)
    name = np.frombuffer(b"c", dtype=np.uint8)
    _scan_kernel(line, 0, name, none, none, np.zeros(2, np.int64), np.zeros(2, np.bool_), 0)


class CsqLines:
    """csq's output lines, taken a given number at a time (each byte copied once or twice)."""

    def __init__(self, stream: IO[bytes]) -> None:
        """Read from ``stream`` (csq's stdout, after its header)."""
        self.stream = stream
        self.chunks: list[bytes] = []
        self.lines = 0  # whole lines held in chunks

    def take(self, n: int, where: str) -> tuple[bytes, np.ndarray]:
        """The next ``n`` lines and their end offsets in them (after each newline)."""
        while self.lines < n:
            more = self.stream.read1(1 << 20)  # type: ignore[attr-defined]
            if not more:
                raise InputError(f"{where}: bcftools csq wrote fewer records than it was given")
            self.chunks.append(more)
            self.lines += more.count(b"\n")
        data = self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)
        ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)[:n] + 1
        cut = int(ends[-1])
        self.chunks = [data[cut:]] if cut < len(data) else []
        self.lines -= n
        return data, ends

    def rest(self) -> bytes:
        """Whatever csq wrote beyond the lines taken (must be nothing)."""
        return b"".join(self.chunks) + self.stream.read()


def merged_blocks(feeder: RecordFeeder, csq_out: IO[bytes], where: str) -> Iterator[bytes]:
    """The input blocks with csq's lines in place of those it annotated, in input order."""
    lines = CsqLines(csq_out)
    while True:
        item = feeder.blocks.get()
        if item is None:
            break
        if isinstance(item, BaseException):
            raise item
        mask = item.to_csq
        n_csq = int(np.count_nonzero(mask))
        if not n_csq:
            yield item.text
            continue
        data, ends = lines.take(n_csq, where)
        taken = memoryview(data)
        # runs of lines from one side: (is csq, first line, stop line)
        bounds = np.concatenate([[0], np.flatnonzero(np.diff(mask.astype(np.int8))) + 1])
        stops = np.append(bounds[1:], len(mask))
        from_csq = mask[bounds]
        done = np.cumsum(np.where(from_csq, stops - bounds, 0))  # csq lines used after a run
        csq_lo = np.concatenate([[0], ends])[done - (stops - bounds) * from_csq]
        csq_hi = np.concatenate([[0], ends])[done]
        in_lo, in_hi = item.starts[bounds], item.stops[stops - 1]
        text = memoryview(item.text)
        pieces = [
            taken[c_lo:c_hi] if csq else text[i_lo:i_hi]
            for csq, c_lo, c_hi, i_lo, i_hi in zip(
                from_csq.tolist(), csq_lo.tolist(), csq_hi.tolist(), in_lo.tolist(),
                in_hi.tolist(), strict=True,
            )
        ]  # fmt: skip
        yield b"".join(pieces)
    if lines.rest().strip():
        raise InputError(f"{where}: bcftools csq wrote more records than it was given")
