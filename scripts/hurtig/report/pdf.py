"""Print the HTML report to an A4 PDF with headless Chromium (``--print-to-pdf``).

The page size and margins come from the report's print stylesheet (``@page { size: A4 }``).
Chromium runs with a fresh, temporary profile and with its background network services off; the
report itself loads nothing from the network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hurtig.errors import InputError

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
)


def chromium_command(chromium: str, html: Path, pdf: Path, profile: Path) -> list[str]:
    """The Chromium command line that prints ``html`` to ``pdf`` with profile dir ``profile``."""
    return [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
        f"--print-to-pdf={pdf}",
        html.resolve().as_uri(),
    ]


def print_pdf(html: Path, out: Path, chromium: str = "chromium", timeout: float = 300) -> None:
    """Print an HTML file to PDF, writing ``out`` atomically and private (mode 0600).

    Args:
        html: the report HTML.
        out: the PDF to write.
        chromium: Chromium executable (name on PATH or path).
        timeout: seconds before Chromium is given up on.

    Raises:
        InputError: the HTML is missing, Chromium is missing, fails or writes no PDF.
    """
    if not html.is_file():
        raise InputError(f"{html}: report HTML not found")
    binary = shutil.which(chromium)
    if binary is None:
        raise InputError(f"{chromium}: Chromium not found (install Debian's chromium package)")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp.pdf")
    os.close(fd)
    tmp = Path(name)
    try:
        with tempfile.TemporaryDirectory(prefix="hurtig-chromium-") as profile:
            command = chromium_command(binary, html, tmp, Path(profile))
            try:
                result = subprocess.run(
                    command, capture_output=True, text=True, timeout=timeout, check=False
                )
            except subprocess.TimeoutExpired as err:
                raise InputError(f"{html}: Chromium did not finish within {timeout:g} s") from err
        if result.returncode != 0:
            tail = " ".join(result.stderr.strip().splitlines()[-2:])
            raise InputError(f"{html}: Chromium failed (exit {result.returncode}): {tail}")
        with tmp.open("rb") as handle:
            if handle.read(5) != b"%PDF-":
                raise InputError(f"{html}: Chromium wrote no PDF")
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        prog="hurtig print-pdf", description="Print the HTML report to an A4 PDF (Chromium)."
    )
    parser.add_argument("--html", required=True, type=Path, help="report HTML")
    parser.add_argument("--out", required=True, type=Path, help="output PDF")
    parser.add_argument("--chromium", default="chromium", help="Chromium executable")
    parser.add_argument("--timeout", type=float, default=300, help="seconds (default 300)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    args = parse_args(argv)
    print_pdf(args.html, args.out, chromium=args.chromium, timeout=args.timeout)
    return 0
