"""OGC API – Features (Part 1 Core, GeoJSON, HTML, OpenAPI 3.0; Part 3 queryables and CQL2
filters) as plain data; no Flask.

Each resource function takes the app's URLs, a Resource (the URL asked for, its parameters as
given and the format chosen) and returns a document (a dict; GeoJSON features as a Page) with
its links. Bad requests raise BadRequest, unknown collections or features NotFound. Titles come
from the message catalogue in the request's language; links to other resources carry `lang`
only on HTML pages, so that machine clients get plain URLs and people keep their language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np

from geo_coverage.config import Settings
from geo_coverage.errors import NotFound
from geo_coverage.gis import catalogue, downloads, exports, features, params, selection
from geo_coverage.gis.catalogue import FIXED, HISTORY, Collection
from geo_coverage.gis.params import Query
from geo_coverage.i18n import API_LANG, text
from geo_coverage.metrics import dataset
from geo_coverage.metrics.registry import EXPORTED, PROPERTIES
from geo_coverage.region import CODE_EXAMPLES, FIGURE_LEVELS, LEVELS, SEGMENT_CHOICES, Region

LOGGER = logging.getLogger(__name__)

GEOJSON = "application/geo+json"
JSON = "application/json"
SCHEMA_JSON = "application/schema+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
HTML = "text/html"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
_FEATURES_1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf"
_FEATURES_3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf"
_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf"
CONFORMANCE = (
    f"{_FEATURES_1}/core",
    f"{_FEATURES_1}/geojson",
    f"{_FEATURES_1}/html",
    f"{_FEATURES_1}/oas30",
    f"{_FEATURES_3}/queryables",
    f"{_FEATURES_3}/queryables-query-parameters",
    f"{_FEATURES_3}/filter",
    f"{_FEATURES_3}/features-filter",
    f"{_CQL2}/cql2-text",
    f"{_CQL2}/basic-cql2",
    f"{_CQL2}/advanced-comparison-operators",
    f"{_CQL2}/case-insensitive-comparison",
    f"{_CQL2}/basic-spatial-functions",
    f"{_CQL2}/basic-spatial-functions-plus",
    f"{_CQL2}/spatial-functions",
    f"{_CQL2}/property-property",
    f"{_CQL2}/arithmetic",
)
PREFIX = "/ogc"
MEDIA = {"json": JSON, "html": HTML}
STYLES = {"qml": "application/vnd.qgis.qml", "sld": "application/vnd.ogc.se+xml"}


@dataclass(frozen=True)
class Urls:
    """The absolute URLs the API links to, built by the web layer from its routes."""

    api: str  # the landing page; every other resource of the API lives below it
    download: Callable[[str, str, dict[str, str]], str]  # (level, extension, query) -> URL


@dataclass(frozen=True)
class Resource:
    """What was asked: the URL without its query, the parameters as given, the format chosen."""

    url: str
    pairs: tuple[tuple[str, str], ...]
    fmt: str  # json or html


@dataclass(frozen=True)
class Page:
    """A page of features: (id, properties, geometry text or None) each, with counts and links."""

    collection: Collection
    features: list[tuple[str, dict, str | None]]
    matched: int
    links: list[dict]
    properties: tuple[str, ...]

    def geojson(self) -> bytes:
        """The page as a GeoJSON FeatureCollection."""
        texts = [
            exports.feature_text(props, geometry or "null", feature_id=fid)
            for fid, props, geometry in self.features
        ]
        members = {
            "numberMatched": self.matched,
            "numberReturned": len(texts),
            "links": self.links,
        }
        return exports.collection_text(texts, members)


def say(key: str, lang: str, **values) -> str:
    """An OGC title or description of the catalogue in a language."""
    return text(f"ogc.{key}", lang, **values)


def facts(settings: Settings) -> params.Facts:
    """The stored periods, the size of the largest collection (the most `limit` allows) and
    the region."""
    known = dataset.periods(settings)
    history = max(len(features.shapes(settings, level).codes) for level in FIGURE_LEVELS)
    largest = max(
        history * max(1, len(known)) * len(SEGMENT_CHOICES),
        *(len(features.shapes(settings, level).codes) for level in LEVELS),
    )
    return params.facts_of(known, min(largest, settings.max_features), settings.region)


def read(settings: Settings, resource: Resource) -> Query:
    """The request's checked parameters."""
    return params.read(resource.pairs, facts(settings))


def _href(url: str, pairs: Sequence[tuple[str, str]] = ()) -> str:
    """A URL with a query."""
    return f"{url}?{urlencode(list(pairs))}" if pairs else url


def _link(href: str, rel: str, type_: str, title: str) -> dict:
    """A link object."""
    return {"href": href, "rel": rel, "type": type_, "title": title}


