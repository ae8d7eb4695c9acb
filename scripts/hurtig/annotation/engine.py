"""Annotate a normalised VCF: shards, consequences, and the join against every source.

Design (genome scale, constant memory):

- **Shards.** The input's contigs are cut into contiguous groups balanced by record count (from
  its index, :func:`plan_shards`) and processed by ``threads`` worker processes. Each worker
  runs ``bcftools csq -l`` (when a GFF3 is given; else ``bcftools view``) on its contigs and
  reads the VCF *text* from the pipe, so the C consequence caller and our Python join run at
  the same time. Each worker writes a headerless BGZF part and its tabix index itself
  (:mod:`hurtig.annotation.bgzf_out`, no ``bgzip`` or ``tabix`` process); the parts are
  concatenated in contig order behind one header (BGZF members concatenate) and their indexes,
  handed back in memory, written as one with the offsets moved
  (:func:`hurtig.annotation.tbi_build.tbi_bytes`).
- **No per-record objects.** A record is one text line: the join
  (:mod:`hurtig.annotation.join`) appends ``KEY=value`` strings to the INFO column of the
  matching records only; all other lines are written through untouched.
- **Sources.** Each source is read as a sorted stream per contig, from its prepared cache when
  one is given (:mod:`hurtig.annotation.prepared_cache`), else from the file itself; see
  :mod:`hurtig.annotation.join_files` for how sparse inputs seek instead of reading through.

Matching is allele-exact: a multiallelic source record is split into its ALTs, each ALT is
trimmed to its minimal representation (the input is already normalised by ``bcftools norm``) and
compared on ``(pos, ref, alt)``. Number=A source fields take the value of the matching ALT.

Every source adds one ``##hurtig_source=<ID=..,File=..,Version=..,SHA256=..,Keys=..>`` header
line naming the file, its version (from its header or the configuration) and its checksum.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from hurtig.annotation.bgzf_in import is_bcf, is_bgzf_vcf
from hurtig.annotation.bgzf_out import EOF_BLOCK, IndexedBgzfWriter, bgzf_bytes
from hurtig.annotation.contigs import header_contigs
from hurtig.annotation.csq_cache import cache_folder, open_consequences
from hurtig.annotation.csq_cache import load_kernels as load_cached_csq
from hurtig.annotation.csq_feed import RecordFeeder, merged_blocks
from hurtig.annotation.csq_feed import load_kernel as load_scanner
from hurtig.annotation.gene_split import gene_model_parts
from hurtig.annotation.join import join_stream
from hurtig.annotation.join_cache import load_kernel as load_matcher
from hurtig.annotation.prepared_cache import SourceCache, open_with_cache
from hurtig.annotation.registry import with_cache_dir
from hurtig.annotation.source import (
    DEFAULT_SEEK_RECORDS,
    INFO_LINE,
    Source,
    SourceSpec,
    info_header_line,
)
from hurtig.annotation.tbi_build import PartIndex, tbi_bytes
from hurtig.annotation.tbi_build import load_kernels as load_indexer
from hurtig.annotation.text_blocks import load_kernel as load_splice
from hurtig.errors import InputError
from hurtig.io.files import last_line, temp_path

#: Bytes read from the producer pipe per block.
INPUT_BLOCK = 1 << 20

#: What a shard hands back: the producer's header lines, the counters, the part's index.
ShardResult = tuple[list[str], dict[str, int], PartIndex]

#: The ``cat`` feeding a shard's cut gene model to csq, and the pipe path csq reads; or None.
Feeder = tuple[subprocess.Popen[bytes], str] | None


def _run(cmd: list[str], what: str) -> str:
    """Run a tool; its stdout, or InputError with the last line of its stderr."""
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        raise InputError(f"{what}: {cmd[0]} {cmd[1]} failed: {last}")
    return proc.stdout


def read_header(vcf: str) -> list[str]:
    """The header lines of a VCF/BCF file (``bcftools view -h``), newline-free."""
    return _run(["bcftools", "view", "-h", "--no-version", vcf], vcf).splitlines()


def contig_counts(vcf: str) -> list[tuple[str, int]]:
    """``(contig, records)`` in file order from the input's index; [] without an index."""
    proc = subprocess.run(
        ["bcftools", "index", "--stats", vcf], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        return []
    out = []
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[2].isdigit() and int(parts[2]) > 0:
            out.append((parts[0], int(parts[2])))
    return out


def plan_shards(counts: Sequence[tuple[str, int]], n_shards: int) -> list[list[str]]:
    """Cut contigs (in file order) into at most ``n_shards`` contiguous, balanced groups.

    Args:
        counts: ``(contig, records)`` in file order.
        n_shards: wanted number of groups.

    Returns:
        Groups of contig names; concatenated in order they give the file order back.
    """
    total = sum(n for _, n in counts)
    if not counts or n_shards <= 1:
        return [[c for c, _ in counts]] if counts else []
    target = total / n_shards
    groups: list[list[str]] = [[]]
    acc = 0
    for contig, n in counts:
        if groups[-1] and acc + n / 2 > target * len(groups) and len(groups) < n_shards:
            groups.append([])
        groups[-1].append(contig)
        acc += n
    return groups


@dataclass
class ShardJob:
    """One shard: which contigs, what to run, where to write (picklable, for the workers)."""

    vcf: str
    contigs: list[str] | None
    part: str
    specs: list[SourceSpec]
    contig_map: dict[str, str]
    seek_records: int
    fasta: str | None
    gff3: str | None
    level: int
    header_contigs: list[str] = field(default_factory=list)
    gff3_parts: list[str] | None = None  # the shard's contigs' cut of the gene model
    # contig -> its part of the cut: set when csq gets only the records near genes
    # (a bgzipped VCF input, hurtig.annotation.csq_feed)
    feed_parts: dict[str, str] | None = None
    # records the input's index lists on the shard's contigs (checked after the join), or None
    expected_records: int | None = None
    # the folder of prepared consequences for this gene model and reference, with the feed
    consequences: str | None = None


def _producer(job: ShardJob, gff3: str | None = None) -> list[str]:
    """The command that writes the shard's VCF text: ``bcftools csq -l`` or ``bcftools view``.

    ``gff3`` replaces the job's gene model path (the shard's cut of it, through a pipe). With
    ``feed_parts``, csq reads the records near genes from its stdin (``-``).
    """
    regions = ["-r", ",".join(job.contigs)] if job.contigs else []
    if job.gff3:
        assert job.fasta is not None
        genes = gff3 or job.gff3
        source = ["-"] if job.feed_parts is not None else [*regions, job.vcf]
        return ["bcftools", "csq", "-l", "-f", job.fasta, "-g", genes, "-Ov", *source]
    return ["bcftools", "view", "--no-version", "-Ov", *regions, job.vcf]


def _start_producer(job: ShardJob, errors: IO[bytes]) -> tuple[subprocess.Popen[bytes], Feeder]:
    """Start the shard's producer; with a cut gene model, ``cat`` feeds it csq through a pipe.

    Its stderr goes to ``errors`` (a file: a pipe left unread could fill up and stall it).

    Returns:
        The producer and the feeder (``cat`` process and the pipe path csq saw), or None.
    """
    if not job.gff3_parts:
        cmd = _producer(job)
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors), None
    cat = subprocess.Popen(["cat", "--", *job.gff3_parts], stdout=subprocess.PIPE)
    assert cat.stdout is not None
    fd = cat.stdout.fileno()
    pipe = f"/dev/fd/{fd}"
    stdin = subprocess.PIPE if job.feed_parts is not None else subprocess.DEVNULL
    try:
        producer = subprocess.Popen(
            _producer(job, pipe), stdin=stdin, stdout=subprocess.PIPE, stderr=errors, pass_fds=(fd,)
        )
    finally:
        cat.stdout.close()
    return producer, (cat, pipe)


