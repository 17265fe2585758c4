"""The Flask side: blueprints and HTTP helpers only; each view adapts a request to a plain
function of gis/ or maps/ and returns its answer. Static files live in static/.

May import: everything but the build modules.
"""

from __future__ import annotations

from flask import Flask

from geo_coverage.web import (
    download_routes,
    error_handlers,
    health,
    http,
    ogc_routes,
    pages,
    security,
)


def register(app: Flask) -> None:
    """Attach the cache and compression, every blueprint, the framing rules and the error
    handlers to the app."""
    http.register(app)
    error_handlers.register(app)
    security.register(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(download_routes.bp)
    app.register_blueprint(ogc_routes.bp)
