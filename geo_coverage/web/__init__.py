"""The Flask side: blueprints and HTTP helpers only; each view adapts a request to a plain
function of gis/ or maps/ and returns its answer. Static files live in static/.

May import: everything but the build modules.
"""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from geo_coverage.web import (
    admin,
    api_imports,
    auth,
    bad_input,
    download_routes,
    error_handlers,
    guard,
    health,
    hosts,
    http,
    impatient,
    ogc_routes,
    pages,
    replay,
    security,
    signed,
    sources,
    template_routes,
)

# Form fields may hold at most this much beyond the uploaded file itself.
FORM_OVERHEAD_BYTES = 65536


def register(app: Flask) -> None:
    """Attach the cache and compression, the refusal of malformed requests, every blueprint,
    the framing rules, sign-in, the guard, CSRF protection and the error handlers to the app."""
    http.register(app)
    bad_input.register(app)  # first: no other hook sees a malformed request
    hosts.register(app)
    settings = app.config["SETTINGS"]
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + FORM_OVERHEAD_BYTES
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # valid as long as the session
    error_handlers.register(app)
    security.register(app)
    auth.register(app)  # before the guard and CSRF: they need to know who is asking
    guard.register(app)
    csrf = CSRFProtect(app)
    csrf.exempt(api_imports.bp)  # a bearer token, never a cookie, opens it
    app.register_blueprint(health.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(sources.bp)
    app.register_blueprint(template_routes.bp)
    app.register_blueprint(download_routes.bp)
    app.register_blueprint(ogc_routes.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api_imports.bp)
    app.register_blueprint(signed.bp)
    impatient.register(app)  # in front of Flask: cheap refusals for clients told to wait
    replay.register(app)  # last: in front of every other middleware
