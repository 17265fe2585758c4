"""Thin Flask blueprints over the plain modules."""

from __future__ import annotations

from flask import Flask

from . import downloads, errors, health, ogc, pages, security


def register(app: Flask) -> None:
    """Attach every blueprint, the framing rules and the error handlers to the app."""
    errors.register(app)
    security.register(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(ogc.bp)
