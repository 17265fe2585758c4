"""Helpers shared by the enrollment tests (plain functions; fixtures are in enrollment_fixtures)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from geo_coverage.config import Settings

DATA = Path(__file__).parent / "data"
HEADER = "kode,period,segment,potential_workers,active_members,source"


def quiet(_message: str) -> None:
    """A progress callback that prints nothing."""


def settings_for(root: Path, mirror: Path) -> Settings:
    """Settings with their own instance and shapes folders, ignoring the environment."""
    return Settings.from_env(
        environ={}, instance=root / "instance", shapes=root / "shapes", mirror=mirror
    )


def copy_store(source: Path, target: Path) -> None:
    """Copy a store file consistently (SQLite backup), keeping WAL mode."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    dst = sqlite3.connect(target)
    dst.execute("PRAGMA journal_mode = WAL")
    dst.close()


STATE_QUERIES = {
    "meta": "SELECT key, value FROM meta ORDER BY key",
    "versions": "SELECT * FROM versions ORDER BY id",
    "activations": "SELECT * FROM activations ORDER BY id",
    "rows": "SELECT * FROM enrollment ORDER BY version, kode, period, segment",
    "provenance": "SELECT * FROM provenance ORDER BY version, kode, period, segment",
    "targets": "SELECT * FROM target_rows ORDER BY version, kode, year",
}


def store_state(where: Path | Settings) -> dict:
    """Everything an import could change: active pointer, tag, versions, rows, activations,
    from a store file or from the store the settings name (a file or a database)."""
    if isinstance(where, Settings):
        if not where.database_url:
            return store_state(where.store_path)
        from geo_coverage.database.engine import connection

        with connection(where.database_url, write=False) as conn:
            found = {
                name: [tuple(r) for r in conn.exec_driver_sql(sql).all()]
                for name, sql in STATE_QUERIES.items()
            }
        return found | {"integrity": "ok"}
    return _file_state(where)


def _file_state(path: Path) -> dict:
    """store_state of a GeoPackage file, with SQLite's integrity check."""
    conn = sqlite3.connect(path)
    try:
        found = {name: conn.execute(sql).fetchall() for name, sql in STATE_QUERIES.items()}
        return found | {"integrity": conn.execute("PRAGMA integrity_check").fetchone()[0]}
    finally:
        conn.close()
