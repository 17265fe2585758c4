"""Cached, conditional, compressed responses.

Every body that depends on the data is computed once per key (kind, data version, shapes build
key, code version, canonical query) and kept with its compressed forms in the app's cache
(web/cache.py). Revalidations (If-None-Match, If-Modified-Since) are answered before anything
is computed; Range requests (206, 416) use Werkzeug's conditional responses; flask-compress
negotiates gzip or brotli (honouring q=0) and takes compressed forms from the same cache, so a
big body is compressed once, not per request. Zip, PNG and GeoPackage bodies are never
recompressed.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, Response, current_app, g, request
from flask_compress import Compress
from werkzeug.http import is_resource_modified

from geo_coverage.web import assets
from geo_coverage.web.cache import Entry, ResponseCache
from geo_coverage.web.limits import Gate
from geo_coverage.web.render_workers import RenderWorkers

EXTENSION = "geo_coverage"
ENCODINGS = ("br", "gzip")
COMPRESSIBLE = (
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/geo+json",
    "application/vnd.oai.openapi+json",
    "image/svg+xml",
)
BROTLI_LEVEL = 5  # compressed once per body and kept, so a little more effort pays
GZIP_LEVEL = 6
RENDER_WAIT_S = 5  # how long a render waits in the queue for a slot before 503
REPLAY_SHARE = 4  # the fast path's whole answers may hold a quarter of the cache's bytes


@dataclass
class AppState:
    """What one app keeps in memory: the response cache, the render gate and the drawing
    workers, the fast path's whole answers (web/replay.py), small memos."""

    cache: ResponseCache
    renders: Gate
    draws: RenderWorkers
    replays: ResponseCache
    memo: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        """Forget every cached body and memo, and the process's caches of parsed files (the
        metrics, the geometry, the build keys and the assets): the next request reads afresh."""
        from geo_coverage.boundaries import shapes
        from geo_coverage.gis import features
        from geo_coverage.maps import view
        from geo_coverage.metrics import dataset

        self.cache.clear()
        self.replays.clear()
        with self.lock:
            self.memo.clear()
        for clear in (
            dataset.clear_cache,
            features.clear_cache,
            shapes.clear_cache,
            assets.clear_cache,
            view.clear_cache,
        ):
            clear()


def state() -> AppState:
    """The current app's state."""
    return current_app.extensions[EXTENSION]


def etag_of(*parts: bytes | str) -> str:
    """A strong ETag value from the bytes or text a response depends on."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def _matching_tag(tag: str, last_modified: datetime | None) -> str | None:
    """The tag the client's copy has, when it is still current (If-None-Match first, then
    If-Modified-Since); None when the body must be sent."""
    candidates = [f"{tag}:{encoding}" for encoding in ENCODINGS] + [tag]
    if request.if_none_match:
        return next((c for c in candidates if request.if_none_match.contains_weak(c)), None)
    if request.if_modified_since and not is_resource_modified(
        request.environ, last_modified=last_modified
    ):
        return tag
    return None


def cached_response(
    key: tuple[Hashable, ...],
    compute: Callable[[], bytes | tuple[bytes, dict[str, str]]],
    mimetype: str,
    *,
    max_age: int,
    last_modified: datetime | None = None,
    headers: dict | None = None,
    ranges: bool = False,
    precompressed: Callable[[], dict[str, bytes]] | None = None,
) -> Response:
    """The body of a key from the app's cache (computed once), as a conditional response.

    A revalidation that matches answers 304 without computing anything. With `ranges`, a
    Range request gets 206 (or 416) of the uncompressed body. `precompressed` gives compressed
    forms already at hand (e.g. a .gz file written by the build), kept with the body. `compute`
    may return headers made with the body (e.g. Link), kept and sent with it.
    """
    tag = etag_of(repr(key))
    resp = Response(status=200, mimetype=mimetype)
    resp.headers["Cache-Control"] = f"public, max-age={max_age}"
    resp.vary.add("Accept-Encoding")
    if last_modified is not None:
        resp.last_modified = last_modified
    resp.headers.update(headers or {})
    matched = _matching_tag(tag, last_modified)
    if matched is not None:
        resp.set_etag(matched)
        resp.status_code = 304
        return resp

    def make() -> Entry:
        made = compute()
        body, made_headers = made if isinstance(made, tuple) else (made, {})
        return Entry(
            body,
            meta={"headers": made_headers},
            encoded=precompressed() if precompressed else {},
        )

    entry = state().cache.get_or_compute(tag, make)
    resp.headers.update(entry.meta.get("headers", {}))
    resp.set_etag(tag)
    resp.set_data(entry.body)
    g.body_tag = tag
    if ranges:
        resp.make_conditional(request, accept_ranges=True, complete_length=len(entry.body))
    return resp


class _EncodedBodies:
    """flask-compress' cache backend: compressed forms live beside their body in the app cache.

    Keys are 'encoding;tag'; a response whose body is not from the cache has an empty tag and
    is compressed without being kept.
    """

    def get(self, key: str) -> bytes | None:
        """The compressed form, if kept."""
        encoding, _, tag = key.partition(";")
        entry = state().cache.get(tag) if tag else None
        return entry.encoded.get(encoding) if entry is not None else None

    def set(self, key: str, value: bytes) -> None:
        """Keep a compressed form with its body."""
        encoding, _, tag = key.partition(";")
        if tag:
            state().cache.add_encoded(tag, encoding, value)


def _body_tag(_request) -> str:
    """The cache tag of this response's body ('' when it is not cached)."""
    return g.get("body_tag", "")


def register(app: Flask) -> None:
    """Give the app its cache, its render gate and compression."""
    settings = app.config["SETTINGS"]
    cache_bytes = settings.cache_mb * 1024 * 1024
    app.extensions[EXTENSION] = AppState(
        ResponseCache(cache_bytes),
        Gate(settings.render_slots, queue=settings.render_slots, wait_s=RENDER_WAIT_S),
        RenderWorkers(settings.render_slots if settings.render_processes else 0),
        ResponseCache(cache_bytes // REPLAY_SHARE),
    )
    app.config.update(
        COMPRESS_REGISTER=False,
        COMPRESS_ALGORITHM=list(ENCODINGS),
        COMPRESS_MIMETYPES=list(COMPRESSIBLE),
        COMPRESS_LEVEL=GZIP_LEVEL,
        COMPRESS_BR_LEVEL=BROTLI_LEVEL,
        COMPRESS_STREAMS=False,
        COMPRESS_CACHE_BACKEND=_EncodedBodies,
        COMPRESS_CACHE_KEY=_body_tag,
    )
    compress = Compress(app)

    @app.after_request
    def _compress(resp: Response) -> Response:
        """Compress whole 200 answers in the encoding Werkzeug's negotiation picks; a partial
        (206) or empty answer, or a client that refuses both (gzip;q=0), gets none."""
        encoding = request.accept_encodings.best_match(ENCODINGS)
        if resp.status_code != 200 or encoding is None:
            if resp.mimetype in COMPRESSIBLE:
                resp.vary.add("Accept-Encoding")
            return resp
        # flask-compress 1.25 reads the header itself and takes q=0 as acceptable: it is shown
        # only the encoding already chosen.
        environ = request.environ
        asked = environ["HTTP_ACCEPT_ENCODING"]  # present, since an encoding was chosen
        environ["HTTP_ACCEPT_ENCODING"] = encoding
        try:
            return compress.after_request(resp)
        finally:
            environ["HTTP_ACCEPT_ENCODING"] = asked