def _producer_error(
    producer: subprocess.Popen[bytes], errors: IO[bytes], job: ShardJob, wait: float | None
) -> InputError | None:
    """The producer's failure (its exit code and last stderr line), or None when it has none.

    ``wait``: seconds to give a still running producer to end (None: until it ends).
    """
    try:
        code = producer.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        return None
    if code == 0:
        return None
    last = last_line(errors, f"exit code {code}")
    cmd = producer.args
    assert isinstance(cmd, list)
    return InputError(f"{job.vcf}: {cmd[0]} {cmd[1]} failed: {last}")


def _check_feeder(feeder: Feeder, job: ShardJob) -> None:
    """Fail when ``cat`` did not pass the whole cut gene model (csq would have seen less)."""
    if feeder is not None and feeder[0].wait() != 0:
        code = feeder[0].returncode
        raise InputError(f"{job.gff3}: reading its cached cut failed (cat exit {code})")


def open_sources(
    specs: Sequence[SourceSpec], contig_map: dict[str, str], seek_records: int
) -> tuple[list[Source], list[SourceCache | None]]:
    """Open every source and, where its spec names one, its prepared cache."""
    opened = [open_with_cache(spec, contig_map, seek_records) for spec in specs]
    return [source for source, _ in opened], [cache for _, cache in opened]


