"""The tables of the edition store's SQLite file: its schema, format checks and migrations.

See :mod:`talentgap.editions.store` for the tables; this module creates them
in a new file, refuses a file that is not an edition store (or of a later
schema version than this talentgap reads) and brings a file of version 1 to
version 2 when, and only when, an edition is added with a projection. A
store that never holds a projection stays at version 1 (new ones are created
at it), so a talentgap that reads only version 1 keeps reading it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from talentgap.editions._checks import is_locked
from talentgap.editions._projection import PROJECTION_DDL
from talentgap.errors import EditionError

__all__ = ["STORE_FORMAT", "SCHEMA_VERSION", "damaged", "is_new", "initialise",
           "check_format", "migrate"]

#: The ``format`` entry of ``store_info``.
STORE_FORMAT = "talentgap-editions"
#: Latest version of the tables read and written here (2: ``projections`` added).
SCHEMA_VERSION = 2
#: Version a new store is created at: 1, the tables without ``projections``
#: (added, with version 2, by :func:`migrate` when a projection is stored).
_INITIAL_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS store_info (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS editions (
    name TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    origin_ordinal INTEGER NOT NULL,
    freq TEXT NOT NULL,
    created TEXT NOT NULL,
    talentgap_version TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    estimator TEXT NOT NULL,
    n_cells INTEGER NOT NULL,
    horizon INTEGER NOT NULL,
    notes TEXT,
    forecast BLOB NOT NULL,
    forecast_sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS artifact_files (
    edition TEXT NOT NULL REFERENCES editions(name) ON DELETE CASCADE,
    path TEXT NOT NULL,
    data BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (edition, path)
);
"""


def damaged(path: Path, exc: sqlite3.DatabaseError) -> EditionError:
    """The error of a file that cannot be used as an edition store."""
    return EditionError(f"{str(path)!r} cannot be used as an edition store: it is "
                        f"damaged or not a talentgap edition store ({exc})")


def is_new(connection: sqlite3.Connection, path: Path) -> bool:
    """True for an empty database; False for an edition store; refuses any other file.

    Checked before the tables are created, so that a store never writes its
    tables into another application's SQLite file.
    """
    tables = [r[0] for r in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
    if not tables:
        return True
    if "store_info" not in tables:
        shown = ", ".join(sorted(tables)[:5]) + (" ..." if len(tables) > 5 else "")
        raise EditionError(f"{str(path)!r} is a SQLite database of another "
                           f"application (tables: {shown}), not a talentgap edition "
                           "store; it was left unchanged: choose another file")
    return False


def initialise(connection: sqlite3.Connection) -> None:
    """Create the tables of a new store (version 1: no ``projections``), in WAL mode."""
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("BEGIN IMMEDIATE")
    try:
        for statement in _SCHEMA.split(";"):  # executescript would commit early
            if statement.strip():
                connection.execute(statement)
        connection.execute("INSERT OR IGNORE INTO store_info VALUES ('format', ?)",
                           (STORE_FORMAT,))
        connection.execute("INSERT OR IGNORE INTO store_info VALUES ('schema_version', ?)",
                           (str(_INITIAL_VERSION),))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def check_format(connection: sqlite3.Connection, path: Path) -> None:
    """Refuse a file that is not an edition store, or of a later schema version."""
    try:
        info = dict(connection.execute("SELECT key, value FROM store_info").fetchall())
    except sqlite3.DatabaseError as exc:
        if is_locked(exc):
            raise
        if "no such table" not in str(exc):
            raise damaged(path, exc) from exc
        raise EditionError(f"{str(path)!r} is not a talentgap edition store "
                           f"({exc})") from exc
    if info.get("format") != STORE_FORMAT:
        raise EditionError(f"{str(path)!r} is not a talentgap edition store "
                           f"(format {info.get('format')!r})")
    try:
        version = int(info.get("schema_version", "0"))
    except (TypeError, ValueError):
        raise EditionError(f"{str(path)!r} is damaged: its schema_version "
                           f"{info.get('schema_version')!r} is not a whole number") from None
    if version > SCHEMA_VERSION:
        raise EditionError(f"the edition store {str(path)!r} has schema version "
                           f"{version}; this talentgap reads up to {SCHEMA_VERSION}: "
                           "upgrade talentgap")


def migrate(connection: sqlite3.Connection) -> None:
    """Bring a store of version 1 to version 2 (inside a write storing a projection).

    Version 1 -> 2 adds the ``projections`` table; the editions stored
    are left as they are (they have no projection). Called only when a
    projection is stored, so that other writes leave a version 1 store
    readable by a talentgap that reads only version 1.
    """
    version = int(connection.execute("SELECT value FROM store_info WHERE key = "
                                     "'schema_version'").fetchone()[0])
    if version >= SCHEMA_VERSION:
        return
    connection.execute(PROJECTION_DDL)
    connection.execute("UPDATE store_info SET value = ? WHERE key = 'schema_version'",
                       (str(SCHEMA_VERSION),))
