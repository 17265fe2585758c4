"""One SQLAlchemy engine (psycopg 3, with a connection pool) per database URL and process,
the URL as it may be shown, and PostgreSQL's errors as the store's errors."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError

from geo_coverage.errors import GeoCoverageError

LOGGER = logging.getLogger(__name__)

POOL_SIZE = 4  # connections kept open per process (waitress runs a few threads)
POOL_OVERFLOW = 8  # more opened under load, closed again when returned
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 120_000  # a runaway query ends instead of holding a connection

_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


class DatabaseUnavailable(GeoCoverageError):
    """The PostgreSQL server cannot be reached or refuses the connection."""

    status = 503


def shown(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    if parts.password is None:
        return urlunsplit(parts)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}:***@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}{port}"))


def engine_for(url: str) -> Engine:
    """The process's engine for a database URL (created on first use, then shared)."""
    with _LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = create_engine(
                url,
                pool_size=POOL_SIZE,
                max_overflow=POOL_OVERFLOW,
                pool_pre_ping=True,
                pool_recycle=3600,
                connect_args={
                    "connect_timeout": CONNECT_TIMEOUT_S,
                    "application_name": "geo-coverage",
                    "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
                },
            )
            event.listen(engine, "connect", _on_connect)
            _ENGINES[url] = engine
        return engine


def _on_connect(dbapi_connection, _record) -> None:
    """Every connection reads and writes UTC times and text as UTF-8."""
    with dbapi_connection.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
    dbapi_connection.commit()


def dispose(url: str) -> None:
    """Close the pooled connections of one database URL and forget its engine."""
    with _LOCK:
        engine = _ENGINES.pop(url, None)
    if engine is not None:
        engine.dispose()


def dispose_all() -> None:
    """Close every pooled connection of this process (after a fork, or when tests end)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


@contextmanager
def reachable(url: str) -> Iterator[None]:
    """Turn a refused or lost connection into DatabaseUnavailable naming the server."""
    try:
        yield
    except OperationalError as exc:
        if _is_connection_error(exc):
            raise DatabaseUnavailable(
                f"the database {shown(url)} cannot be reached ({_first_line(exc)}); is "
                "PostgreSQL running, and are GEO_COVERAGE_DATABASE_URL's host, port, user "
                "and password right?"
            ) from exc
        raise


def _is_connection_error(exc: DBAPIError) -> bool:
    """Whether an error is about reaching the server rather than about a statement."""
    return bool(exc.connection_invalidated) or getattr(exc.orig, "sqlstate", None) in (
        None,
        "08000",
        "08001",
        "08003",
        "08004",
        "08006",
        "57P01",
        "57P03",
        "28P01",
        "28000",
        "3D000",
    )


def _first_line(exc: BaseException) -> str:
    """The first line of the driver's message."""
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


@contextmanager
def connection(url: str, *, write: bool = True) -> Iterator[Connection]:
    """A pooled connection inside one transaction: committed on success, rolled back on any
    error. Reads run REPEATABLE READ, READ ONLY: every statement sees the same snapshot."""
    engine = engine_for(url)
    with reachable(url), engine.connect() as conn:
        if not write:
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with conn.begin():
            yield conn
