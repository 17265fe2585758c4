"""Malformed requests refused before any view runs, and one short log line per bad request.

A path or a query holding control characters (a NUL byte, an escape), a path longer than any
route of the app or a query string longer than any view needs is answered 400 or 414 here,
so that no view ever sees it. Every 4xx caused by the request (not by who asks) is logged on one
line of at most LINE_CHARS characters, escaped, and at most LINES_PER_MINUTE lines a minute:
junk sent in bulk costs a few kilobytes of log a minute, never a traceback each.
"""

from __future__ import annotations

import logging
import re
import threading
import time

from flask import Flask, request
from werkzeug.exceptions import BadRequest, RequestURITooLarge

from geo_coverage.i18n import API_LANG, text

LOGGER = logging.getLogger(__name__)

MAX_PATH_CHARS = 1024  # the longest route (a signed link) is about 300
MAX_QUERY_BYTES = 8192  # the longest view query is well under 1 KB
LINE_CHARS = 300
LINES_PER_MINUTE = 60
LOGGED_STATUSES = frozenset({400, 404, 405, 411, 413, 414, 416, 431})
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _escaped(text: str) -> str:
    """Text with control characters written as \\xNN."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class RateLimitedLog:
    """At most `per_minute` lines a minute; the number left out is said once the minute ends."""

    def __init__(self, logger: logging.Logger, per_minute: int = LINES_PER_MINUTE):
        self.logger, self.per_minute = logger, per_minute
        self._lock = threading.Lock()
        self._window = 0
        self._lines = 0
        self._left_out = 0

    def line(self, message: str) -> None:
        """Log one line (cut to LINE_CHARS, escaped) unless this minute's lines are used up."""
        window = int(time.monotonic() // 60)
        with self._lock:
            if window != self._window:
                left_out, self._left_out = self._left_out, 0
                self._window, self._lines = window, 0
                if left_out:
                    self.logger.warning(f"{left_out} more bad requests in the previous minute")
            if self._lines >= self.per_minute:
                self._left_out += 1
                return
            self._lines += 1
        text = _escaped(message)
        self.logger.warning(text if len(text) <= LINE_CHARS else text[: LINE_CHARS - 1] + "…")


BAD_REQUESTS = RateLimitedLog(LOGGER)


def note(status: int, message: str) -> None:
    """Log a bad request's status, method, path and what was wrong (rate-limited, one line)."""
    if status in LOGGED_STATUSES:
        path = request.full_path.rstrip("?") if request.query_string else request.path
        BAD_REQUESTS.line(f"{status} {request.method} {path}: {message}")


def _refuse_malformed() -> None:
    """Stop a request whose path or query no view should have to read."""
    if len(request.path) > MAX_PATH_CHARS:
        raise RequestURITooLarge(text("error.path_too_long", API_LANG, limit=MAX_PATH_CHARS))
    if len(request.query_string) > MAX_QUERY_BYTES:
        raise RequestURITooLarge(text("error.query_too_long", API_LANG, limit=MAX_QUERY_BYTES))
    if _CONTROL.search(request.path):
        raise BadRequest(text("error.path_control", API_LANG))
    for name, value in request.args.items(multi=True):
        if _CONTROL.search(name) or _CONTROL.search(value):
            shown = repr(_escaped(name)[:40])
            raise BadRequest(text("error.query_control", API_LANG, name=shown))


def register(app: Flask) -> None:
    """Refuse malformed requests before anything else looks at them."""
    app.before_request(_refuse_malformed)
