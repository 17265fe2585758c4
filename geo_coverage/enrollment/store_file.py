"""The store's SQLite file: connections, transactions, its state, and SQLite errors as StoreErrors.

A store can be missing, not built yet, fine, read-only (a read-only disk or file permissions),
locked by another writer, damaged, or unreadable; `state` tells these apart so every command
can say which, and `transaction` turns SQLite's errors (a full disk, a lock, a damaged file)
into StoreErrors that say what happened and that nothing was changed.
"""

from __future__ import annotations

import enum
import errno
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from geo_coverage.errors import GeoCoverageError

LOGGER = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
SQLITE_HEADER = b"SQLite format 3\x00"
STORE_TABLES = ("meta", "versions", "enrollment", "areas")


class StoreError(GeoCoverageError):
    """The store is missing, not built, or cannot do what was asked."""


class StoreReadOnly(StoreError):
    """The store cannot be written: a read-only disk or file permissions."""

    status = 503


class StoreLocked(StoreError):
    """Another process holds the store's write lock."""

    status = 503


class StoreCorrupt(StoreError):
    """The store file is damaged or is not an enrollment store."""

    status = 503


class DiskFull(StoreError):
    """A write failed because the disk is full; the transaction was rolled back."""

    status = 507


class StoreState(enum.Enum):
    """What state a store file is in."""

    MISSING = "missing"
    NOT_BUILT = "not_built"
    OK = "ok"
    READ_ONLY = "read_only"
    LOCKED = "locked"
    CORRUPT = "corrupt"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class StoreStatus:
    """A store's state and, where it helps, what was found."""

    path: Path
    state: StoreState
    detail: str = ""

    @property
    def readable(self) -> bool:
        """Whether the store's data can be read (and served)."""
        return self.state in (StoreState.OK, StoreState.READ_ONLY, StoreState.LOCKED)

    def error(self) -> StoreError:
        """The error that explains this state to a user."""
        return state_error(self.path, self.state, self.detail)


def restore_advice(path: Path) -> str:
    """How to get a working store back."""
    return (
        f"restore it from a backup (copy the backup over {path}), or rebuild it: move {path} "
        "aside and run `geo-coverage build` (imported versions are then lost until re-imported)"
    )


def state_error(path: Path, state: StoreState, detail: str = "") -> StoreError:
    """A StoreError for a store state that prevents the work asked for."""
    because = f" ({detail})" if detail else ""
    if state in (StoreState.MISSING, StoreState.NOT_BUILT):
        return StoreError(
            f"the enrollment store {path} is not built yet{because}; run "
            "`geo-coverage build` (with --mirror DIR to use a local mirror)"
        )
    if state is StoreState.READ_ONLY:
        return StoreReadOnly(
            f"the enrollment store {path} is read-only{because}: nothing was changed; "
            "imports and rollbacks need write access to the file and its folder"
        )
    if state is StoreState.LOCKED:
        return StoreLocked(
            f"the enrollment store {path} is locked by another process (an import or "
            "rollback still running?): nothing was changed; try again when it has finished"
        )
    if state is StoreState.UNREADABLE:
        return StoreError(f"the enrollment store {path} cannot be read{because}")
    return StoreCorrupt(f"the enrollment store {path} is damaged{because}; {restore_advice(path)}")


def _uri(path: Path, **params: str) -> str:
    """An SQLite URI for a file with query parameters."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{quote(str(Path(path).absolute()))}?{query}"


def _configure(conn: sqlite3.Connection, timeout: float) -> sqlite3.Connection:
    """The pragmas every connection runs with."""
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def connect(path: Path, timeout: float | None = None) -> sqlite3.Connection:
    """A read-write connection in autocommit mode (transactions are explicit) that waits when
    busy."""
    timeout = BUSY_TIMEOUT_S if timeout is None else timeout
    with translated(path):
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        return _configure(conn, timeout)


def connect_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection; on a read-only disk where SQLite cannot create its WAL index,
    the file is opened as immutable (nobody can be writing it there)."""
    with translated(path):
        conn = sqlite3.connect(
            _uri(path, mode="ro"), uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_S
        )
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            name = getattr(exc, "sqlite_errorname", "")
            if not name.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY")) or os.access(
                Path(path).parent, os.W_OK
            ):
                raise
        LOGGER.debug(f"{path} is on a read-only disk: opened as immutable")
        return sqlite3.connect(_uri(path, mode="ro", immutable="1"), uri=True, isolation_level=None)


