"""/ogc: OGC API – Features over the plain ogc module: JSON or HTML (f=json|html, else the
Accept header), Link headers, CORS open, compressed, cached, ETags.

Every answer is computed once per (data version, shapes, code, URL as asked, format) and kept
in the app's cache with its Link header; the ogc module (numpy, shapely, geopandas) is imported
on first use.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlencode

from flask import Blueprint, Response, current_app, render_template, request, url_for

from geo_coverage.web import hosts, keys
from geo_coverage.web.http import cached_response

if TYPE_CHECKING:
    from geo_coverage.gis.ogc import Page, Resource, Urls

PREFIX = "/ogc"  # the same as gis.ogc.PREFIX (tests/gis/test_ogc.py checks)
MAX_AGE_S = 60
HTML = "text/html"
# The JSON media types a client may ask for; a tie (*/*) goes to the first.
JSON_TYPES = (
    "application/json",
    "application/geo+json",
    "application/schema+json",
    "application/vnd.oai.openapi+json",
)
bp = Blueprint("ogc", __name__, url_prefix=PREFIX)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Encoding, If-None-Match, Authorization",
    "Access-Control-Expose-Headers": "ETag, Content-Encoding, Link",
}


def _download_url(level: str, ext: str, query: dict[str, str]) -> str:
    """The absolute URL of a download."""
    return url_for("downloads.download", level=level, ext=ext, _external=True, **query)


def _urls() -> Urls:
    """The absolute URLs the API links to, from this app's routes."""
    from geo_coverage.gis.ogc import Urls

    return Urls(url_for("ogc.landing", _external=True).rstrip("/"), _download_url)


def _format() -> str:
    """json or html: the f parameter (checked later with the others), else the Accept header."""
    asked = request.args.get("f")
    if asked is not None:
        return "html" if asked == "html" else "json"
    best = request.accept_mimetypes.best_match([*JSON_TYPES, HTML], default=JSON_TYPES[0])
    return "html" if best == HTML else "json"


def _resource() -> Resource:
    """The URL asked for, its parameters in the order given and the format chosen."""
    from geo_coverage.gis.ogc import Resource

    pairs = parse_qsl(request.query_string.decode("utf-8", "replace"), keep_blank_values=True)
    url = request.base_url.rstrip("/") if request.path == f"{PREFIX}/" else request.base_url
    return Resource(url, tuple(pairs), _format())


def link_header(links: list[dict]) -> str:
    """The links of a document as an HTTP Link header (RFC 8288)."""
    return ", ".join(
        f'<{link["href"]}>; rel="{link["rel"]}"; type="{link["type"]}"' for link in links
    )


def _cached(
    kind: str, resource: Resource, compute: Callable[[], tuple[bytes, list]], mimetype: str
):
    """An answer from the app's cache, keyed by the versions, the URL as asked (the Host
    included: the links inside are absolute) and the format."""
    query = "&".join(f"{n}={v}" for n, v in resource.pairs)

    def make() -> tuple[bytes, dict[str, str]]:
        body, links = compute()
        return body, {"Link": link_header(links)} if links else {}

    resp = cached_response(
        keys.key(f"ogc-{kind}", resource.url, query, resource.fmt),
        make,
        HTML if resource.fmt == "html" else mimetype,
        max_age=MAX_AGE_S,
        last_modified=keys.versions().modified,
    )
    resp.vary.add("Accept")
    return hosts.links_from_host(resp)


def _html(template: str, resource: Resource, lang: str, **context) -> bytes:
    """An OGC HTML page: the document, and the URLs its navigation needs."""
    from geo_coverage.gis.ogc import say
    from geo_coverage.gis.params import with_pairs

    api = _urls().api
    own = "" if lang_default(lang) else f"?{urlencode({'lang': lang})}"
    other = "en" if lang_default(lang) else "id"
    return render_template(
        template,
        lang=lang,
        say=lambda key, **values: say(key, lang, **values),
        api_url=api,
        lang_query=own,
        other_lang_query=urlencode(with_pairs(resource.pairs, lang=other)),
        collection_url=lambda cid: f"{api}/collections/{cid}{own}",
        item_url=lambda fid: f"{resource.url}/{quote(fid)}{own}",
        **context,
    ).encode()


