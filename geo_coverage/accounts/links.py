"""Signed map links as records: what each shows, until when, who made it, and whether it was
revoked (a link is signed, so it cannot be forged; the record lets an editor withdraw it)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from geo_coverage.accounts import db

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkRecord:
    """One signed link as recorded."""

    id: int
    query: str
    expires: str
    created_by: str
    created_at: str
    revoked_at: str | None


def add_link(path: Path | str, query: str, expires: str, created_by: str) -> LinkRecord:
    """Record a new link; its id goes into the signed token."""
    with db.transaction(path) as conn:
        row = conn.execute(
            "INSERT INTO links (query, expires, created_by, created_at) VALUES (?, ?, ?, ?) "
            "RETURNING *",
            (query, expires, created_by, db.now()),
        ).fetchone()
    return LinkRecord(*row)


def find_link(path: Path | str, link_id: int) -> LinkRecord | None:
    """The record of a link, or None."""
    with db.transaction(path, write=False) as conn:
        row = conn.execute("SELECT * FROM links WHERE id = ?", (link_id,)).fetchone()
    return LinkRecord(*row) if row else None


def list_links(path: Path | str, since: str) -> list[LinkRecord]:
    """Links that expire on or after a date (YYYY-MM-DD), newest first."""
    with db.transaction(path, write=False) as conn:
        rows = conn.execute(
            "SELECT * FROM links WHERE expires >= ? ORDER BY id DESC", (since,)
        ).fetchall()
    return [LinkRecord(*r) for r in rows]


def revoke_link(path: Path | str, link_id: int) -> LinkRecord | None:
    """Withdraw a link for good; None when there is no such link."""
    with db.transaction(path) as conn:
        conn.execute(
            "UPDATE links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (db.now(), link_id),
        )
        row = conn.execute("SELECT * FROM links WHERE id = ?", (link_id,)).fetchone()
    return LinkRecord(*row) if row else None
