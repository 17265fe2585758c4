"""/healthz: whether the service is up and what it has built; 503 when something is missing.

Cheap on purpose (load balancers call it often, and it must answer while maps are drawn): the
facts are worked out again only when the build report or the store file changes on disk, or,
with the PostgreSQL back end, at most once per DATABASE_FACTS_S.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from flask import Blueprint, current_app, jsonify

from geo_coverage.boundaries.shapes import built_region, is_built, outputs
from geo_coverage.web.http import state

bp = Blueprint("health", __name__)

DATABASE_FACTS_S = 1.0


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """Inode, size and time of a file, or None when it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _store_built(settings) -> bool:
    """Whether the store exists with its reference tables and an active version, for the
    region."""
    from geo_coverage.enrollment.areas import stored_region  # pandas: only when it changed
    from geo_coverage.enrollment.backend import open_store

    backend = open_store(settings)
    return backend.is_built() and stored_region(backend) == settings.region.key


def _stamps(settings) -> tuple:
    """What the facts depend on: the files' stamps, or for a database the current
    DATABASE_FACTS_S interval (the facts are then at most that old)."""
    if settings.database_url:
        return ("database", settings.database_url, int(time.monotonic() / DATABASE_FACTS_S))
    store = settings.store_path
    return (
        tuple(_stamp(p) for p in outputs(settings.shapes)),
        _stamp(store),
        _stamp(store.with_name(store.name + "-wal")),
    )


def _compute(settings, stamps: tuple) -> dict:
    """Whether the shapes and the store are built for the region, asked of the files or the
    database."""
    region = settings.region.key
    if settings.database_url:
        from geo_coverage.boundaries.shape_source import shape_source

        source = shape_source(settings)
        return {
            "shapes_built": source.is_built() and source.region() == region,
            "store_built": _store_built(settings),
        }
    return {
        "shapes_built": all(s is not None for s in stamps[0])
        and is_built(settings.shapes)
        and built_region(settings.shapes) == region,
        "store_built": stamps[1] is not None and _store_built(settings),
    }


def _facts(settings) -> dict:
    """Whether the shapes and the store are built for the region, from a memo keyed by their
    stamps."""
    stamps = _stamps(settings)
    app_state = state()
    with app_state.lock:
        known = app_state.memo.get("health")
    if known is not None and known[0] == stamps:
        return known[1]
    facts = _compute(settings, stamps)
    with app_state.lock:
        app_state.memo["health"] = (stamps, facts)
    return facts


@bp.get("/healthz")
def healthz():
    """Up, the region served, and whether the shapes and the enrollment store are built for it
    (503 when not)."""
    settings = current_app.config["SETTINGS"]
    facts = _facts(settings)
    ok = facts["shapes_built"] and facts["store_built"]
    resp = jsonify(status="ok" if ok else "degraded", region=settings.region.key, **facts)
    resp.headers["Cache-Control"] = "no-store"
    return resp, 200 if ok else 503
