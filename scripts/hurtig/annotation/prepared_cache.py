r"""Prepared annotation sources: a binary, position-binned cache of a source's formatted values.

A source (gnomAD, ClinVar, a score file) is static for months, while every genome is annotated
against it again. Parsing the source's text for every genome costs far more than the join
itself (a WGS matches ~1.9 M source records per 1 M calls), so, like the VEP cache or echtvar,
the source is prepared once per release:

    hurtig prepare-source --out CACHE_DIR [--gnomad G.vcf.gz] [--clinvar C.vcf.gz]
                                 [--scores scores.json] [--threads N]

writes ``CACHE_DIR/<source name>/`` with, per contig, the source's alleles in bins of
``2**BIN_BITS`` bp. A bin holds

- the sorted packed keys of single-base alleles (:func:`hurtig.annotation.keys.allele_key`),
- the positions and ``REF\tALT`` text of the other alleles (indels; trimmed like the input),
  and their 64-bit hash keys (:func:`hurtig.annotation.keys.allele_hkeys`), sorted,
- for every allele the finished INFO text ``;KEY=value;KEY=value``, made by the very code the
  uncached join uses (:meth:`hurtig.annotation.source.Source.fast_values` / ``values``), so a
  cached run writes byte-identical output. The first source record in file order wins for a
  key, as in the uncached join; alleles whose record gives no value are dropped.

Bins are zlib-compressed and read one at a time, so memory stays constant per shard.
``manifest.json`` names the source file (name, size, mtime, SHA256), its kind and options,
the source's provenance header line and INFO definitions; :func:`open_cache` refuses a cache
that was built from another file (size, or mtime and checksum, differ) or with other options,
naming the cache and the reason.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import sys
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from hurtig.annotation.csq_prepare import build_consequences
from hurtig.annotation.gene_split import gene_model_parts
from hurtig.annotation.keys import Key, allele_hkeys, allele_key
from hurtig.annotation.registry import (
    add_source_options,
    open_source,
    source_name,
    static_specs,
)
from hurtig.annotation.source import Source, SourceSpec
from hurtig.annotation.text_blocks import read_blocks
from hurtig.errors import InputError
from hurtig.io.files import map_in_processes, sha256_file, swap_in_folder, write_text_atomic

#: Cache layout version; a cache of another version is refused.
FORMAT = 2
#: Bin width: 2**18 bp (about 65 k gnomAD v4 genome alleles, ~8 MB of text per bin).
BIN_BITS = 18
_I64 = np.dtype("<i8")
_HEAD = 4  # int64 counts at the start of a bin: SNV alleles, other alleles, allele bytes, text


def _pack_bin(
    snv: list[tuple[int, int, bytes]], other: list[tuple[int, int, bytes, bytes]], level: int
) -> bytes:
    r"""Serialise one bin (entries already first-wins deduplicated, sorted).

    Args:
        snv: ``(packed key, file order, text)``.
        other: ``(pos, file order, b"REF\tALT", text)``.
        level: zlib level, 0 to store the bin uncompressed.
    """
    texts = [t for _, _, t in snv] + [t for _, _, _, t in other]
    text_off = np.zeros(len(texts) + 1, dtype=_I64)
    np.cumsum([len(t) for t in texts], out=text_off[1:])
    alleles = [a for _, _, a, _ in other]
    allele_off = np.zeros(len(alleles) + 1, dtype=_I64)
    np.cumsum([len(a) for a in alleles], out=allele_off[1:])
    allele_blob, text_blob = b"".join(alleles), b"".join(texts)
    oth_pos = np.array([p for p, _, _, _ in other], dtype=_I64)
    hkeys = allele_hkeys(
        oth_pos, np.frombuffer(allele_blob, dtype=np.uint8), allele_off[:-1], allele_off[1:]
    )
    order = np.argsort(hkeys, kind="stable")
    head = np.array([len(snv), len(other), len(allele_blob), len(text_blob)], dtype=_I64)
    payload = b"".join(
        [
            head.tobytes(),
            np.array([k for k, _, _ in snv], dtype=_I64).tobytes(),
            oth_pos.tobytes(),
            hkeys[order].astype(_I64).tobytes(),
            order.astype(_I64).tobytes(),
            allele_off.tobytes(),
            text_off.tobytes(),
            allele_blob,
            text_blob,
        ]
    )
    return zlib.compress(payload, level) if level else payload


#: The name of the gene model's cut in ``--only`` and in the notes.
GENE_MODEL = "gene_model"
#: The name of the prepared consequences in ``--only`` and in the notes.
CONSEQUENCES = "consequences"


@dataclass
class Bin:
    """One unpacked bin of a cached source (see the module docstring)."""

    snv_keys: np.ndarray  # sorted packed keys
    oth_pos: np.ndarray  # positions of the other alleles (sorted)
    allele_off: np.ndarray  # offsets of b"REF\tALT" of the other alleles in ``alleles``
    text_off: np.ndarray  # offsets of each allele's text in ``text`` (SNVs first)
    alleles: bytes | memoryview
    text: np.ndarray  # uint8
    other_keys: tuple[np.ndarray, np.ndarray]  # sorted hash keys of the others, entry numbers

    @classmethod
    def unpack(cls, data: bytes | memoryview, where: str, compressed: bool) -> Bin:
        """Decompress (when stored so) and slice one bin (no copy of an uncompressed one)."""
        try:
            raw: bytes | memoryview = zlib.decompress(data) if compressed else data
        except zlib.error as err:
            raise InputError(f"{where}: corrupt cache bin ({err}); rebuild the cache") from err
        head = np.frombuffer(raw, dtype=_I64, count=_HEAD)
        n_snv, n_oth, n_allele, n_text = (int(x) for x in head)
        at = _HEAD * 8

        def take(count: int) -> np.ndarray:
            nonlocal at
            arr = np.frombuffer(raw, dtype=_I64, count=count, offset=at)
            at += 8 * count
            return arr

        snv_keys = take(n_snv)
        oth_pos = take(n_oth)
        oth_hkeys = take(n_oth)
        oth_order = take(n_oth)
        allele_off = take(n_oth + 1)
        text_off = take(n_snv + n_oth + 1)
        alleles = raw[at : at + n_allele]
        text = np.frombuffer(raw, dtype=np.uint8, count=n_text, offset=at + n_allele)
        if len(text) != int(text_off[-1]):
            raise InputError(f"{where}: truncated cache bin; rebuild the cache")
        return cls(snv_keys, oth_pos, allele_off, text_off, alleles, text, (oth_hkeys, oth_order))

    @property
    def allele_arr(self) -> np.ndarray:
        r"""The ``REF\tALT`` texts of the other alleles as uint8."""
        return np.frombuffer(self.alleles, dtype=np.uint8)

    def other_index(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted hash keys of the other alleles and their entry numbers.

        The keys are those of :func:`hurtig.annotation.keys.allele_hkeys`.
        """
        return self.other_keys