def _our_ids(sources: Sequence[Source]) -> set[str]:
    """The INFO keys the sources write."""
    return {line["ID"] for s in sources for line in s.info_lines()}


def _pipe_blocks(stream: IO[bytes]) -> Iterator[bytes]:
    """The producer's output in blocks of :data:`INPUT_BLOCK` bytes."""
    while block := stream.read(INPUT_BLOCK):
        yield block


def _read_vcf_header(stream: IO[bytes], vcf: str) -> list[str]:
    """The header lines (newline-free) at the start of a VCF text stream, up to ``#CHROM``."""
    header: list[str] = []
    while not header or not header[-1].startswith("#CHROM"):
        raw = stream.readline()
        if not raw:
            raise InputError(f"{vcf}: no #CHROM header line")
        if not raw.startswith(b"#"):
            raise InputError(f"{vcf}: record before the #CHROM header line")
        header.append(raw.decode().rstrip("\n"))
    return header


def run_shard(job: ShardJob) -> ShardResult:
    """Run one shard: producer pipe → join → BGZF part without header, indexed.

    Returns:
        The producer's header lines (newline-free), the counters and the part's index.
    """
    with tempfile.TemporaryFile() as errors:
        return _joined_shard(job, errors)


def _joined_shard(job: ShardJob, errors: IO[bytes]) -> ShardResult:
    """:func:`run_shard` with the producer's stderr going to ``errors``.

    The producer starts first: csq parses its gene model while this process opens the sources.
    """
    producer, feeder = _start_producer(job, errors)
    assert producer.stdout is not None
    sink = IndexedBgzfWriter(job.part, job.level, part=True)
    try:
        sources, caches = open_sources(job.specs, job.contig_map, job.seek_records)
        for source in sources:
            source.check_naming(job.header_contigs)
        stream = producer.stdout
        blocks: Iterator[bytes] = _pipe_blocks(stream)
        if job.feed_parts is not None:  # csq annotates the records near genes only
            assert producer.stdin is not None
            fed = RecordFeeder(
                job.vcf, read_header(job.vcf), job.contigs, job.feed_parts, producer.stdin,
                job.consequences,
            )  # fmt: skip
            fed.start()
            blocks = merged_blocks(fed, stream, job.vcf)
        header = _read_vcf_header(stream, job.vcf)
        if feeder is not None:  # csq's command line names the pipe: name the gene model
            header = [h.replace(feeder[1], str(job.gff3)) for h in header]
        declared = {m.group(1) for h in header if (m := INFO_LINE.match(h))}
        strip = _our_ids(sources) & declared
        fill = job.gff3 is not None  # csq's FORMAT/BCSQ, whatever its run started with
        counts = join_stream(blocks, sink, sources, caches, job.vcf, strip or None, fill)
        if job.consequences is not None:
            counts["csq_cached"] = fed.cached
        _check_feeder(feeder, job)
        failed = _producer_error(producer, errors, job, None)
        if failed is not None:
            raise failed
        if job.expected_records is not None and counts["records"] != job.expected_records:
            raise InputError(
                f"{job.vcf}: its index lists {job.expected_records} records on "
                f"{', '.join(job.contigs or ['its contigs'])} but {counts['records']} were read "
                "(is the index older than the file?)"
            )
    except BaseException as exc:
        # a producer that failed explains what its reader saw (no header, a broken pipe)
        failed = _producer_error(producer, errors, job, 0.5)
        producer.kill()
        producer.wait()
        sink.abort()
        if feeder is not None:
            feeder[0].kill()
            feeder[0].wait()
        if failed is not None and isinstance(exc, InputError | OSError) and exc is not failed:
            raise failed from exc
        raise
    # BGZF and its index made here, in parallel; annotate() merges the parts' indexes.
    return header, counts, sink.close()


