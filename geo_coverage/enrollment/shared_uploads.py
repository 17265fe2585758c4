"""Uploads waiting for a preview, kept in the PostgreSQL database (GEO_COVERAGE_DATABASE_URL)
so that every app instance sees the same ones: the record and the bytes as uploaded. The
instance that shows or activates one keeps a working copy in its own folder; no Flask."""

from __future__ import annotations

from geo_coverage.database.engine import connection
from geo_coverage.database.schema import staged_uploads as table


def save(url: str, upload_id: str, uploaded_at: str, meta: str, original: bytes) -> None:
    """Keep an upload's record (JSON) and bytes."""
    with connection(url) as conn:
        conn.execute(
            table.insert().values(
                id=upload_id, uploaded_at=uploaded_at, meta=meta, original=original
            )
        )


def fetch(url: str, upload_id: str) -> tuple[str, bytes] | None:
    """An upload's record and bytes, or None when there is none of that id."""
    with connection(url, write=False) as conn:
        row = conn.execute(
            table.select()
            .with_only_columns(table.c.meta, table.c.original)
            .where(table.c.id == upload_id)
        ).first()
    return (row.meta, bytes(row.original)) if row else None


def records(url: str) -> list[str]:
    """Every kept upload's record (JSON)."""
    with connection(url, write=False) as conn:
        return list(conn.execute(table.select().with_only_columns(table.c.meta)).scalars())


def delete(url: str, upload_id: str) -> None:
    """Forget one upload."""
    with connection(url) as conn:
        conn.execute(table.delete().where(table.c.id == upload_id))


def delete_before(url: str, uploaded_at: str) -> None:
    """Forget the uploads made before that time (ISO 8601 UTC)."""
    with connection(url) as conn:
        conn.execute(table.delete().where(table.c.uploaded_at < uploaded_at))