# -- building ---------------------------------------------------------------------------------


def _entry_text(values: list[str]) -> bytes:
    return (";" + ";".join(values)).encode() if values else b""


def _source_lines(source: Source, contig: str) -> Iterator[str]:
    for block in read_blocks(source.text_chunks(contig, 1)):
        yield from block.decode().splitlines()


_Snv = tuple[int, int, bytes]
"""A single-base allele of a bin: packed key, file order, INFO text."""
_Other = tuple[int, int, bytes, bytes]
"""Another allele of a bin: position, file order, ``b"REF\\tALT"``, INFO text."""


def _finish_bin(snv: list[_Snv], other: list[_Other]) -> tuple[list[_Snv], list[_Other]]:
    """Keep the first entry in file order per key; drop entries without values; sort."""
    snv.sort(key=lambda e: (e[0], e[1]))
    kept_snv: list[_Snv] = []
    last = None
    for entry in snv:
        if entry[0] != last:
            last = entry[0]
            if entry[2]:
                kept_snv.append(entry)
    other.sort(key=lambda e: (e[0], e[2], e[1]))
    kept_other: list[_Other] = []
    last_key = None
    for o_entry in other:
        key = (o_entry[0], o_entry[2])
        if key != last_key:
            last_key = key
            if o_entry[3]:
                kept_other.append(o_entry)
    return kept_snv, kept_other


