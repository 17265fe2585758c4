"""/healthz: whether the service is up and what it has built."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from ..build_shapes import is_built

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Up, and whether shapes are built."""
    settings = current_app.config["SETTINGS"]
    built = is_built(settings.shapes)
    return jsonify(status="ok" if built else "degraded", shapes_built=built), 200
