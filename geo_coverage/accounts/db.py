"""The accounts database: one SQLite file in the instance folder, in WAL mode, written in
explicit transactions (the same habits as the enrollment store); or, when the settings name a
PostgreSQL database (GEO_COVERAGE_DATABASE_URL), its tables there, so that every app instance
shares the same users, tokens, audit log and signed links.

Callers write one SQL dialect (qmark placeholders, portable statements) and get a connection
with `execute(sql, params)` from `transaction(where)`, whichever back end `where` names.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError as _SqlAlchemyIntegrityError
from sqlalchemy.exc import SQLAlchemyError

from geo_coverage.database.engine import DatabaseUnavailable
from geo_coverage.database.engine import connection as pg_connection

LOGGER = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
_READY: set[Path | str] = set()

# A name or digest stored twice, whichever back end refused it.
IntegrityError = (sqlite3.IntegrityError, _SqlAlchemyIntegrityError)
# What a failed write of the audit log can raise, whichever back end.
WriteError: tuple[type[BaseException], ...] = (
    sqlite3.Error,
    OSError,
    SQLAlchemyError,
    DatabaseUnavailable,
)


class Rows(Protocol):
    """What `execute` returns: the rows of a statement."""

    @property
    def rowcount(self) -> int:
        """How many rows the statement changed."""
        ...

    def fetchone(self) -> Any:
        """The next row, or None."""

    def fetchall(self) -> list:
        """The remaining rows."""

    def __iter__(self) -> Iterator[Any]:
        """The rows, one by one."""


class Accounts(Protocol):
    """A connection inside a transaction of either back end."""

    def execute(self, sql: str, params: tuple = (), /) -> Rows:
        """Run one statement with qmark placeholders."""
        ...


_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS users (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
      password_hash TEXT NOT NULL,
      enabled INTEGER NOT NULL DEFAULT 1,
      session_epoch INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      changed_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tokens (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
      token_sha256 TEXT NOT NULL UNIQUE,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      last_used_at TEXT,
      revoked_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS audit (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      epoch REAL NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      subject TEXT,
      detail TEXT NOT NULL DEFAULT '',
      address TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE IF NOT EXISTS links (
      id INTEGER PRIMARY KEY,
      query TEXT NOT NULL,
      expires TEXT NOT NULL,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      revoked_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS audit_action_epoch ON audit (action, epoch)",
    "CREATE INDEX IF NOT EXISTS audit_subject ON audit (subject)",
)


def now() -> str:
    """UTC time as ISO 8601 with seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) that waits when busy."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def initialise(path: Path) -> None:
    """Create the accounts file (WAL mode, owner-only permissions) and its tables if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    conn = connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        for statement in _SCHEMA:
            conn.execute(statement)
        conn.execute("COMMIT")
    finally:
        conn.close()


class _PostgresAccounts:
    """The accounts tables in PostgreSQL, behind the same `execute` as SQLite's."""

    def __init__(self, conn):
        self._conn = conn

    def execute(self, sql: str, params: tuple = (), /) -> Rows:
        """Run one statement, qmark placeholders turned into psycopg's."""
        return self._conn.exec_driver_sql(sql.replace("?", "%s"), tuple(params))


def _require_schema(url: str) -> None:
    """Bring the database to the current schema once per process (the accounts tables are
    created by the same migrations as the store's)."""
    if url in _READY:
        return
    from geo_coverage.database.migrate import upgrade

    upgrade(url)
    _READY.add(url)


@contextmanager
def transaction(path: Path | str, write: bool = True) -> Iterator[Accounts]:
    """A connection inside one transaction, committed on success, rolled back on any error.

    A SQLite file and its tables are created first when missing, a database's schema
    migrated (checked once per process).
    """
    if isinstance(path, str):
        _require_schema(path)
        with pg_connection(path, write=write) as conn:
            yield _PostgresAccounts(conn)
        return
    if path not in _READY or not path.is_file():
        initialise(path)
        _READY.add(path)
    sqlite = connect(path)
    try:
        sqlite.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield sqlite
        except BaseException:
            sqlite.execute("ROLLBACK")
            raise
        sqlite.execute("COMMIT")
    finally:
        sqlite.close()