def _final_header(header: list[str], sources: Sequence[Source]) -> list[str]:
    """The output header: the producer's, our INFO lines replaced, one provenance line each."""
    body, chrom_line = header[:-1], header[-1]
    ours = _our_ids(sources)
    body = [h for h in body if not ((m := INFO_LINE.match(h)) and m.group(1) in ours)]
    for source in sources:
        body.append(source.header_line())
        body += [info_header_line(line) for line in source.info_lines()]
    return [*body, chrom_line]


def _shard_jobs(
    template: ShardJob, threads: int, tmp: Path, cache_dir: str | os.PathLike[str] | None
) -> list[ShardJob]:
    """The template job cut into shards of contigs (one job for all when ``threads`` is 1).

    Each shard writes its part next to the temporary output, ``<tmp>.part<i>``. With a gene
    model, a cache folder and an indexed input, each shard's csq reads only the genes of its
    contigs (:func:`hurtig.annotation.gene_split.gene_model_parts`, cut once per gene model):
    one job for all reads those of the contigs the input has records on (a pipeline shard:
    one contig's genes instead of the genome's).
    """
    counts_by_contig = contig_counts(template.vcf)
    n_shards = min(len(counts_by_contig), threads) if threads > 1 else 1
    groups: list[list[str] | None] = (
        list(plan_shards(counts_by_contig, n_shards)) if n_shards > 1 else [None]
    )
    jobs = [
        replace(template, contigs=group, part=f"{tmp}.part{i}") for i, group in enumerate(groups)
    ]
    for job in jobs:
        if counts_by_contig:
            wanted = set(job.contigs or [c for c, _ in counts_by_contig])
            job.expected_records = sum(n for c, n in counts_by_contig if c in wanted)
    if template.gff3 is None or cache_dir is None or not counts_by_contig:
        return jobs  # no cut, or contigs unknown (no index): csq reads the whole model
    cut = gene_model_parts(template.gff3, cache_dir)
    if cut is None:
        return jobs
    feed = is_bgzf_vcf(template.vcf) or is_bcf(template.vcf)
    prepared = None
    if feed and template.fasta is not None:
        folder = cache_folder(cache_dir, template.gff3, template.fasta)
        prepared = str(folder) if open_consequences(folder) is not None else None
    for job in jobs:
        contigs = job.contigs or [c for c, _ in counts_by_contig]
        job.gff3_parts = cut.files_for(contigs)
        if feed:
            job.feed_parts = {c: str(cut.folder / cut.files[c]) for c in contigs if c in cut.files}
            job.consequences = prepared
    return jobs


