"""``python -m hurtig <command> ...``: the same as the ``hurtig`` command."""

from hurtig.cli import console

console()