def lang_default(lang: str) -> bool:
    """Whether a language is the default one (links then need no lang)."""
    from geo_coverage.i18n import DEFAULT_LANG

    return lang == DEFAULT_LANG


def _document(kind: str, make: Callable, mimetype: str):
    """A JSON document (or its HTML page) made by make(settings, urls, resource, query)."""
    from geo_coverage.gis import ogc

    settings = current_app.config["SETTINGS"]
    resource, urls = _resource(), _urls()

    def compute() -> tuple[bytes, list]:
        query = ogc.read(settings, resource)
        doc = make(settings, urls, resource, query)
        if resource.fmt == "html":
            body = _html(f"ogc_{kind}.html", resource, query.lang, doc=doc, kind=kind)
            return body, doc.get("links", [])
        return json.dumps(doc, ensure_ascii=False).encode(), doc.get("links", [])

    return _cached(kind, resource, compute, mimetype)


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

    return _document("landing", lambda s, u, r, q: ogc.landing(s.region, u, r, q), ogc.JSON)


@bp.get("/conformance")
def conformance():
    """Conformance classes."""
    from geo_coverage.gis import ogc

    return _document("conformance", lambda s, u, r, q: ogc.conformance(r, q), ogc.JSON)


def _api_page(settings, urls: Urls, resource: Resource) -> tuple[bytes, list]:
    """The OpenAPI definition as a page to read."""
    from geo_coverage.gis import ogc, openapi

    ogc.read(settings, resource)
    api = openapi.openapi(urls.api, ogc.facts(settings), settings.private)
    return render_template("ogc_api.html", api=api).encode(), []


@bp.get("/api")
def api():
    """OpenAPI 3.0 definition (f=html: the page to read)."""
    from geo_coverage.gis import ogc, openapi

    settings = current_app.config["SETTINGS"]
    resource, urls = _resource(), _urls()

    def compute() -> tuple[bytes, list]:
        if resource.fmt == "html":
            return _api_page(settings, urls, resource)
        ogc.read(settings, resource)
        document = openapi.openapi(urls.api, ogc.facts(settings), settings.private)
        return json.dumps(document, ensure_ascii=False).encode(), []

    return _cached("api", resource, compute, ogc.OPENAPI)


@bp.get("/api.html")
def api_doc():
    """Human-readable API documentation."""
    settings = current_app.config["SETTINGS"]
    resource, urls = _resource(), _urls()
    return _cached("api-html", resource, lambda: _api_page(settings, urls, resource), HTML)


@bp.get("/collections")
def collections():
    """Every collection."""
    from geo_coverage.gis import ogc

    return _document("collections", ogc.collections, ogc.JSON)


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    """One collection."""
    from geo_coverage.gis import ogc

    return _document(
        "collection", lambda s, u, r, q: ogc.collection(s, u, collection_id, r, q), ogc.JSON
    )


@bp.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str):
    """The properties a filter may name."""
    from geo_coverage.gis import ogc

    return _document(
        "queryables",
        lambda s, u, r, q: ogc.queryables(s, u, collection_id, r, q),
        ogc.SCHEMA_JSON,
    )


def _features(kind: str, make: Callable[..., Page], encode: Callable[[Page], bytes]):
    """A page of features (or one) as GeoJSON or HTML."""
    from geo_coverage.gis import ogc

    settings = current_app.config["SETTINGS"]
    resource, urls = _resource(), _urls()

    def compute() -> tuple[bytes, list]:
        query = ogc.read(settings, resource)
        page = make(settings, urls, resource, query)
        if resource.fmt == "html":
            body = _html(f"ogc_{kind}.html", resource, query.lang, page=page, fields=_fields())
            return body, page.links
        return encode(page), page.links

    return _cached(kind, resource, compute, ogc.GEOJSON)


def _fields() -> dict:
    """Each exported field by key (labels for the HTML tables)."""
    from geo_coverage.metrics.registry import FIELD

    return FIELD


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    """A page of features."""
    from geo_coverage.gis import ogc

    return _features(
        "items",
        lambda s, u, r, q: ogc.items(s, u, collection_id, r, q),
        lambda page: page.geojson(),
    )


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    """One feature."""
    from geo_coverage.gis import ogc

    return _features(
        "item",
        lambda s, u, r, q: ogc.item(s, u, collection_id, feature_id, r, q),
        ogc.feature_geojson,
    )
