"""The fast path: an anonymous GET whose answer the app has already made for the same URL,
headers and versions is answered from memory before Flask sees the request.

Flask's per-request work (the sign-in, guard, Host, input and CSRF checks, view state, cache
look-up, compression negotiation and policy headers) costs about a millisecond and a half,
several times the cost of sending a cached map page. The app marks each answer that may be
replayed as it makes it: a 200 from the response cache, for a request without a principal,
outside private mode and signed links, whose versions it read. This middleware keeps such an
answer (status, headers, body as sent) under everything in the request it could depend on, and
replays it while the data, shapes and code versions are still the ones it was made with.

A request carrying a cookie, credentials, a condition, a range or cache directives (a reload)
always goes to the app, which answers it in full; so does any request whose versions cannot be
read, and so does an answer that sets a cookie or varies on a header not in the key. What else
a key of the app's cache holds (the renderers' library versions, the settings) is fixed for
the life of a process, as this memory is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, g, request

from geo_coverage.web import auth, guard, http, keys
from geo_coverage.web.cache import Entry, ResponseCache

if TYPE_CHECKING:
    from geo_coverage.config import Settings

LOGGER = logging.getLogger(__name__)

MARK = "geo_coverage.replay"  # environ: the versions a replayable answer was made with
# What the app's answer may depend on besides the versions.
KEY_ENVIRON = (
    "PATH_INFO",
    "QUERY_STRING",
    "SCRIPT_NAME",
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_ORIGIN",
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
)
# Request headers an answer may vary on and still be replayed: those in the key, and those
# whose presence sends a request to the app (so their absence is part of the key).
KEYED_HEADERS = frozenset({"accept", "accept-encoding", "origin", "cookie", "authorization"})
# A request with any of these is answered by the app.
APP_ONLY = (
    "HTTP_COOKIE",
    "HTTP_AUTHORIZATION",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
    "HTTP_CACHE_CONTROL",  # no-cache, max-age=0 (a reload): the client wants the app's answer
    "HTTP_PRAGMA",
)


MAX_KEY_CHARS = 4096  # a longer URL and headers are answered, not kept: the key is not counted


def _versions_key(versions: keys.Versions) -> tuple[str, str, str]:
    """What must be unchanged for an answer to be replayed."""
    return (versions.data, versions.build_key, versions.code)


class Replay:
    """WSGI middleware in front of the Flask app: replays the answers the app marked."""

    def __init__(self, wsgi_app: Callable, settings: Settings, answers: ResponseCache):
        self.wsgi_app = wsgi_app
        self.settings = settings
        self.answers = answers

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Replay a kept answer, or call the app and keep what it marks."""
        if environ.get("REQUEST_METHOD") != "GET" or any(h in environ for h in APP_ONLY):
            return self.wsgi_app(environ, start_response)
        key = tuple(environ.get(name) for name in KEY_ENVIRON)
        entry = self.answers.get(key)
        if entry is not None and entry.meta["versions"] == self._versions_now():
            start_response(entry.meta["status"], list(entry.meta["headers"]))
            return [entry.body]
        return self._call_and_keep(key, environ, start_response)

    def _versions_now(self) -> tuple[str, str, str] | None:
        """The versions served now, or None when they cannot be read (the app says why)."""
        try:
            return keys.version_tags(self.settings)
        except Exception:  # noqa: BLE001 - any failure here is the app's to report
            return None

    def _call_and_keep(
        self, key: tuple, environ: dict, start_response: Callable
    ) -> Iterable[bytes]:
        """Call the app; keep its answer when it marked it replayable."""
        sent: dict = {}

        def capture(status: str, headers: list, exc_info=None):
            sent.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        versions = environ.get(MARK)
        if (
            versions is None
            or sum(len(part or "") for part in key) > MAX_KEY_CHARS
            or not _replayable(sent.get("headers", ()))
        ):
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        meta = {"status": sent["status"], "headers": tuple(sent["headers"]), "versions": versions}
        self.answers.put(key, Entry(data, meta=meta))
        return [data]


def _replayable(headers: Iterable[tuple[str, str]]) -> bool:
    """Whether an answer with these headers may be replayed: it is whole, sets no cookie and
    varies on nothing but the keyed headers."""
    names = {name.lower(): value for name, value in headers}
    if "set-cookie" in names or "content-length" not in names:
        return False
    varies = {v.strip().lower() for v in names.get("vary", "").split(",") if v.strip()}
    return varies <= KEYED_HEADERS


def _mark(resp: Response) -> Response:
    """Mark an answer the fast path may replay: a whole 200 from the response cache, made for
    nobody in particular, with the versions it was made from."""
    settings = current_app.config["SETTINGS"]
    if (
        request.method == "GET"
        and resp.status_code == 200
        and g.get("body_tag")
        and g.get("versions") is not None
        and auth.principal() is None
        and not g.get("bad_token")
        and not settings.private
        and request.blueprint not in (guard.SIGNED_BLUEPRINT, *guard.NO_STORE_BLUEPRINTS)
    ):
        request.environ[MARK] = _versions_key(g.versions)
    return resp


def register(app: Flask) -> None:
    """Put the fast path in front of the app and mark what it may replay."""
    settings = app.config["SETTINGS"]
    answers = app.extensions[http.EXTENSION].replays
    app.wsgi_app = Replay(app.wsgi_app, settings, answers)  # type: ignore[method-assign]
    app.after_request(_mark)
