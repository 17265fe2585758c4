"""/ogc: OGC API – Features over the plain ogc module; CORS open, compressed, cached, ETags.

Every answer is computed once per (data version, shapes, code, canonical URL) and kept in the
app's cache; the ogc module (numpy, shapely, geopandas) is imported on first use.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, url_for

from geo_coverage.web import hosts, keys
from geo_coverage.web.http import cached_response

if TYPE_CHECKING:
    from geo_coverage.gis.ogc import Urls

PREFIX = "/ogc"  # the same as gis.ogc.PREFIX (tests/gis/test_ogc.py checks)
MAX_AGE_S = 60
GEOJSON = "application/geo+json"
bp = Blueprint("ogc", __name__, url_prefix=PREFIX)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Encoding, If-None-Match, Authorization",
    "Access-Control-Expose-Headers": "ETag, Content-Encoding",
}


def _download_url(level: str, ext: str) -> str:
    """The absolute URL of a download."""
    return url_for("downloads.download", level=level, ext=ext, _external=True)


def _urls() -> Urls:
    """The absolute URLs the API links to, from this app's routes."""
    from geo_coverage.gis.ogc import Urls

    return Urls(url_for("ogc.landing", _external=True).rstrip("/"), _download_url)


def _args() -> dict[str, list[str]]:
    """The query parameters as lists."""
    return request.args.to_dict(flat=False)


def _canonical_url() -> str:
    """The request's URL with its query parameters sorted (the same answer, one key)."""
    query = urlencode(sorted(request.args.items(multi=True)))
    return f"{request.base_url}?{query}" if query else request.base_url


def _cached(kind: str, compute: Callable[[], bytes], mimetype: str) -> Response:
    """An answer from the app's cache, keyed by the versions and the canonical URL (the Host
    included: the links inside are absolute)."""
    resp = cached_response(
        keys.key(f"ogc-{kind}", _canonical_url()),
        compute,
        mimetype,
        max_age=MAX_AGE_S,
        last_modified=keys.versions().modified,
    )
    return hosts.links_from_host(resp)


def _json(kind: str, document: Callable[[], dict], mimetype: str | None = None) -> Response:
    """A JSON document, made when not cached."""
    from geo_coverage.gis import ogc

    return _cached(
        kind, lambda: json.dumps(document(), ensure_ascii=False).encode(), mimetype or ogc.JSON
    )


@bp.after_app_request
def _cors(resp: Response) -> Response:
    """Every /ogc answer, errors included, may be read from any origin."""
    if request.path == PREFIX or request.path.startswith(f"{PREFIX}/"):
        resp.headers.update(CORS_HEADERS)
    return resp


@bp.get("", strict_slashes=False)
def landing():
    """Landing page."""
    from geo_coverage.gis import ogc

    region = current_app.config["SETTINGS"].region
    return _json("landing", lambda: ogc.landing(region, _urls(), _args()))


@bp.get("/conformance")
def conformance():
    """Conformance classes."""
    from geo_coverage.gis import ogc

    return _json("conformance", lambda: ogc.conformance(_args()))


@bp.get("/api")
def api():
    """OpenAPI 3.0 definition."""
    from geo_coverage.gis import ogc, openapi

    ogc.check_params("api", _args())
    region = current_app.config["SETTINGS"].region
    return _json("api", lambda: openapi.openapi(_urls().api, region), ogc.OPENAPI)


@bp.get("/api.html")
def api_doc():
    """Human-readable API documentation."""
    from geo_coverage.gis import ogc, openapi

    ogc.check_params("api", _args())
    region = current_app.config["SETTINGS"].region
    return _cached(
        "api-html",
        lambda: render_template("ogc_api.html", api=openapi.openapi(_urls().api, region)).encode(),
        "text/html",
    )


@bp.get("/collections")
def collections():
    """Every collection."""
    from geo_coverage.gis import ogc

    settings = current_app.config["SETTINGS"]
    return _json("collections", lambda: ogc.collections(settings, _urls(), _args()))


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    """One collection."""
    from geo_coverage.gis import ogc

    settings = current_app.config["SETTINGS"]
    return _json("collection", lambda: ogc.collection(settings, _urls(), collection_id, _args()))


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    """A page of features."""
    from geo_coverage.gis import ogc

    settings = current_app.config["SETTINGS"]
    urls, args = _urls(), _args()
    return _cached("items", lambda: ogc.items(settings, urls, collection_id, args), GEOJSON)


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    """One feature."""
    from geo_coverage.gis import ogc

    settings = current_app.config["SETTINGS"]
    urls, args = _urls(), _args()
    return _cached(
        "item", lambda: ogc.item(settings, urls, collection_id, feature_id, args), GEOJSON
    )
