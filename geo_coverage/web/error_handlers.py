"""One error handler: JSON for the APIs (OGC-style under /ogc), a short page otherwise."""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from geo_coverage.errors import Busy, GeoCoverageError
from geo_coverage.i18n import DEFAULT_LANG, LANGS, text

LOGGER = logging.getLogger(__name__)
JSON_PREFIXES = ("/ogc", "/api", "/download", "/healthz", "/geometry")


def wants_json() -> bool:
    """Whether the request is to an API route or prefers JSON."""
    if request.path.startswith(JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, code: str, message: str):
    """The error as JSON ({code, description}, as OGC API asks) or as a small HTML page."""
    if wants_json():
        return jsonify(code=code, description=message), status
    asked = request.args.get("lang")
    lang = asked if asked in LANGS else DEFAULT_LANG
    page = render_template(
        "error.html",
        status=status,
        message=message,
        lang=lang,
        back=text("error.back_to_map", lang),
        home=url_for("pages.browse", lang=None if lang == DEFAULT_LANG else lang),
    )
    return page, status


def register(app: Flask) -> None:
    """Install handlers for our errors, HTTP errors and anything unexpected."""

    @app.errorhandler(GeoCoverageError)
    def _ours(exc: GeoCoverageError):
        if isinstance(exc, Busy):
            resp, status = error_response(exc.status, type(exc).__name__, str(exc))
            resp = current_app.make_response((resp, status))
            resp.headers["Retry-After"] = str(exc.retry_after)
            return resp
        if exc.status >= 500:
            LOGGER.exception("request failed")
        return error_response(exc.status, type(exc).__name__, str(exc))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        lang = "en" if request.values.get("lang") == "en" else "id"
        return error_response(400, "CSRFError", text("auth.csrf", lang, reason=exc.description))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        body, status = error_response(
            exc.code or 500, exc.name.replace(" ", ""), exc.description or ""
        )
        resp = current_app.make_response((body, status))
        for name, value in exc.get_headers():
            if name.lower() != "content-type":  # e.g. Allow on a 405
                resp.headers[name] = value
        return resp