def _why_read_only(path: Path) -> str:
    """Why a store cannot be written: a read-only disk, or which permission is missing."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "the disk it is on is mounted read-only"
    except OSError:
        pass
    if not os.access(path, os.W_OK):
        return "no write permission on the file"
    if not os.access(Path(path).parent, os.W_OK):
        return "no write permission on its folder, where SQLite keeps its journal"
    return "SQLite cannot write it"


def error_for(path: Path, exc: BaseException) -> StoreError | None:
    """The StoreError that explains an SQLite error (or a full disk), or None if the error is
    not about the store's file."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL") or (
        isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
    ):
        return DiskFull(
            f"the disk is full: nothing was changed (no space left for {path}); free some "
            "space and try again"
        )
    if not isinstance(exc, sqlite3.Error):
        return None
    if name.startswith("SQLITE_READONLY"):
        return state_error(path, StoreState.READ_ONLY, _why_read_only(path))
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return state_error(path, StoreState.LOCKED)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return state_error(path, StoreState.CORRUPT, str(exc))
    if name.startswith("SQLITE_CANTOPEN"):
        if Path(path).exists() and not os.access(Path(path).parent, os.W_OK):
            return state_error(path, StoreState.READ_ONLY, _why_read_only(path))
        return state_error(path, StoreState.UNREADABLE, str(exc))
    if name.startswith("SQLITE_IOERR"):
        return StoreError(f"reading or writing {path} failed ({exc}): nothing was changed")
    return None


@contextmanager
def translated(path: Path) -> Iterator[None]:
    """Turn SQLite errors about the store's file (and a full disk) into StoreErrors."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        error = error_for(path, exc)
        if error is None:
            raise
        raise error from exc


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if SQLite still has a transaction open (it ends one itself on a full disk)."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        LOGGER.warning(f"rolling back failed ({exc}); SQLite discards the transaction")


@contextmanager
def transaction(path: Path, write: bool = True) -> Iterator[sqlite3.Connection]:
    """A connection inside one transaction, committed on success, rolled back on any error.

    SQLite and OS errors about the file become StoreErrors (a full disk, a lock, a read-only
    or damaged file); other errors pass through unchanged.
    """
    conn = connect(path) if write else connect_reader(path)
    try:
        with translated(path):
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
    finally:
        conn.close()


def _probe_write(path: Path) -> StoreStatus | None:
    """READ_ONLY, LOCKED or CORRUPT if a write transaction cannot start now, else None."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        error = error_for(path, exc)
        if isinstance(error, DiskFull):
            return None
        if isinstance(error, StoreReadOnly):
            return StoreStatus(path, StoreState.READ_ONLY, _why_read_only(path))
        if isinstance(error, StoreLocked):
            return StoreStatus(path, StoreState.LOCKED)
        return StoreStatus(path, StoreState.CORRUPT, str(exc))
    finally:
        conn.close()
    return None


def _probe_contents(path: Path) -> StoreStatus | None:
    """CORRUPT, LOCKED or NOT_BUILT from what the file holds, or None if it is a built store."""
    try:
        conn = connect_reader(path)
    except StoreError as exc:
        damaged = isinstance(exc, StoreCorrupt)
        state = StoreState.CORRUPT if damaged else StoreState.UNREADABLE
        return StoreStatus(path, state, str(exc.__cause__ or exc))
    try:
        conn.execute("PRAGMA busy_timeout = 2000")
        check = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
        if check != ["ok"]:
            found = [line for c in check for line in c.splitlines() if not line.startswith("*")]
            return StoreStatus(path, StoreState.CORRUPT, "; ".join(found))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if not tables:
            return StoreStatus(path, StoreState.NOT_BUILT, "the file is empty")
        missing = [t for t in STORE_TABLES if t not in tables]
        if missing:
            return StoreStatus(
                path,
                StoreState.CORRUPT,
                f"not an enrollment store: no table {', '.join(missing)}",
            )
        areas = conn.execute("SELECT count(*) FROM areas").fetchone()[0]
        active = conn.execute("SELECT value FROM meta WHERE key = 'active_version'").fetchone()
        if not areas or active is None:
            return StoreStatus(path, StoreState.NOT_BUILT, "no areas or no version stored")
    except sqlite3.Error as exc:
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return StoreStatus(path, StoreState.LOCKED, "even reading is blocked")
        return StoreStatus(path, StoreState.CORRUPT, str(exc))
    finally:
        conn.close()
    return None


def state(path: Path) -> StoreStatus:
    """Whether the store is missing, not built, ok, read-only, locked, damaged or unreadable.

    Reads the whole file once (SQLite's quick_check): for commands and start-up, not for
    every request.
    """
    path = Path(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return StoreStatus(path, StoreState.CORRUPT, "it is not a regular file")
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return StoreStatus(path, StoreState.MISSING)
    except OSError as exc:
        return StoreStatus(path, StoreState.UNREADABLE, exc.strerror or str(exc))
    if header == b"":
        return StoreStatus(path, StoreState.NOT_BUILT, "the file is empty")
    if header != SQLITE_HEADER:
        return StoreStatus(path, StoreState.CORRUPT, "it is not an SQLite file")
    found = _probe_contents(path) or _probe_write(path)
    return found or StoreStatus(path, StoreState.OK)
