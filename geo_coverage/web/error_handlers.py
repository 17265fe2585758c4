"""One error handler: JSON for the APIs (OGC-style under /ogc), a short page otherwise; a bad
request logged on one line, an unexpected error's traceback once per place it comes from."""

from __future__ import annotations

import logging
import threading
import traceback
from types import TracebackType

from flask import Flask, current_app, jsonify, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from geo_coverage.errors import Busy, GeoCoverageError
from geo_coverage.i18n import DEFAULT_LANG, LANGS, text
from geo_coverage.web import bad_input

LOGGER = logging.getLogger(__name__)
JSON_PREFIXES = ("/ogc", "/api", "/download", "/healthz", "/geometry")
TRACEBACKS_KEPT = 256  # distinct places whose traceback was logged; later ones get one line


def wants_json() -> bool:
    """Whether the request is to an API route or prefers JSON."""
    if request.path.startswith(JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, code: str, message: str):
    """The error as JSON ({code, description}, as OGC API asks) or as a small HTML page."""
    bad_input.note(status, message)
    if wants_json():
        resp = jsonify(code=code, description=message)
    else:
        lang = request.args.get("lang") if request.args.get("lang") in LANGS else DEFAULT_LANG
        resp = render_template(
            "error.html",
            status=status,
            message=message,
            lang=lang,
            back=text("error.back_to_map", lang),
            home=url_for("pages.browse", lang=None if lang == DEFAULT_LANG else lang),
        )
    return resp, status


class TracebackLog:
    """Logs an unexpected error's traceback the first time it comes from a place (the type and
    the innermost line), and only one line, rate-limited, on every later time."""

    def __init__(self, logger: logging.Logger):
        self.logger = logger
        self._seen: set[tuple[str, str, int]] = set()
        self._lock = threading.Lock()

    def log(self, exc_info: tuple[type, BaseException, TracebackType] | tuple[None, None, None]):
        """Log an error raised while answering the current request."""
        kind, exc, tb = exc_info
        where = traceback.extract_tb(tb)[-1] if tb is not None else None
        place = (
            kind.__name__ if kind else "?",
            where.filename if where else "?",
            where.lineno or 0 if where else 0,
        )
        with self._lock:
            first = place not in self._seen and len(self._seen) < TRACEBACKS_KEPT
            if first:
                self._seen.add(place)
        summary = f"500 {request.method} {request.path}: {place[0]}: {exc}"
        if first:
            self.logger.error(summary, exc_info=exc_info)
        else:
            bad_input.BAD_REQUESTS.line(f"{summary} (at {place[1]}:{place[2]}, logged before)")


def register(app: Flask) -> None:
    """Install handlers for our errors, HTTP errors and anything unexpected."""
    app.log_exception = TracebackLog(app.logger).log  # type: ignore[method-assign]

    @app.errorhandler(GeoCoverageError)
    def _ours(exc: GeoCoverageError):
        if isinstance(exc, Busy):
            resp, status = error_response(exc.status, type(exc).__name__, str(exc))
            resp = current_app.make_response((resp, status))
            resp.headers["Retry-After"] = str(exc.retry_after)
            return resp
        if exc.status >= 500:
            current_app.log_exception((type(exc), exc, exc.__traceback__))
        return error_response(exc.status, type(exc).__name__, str(exc))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        lang = "en" if request.values.get("lang") == "en" else "id"
        return error_response(400, "CSRFError", text("auth.csrf", lang, reason=exc.description))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return error_response(exc.code or 500, exc.name.replace(" ", ""), exc.description or "")
