"""Open a project SQLite database the same way everywhere (the in-house databases).

Autocommit mode with explicit transactions (writers use ``BEGIN IMMEDIATE``, SQLite's write lock),
WAL journal so readers see the last committed state while a writer works, and the schema created
when missing. Switching a new file to WAL and creating the schema can meet another process doing
the same and fail at once with "database is locked" (SQLite does not always wait its busy timeout
there), so opening is retried until ``timeout``.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from hurtig.errors import InputError


def open_database(
    db: str | os.PathLike[str], schema: str, what: str, timeout: float
) -> sqlite3.Connection:
    """Open (creating if needed) a database with ``schema``.

    Args:
        db: the SQLite file (its folder is created).
        schema: ``CREATE ... IF NOT EXISTS`` statements.
        what: the database's name in an error, e.g. ``in-house database``.
        timeout: seconds a writer waits for another writer's lock.

    Raises:
        InputError: the file is not a SQLite database of this kind.
    """
    path = Path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    while True:
        con = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(schema)
            return con
        except sqlite3.OperationalError as err:
            con.close()
            if "locked" not in str(err) and "busy" not in str(err):
                raise InputError(f"{path}: not an {what} ({err})") from err
            if time.monotonic() > deadline:
                raise InputError(f"{path}: {what} stayed locked for {timeout:.0f} s") from err
            time.sleep(0.05)
        except sqlite3.DatabaseError as err:
            con.close()
            raise InputError(f"{path}: not an {what} ({err})") from err
