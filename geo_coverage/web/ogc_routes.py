"""/ogc: OGC API – Features over the plain ogc module; CORS open, gzip, ETags."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, render_template, request, url_for

from geo_coverage.gis import ogc, openapi
from geo_coverage.web.http import cached_response, etag_of

bp = Blueprint("ogc", __name__, url_prefix=ogc.PREFIX)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Encoding, If-None-Match",
    "Access-Control-Expose-Headers": "ETag, Content-Encoding",
}


def _download_url(level: str, ext: str) -> str:
    """The absolute URL of a download."""
    return url_for("downloads.download", level=level, ext=ext, _external=True)


def _urls() -> ogc.Urls:
    """The absolute URLs the API links to, from this app's routes."""
    return ogc.Urls(url_for("ogc.landing", _external=True).rstrip("/"), _download_url)


def _args() -> dict[str, list[str]]:
    """The query parameters as lists."""
    return request.args.to_dict(flat=False)


def _json(document: dict, mimetype: str = ogc.JSON) -> Response:
    """A JSON document with an ETag of its bytes."""
    body = json.dumps(document, ensure_ascii=False).encode()
    return cached_response(body, mimetype, etag_of(body))


@bp.after_app_request
def _cors(resp: Response) -> Response:
    """Every /ogc answer, errors included, may be read from any origin."""
    if request.path == ogc.PREFIX or request.path.startswith(f"{ogc.PREFIX}/"):
        resp.headers.update(CORS_HEADERS)
    return resp


@bp.get("", strict_slashes=False)
def landing():
    """Landing page."""
    return _json(ogc.landing(current_app.config["SETTINGS"].region, _urls(), _args()))


@bp.get("/conformance")
def conformance():
    """Conformance classes."""
    return _json(ogc.conformance(_args()))


@bp.get("/api")
def api():
    """OpenAPI 3.0 definition."""
    ogc.check_params("api", _args())
    return _json(openapi.openapi(_urls().api, current_app.config["SETTINGS"].region), ogc.OPENAPI)


@bp.get("/api.html")
def api_doc():
    """Human-readable API documentation."""
    ogc.check_params("api", _args())
    region = current_app.config["SETTINGS"].region
    return render_template("ogc_api.html", api=openapi.openapi(_urls().api, region))


@bp.get("/collections")
def collections():
    """Every collection."""
    return _json(ogc.collections(current_app.config["SETTINGS"], _urls(), _args()))


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    """One collection."""
    return _json(ogc.collection(current_app.config["SETTINGS"], _urls(), collection_id, _args()))


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    """A page of features."""
    settings = current_app.config["SETTINGS"]
    urls, args = _urls(), _args()
    return cached_response(
        lambda: ogc.items(settings, urls, collection_id, args),
        ogc.GEOJSON,
        etag_of(ogc.version_key(settings, request.url)),
    )


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    """One feature."""
    settings = current_app.config["SETTINGS"]
    urls, args = _urls(), _args()
    return cached_response(
        lambda: ogc.item(settings, urls, collection_id, feature_id, args),
        ogc.GEOJSON,
        etag_of(ogc.version_key(settings, request.url)),
    )
