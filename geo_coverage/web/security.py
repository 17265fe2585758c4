"""Browser policies on every response: a Content-Security-Policy that runs only our own scripts
(and the page's import map, by its hash), the framing rules (embeds may be framed by the
configured sites, every other page by itself) and a Referrer-Policy that never sends a path
(a signed link's token) to another site."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

EMBED_PREFIXES = ("/embed",)
EMBED_ENDPOINTS = ("signed.embed",)  # a signed link's embed page
REFERRER_POLICY = "strict-origin-when-cross-origin"  # tile servers see the origin, never a path
_TEMPLATE_LABEL = re.compile(r"^\{\w+\}")  # a tile URL's leftmost host label like {s}


def tile_source(tiles: str) -> str | None:
    """The CSP source the basemap tiles come from ("https://*.tile.example" for a {s}
    subdomain), or None without a basemap."""
    if tiles.strip().lower() in ("", "none"):
        return None
    parts = urlsplit(tiles.strip())
    host = _TEMPLATE_LABEL.sub("*", parts.netloc)
    if not parts.scheme or "{" in host:
        return f"{parts.scheme}:" if parts.scheme else None
    return f"{parts.scheme}://{host}"


def script_hash(text: str) -> str:
    """The CSP source allowing one inline script with exactly this text."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def allow_inline_script(text: str) -> None:
    """Allow an inline script of the current response (the page's import map) by its hash."""
    g.setdefault("script_hashes", []).append(script_hash(text))


def _base_policy(app: Flask) -> str:
    """Everything of the policy but the inline scripts and framing, the same for every answer."""
    tiles = tile_source(app.config["SETTINGS"].tiles)
    images = " ".join(filter(None, ("'self' data: blob:", tiles)))
    return (
        "default-src 'self'; "
        f"img-src {images}; "
        "style-src 'self' 'unsafe-inline'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    )


def _policy_headers(resp: Response) -> Response:
    """Set the CSP (scripts and framing), X-Frame-Options for old browsers and the
    Referrer-Policy on every response."""
    settings = current_app.config["SETTINGS"]
    scripts = " ".join(["'self'", *g.get("script_hashes", ())])
    if request.path.startswith(EMBED_PREFIXES) or request.endpoint in EMBED_ENDPOINTS:
        ancestors = settings.frame_ancestors.strip() or "*"
    else:
        ancestors = "'self'"
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    base = current_app.extensions["csp_base"]
    resp.headers["Content-Security-Policy"] = (
        f"{base}; script-src {scripts}; frame-ancestors {ancestors}"
    )
    resp.headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    return resp


def register(app: Flask) -> None:
    """Install the policies."""
    app.extensions["csp_base"] = _base_policy(app)
    app.after_request(_policy_headers)