def _carried(resource: Resource) -> list[tuple[str, str]]:
    """What links to other resources carry: the language, on HTML pages only."""
    if resource.fmt != "html":
        return []
    return [(name, value) for name, value in resource.pairs if name == "lang"][:1]


def _self_links(resource: Resource, json_type: str, lang: str) -> list[dict]:
    """This document (self) and the same in the other format (alternate)."""
    types = {"json": json_type, "html": HTML}
    other = "html" if resource.fmt == "json" else "json"
    alternate = params.with_pairs(resource.pairs, f=other)
    return [
        _link(
            _href(resource.url, resource.pairs), "self", types[resource.fmt], say("link.self", lang)
        ),
        _link(
            _href(resource.url, alternate), "alternate", types[other], say(f"link.as_{other}", lang)
        ),
    ]


def landing(region: Region, urls: Urls, resource: Resource, query: Query) -> dict:
    """The landing page: title (naming the region) and the links a client starts from."""
    lang, base, carry = query.lang, urls.api, _carried(resource)
    return {
        "title": say("title", lang, region=region.name),
        "description": say("description", lang, region=region.name),
        "links": [
            *_self_links(resource, JSON, lang),
            _link(f"{base}/api", "service-desc", OPENAPI, say("link.api", lang)),
            _link(f"{base}/api.html", "service-doc", HTML, say("link.doc", lang)),
            _link(
                _href(f"{base}/conformance", carry),
                "conformance",
                JSON,
                say("link.conformance", lang),
            ),
            _link(_href(f"{base}/collections", carry), "data", JSON, say("link.collections", lang)),
        ],
    }


def conformance(resource: Resource, query: Query) -> dict:
    """The conformance classes this API implements."""
    return {"conformsTo": list(CONFORMANCE), "links": _self_links(resource, JSON, query.lang)}


def _extent(settings: Settings, collection: Collection) -> dict:
    """The spatial extent of its areas and the months it covers."""
    bounds = features.shapes(settings, collection.level).bounds
    known = dataset.periods(settings)
    months = [collection.period] if collection.kind == FIXED else known
    interval: list[str | None] = [None, None]
    if months:
        first, last = params.month_of(str(months[0]))[0], params.month_of(str(months[-1]))[1]
        interval = [f"{first:%Y-%m-%dT%H:%M:%SZ}", f"{last:%Y-%m-%dT%H:%M:%SZ}"]
    return {
        "spatial": {
            "bbox": [
                [
                    float(np.min(bounds[:, 0])),
                    float(np.min(bounds[:, 1])),
                    float(np.max(bounds[:, 2])),
                    float(np.max(bounds[:, 3])),
                ]
            ],
            "crs": CRS84,
        },
        "temporal": {"interval": [interval], "trs": TRS},
    }


def _file_query(collection: Collection) -> dict[str, str]:
    """The download query holding what a collection holds."""
    if collection.kind == FIXED:
        out = {"period": str(collection.period)}
        if collection.segment != "all":
            out["segment"] = str(collection.segment)
        return out
    if collection.kind == HISTORY:
        return {"period": "all"}
    return {}


def _collection_links(urls: Urls, collection: Collection, carry, lang: str) -> list[dict]:
    """Its items (GeoJSON and HTML), queryables, files and styles (labelled in the language of
    the document that links them)."""
    href = f"{urls.api}/collections/{collection.id}"
    title = collection.title(lang)
    query = _file_query(collection)
    files = [
        _link(urls.download(collection.level, ext, query), "enclosure", media, label)
        for ext, (media, label) in downloads.FORMATS.items()
        if collection.kind != HISTORY or ext == "gpkg"
    ]
    style_query = {k: v for k, v in query.items() if collection.kind == FIXED}
    styles = [
        _link(
            urls.download(collection.level, ext, {**style_query, "lang": lang}),
            "stylesheet",
            media,
            say(f"link.style_{ext}", lang),
        )
        for ext, media in STYLES.items()
    ]
    return [
        _link(_href(f"{href}/items", carry), "items", GEOJSON, title),
        _link(_href(f"{href}/items", [*carry, ("f", "html")]), "items", HTML, title),
        _link(
            _href(f"{href}/queryables", carry),
            QUERYABLES_REL,
            SCHEMA_JSON,
            say("link.queryables", lang),
        ),
        *files,
        *styles,
    ]


def _collection(settings: Settings, urls: Urls, collection: Collection, carry, lang: str) -> dict:
    """One collection's description, as listed and as its own resource."""
    areas = len(features.shapes(settings, collection.level).codes)
    return {
        "id": collection.id,
        "title": collection.title(lang),
        "description": collection.description(lang, areas),
        "extent": _extent(settings, collection),
        "itemType": "feature",
        "crs": [CRS84],
        "links": _collection_links(urls, collection, carry, lang),
    }


