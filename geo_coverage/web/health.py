"""/healthz: whether the service is up and what it has built; 503 when something is missing.

Cheap on purpose (load balancers call it often, and it must answer while maps are drawn): the
facts are worked out again only when the build report or the store file changes on disk.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, current_app, jsonify

from geo_coverage.boundaries.shapes import built_region, is_built, outputs
from geo_coverage.region import Region
from geo_coverage.web.http import state

bp = Blueprint("health", __name__)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """Inode, size and time of a file, or None when it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _store_built(path: Path, region: Region) -> bool:
    """Whether the store exists with its reference tables and an active version, for the
    region."""
    from geo_coverage.enrollment.areas import stored_region  # pandas: only when it changed
    from geo_coverage.enrollment.store import is_store_built

    return is_store_built(path) and stored_region(path) == region.key


def _facts(shapes: Path, store: Path, region: Region) -> dict:
    """Whether the shapes and the store are built for the region, from a memo keyed by the
    files' stamps."""
    files = outputs(shapes)
    stamps = (
        tuple(_stamp(p) for p in files),
        _stamp(store),
        _stamp(store.with_name(store.name + "-wal")),
    )
    app_state = state()
    with app_state.lock:
        known = app_state.memo.get("health")
    if known is not None and known[0] == stamps:
        return known[1]
    facts = {
        "shapes_built": all(s is not None for s in stamps[0])
        and is_built(shapes)
        and built_region(shapes) == region.key,
        "store_built": stamps[1] is not None and _store_built(store, region),
    }
    with app_state.lock:
        app_state.memo["health"] = (stamps, facts)
    return facts


@bp.get("/healthz")
def healthz():
    """Up, the region served, and whether the shapes and the enrollment store are built for it
    (503 when not)."""
    settings = current_app.config["SETTINGS"]
    facts = _facts(settings.shapes, settings.store_path, settings.region)
    ok = facts["shapes_built"] and facts["store_built"]
    resp = jsonify(status="ok" if ok else "degraded", region=settings.region.key, **facts)
    resp.headers["Cache-Control"] = "no-store"
    return resp, 200 if ok else 503
