"""Conditional, compressed responses: ETag, Last-Modified, gzip negotiation."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from datetime import datetime

from flask import Response, request

MIN_GZIP_BYTES = 512


def etag_of(*parts: bytes | str) -> str:
    """A strong ETag value from the bytes or text a response depends on."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
    return digest.hexdigest()[:32]


def cached_response(
    body: bytes | Callable[[], bytes],
    mimetype: str,
    etag: str,
    *,
    last_modified: datetime | None = None,
    max_age: int = 300,
    gzipped: bytes | Callable[[], bytes] | None = None,
    headers: dict | None = None,
) -> Response:
    """A response that answers 304 to a matching If-None-Match and gzips when the client can.

    `body` (and `gzipped`, a precompressed copy of it) may be functions, called only when
    needed, so that a revalidation costs no rendering or reading. The ETag differs per
    encoding, as RFC 9110 asks.
    """
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    tag = f"{etag}-gz" if use_gzip else etag
    resp = Response(status=200, mimetype=mimetype)
    resp.set_etag(tag)
    resp.headers["Cache-Control"] = f"public, max-age={max_age}"
    resp.vary.add("Accept-Encoding")
    if last_modified is not None:
        resp.last_modified = last_modified
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    if request.if_none_match.contains(tag) or request.if_none_match.contains(etag):
        resp.status_code = 304
        return resp
    if use_gzip and gzipped is not None:
        resp.set_data(gzipped() if callable(gzipped) else gzipped)
        resp.headers["Content-Encoding"] = "gzip"
        return resp
    if callable(body):
        body = body()
    if use_gzip and len(body) < MIN_GZIP_BYTES:
        use_gzip = False
        resp.set_etag(etag)
    if use_gzip:
        resp.set_data(gzip.compress(body, 6))
        resp.headers["Content-Encoding"] = "gzip"
    else:
        resp.set_data(body)
    return resp
