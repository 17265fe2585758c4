"""/healthz: whether the service is up and what it has built."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from geo_coverage.boundaries.shapes import is_built, read_report
from geo_coverage.enrollment.areas import stored_region
from geo_coverage.enrollment.store import is_store_built

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Up, the region served, and whether the shapes and the enrollment store are built (for
    that region)."""
    settings = current_app.config["SETTINGS"]
    region = settings.region.key
    shapes = is_built(settings.shapes) and (
        (read_report(settings.shapes) or {}).get("region", {}).get("key") == region
    )
    store = is_store_built(settings.store_path) and stored_region(settings.store_path) == region
    return jsonify(
        status="ok" if shapes and store else "degraded",
        region=region,
        shapes_built=shapes,
        store_built=store,
    ), 200
