"""Thin Flask blueprints over the plain modules."""

from __future__ import annotations

from flask import Flask

from . import health


def register(app: Flask) -> None:
    """Attach every blueprint and the error handlers to the app."""
    app.register_blueprint(health.bp)
