"""Framing rules: embeds may be framed by the configured sites, every other page by itself."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

EMBED_PREFIXES = ("/embed",)
EMBED_ENDPOINTS = ("signed.embed",)  # a signed link's embed page


def _frame_headers(resp: Response) -> Response:
    """Set CSP frame-ancestors (and X-Frame-Options for old browsers) on every response."""
    settings = current_app.config["SETTINGS"]
    if request.path.startswith(EMBED_PREFIXES) or request.endpoint in EMBED_ENDPOINTS:
        ancestors = settings.frame_ancestors.strip() or "*"
        resp.headers["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
    else:
        resp.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    return resp


def register(app: Flask) -> None:
    """Install the framing rules."""
    app.after_request(_frame_headers)
