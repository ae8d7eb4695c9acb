"""The gene model (GFF3) cut once by sequence into plain-text files, kept in the cache folder.

Every shard runs its own ``bcftools csq`` on its contigs (:mod:`hurtig.annotation.engine`); each
csq parses the whole gene model before it reads a record, although it only needs the genes of
its own contigs. With the model cut by sequence name (column 1), each shard's csq reads only the
comment lines and its own contigs' features (``cat`` of their files into a pipe), so the model
is parsed once in all instead of once per shard (at 5 M records on the replicated synthetic
genome, 1.45 core-s; perf/RESULTS.md, issue 17). csq's output is unchanged: a feature and its
parents lie on one sequence, and csq calls a record only from the features of its sequence.
The cut costs about as much as one csq parse of the model, so it is made once per gene model
(like the prepared sources) in ``<cache folder>/gene_model/`` and reused by every later run.

The lines are cut in blocks with numpy (no per-line Python): each line's sequence name is
compared with the previous line's as a padded byte matrix, and each run of lines with one name
is written in one slice.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import numpy as np

from hurtig.io.files import file_stamp, process_umask

#: Bytes of the decompressed gene model read per block.
BLOCK = 1 << 24
#: Part files kept open at once while cutting (a gene model may name thousands of scaffolds).
_OPEN_FILES = 64
#: Longest sequence name compared as a byte matrix; longer names are compared one by one.
_WIDE = 64


def _open(path: str) -> IO[bytes]:
    """The gene model as a binary stream, decompressed when it is gzip/BGZF."""
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def _blocks(stream: IO[bytes]) -> Iterator[bytes]:
    """Blocks of whole lines (the last one completed with a newline if it lacks one)."""
    rest = b""
    while chunk := stream.read(BLOCK):
        chunk = rest + chunk
        cut = chunk.rfind(b"\n") + 1
        rest = chunk[cut:]
        if cut:
            yield chunk[:cut]
    if rest:
        yield rest + b"\n"


def name_runs(block: bytes) -> list[tuple[int, int, bytes]]:
    """Runs of consecutive lines with one column-1 text: ``(start, end, name)`` byte offsets.

    A line's name is its text up to the first tab (the whole line when it has none); comment
    lines get the name ``#``.
    """
    arr = np.frombuffer(block, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    starts = np.concatenate([[0], ends[:-1] + 1])
    tabs = np.flatnonzero(arr == 9)
    nxt = np.searchsorted(tabs, starts)
    first_tab = np.where(nxt < len(tabs), tabs[np.minimum(nxt, len(tabs) - 1)], ends)
    stops = np.minimum(first_tab, ends)
    comment = arr[starts] == 35
    stops = np.where(comment, starts + 1, stops)
    length = stops - starts
    width = int(min(length.max(initial=0), _WIDE))
    cols = np.arange(width)
    take = np.minimum(starts[:, None] + cols, len(arr) - 1)
    mat = np.where(cols < length[:, None], arr[take], 0)
    change = np.ones(len(starts), dtype=bool)
    change[1:] = (length[1:] != length[:-1]) | (mat[1:] != mat[:-1]).any(axis=1)
    change[1:] |= length[1:] > _WIDE  # long names: never merged, compared as bytes below
    firsts = np.flatnonzero(change)
    runs: list[tuple[int, int, bytes]] = []
    bounds = np.append(firsts, len(starts))
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        name = block[int(starts[a]) : int(stops[a])]
        lo, hi = int(starts[a]), int(ends[b - 1]) + 1
        if runs and runs[-1][2] == name and runs[-1][1] == lo:
            runs[-1] = (runs[-1][0], hi, name)
        else:
            runs.append((lo, hi, name))
    return runs


def _key(gff3: str) -> str:
    """The cache folder name of a gene model: its real path, size and modification time."""
    return hashlib.sha1(file_stamp(gff3).encode()).hexdigest()[:20]


def _write_parts(gff3: str, folder: Path) -> dict[str, str]:
    """Cut ``gff3`` into ``folder``: ``common.gff3`` (comments) and one file per sequence.

    Returns:
        Sequence name → file name.
    """
    files: dict[bytes, str] = {b"#": "common.gff3"}
    sinks: dict[bytes, IO[bytes]] = {}
    try:
        with _open(gff3) as stream:
            for block in _blocks(stream):
                view = memoryview(block)
                for lo, hi, name in name_runs(block):
                    if name not in sinks:
                        if len(sinks) >= _OPEN_FILES:  # many scaffolds: close, reopen later
                            for sink in sinks.values():
                                sink.close()
                            sinks.clear()
                        files.setdefault(name, f"seq{len(files)}.gff3")
                        sinks[name] = open(folder / files[name], "ab")  # noqa: SIM115
                    sinks[name].write(view[lo:hi])
    finally:
        for sink in sinks.values():
            sink.close()
    (folder / "common.gff3").touch()
    return {name.decode(errors="surrogateescape"): file for name, file in files.items()}


@dataclass
class GeneModelParts:
    """A gene model cut by sequence, in its cache folder."""

    folder: Path
    files: dict[str, str]

    def files_for(self, contigs: Sequence[str]) -> list[str]:
        """The files that make up the gene model of ``contigs``: comments, then each contig's."""
        wanted = ["#", *(c for c in contigs if c in self.files and c != "#")]
        return [str(self.folder / self.files[name]) for name in wanted]


def gene_model_parts(gff3: str, cache_dir: str | os.PathLike[str]) -> GeneModelParts | None:
    """The gene model cut by sequence, built once under ``<cache_dir>/gene_model/``.

    The folder is named after the file's real path, size and modification time, so an edited
    or replaced gene model gets a new one. It is built in a temporary folder and renamed into
    place (a concurrent builder's finished folder wins). Returns None when the cut cannot be
    made (folder not writable, disk full, unreadable model): the caller then gives every shard
    the whole gene model, and csq reports a bad one itself.
    """
    root = Path(cache_dir) / "gene_model"
    final = root / _key(gff3)
    parts = _read_parts(final)
    if parts is not None:
        return parts
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=".build."))
        os.chmod(tmp, 0o777 & ~process_umask())
    except OSError:
        return None
    try:
        files = _write_parts(gff3, tmp)
        (tmp / "parts.json").write_text(json.dumps({"gff3": gff3, "files": files}))
        if _read_parts(final) is not None:  # a concurrent run finished first: keep its cut
            return _read_parts(final)
        if final.exists():  # incomplete (a file went missing): replaced
            shutil.rmtree(final)
        os.rename(tmp, final)
    except (OSError, EOFError):  # unreadable model, full disk, lost race: csq reads the whole
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return _read_parts(final)


def _read_parts(folder: Path) -> GeneModelParts | None:
    """The cut in ``folder`` when it is complete (manifest and every file present), else None."""
    try:
        files = json.loads((folder / "parts.json").read_text())["files"]
    except (OSError, ValueError, KeyError):
        return None
    if not all((folder / name).is_file() for name in files.values()):
        return None
    return GeneModelParts(folder, files)
