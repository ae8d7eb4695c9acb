"""Build the prepared consequences (:mod:`hurtig.annotation.csq_cache`) from a VCF of alleles.

Per contig of the gene model's cut, in parallel: the alleles of the VCF (gnomAD) whose REF span
comes near a feature (the feed's rule, :func:`hurtig.annotation.csq_feed.feature_spans`) go to
``bcftools csq -l`` as a one-sample VCF with GT ``1/1``; its ``INFO/BCSQ`` and ``FORMAT/BCSQ``
are kept per allele. Symbolic, breakend and ``*`` alleles are left to csq at annotation time,
as are records at POS 1 (csq holds those back in its buffer). The folder is built under a
temporary name and renamed into place.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from hurtig.annotation.csq_cache import FORMAT, cache_folder, open_consequences, write_table
from hurtig.annotation.csq_feed import feature_spans
from hurtig.annotation.gene_split import gene_model_parts
from hurtig.errors import InputError
from hurtig.io.files import last_line, map_in_processes, swap_in_folder

#: Alleles handed to csq per write.
_BATCH = 20000


def _alleles(vcf: str, contig: str, starts: np.ndarray, stops: np.ndarray) -> Iterator[bytes]:
    r"""``POS\t.\tREF\tALT`` lines of ``vcf``'s single-base-or-longer alleles near the spans."""
    with tempfile.TemporaryFile() as errors:  # a file: a full stderr pipe could stall it
        query = subprocess.Popen(
            ["bcftools", "query", "-r", contig, "-f", "%POS\t%REF\t%ALT\n", vcf],
            stdout=subprocess.PIPE, stderr=errors,
        )  # fmt: skip
        assert query.stdout is not None
        for line in query.stdout:
            pos_text, ref, alts = line.rstrip(b"\n").split(b"\t")
            pos = int(pos_text)
            if pos <= 1:
                continue
            beg = pos - 1
            at = int(np.searchsorted(starts, beg + max(len(ref), 1), side="left"))
            if at == 0 or stops[at - 1] <= beg:
                continue
            for alt in alts.split(b","):
                if alt == b"*" or alt == b"." or not alt.isalpha() or alt == ref:
                    continue
                yield b"%d\t.\t%s\t%s" % (pos, ref, alt)
        if query.wait() != 0:
            err = last_line(errors, "no message")
            raise InputError(f"{vcf}: bcftools query -r {contig} failed: {err}")


def _mask(fmt: bytes, sample: bytes) -> int:
    keys = fmt.split(b":")
    if b"BCSQ" not in keys:
        return 0
    value = sample.split(b":")[keys.index(b"BCSQ")]
    return 0 if value == b"." else int(value)


def _bcsq(info: bytes) -> bytes | None:
    for item in info.split(b";"):
        if item.startswith(b"BCSQ="):
            return item[5:]
    return None


