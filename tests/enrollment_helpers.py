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


def store_state(path: Path) -> dict:
    """Everything an import could change: active pointer, tag, versions, rows, activations."""
    conn = sqlite3.connect(path)
    try:
        return {
            "meta": sorted(conn.execute("SELECT key, value FROM meta")),
            "versions": conn.execute("SELECT * FROM versions ORDER BY id").fetchall(),
            "activations": conn.execute("SELECT * FROM activations ORDER BY id").fetchall(),
            "rows": conn.execute(
                "SELECT * FROM enrollment ORDER BY version, kode, period, segment"
            ).fetchall(),
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
        }
    finally:
        conn.close()