class _BinWriter:
    """Collects the alleles of one contig per bin; writes a bin once no later line can reach it."""

    def __init__(self, sink: IO[bytes], level: int) -> None:
        """Write to ``sink`` at zlib ``level`` (0: uncompressed)."""
        self.sink = sink
        self.level = level
        self.pending: dict[int, tuple[list[_Snv], list[_Other]]] = {}
        #: ``[bin number, offset, length, SNV alleles, other alleles]`` per written bin.
        self.table: list[list[int]] = []
        self.order = 0

    def add(self, key: Key, text: bytes) -> None:
        """Add one allele (its key and INFO text), numbered in file order."""
        self.order += 1
        if isinstance(key, int):
            bucket = self.pending.setdefault((key >> 10) >> BIN_BITS, ([], []))
            bucket[0].append((key, self.order, text))
        else:
            kpos, kref, kalt = key
            bucket = self.pending.setdefault(kpos >> BIN_BITS, ([], []))
            bucket[1].append((kpos, self.order, f"{kref}\t{kalt}".encode(), text))

    def flush(self, upto: int) -> None:
        """Write the pending bins numbered below ``upto``, in order."""
        for b in sorted(k for k in self.pending if k < upto):
            snv, other = _finish_bin(*self.pending.pop(b))
            if snv or other:
                data = _pack_bin(snv, other, self.level)
                self.table.append([b, self.sink.tell(), len(data), len(snv), len(other)])
                self.sink.write(data)


def _line_fields(source: Source, line: str) -> tuple[list[str], int]:
    """The fields of a source line and its position (errors name the file)."""
    c_pos, c_ref, c_alt = source.columns
    where = str(source.path)
    fields = line.split("\t")
    if len(fields) <= max(c_pos, c_ref, c_alt):
        raise InputError(f"{where}: malformed line (too few columns): {line[:80]!r}")
    try:
        pos = int(fields[c_pos])
    except ValueError as err:
        raise InputError(f"{where}: bad position {fields[c_pos]!r}") from err
    return fields, pos


def _line_alleles(
    source: Source, line: str, fields: list[str], pos: int
) -> Iterator[tuple[Key, bytes]]:
    """Key and INFO text of each matchable ALT of a source line (the join's own values code)."""
    _, c_ref, c_alt = source.columns
    ref = fields[c_ref].upper()
    fast = source.fast_values(line)
    rec = None
    for idx, alt in enumerate(fields[c_alt].upper().split(",")):
        key = allele_key(pos, ref, alt)
        if key is None:
            continue
        if fast is not None:
            values = fast
        else:
            rec = rec or source.record(line)
            values = source.values(rec, idx)
        yield key, _entry_text(values)


def build_contig(spec: SourceSpec, contig: str, path: str, level: int) -> list[list[int]]:
    """Write the bins of one source contig to ``path``.

    Returns:
        ``[bin number, offset, length, SNV alleles, other alleles]`` per written bin.
    """
    source = open_source(spec, {}, 1)
    with open(path, "wb") as sink:
        bins = _BinWriter(sink, level)
        for line in _source_lines(source, contig):
            fields, pos = _line_fields(source, line)
            bins.flush(pos >> BIN_BITS)
            for key, text in _line_alleles(source, line, fields, pos):
                bins.add(key, text)
        bins.flush(1 << 62)
    return bins.table


def _build_job(args: tuple[SourceSpec, str, str, int]) -> list[list[int]]:
    return build_contig(*args)


