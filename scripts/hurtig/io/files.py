"""Small file helpers shared by hurtig modules: hashing, temporary names, atomic writes."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TypeVar

_Job = TypeVar("_Job")
_Result = TypeVar("_Result")

BLOCK_SIZE = 1 << 20


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex SHA256 of a file, read in 1 MiB blocks (constant memory).

    Args:
        path: the file.

    Returns:
        Lower-case hex digest.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK_SIZE):
            digest.update(block)
    return digest.hexdigest()


def temp_path(final: str | os.PathLike[str], suffix: str = "") -> Path:
    """Return a temporary path in the same folder as ``final`` (for write-then-rename).

    Args:
        final: the final output path.
        suffix: appended after the temporary name (e.g. ``.vcf.gz`` so tools see the type).

    Returns:
        A hidden sibling path unique to this process.
    """
    final = Path(final)
    return final.with_name(f".{final.name}.tmp{os.getpid()}{suffix}")


def file_stamp(path: str | os.PathLike[str]) -> str:
    """A file's real path, size and modification time, NUL-separated (a cache key's part)."""
    st = os.stat(path)
    return f"{os.path.realpath(path)}\0{st.st_size}\0{st.st_mtime_ns}"


def last_line(errors: IO[bytes], fallback: str) -> str:
    """The last non-empty line a tool wrote to ``errors`` (its stderr file), or ``fallback``."""
    errors.seek(0)
    said = errors.read().decode(errors="replace").strip().splitlines()
    return said[-1] if said else fallback


def process_umask() -> int:
    """The process's umask (read by setting it and back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def swap_in_folder(tmp: Path, final: Path, mode: int = 0o755) -> None:
    """Put the finished folder ``tmp`` in place of ``final`` (``mode`` less the umask).

    A folder already at ``final`` is moved aside first and deleted after: readers that hold its
    files open (or mapped) keep reading them.
    """
    os.chmod(tmp, mode & ~process_umask())
    old = final.with_name(f".{final.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)


def map_in_processes(
    work: Callable[[_Job], _Result], jobs: Sequence[_Job], threads: int
) -> list[_Result]:
    """``work`` on every job: in ``threads`` spawned processes when there are several, in order."""
    if threads > 1 and len(jobs) > 1:
        with multiprocessing.get_context("spawn").Pool(min(threads, len(jobs))) as pool:
            return pool.map(work, jobs, chunksize=1)
    return [work(job) for job in jobs]


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text to ``path`` atomically (temporary file in the same folder, then rename).

    Parent folders are created. The temporary file comes from :func:`tempfile.mkstemp`, so the
    result is private to the owner (mode 0600) whatever the umask; it is removed on any error.

    Args:
        path: the final output path.
        text: the whole file content.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def source_version(header_lines: list[str] | tuple[str, ...], fallback: str = "unknown") -> str:
    """A source file's version as its header states it.

    Looks, in order, for ``##version=``, ``##fileDate=``, ``##source=`` and a CADD-style
    ``## CADD GRCh38-v1.7`` line. Used in the ``##hurtig_source`` provenance header lines.

    Args:
        header_lines: the file's header lines (with their leading ``#``).
        fallback: returned when none is found.

    Returns:
        The version text (``"`` and ``>`` removed so it fits a structured header line).
    """
    found: dict[str, str] = {}
    for line in header_lines:
        for key in ("version", "fileDate", "source"):
            if line.startswith(f"##{key}=") and key not in found:
                found[key] = line.split("=", 1)[1].strip()
        if line.startswith("## ") and "cadd" in line.lower() and "cadd" not in found:
            words = line[3:].split()
            found["cadd"] = " ".join(words[:2])
    for key in ("version", "fileDate", "cadd", "source"):
        if key in found:
            return found[key].replace('"', "'").replace(">", ")")[:200]
    return fallback
