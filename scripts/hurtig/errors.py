"""Errors that hurtig reports to users as one clear line."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence


class InputError(Exception):
    """Bad user input: the message names the file and the problem, on one line."""


def run_cli(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None) -> int:
    """Run a CLI entry point, turning an `InputError` into one stderr line and exit code 2.

    Args:
        main: the module's ``main(argv) -> exit code`` function.
        argv: arguments (``None`` means ``sys.argv[1:]``).

    Returns:
        The process exit code.
    """
    try:
        return main(argv)
    except InputError as err:
        print(f"hurtig error: {err}", file=sys.stderr)
        return 2