def _identity(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _options_json(spec: SourceSpec) -> str:
    return json.dumps(dict(spec.options), sort_keys=True, default=list)


def build(
    spec: SourceSpec, out: str | os.PathLike[str], threads: int = 1, level: int = 0
) -> dict[str, Any]:
    """Build the cache of one source into the directory ``out`` (replaced atomically).

    ``level`` is the zlib level of the bins; 0 (the default) stores them uncompressed, which
    reads fastest (about 1.5x the size of the bgzipped source text that is used).

    Returns:
        The manifest.
    """
    out_path = Path(out)
    source = open_source(spec, {}, 1)
    contigs = sorted(source.contigs)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_path.name}.", dir=out_path.parent))
    try:
        jobs = [(spec, c, str(tmp / f"c{i}.bins"), level) for i, c in enumerate(contigs)]
        tables = map_in_processes(_build_job, jobs, threads)
        manifest = {
            "format": FORMAT,
            "bin_bits": BIN_BITS,
            "compression": "zlib" if level else "none",
            "name": source.name,
            "kind": spec.kind,
            "options": _options_json(spec),
            "file": source.path.name,
            **_identity(source.path),
            "sha256": source.checksum(),
            "header_line": source.header_line(),
            "info_lines": list(source.info_lines()),
            "contigs": {
                c: {"file": f"c{i}.bins", "bins": t}
                for i, (c, t) in enumerate(zip(contigs, tables, strict=True))
            },
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        swap_in_folder(tmp, out_path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def prepare(
    spec: SourceSpec,
    out: str | os.PathLike[str],
    threads: int = 1,
    level: int = 0,
    force: bool = False,
) -> tuple[dict[str, Any], bool]:
    """Make sure ``out`` holds a valid cache of the source: keep a valid one, else build it.

    Safe for several runs sharing one cache folder: builders of one source take turns under an
    exclusive lock (``.<name>.lock`` beside the cache; needs a file system with working
    ``flock``), and the second finds the first's cache valid and keeps it.

    Returns:
        The manifest and whether it was built now.
    """
    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path.parent / f".{out_path.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and (out_path / "manifest.json").is_file():
            try:
                return open_cache(out_path, spec, open_source(spec, {}, 1)).manifest, False
            except InputError:
                pass  # stale or unreadable: rebuilt below
        return build(spec, out_path, threads, level), True


# -- reading ----------------------------------------------------------------------------------


class SourceCache:
    """An opened, validated cache of one source."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        """A cache folder and its (validated) manifest."""
        self.path = path
        self.manifest = manifest
        self.contigs: dict[str, dict[str, Any]] = manifest["contigs"]
        self.compressed = manifest.get("compression") == "zlib"

    def bins(self, contig: str) -> dict[int, tuple[str, int, int]]:
        """Bin number → (file, offset, length) for a contig of the source ({} when absent)."""
        entry = self.contigs.get(contig)
        if entry is None:
            return {}
        name = str(self.path / entry["file"])
        return {b: (name, off, length) for b, off, length, _, _ in entry["bins"]}


def open_cache(path: str | os.PathLike[str], spec: SourceSpec, source: Source) -> SourceCache:
    """Open the cache at ``path`` for the source ``spec`` (already opened as ``source``).

    Raises:
        InputError: missing or unreadable cache, other layout version, other source file,
            kind or options.
    """
    cache = Path(path)
    where = f"{cache}: annotation cache of {spec.kind} {source.path}"
    try:
        manifest = json.loads((cache / "manifest.json").read_text())
    except FileNotFoundError as err:
        raise InputError(f"{where} not found; build it with hurtig prepare-source") from err
    except (OSError, ValueError) as err:
        raise InputError(f"{where}: unreadable manifest ({err})") from err
    rebuild = "; rebuild it with hurtig prepare-source"
    if manifest.get("format") != FORMAT or manifest.get("bin_bits") != BIN_BITS:
        raise InputError(f"{where}: cache layout {manifest.get('format')} is not {FORMAT}{rebuild}")
    if manifest.get("kind") != spec.kind or manifest.get("options") != _options_json(spec):
        raise InputError(f"{where}: built for other source settings{rebuild}")
    ident = _identity(source.path)
    if manifest.get("size") != ident["size"] or manifest.get("file") != source.path.name:
        raise InputError(f"{where}: built from another file{rebuild}")
    if manifest.get("mtime_ns") != ident["mtime_ns"] and manifest.get("sha256") != sha256_file(
        source.path
    ):
        raise InputError(f"{where}: built from another file (checksum differs){rebuild}")
    source.remember_checksum(manifest["sha256"])  # known from the build: no re-hash of a huge file
    return SourceCache(cache, manifest)


def open_with_cache(
    spec: SourceSpec, contig_map: dict[str, str], seek_records: int
) -> tuple[Source, SourceCache | None]:
    """Open a spec's source and, when the spec names one, its cache (validated against the file)."""
    source = open_source(spec, contig_map, seek_records)
    cache = open_cache(spec.cache, spec, source) if spec.cache is not None else None
    return source, cache


def _cut_gene_model(gff3: str, out: Path) -> dict[str, Any]:
    """Cut ``gff3`` by sequence under ``out`` (:mod:`hurtig.annotation.gene_split`); its note."""
    if not Path(gff3).is_file():
        raise InputError(f"{gff3}: gene model not found")
    parts = gene_model_parts(gff3, out)
    if parts is None:
        raise InputError(f"{gff3}: cutting the gene model into {out / 'gene_model'} failed")
    n = len([name for name in parts.files if name != "#"])
    print(f"hurtig prepare-source: {GENE_MODEL}: {n} sequences: {parts.folder}", file=sys.stderr)
    return {"source": GENE_MODEL, "file": gff3, "cache": str(parts.folder), "sequences": n}


def _prepare_consequences(args: argparse.Namespace) -> dict[str, Any]:
    """``--consequences``: csq's answers for the gnomAD alleles near genes; its note."""
    if not (args.gnomad and args.gff3 and args.fasta):
        raise InputError("hurtig prepare-source: --consequences needs --gnomad, --gff3 and --fasta")
    folder, n, built = build_consequences(
        args.gnomad, args.gff3, args.fasta, Path(args.out), args.threads, args.force
    )
    state = "built" if built else "up to date, kept"
    print(f"hurtig prepare-source: {CONSEQUENCES}: {n} alleles, {state}: {folder}", file=sys.stderr)
    return {"source": CONSEQUENCES, "file": args.gff3, "fasta": args.fasta,
            "alleles_from": args.gnomad, "cache": str(folder), "alleles": n,
            "built": built}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: build caches of the given sources under ``--out``."""
    parser = argparse.ArgumentParser(
        prog="hurtig prepare-source",
        description="Prepare annotation sources once (a binary cache per source) for fast, "
        "byte-identical annotation with hurtig annotate --cache-dir.",
    )
    parser.add_argument("--out", required=True, help="cache directory (one folder per source)")
    add_source_options(parser)
    parser.add_argument(
        "--gff3",
        help="also cut this gene model by sequence into DIR/gene_model/ (each annotation "
        "shard's bcftools csq then reads only its contigs' genes); its --only name: gene_model",
    )
    parser.add_argument(
        "--fasta", help="the reference FASTA (with --gff3, for --consequences: csq needs it)"
    )
    parser.add_argument(
        "--consequences",
        action="store_true",
        help="also run bcftools csq once on the --gnomad alleles near genes of --gff3 and keep "
        "its answers in DIR/consequences/ (hurtig annotate then asks csq only about the other "
        "records); its --only name: consequences",
    )
    parser.add_argument("--only", nargs="*", help="build only these source names")
    parser.add_argument("--threads", type=int, default=1, help="contigs built in parallel")
    parser.add_argument(
        "--compress-level",
        type=int,
        default=0,
        choices=range(10),
        help="zlib level of the bins (0, the default: uncompressed, fastest to read)",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even a valid cache")
    parser.add_argument(
        "--done", help="write a JSON note of the cache (source, SHA256, built now or kept) here"
    )
    args = parser.parse_args(argv)
    specs = static_specs(args)
    if not specs and not args.gff3:
        raise InputError(
            "hurtig prepare-source: no source given (--gnomad, --clinvar, --scores, --gff3)"
        )
    notes = []
    if args.gff3 and (not args.only or GENE_MODEL in args.only):
        notes.append(_cut_gene_model(args.gff3, Path(args.out)))
    if args.consequences and (not args.only or CONSEQUENCES in args.only):
        notes.append(_prepare_consequences(args))
    for spec in specs:
        name = source_name(spec)
        if args.only and name not in args.only:
            continue
        where = Path(args.out) / name
        manifest, built = prepare(spec, where, args.threads, args.compress_level, args.force)
        n = sum(b[3] + b[4] for c in manifest["contigs"].values() for b in c["bins"])
        state = "built" if built else "up to date, kept"
        print(f"hurtig prepare-source: {name}: {n} alleles, {state}: {where}", file=sys.stderr)
        notes.append(
            {"source": name, "file": manifest["file"], "sha256": manifest["sha256"],
             "cache": str(where), "alleles": n, "built": built}
        )  # fmt: skip
    if args.done:
        write_text_atomic(Path(args.done), json.dumps(notes, indent=1) + "\n")
    return 0
