"""Versioned coverage targets in the enrollment store, kept like the enrollment figures: each
import is a new version (its rows plus the active rows it does not replace), activated with
one pointer in one transaction; rollback re-activates an earlier version. The store's
`targets` view shows the active version."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo_coverage.enrollment import store
from geo_coverage.enrollment.store import StoreError

LOGGER = logging.getLogger(__name__)

ACTIVE_KEY = "active_targets"
ROW_COLUMNS = ("kode", "year", "target_pct", "source")


@dataclass(frozen=True)
class TargetVersion:
    """One stored version of the targets table."""

    id: int
    created_at: str
    kind: str
    file_name: str
    sha256: str
    file_rows: int
    total_rows: int
    warnings: list[str]
    parent: int | None


def target_from_row(row: tuple) -> TargetVersion:
    """A TargetVersion from a target_versions row."""
    vid, created, kind, name, sha, file_rows, total, warnings, parent = row
    return TargetVersion(
        vid, created, kind, name, sha, file_rows, total, json.loads(warnings), parent
    )


def _active(conn) -> int | None:
    """The active targets version inside a transaction."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (ACTIVE_KEY,)).fetchone()
    return int(row[0]) if row else None


def _set_active(conn, version: int) -> None:
    """Point the targets view at a version and give the data a new version tag."""
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (ACTIVE_KEY, str(version)))
    store.bump_data_version(conn)


def write_targets_version(
    path: Path,
    rows: pd.DataFrame,
    *,
    kind: str,
    file_name: str,
    sha256: str,
    warnings: Iterable[str] = (),
    replace_all: bool = False,
) -> TargetVersion:
    """Store validated target rows as a new version and activate it, all in one transaction."""
    store.require(path)
    tuples = [
        (str(k), int(y), float(p), str(s))
        for k, y, p, s in rows.loc[:, list(ROW_COLUMNS)].itertuples(index=False, name=None)
    ]
    with store.transaction(path) as conn:
        active = _active(conn)
        version = conn.execute(
            "INSERT INTO target_versions (created_at, kind, file_name, sha256, file_rows, "
            "total_rows, warnings, parent) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            (
                time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                kind,
                file_name,
                sha256,
                len(tuples),
                json.dumps(list(warnings), ensure_ascii=False),
                active,
            ),
        ).lastrowid
        if version is None:
            raise StoreError("the store did not number the new targets version")
        conn.executemany(
            "INSERT INTO target_rows VALUES (?, ?, ?, ?, ?)", [(version, *t) for t in tuples]
        )
        if active is not None and not replace_all:
            conn.execute(
                "INSERT OR IGNORE INTO target_rows SELECT ?, kode, year, target_pct, source "
                "FROM target_rows WHERE version = ?",
                (version, active),
            )
        total = conn.execute(
            "SELECT count(*) FROM target_rows WHERE version = ?", (version,)
        ).fetchone()[0]
        conn.execute("UPDATE target_versions SET total_rows = ? WHERE id = ?", (total, version))
        _set_active(conn, version)
        row = conn.execute("SELECT * FROM target_versions WHERE id = ?", (version,)).fetchone()
    return target_from_row(row)


def activate_targets(path: Path, version: int | None = None) -> tuple[int, TargetVersion]:
    """Re-activate a stored targets version (default: the parent of the active one).

    Returns the version that was active before and the one active now.
    """
    store.require(path)
    with store.transaction(path) as conn:
        active = _active(conn)
        if active is None:
            raise StoreError("the store holds no targets versions; nothing to roll back")
        if version is None:
            version = conn.execute(
                "SELECT parent FROM target_versions WHERE id = ?", (active,)
            ).fetchone()[0]
            if version is None:
                raise StoreError(f"targets version {active} is the first; there is no earlier one")
        row = conn.execute("SELECT * FROM target_versions WHERE id = ?", (version,)).fetchone()
        if row is None or version is None:
            known = [r[0] for r in conn.execute("SELECT id FROM target_versions ORDER BY id")]
            raise StoreError(f"there is no targets version {version}; stored versions: {known}")
        _set_active(conn, version)
    return active, target_from_row(row)


def target_versions(path: Path) -> tuple[list[TargetVersion], int | None]:
    """Every stored targets version (oldest first) and the active one's id."""
    store.require(path)
    with store.transaction(path, write=False) as conn:
        rows = conn.execute("SELECT * FROM target_versions ORDER BY id").fetchall()
        active = _active(conn)
    return [target_from_row(r) for r in rows], active


def active_targets(path: Path) -> pd.DataFrame:
    """The active targets (kode, year, target_pct, source)."""
    store.require(path)
    with store.transaction(path, write=False) as conn:
        rows = conn.execute(
            "SELECT kode, year, target_pct, source FROM targets ORDER BY kode, year"
        ).fetchall()
    return pd.DataFrame(rows, columns=list(ROW_COLUMNS)).astype(
        {"kode": "string", "year": "int64", "target_pct": "float64", "source": "string"}
    )
