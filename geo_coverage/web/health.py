"""/healthz: whether the service is up and what it has built."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from geo_coverage.boundaries.shapes import is_built
from geo_coverage.enrollment.store import is_store_built

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Up, and whether the shapes and the enrollment store are built."""
    settings = current_app.config["SETTINGS"]
    shapes, store = is_built(settings.shapes), is_store_built(settings.store_path)
    return jsonify(
        status="ok" if shapes and store else "degraded", shapes_built=shapes, store_built=store
    ), 200