def collections(settings: Settings, urls: Urls, resource: Resource, query: Query) -> dict:
    """Every collection."""
    carry, lang = _carried(resource), query.lang
    return {
        "links": _self_links(resource, JSON, lang),
        "collections": [
            _collection(settings, urls, c, carry, lang)
            for c in catalogue.collections(dataset.periods(settings))
        ],
    }


def find(settings: Settings, collection_id: str) -> Collection:
    """The collection of an id (NotFound listing them)."""
    return catalogue.find(collection_id, dataset.periods(settings))


def collection(
    settings: Settings, urls: Urls, collection_id: str, resource: Resource, query: Query
) -> dict:
    """One collection, with links to itself."""
    found = find(settings, collection_id)
    doc = _collection(settings, urls, found, _carried(resource), query.lang)
    doc["links"] = [*_self_links(resource, JSON, query.lang), *doc["links"]]
    return doc


def queryables(
    settings: Settings, urls: Urls, collection_id: str, resource: Resource, query: Query
) -> dict:
    """The properties a filter may name, as a JSON Schema (Part 3)."""
    found = find(settings, collection_id)
    known = facts(settings)
    properties = {f.key: params.queryable_schema(f.key, known) for f in EXPORTED}
    properties["geometry"] = {"format": "geometry-multipolygon", "title": "geometry"}
    return {
        "$schema": JSON_SCHEMA,
        "$id": resource.url,
        "type": "object",
        "title": found.title(query.lang),
        "properties": properties,
        "additionalProperties": False,
        "links": [
            *_self_links(resource, SCHEMA_JSON, query.lang),
            _link(
                _href(f"{urls.api}/collections/{found.id}", _carried(resource)),
                "collection",
                JSON,
                say("link.collection", query.lang),
            ),
        ],
    }


def _properties(row: dict, wanted: tuple[str, ...]) -> dict:
    """The wanted properties of a feature, in order."""
    return {key: row[key] for key in wanted}


def items(
    settings: Settings, urls: Urls, collection_id: str, resource: Resource, query: Query
) -> Page:
    """A page of features: filtered, sorted, with paging links and counts."""
    found = find(settings, collection_id)
    chosen = selection.select(settings, found, query)
    page = chosen.frame.iloc[query.offset : query.offset + query.limit]
    ids = chosen.ids[query.offset : query.offset + query.limit]
    wanted = query.properties or PROPERTIES
    rows = exports.properties_of(page)
    kinds = {"json": GEOJSON, "html": HTML}
    lang = query.lang
    links = [
        *_self_links(resource, GEOJSON, lang),
        _link(
            _href(f"{urls.api}/collections/{found.id}", _carried(resource)),
            "collection",
            JSON,
            say("link.collection", lang),
        ),
    ]
    kind = kinds[resource.fmt]
    step = query.limit
    if query.offset + step < len(chosen.frame):
        after = params.with_pairs(resource.pairs, offset=query.offset + step)
        links.append(_link(_href(resource.url, after), "next", kind, say("link.next", lang)))
    if query.offset > 0:
        before = params.with_pairs(resource.pairs, offset=max(0, query.offset - step))
        links.append(_link(_href(resource.url, before), "prev", kind, say("link.prev", lang)))
    geometry = None if query.skip_geometry else chosen.texts
    return Page(
        found,
        [
            (fid, _properties(row, wanted), geometry[row["kode"]] if geometry else None)
            for fid, row in zip(ids, rows, strict=True)
        ],
        len(chosen.frame),
        links,
        wanted,
    )


def item(
    settings: Settings,
    urls: Urls,
    collection_id: str,
    feature_id: str,
    resource: Resource,
    query: Query,
) -> Page:
    """One feature by its id (a page of one, whose first feature is the answer)."""
    found = find(settings, collection_id)
    chosen = selection.one(settings, found, feature_id, query)
    if chosen.frame.empty:
        example = CODE_EXAMPLES[found.level]
        if found.kind == HISTORY:
            example = catalogue.history_id(example, "2024-08", "informal")
        raise NotFound(
            text(
                "error.no_feature",
                API_LANG,
                feature=feature_id,
                collection=collection_id,
                example=example,
            )
        )
    row = exports.properties_of(chosen.frame)[0]
    wanted = query.properties or PROPERTIES
    lang = query.lang
    links = [
        *_self_links(resource, GEOJSON, lang),
        _link(
            _href(f"{urls.api}/collections/{found.id}", _carried(resource)),
            "collection",
            JSON,
            say("link.collection", lang),
        ),
    ]
    geometry = None if query.skip_geometry else chosen.texts[row["kode"]]
    return Page(found, [(chosen.ids[0], _properties(row, wanted), geometry)], 1, links, wanted)


def feature_geojson(page: Page) -> bytes:
    """The one feature of an item page as a GeoJSON Feature with its links."""
    fid, props, geometry = page.features[0]
    return exports.feature_text(props, geometry or "null", page.links, feature_id=fid).encode()