def build_contig(job: tuple[str, str, str, str, str, str]) -> int:
    """Run csq on one contig's alleles and write the table at ``prefix``; the alleles kept."""
    vcf, contig, part, common, fasta, prefix = job
    starts, stops = feature_spans(part)
    entries: list[tuple[int, bytes, int, bytes | None]] = []
    with tempfile.TemporaryFile() as errors:
        model = subprocess.Popen(["cat", "--", common, part], stdout=subprocess.PIPE)
        assert model.stdout is not None
        fd = model.stdout.fileno()
        csq = subprocess.Popen(
            ["bcftools", "csq", "-l", "-f", fasta, "-g", f"/dev/fd/{fd}", "-Ov", "-"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, pass_fds=(fd,),
        )  # fmt: skip
        model.stdout.close()
        assert csq.stdin is not None and csq.stdout is not None
        head = (
            "##fileformat=VCFv4.2\n"
            f"##contig=<ID={contig}>\n"
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n"
        )
        failure: list[BaseException] = []

        stdin = csq.stdin

        def feed() -> None:
            try:
                stdin.write(head.encode())
                batch: list[bytes] = []
                name = contig.encode()
                for allele in _alleles(vcf, contig, starts, stops):
                    batch.append(b"%s\t%s\t.\t.\t.\tGT\t1/1\n" % (name, allele))
                    if len(batch) >= _BATCH:
                        stdin.write(b"".join(batch))
                        batch = []
                stdin.write(b"".join(batch))
            except BaseException as err:  # reported after csq ends
                failure.append(err)
            finally:
                with contextlib.suppress(OSError):
                    stdin.close()

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        bad: bytes | None = None
        for line in csq.stdout:
            if line.startswith(b"#") or bad is not None:
                continue  # after a bad line: read on, csq's exit status explains it
            f = line.rstrip(b"\n").split(b"\t")
            try:
                entries.append((int(f[1]), f[3] + b"\t" + f[4], _mask(f[8], f[9]), _bcsq(f[7])))
            except (IndexError, ValueError):
                bad = line[:80]
        writer.join()
        code = csq.wait()
        model.wait()
        if failure:
            raise failure[0]
        if code != 0:
            last = last_line(errors, "?")
            raise InputError(f"{vcf}: bcftools csq on {contig}'s alleles failed: {last}")
        if bad is not None:
            raise InputError(f"{vcf}: bcftools csq wrote an unexpected line: {bad!r}")
    return write_table(Path(prefix), entries)


def build_consequences(
    vcf: str,
    gff3: str,
    fasta: str,
    cache_dir: str | os.PathLike[str],
    threads: int = 1,
    force: bool = False,
) -> tuple[Path, int, bool]:
    """Prepare the consequences of ``vcf``'s alleles (kept when already built, unless ``force``).

    Returns:
        The folder, the alleles it holds and whether it was built now.
    """
    for path, what in ((vcf, "allele VCF"), (gff3, "gene model"), (fasta, "reference FASTA")):
        if not Path(path).is_file():
            raise InputError(f"{path}: {what} not found")
    final = cache_folder(cache_dir, gff3, fasta)
    final.parent.mkdir(parents=True, exist_ok=True)
    with open(final.parent / f".{final.name}.lock", "a") as lock:  # builders take turns
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and (kept := open_consequences(final)) is not None:
            manifest = json.loads((final / "manifest.json").read_text())
            return kept.folder, int(manifest["alleles"]), False
        n = _build(vcf, gff3, fasta, cache_dir, threads, final)
    return final, n, True


def _indexed_contigs(vcf: str) -> set[str]:
    """The contigs with records in ``vcf``'s index (an error without an index)."""
    listing = subprocess.run(["bcftools", "index", "-s", vcf], capture_output=True, text=True)
    if listing.returncode != 0:
        said = (listing.stderr.strip().splitlines() or ["?"])[-1]
        raise InputError(f"{vcf}: needs a tabix or CSI index ({said})")
    return {line.split("\t")[0] for line in listing.stdout.splitlines()}


def _build(
    vcf: str, gff3: str, fasta: str, cache_dir: str | os.PathLike[str], threads: int, final: Path
) -> int:
    """Build the folder ``final`` (under a temporary name, then swapped in); the alleles kept.

    A folder it replaces is moved aside first and deleted after: a running annotation has its
    files mapped (:class:`hurtig.annotation.csq_cache.ConsequenceCache`) and keeps reading them.
    """
    parts = gene_model_parts(gff3, cache_dir)
    if parts is None:
        raise InputError(f"{gff3}: cutting the gene model into {cache_dir} failed")
    in_vcf = _indexed_contigs(vcf)
    contigs = [c for c in parts.files if c != "#" and c in in_vcf]
    tmp = Path(tempfile.mkdtemp(prefix=".build.", dir=final.parent))
    try:
        common = str(parts.folder / parts.files["#"])
        jobs = [
            (vcf, c, str(parts.folder / parts.files[c]), common, fasta, str(tmp / f"c{i}"))
            for i, c in enumerate(contigs)
        ]
        counts = map_in_processes(build_contig, jobs, threads)
        manifest = {
            "format": FORMAT,
            "alleles_from": vcf,
            "gff3": gff3,
            "fasta": fasta,
            "alleles": sum(counts),
            "contigs": {c: f"c{i}" for i, c in enumerate(contigs)},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        swap_in_folder(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return sum(counts)
