"""Record what produced a sample's results: versions, commit, config and input checksums.

Usage::

    hurtig provenance --sample S --config-json CONFIG.json \
        --inputs name=path [name=path ...] --out results/provenance/S.json [--repo DIR]

The record and its JSON are defined in :mod:`hurtig.report.provenance_file`. The host name is
deliberately not recorded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import hurtig
from hurtig.errors import InputError
from hurtig.io.files import sha256_file
from hurtig.report.provenance_file import (
    SCHEMA,
    ConfigDigest,
    InputFile,
    PipelineState,
    Provenance,
    write_provenance,
)
from hurtig.run.layout import REPO_DIR

NOT_FOUND = "not found"
UNKNOWN = "unknown"

#: tool → (argv, regex with one group for the version). Output of stdout+stderr is searched.
TOOL_COMMANDS: dict[str, tuple[list[str], str]] = {
    "bwa": (["bwa"], r"Version:\s*(\S+)"),
    "samtools": (["samtools", "--version"], r"samtools\s+(\S+)"),
    "bcftools": (["bcftools", "--version"], r"bcftools\s+(\S+)"),
    "fastp": (["fastp", "--version"], r"fastp\s+(\S+)"),
    "mosdepth": (["mosdepth", "--version"], r"mosdepth\s+(\S+)"),
    "delly": (["delly", "--version"], r"Delly version:\s*v?(\S+)"),
    "tiddit": (["tiddit", "--help"], r"tiddit-(\d\S*)"),
    "cnvkit": (["cnvkit", "version"], r"^(\d+\.\d+\S*)\s*$"),
    "snakemake": (["snakemake", "--version"], r"^\s*(\d+\.\d+\S*)"),
}
PYTHON_PACKAGES = ("snakemake", "pysam", "cyvcf2", "numpy", "pandas", "hpo3")


def canonical_json_sha256(obj: object) -> str:
    """SHA256 of ``obj`` as canonical JSON (sorted keys, no spaces, UTF-8).

    Args:
        obj: any JSON-serialisable value.

    Returns:
        Hex digest; equal for equal content whatever the key order or formatting.
    """
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tool_version(argv: Sequence[str], pattern: str, timeout: float = 20.0) -> str:
    """Run a tool and extract its version from stdout+stderr (exit status is ignored).

    Args:
        argv: command (``bwa`` with no arguments prints its version on stderr and exits 1).
        pattern: regex whose first group is the version.
        timeout: seconds before giving up.

    Returns:
        The version, ``"not found"`` when the tool is not on PATH, or ``"unknown"``.
    """
    exe = shutil.which(argv[0])
    if exe is None:
        return NOT_FOUND
    try:
        proc = subprocess.run(
            [exe, *argv[1:]],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return UNKNOWN
    match = re.search(pattern, f"{proc.stdout}\n{proc.stderr}", re.MULTILINE)
    return match.group(1) if match else UNKNOWN


def tool_versions() -> dict[str, str]:
    """Versions of the external tools and Python packages the pipeline uses."""
    versions: dict[str, str] = {"python": platform.python_version(), "hurtig": hurtig.__version__}
    for package in PYTHON_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = NOT_FOUND
    for tool, (argv, pattern) in TOOL_COMMANDS.items():
        if tool in versions and versions[tool] != NOT_FOUND:
            continue  # e.g. snakemake installed in this environment
        versions[tool] = tool_version(argv, pattern)
    return dict(sorted(versions.items()))


def git_state(repo: str | os.PathLike[str]) -> tuple[str, bool | None]:
    """Commit and dirtiness of a git checkout.

    Args:
        repo: a folder inside the checkout.

    Returns:
        ``(commit, dirty)``; ``("unknown", None)`` when not a git checkout or git is missing.
    """
    git = shutil.which("git")
    if git is None:
        return UNKNOWN, None
    try:
        head = subprocess.run(
            [git, "-C", str(repo), "rev-parse", "HEAD"],
            capture_output=True, text=True, errors="replace", timeout=20, check=False,
        )  # fmt: skip
        if head.returncode != 0:
            return UNKNOWN, None
        status = subprocess.run(
            [git, "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, errors="replace", timeout=60, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return UNKNOWN, None
    dirty = bool(status.stdout.strip()) if status.returncode == 0 else None
    return head.stdout.strip(), dirty


def parse_inputs(items: Sequence[str]) -> list[tuple[str, str]]:
    """Parse ``name=path`` arguments (names may repeat, e.g. several FASTQs)."""
    pairs = []
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise InputError(f"--inputs: bad item {item!r} (expected name=path)")
        pairs.append((name, path))
    return pairs


def checksum_inputs(pairs: Sequence[tuple[str, str]], threads: int = 4) -> tuple[InputFile, ...]:
    """SHA256 and size of each named file (hashed in parallel, 1 MiB blocks).

    Args:
        pairs: ``(name, path)``.
        threads: files hashed at once.

    Returns:
        The inputs in the given order.
    """
    for name, path in pairs:
        if not Path(path).is_file():
            raise InputError(f"{path}: input '{name}' not found")
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        digests = list(pool.map(lambda pair: sha256_file(pair[1]), pairs))
    return tuple(
        InputFile(name=name, path=path, size=Path(path).stat().st_size, sha256=digest)
        for (name, path), digest in zip(pairs, digests, strict=True)
    )


def build_provenance(
    sample: str,
    config_json: str | os.PathLike[str],
    inputs: Sequence[tuple[str, str]],
    repo: str | os.PathLike[str] = REPO_DIR,
    threads: int = 4,
) -> Provenance:
    """Assemble the provenance record for one sample.

    Args:
        sample: sample id.
        config_json: the run's config as JSON.
        inputs: ``(name, path)`` of files to checksum.
        repo: the pipeline checkout (for the git commit).
        threads: files hashed at once.

    Returns:
        The record.
    """
    config_path = Path(config_json)
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise InputError(f"{config_path}: config JSON not found") from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{config_path}: not valid JSON ({err})") from err
    commit, dirty = git_state(repo)
    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return Provenance(
        schema=SCHEMA,
        sample=sample,
        created_utc=created,
        pipeline=PipelineState(
            name="hurtig", version=hurtig.__version__, git_commit=commit, git_dirty=dirty
        ),
        tools=tool_versions(),
        config=ConfigDigest(file=config_path.name, sha256=canonical_json_sha256(config)),
        inputs=checksum_inputs(inputs, threads),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="hurtig provenance",
        description="Write a provenance JSON: versions, git commit, config and input checksums.",
    )
    parser.add_argument("--sample", required=True)
    parser.add_argument("--config-json", required=True, help="the run's config as JSON")
    parser.add_argument(
        "--inputs", nargs="*", default=[], metavar="NAME=PATH", help="files to checksum"
    )
    parser.add_argument("--out", required=True, help="output JSON")
    parser.add_argument("--repo", default=str(REPO_DIR), help="pipeline checkout (git commit)")
    parser.add_argument("--threads", type=int, default=4, help="files hashed in parallel")
    args = parser.parse_args(argv)
    record = build_provenance(
        args.sample, args.config_json, parse_inputs(args.inputs), args.repo, args.threads
    )
    write_provenance(record, Path(args.out))
    return 0
