"""Clients that do not wait as told: once the app has turned an address away from drawing a
map (503, every drawing slot and waiting place taken, `Retry-After: N`), that address's next
requests for a drawing within the N seconds, while drawing is still full, are turned away
here, before the rest of the app, at a small part of the cost.

A refusal through Flask costs about 1.4 ms of the interpreter, one here about 0.17 ms (both
through Flask's test client). A few dozen clients that ask again at once make hundreds a
second, and every other request (`/healthz`, cached pages) waits behind them in the server's
queue. Other addresses, other routes, and the same address once a slot is free, are
answered by the app as always."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs

from flask import Flask

from geo_coverage.i18n import DEFAULT_LANG, LANGS, text
from geo_coverage.web import http
from geo_coverage.web.limits import Gate

DRAWINGS = ("/map.png", "/map.svg", "/map.pdf", "/download/map.html")  # path endings
MAX_ADDRESSES = 4096  # addresses remembered at once; the oldest are forgotten first


class TurnAway:
    """WSGI middleware: remembers until when each address was told to wait for a drawing."""

    def __init__(self, wsgi_app: Callable, gate: Gate):
        self.wsgi_app = wsgi_app
        self.gate = gate
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Turn away an address that was told to wait, or call the app and watch its answer."""
        if not environ.get("PATH_INFO", "").endswith(DRAWINGS):
            return self.wsgi_app(environ, start_response)
        address = environ.get("REMOTE_ADDR") or ""
        with self._lock:
            left = self._until.get(address, 0.0) - time.monotonic()
        if left > 0 and self.gate.full:
            return _refuse(environ, start_response, left)

        def watch(status: str, headers: list, exc_info=None):
            if status.startswith("503"):
                wait = next((v for k, v in headers if k.lower() == "retry-after"), "")
                if wait.isdigit():
                    self._remember(address, time.monotonic() + int(wait))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, watch)

    def _remember(self, address: str, until: float) -> None:
        """Note until when an address was told to wait, within MAX_ADDRESSES."""
        with self._lock:
            self._until.pop(address, None)
            self._until[address] = until
            if len(self._until) > MAX_ADDRESSES:
                now = time.monotonic()
                for key in [k for k, t in self._until.items() if t <= now]:
                    del self._until[key]
                while len(self._until) > MAX_ADDRESSES:
                    del self._until[next(iter(self._until))]

    def remembered(self) -> int:
        """How many addresses are remembered now."""
        with self._lock:
            return len(self._until)


def _refuse(environ: dict, start_response: Callable, left_s: float) -> list[bytes]:
    """503 in plain text, in the request's language, with the seconds still to wait."""
    asked = parse_qs(environ.get("QUERY_STRING", "")).get("lang", [DEFAULT_LANG])[-1]
    lang = asked if asked in LANGS else DEFAULT_LANG
    body = (text("error.render_busy", lang) + "\n").encode("utf-8")
    start_response(
        "503 Service Unavailable",
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Retry-After", str(max(1, math.ceil(left_s)))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ],
    )
    return [body]


def register(app: Flask) -> None:
    """Put the turning-away of impatient clients in front of the app (behind the fast path,
    which still replays a drawing it holds)."""
    gate = app.extensions[http.EXTENSION].renders
    app.wsgi_app = TurnAway(app.wsgi_app, gate)  # type: ignore[method-assign]