def _run_jobs(jobs: list[ShardJob], threads: int) -> list[ShardResult]:
    """Run the shards: in this process when there is one, else in forked workers.

    Forked, not spawned: a worker starts with this process's imports (numpy, numba, the
    compiled splice and bin matcher) instead of loading them again (~1 s CPU per worker,
    issue 17).
    """
    if len(jobs) == 1:
        return [run_shard(jobs[0])]
    load_splice()
    load_matcher()
    load_indexer()
    if any(job.feed_parts is not None for job in jobs):
        load_scanner()
    if any(job.gff3 is not None for job in jobs):  # fed or not: the FORMAT/BCSQ fill
        load_cached_csq()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(min(threads, len(jobs))) as pool:
        return pool.map(run_shard, jobs, chunksize=1)


def _append_file(path: str, sink: IO[bytes]) -> None:
    """Append the file at ``path`` to ``sink`` (a file opened for writing).

    In the kernel where it can (``copy_file_range``: no copy through this process; 0.06 s
    instead of 0.58 s for 235 MB here), else by reading and writing.
    """
    sink.flush()
    with open(path, "rb") as src:
        size, done = os.fstat(src.fileno()).st_size, 0
        try:
            while done < size:
                moved = os.copy_file_range(src.fileno(), sink.fileno(), size - done)
                if moved == 0:
                    break
                done += moved
        except OSError:
            pass  # not supported here (other file systems, old kernels): copy the rest
        if done < size:
            src.seek(done)
            sink.seek(0, os.SEEK_END)
            shutil.copyfileobj(src, sink, 1 << 22)
    sink.seek(0, os.SEEK_END)


def _write_output(
    sources: Sequence[Source],
    results: list[ShardResult],
    parts: list[str],
    tmp: Path,
    out: Path,
    level: int,
) -> None:
    """Header member + the parts (BGZF members concatenate) + merged index, renamed into place."""
    header = _final_header(results[0][0], sources)
    starts = []
    with open(tmp, "wb") as sink:
        sink.write(bgzf_bytes(("\n".join(header) + "\n").encode(), level, eof=False))
        for part in parts:
            starts.append(sink.tell())
            _append_file(part, sink)
        sink.write(EOF_BLOCK)  # the parts have none: one at the end, as bgzip writes it
    indexes = [index for _, _, index in results]
    merged = tbi_bytes(list(zip(indexes, starts, strict=True)), str(tmp))
    with open(f"{tmp}.tbi", "wb") as sink:
        sink.write(bgzf_bytes(merged))
    os.replace(tmp, out)
    os.replace(f"{tmp}.tbi", f"{out}.tbi")


def _sum_counts(results: list[ShardResult], sources: Sequence[Source]) -> dict[str, int]:
    """The shards' counters added up; ``records`` and every ``<source>_hits`` present."""
    counts: dict[str, int] = {}
    for _, shard_counts, _ in results:
        for key, value in shard_counts.items():
            counts[key] = counts.get(key, 0) + value
    counts.setdefault("records", 0)
    for source in sources:
        counts.setdefault(f"{source.name}_hits", 0)
    return counts


def _source_specs(
    gnomad: str | os.PathLike[str] | None,
    clinvar: str | os.PathLike[str] | None,
    extra: Sequence[SourceSpec],
    cache_dir: str | os.PathLike[str] | None,
) -> list[SourceSpec]:
    """gnomAD, ClinVar, then the extra sources; cacheable ones read from ``cache_dir``."""
    specs: list[SourceSpec] = []
    if gnomad is not None:
        specs.append(SourceSpec("gnomad", str(gnomad)))
    if clinvar is not None:
        specs.append(SourceSpec("clinvar", str(clinvar)))
    specs += list(extra)
    if cache_dir is not None:
        specs = with_cache_dir(specs, Path(cache_dir))
    return specs


def _checked_sources(
    vcf: Path, specs: Sequence[SourceSpec], contig_map: dict[str, str], seek_records: int
) -> tuple[list[Source], list[str]]:
    """Open the sources once up front: names unique, contig naming agrees with the input.

    Returns:
        The sources (for the header and the counters) and the input header's contigs.
    """
    sources, _ = open_sources(specs, contig_map, seek_records)
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise InputError(f"{vcf}: two annotation sources share a name ({names})")
    in_contigs = header_contigs(read_header(str(vcf)))
    for source in sources:
        source.check_naming(in_contigs)
    return sources, in_contigs


def annotate(
    vcf: str | os.PathLike[str],
    out: str | os.PathLike[str],
    gnomad: str | os.PathLike[str] | None = None,
    clinvar: str | os.PathLike[str] | None = None,
    contig_map: dict[str, str] | None = None,
    seek_records: int = DEFAULT_SEEK_RECORDS,
    *,
    extra: Sequence[SourceSpec] = (),
    fasta: str | os.PathLike[str] | None = None,
    gff3: str | os.PathLike[str] | None = None,
    threads: int = 1,
    compress_level: int = 1,
    cache_dir: str | os.PathLike[str] | None = None,
) -> dict[str, int]:
    """Annotate ``vcf`` and write a bgzipped, tabix-indexed ``out`` (atomically).

    Args:
        vcf: input VCF/BCF (one ALT per record, sorted); with an index, contigs are sharded.
        out: output ``.vcf.gz``; ``out + ".tbi"`` is written too.
        gnomad: gnomAD sites VCF (bgzip + tabix), or None.
        clinvar: ClinVar VCF (bgzip + tabix), or None.
        contig_map: input contig → source contig names, used when a source lacks the input name.
        seek_records: re-open a source through its index when reading through to the next input
            position would skip more than about this many source records.
        extra: further sources (scores, in-house database, any registered kind).
        fasta: reference FASTA for ``bcftools csq`` (with ``gff3``).
        gff3: Ensembl GFF3; when given, consequences (``BCSQ``) are added by ``bcftools csq -l``.
        threads: worker processes (shards run in parallel, each with its own csq).
        compress_level: BGZF level of the output (1 = fastest).
        cache_dir: directory of prepared sources (:mod:`hurtig.annotation.prepared_cache`, one
            folder per source name); cacheable sources (gnomAD, ClinVar, scores) are then read
            from their caches (each validated against its file), the in-house database as before.

    Returns:
        Counters: ``records`` and ``<source>_hits`` per source.
    """
    vcf_path, out_path = Path(vcf), Path(out)
    if not vcf_path.is_file():
        raise InputError(f"{vcf_path}: input VCF not found")
    if gff3 is not None and fasta is None:
        raise InputError(f"{gff3}: a GFF3 needs the reference FASTA (--fasta) for bcftools csq")
    contig_map = contig_map or {}
    specs = _source_specs(gnomad, clinvar, extra, cache_dir)
    sources, in_contigs = _checked_sources(vcf_path, specs, contig_map, seek_records)
    tmp = temp_path(out_path, ".vcf.gz")
    template = ShardJob(
        str(vcf_path), None, "", specs, contig_map, seek_records,
        str(fasta) if fasta else None, str(gff3) if gff3 else None,
        compress_level, in_contigs,
    )  # fmt: skip
    jobs = _shard_jobs(template, threads, tmp, cache_dir)
    parts = [job.part for job in jobs]
    try:
        results = _run_jobs(jobs, threads)
        _write_output(sources, results, parts, tmp, out_path, compress_level)
    finally:
        _remove_leftovers(tmp, parts)
    return _sum_counts(results, sources)


def _remove_leftovers(tmp: Path, parts: Sequence[str]) -> None:
    """Delete the temporary output and the shard parts with their indexes (if still there)."""
    for leftover in (
        tmp,
        Path(f"{tmp}.tbi"),
        *map(Path, parts),
        *(Path(f"{p}.tbi") for p in parts),
    ):
        leftover.unlink(missing_ok=True)
