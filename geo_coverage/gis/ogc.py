"""OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0) as plain data; no Flask.

Two collections, `provinces` and `regencies`; an item's id is its Kemendagri code (`73.71`).
Items show one period (default: the latest) and one segment (default: all) at a time.
Each function takes the API's absolute URLs (Urls, from the web layer) and the query
parameters as lists, and returns a dict (JSON) or bytes (GeoJSON); bad requests raise
BadRequest, unknown collections or features NotFound. Titles come from the message catalogue,
in the request's language where the resource takes `lang`.
"""

from __future__ import annotations

import calendar
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import numpy as np
import shapely

from geo_coverage.config import Settings
from geo_coverage.errors import BadRequest, NotFound
from geo_coverage.gis import downloads, exports, features
from geo_coverage.gis.query import choice, single_values
from geo_coverage.i18n import API_LANG, DEFAULT_LANG, LANGS, text
from geo_coverage.metrics import dataset
from geo_coverage.region import (
    ALL_SEGMENTS,
    CODE_EXAMPLES,
    LAYER_NAMES,
    LEVELS,
    PERIOD_FORMAT,
    PERIOD_PATTERN,
    SEGMENT_CHOICES,
    Region,
    is_code_of,
)

LOGGER = logging.getLogger(__name__)

GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
HTML = "text/html"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
)
PREFIX = "/ogc"
LIMIT_DEFAULT = 100
LIMIT_MAX = 1000
COLLECTIONS = {LAYER_NAMES[level]: level for level in LEVELS}


@dataclass(frozen=True)
class Urls:
    """The absolute URLs the API links to, built by the web layer from its routes."""

    api: str  # the landing page; every other resource of the API lives below it
    download: Callable[[str, str], str]  # (level, extension) -> the download's URL


@dataclass(frozen=True)
class Parameter:
    """A query parameter: its OpenAPI schema and what it means."""

    name: str
    schema: dict
    description: str
    style: str | None = None


PARAMETERS = {
    p.name: p
    for p in (
        Parameter(
            "f",
            {"type": "string", "enum": ["json"]},
            "Response format; JSON (GeoJSON for features) is the only one.",
        ),
        Parameter(
            "lang",
            {"type": "string", "enum": list(LANGS), "default": DEFAULT_LANG},
            "Language of titles and descriptions: id (Bahasa Indonesia) or en.",
        ),
        Parameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": LIMIT_DEFAULT},
            f"Number of features per page, 1 to {LIMIT_MAX}.",
        ),
        Parameter(
            "offset",
            {"type": "integer", "minimum": 0, "default": 0},
            "Number of matching features to skip (paging).",
        ),
        Parameter(
            "bbox",
            {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
            "Only features that intersect the box west,south,east,north in CRS84 "
            "longitude/latitude.",
            style="form",
        ),
        Parameter(
            "datetime",
            {"type": "string"},
            "A date, a date-time or an interval (start/end, '..' for open); the latest "
            "period (month) that it touches is shown.",
        ),
        Parameter(
            "kode",
            {"type": "string"},
            "Only these Kemendagri codes, comma-separated (e.g. 73.71,73.72).",
        ),
        Parameter(
            "prov_kode",
            {"type": "string"},
            "Only areas of this province (one of the region's province codes).",
        ),
        Parameter(
            "period",
            {"type": "string", "pattern": f"^{PERIOD_PATTERN}$"},
            f"Month of the figures ({PERIOD_FORMAT}); default the latest.",
        ),
        Parameter(
            "segment",
            {"type": "string", "enum": list(SEGMENT_CHOICES), "default": ALL_SEGMENTS},
            "Worker segment; default all segments.",
        ),
    )
}


def parameters(region: Region) -> dict[str, Parameter]:
    """The query parameters, prov_kode limited to the region's provinces."""
    prov = PARAMETERS["prov_kode"]
    schema = {"type": "string", "enum": list(region.provinces)}
    return PARAMETERS | {"prov_kode": Parameter(prov.name, schema, prov.description)}


# Which parameters each kind of resource accepts; anything else is a 400.
ACCEPTS = {
    "landing": ("f", "lang"),
    "conformance": ("f",),
    "api": ("f",),
    "collections": ("f", "lang"),
    "collection": ("f", "lang"),
    "items": ("f", "limit", "offset", "bbox", "datetime", "kode", "prov_kode", "period", "segment"),
    "item": ("f", "period", "segment"),
}


def say(key: str, lang: str, **values) -> str:
    """An OGC title or description of the catalogue in a language."""
    return text(f"ogc.{key}", lang, **values)


def check_params(resource: str, args: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """The query parameters as single values; 400 for unknown or repeated ones."""
    out = single_values(args, ACCEPTS[resource], f"this resource ({resource})")
    choice(out, "f", ("json",), "json")
    if "lang" in ACCEPTS[resource]:
        out["lang"] = choice(out, "lang", LANGS, DEFAULT_LANG)
    return out


def _link(href: str, rel: str, type_: str, title: str) -> dict:
    """A link object."""
    return {"href": href, "rel": rel, "type": type_, "title": title}


def landing(region: Region, urls: Urls, args: Mapping[str, Sequence[str]]) -> dict:
    """The landing page: title and the links a client starts from."""
    lang = check_params("landing", args)["lang"]
    base = urls.api
    return {
        "title": say("title", lang, region=region.name),
        "description": say("description", lang, region=region.name),
        "links": [
            _link(f"{base}?lang={lang}", "self", JSON, say("link.landing", lang)),
            _link(f"{base}/api", "service-desc", OPENAPI, say("link.api", lang)),
            _link(f"{base}/api.html", "service-doc", HTML, say("link.doc", lang)),
            _link(f"{base}/conformance", "conformance", JSON, say("link.conformance", lang)),
            _link(f"{base}/collections?lang={lang}", "data", JSON, say("link.collections", lang)),
        ],
    }


def conformance(args: Mapping[str, Sequence[str]]) -> dict:
    """The conformance classes this API implements."""
    check_params("conformance", args)
    return {"conformsTo": list(CONFORMANCE)}


def _level(collection_id: str) -> str:
    """The level of a collection id; NotFound listing the collections otherwise."""
    if collection_id not in COLLECTIONS:
        raise NotFound(
            text(
                "error.no_collection",
                API_LANG,
                collection=collection_id,
                valid=", ".join(COLLECTIONS),
            )
        )
    return COLLECTIONS[collection_id]


def _temporal(settings: Settings) -> list[list[str | None]]:
    """The interval from the start of the first period to the end of the last."""
    known = dataset.periods(settings)
    if not known:
        return [[None, None]]
    year, month = map(int, known[-1].split("-"))
    last_day = calendar.monthrange(year, month)[1]
    return [[f"{known[0]}-01T00:00:00Z", f"{known[-1]}-{last_day:02d}T23:59:59Z"]]


def _collection(settings: Settings, urls: Urls, collection_id: str, lang: str) -> dict:
    """One collection's description."""
    level = _level(collection_id)
    shapes = features.shapes(settings, level)
    bounds = shapes.bounds
    bbox = [
        float(bounds[:, 0].min()),
        float(bounds[:, 1].min()),
        float(bounds[:, 2].max()),
        float(bounds[:, 3].max()),
    ]
    href = f"{urls.api}/collections/{collection_id}"
    files = [
        _link(urls.download(level, ext), "enclosure", media, label)
        for ext, (media, label) in downloads.FORMATS.items()
    ]
    return {
        "id": collection_id,
        "title": say(collection_id, lang),
        "description": say(f"{collection_id}.description", lang, count=len(shapes.codes)),
        "extent": {
            "spatial": {"bbox": [bbox], "crs": CRS84},
            "temporal": {
                "interval": _temporal(settings),
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            },
        },
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            _link(f"{href}?lang={lang}", "self", JSON, say(collection_id, lang)),
            _link(f"{href}/items", "items", GEOJSON, say(collection_id, lang)),
            *files,
        ],
    }


def collections(settings: Settings, urls: Urls, args: Mapping[str, Sequence[str]]) -> dict:
    """Every collection."""
    lang = check_params("collections", args)["lang"]
    href = f"{urls.api}/collections?lang={lang}"
    return {
        "links": [_link(href, "self", JSON, say("link.collections", lang))],
        "collections": [_collection(settings, urls, cid, lang) for cid in COLLECTIONS],
    }


def collection(
    settings: Settings, urls: Urls, collection_id: str, args: Mapping[str, Sequence[str]]
) -> dict:
    """One collection."""
    _level(collection_id)
    lang = check_params("collection", args)["lang"]
    return _collection(settings, urls, collection_id, lang)


def _integer(value: str | None, name: str, default: int, low: int, high: int | None) -> int:
    """An integer parameter within [low, high]."""
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        key = "error.integer_range" if high is not None else "error.integer_minimum"
        raise BadRequest(text(key, API_LANG, name=name, value=value, low=low, high=high), name)
    return number


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    """west,south,east,north in CRS84; 400 unless four finite numbers in range and order."""
    message = text("error.bbox", API_LANG, value=value)
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        raise BadRequest(message, "bbox") from None
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise BadRequest(message, "bbox")
    west, south, east, north = numbers
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise BadRequest(message, "bbox")
    return west, south, east, north


def _instant(value: str, end: bool) -> datetime:
    """A date or RFC 3339 date-time; a bare date means its start (or its end if end)."""
    try:
        if "T" in value.upper():
            moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        day = datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise BadRequest(text("error.datetime", API_LANG, value=value), "datetime") from None
    return day.replace(hour=23, minute=59, second=59) if end else day


def period_of_datetime(value: str, known: Sequence[str]) -> str:
    """The latest known period (month) that a datetime instant or interval touches."""
    start_text, slash, end_text = value.partition("/")
    if not slash:
        end_text = start_text
    start = None if start_text in ("", "..") else _instant(start_text, False)
    end = None if end_text in ("", "..") else _instant(end_text, True)
    if start is not None and end is not None and start > end:
        raise BadRequest(text("error.datetime_reversed", API_LANG, value=value), "datetime")
    touched = []
    for period in known:
        year, month = map(int, period.split("-"))
        first = datetime(year, month, 1, tzinfo=UTC)
        last = datetime(year, month, calendar.monthrange(year, month)[1], 23, 59, 59, tzinfo=UTC)
        if (start is None or start <= last) and (end is None or end >= first):
            touched.append(period)
    if not touched:
        message = text("error.datetime_no_period", API_LANG, value=value, periods=", ".join(known))
        raise BadRequest(message, "datetime")
    return touched[-1]


def _codes(value: str, level: str) -> set[str]:
    """The comma-separated codes of a kode filter, each well formed for the level."""
    codes = {c.strip() for c in value.split(",") if c.strip()}
    if not codes or not all(is_code_of(c, level) for c in codes):
        message = text(
            "error.kode", API_LANG, value=value, level=level, example=CODE_EXAMPLES[level]
        )
        raise BadRequest(message, "kode")
    return codes


def _query(settings: Settings, params: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The period and segment a request chooses (period or datetime, not both)."""
    period = params.get("period")
    if "datetime" in params:
        if period is not None:
            raise BadRequest(text("error.period_and_datetime", API_LANG), "datetime")
        period = period_of_datetime(params["datetime"], dataset.periods(settings))
    return period, params.get("segment")


def _self_url(url: str, params: Mapping[str, str], **changes) -> str:
    """The same URL with some parameters changed."""
    merged = {**params, **{k: str(v) for k, v in changes.items()}}
    return f"{url}?{urlencode(merged)}" if merged else url


def items(
    settings: Settings, urls: Urls, collection_id: str, args: Mapping[str, Sequence[str]]
) -> bytes:
    """A page of features: filtered, bbox-selected, with paging links and counts."""
    level = _level(collection_id)
    params = check_params("items", args)
    limit = _integer(params.get("limit"), "limit", LIMIT_DEFAULT, 1, LIMIT_MAX)
    offset = _integer(params.get("offset"), "offset", 0, 0, None)
    box = parse_bbox(params["bbox"]) if "bbox" in params else None
    prov = params.get("prov_kode")
    if prov is not None:
        settings.region.check_province(prov, "prov_kode")
    codes = _codes(params["kode"], level) if "kode" in params else None
    period, segment = _query(settings, params)
    data = features.joined(settings, level, period, segment)
    frame = data.frame
    keep = np.ones(len(frame), dtype=bool)
    if codes is not None:
        keep &= frame["kode"].isin(codes).to_numpy()
    if prov is not None:
        keep &= (frame["prov_kode"] == prov).to_numpy(dtype=bool, na_value=False)
    if box is not None:
        keep &= shapely.intersects(frame.geometry.values, shapely.box(*box))
    matched = frame[keep]
    page = matched.iloc[offset : offset + limit]
    geometry = features.shapes(settings, level)
    texts = [
        exports.feature_text(props, geometry.texts[props["kode"]])
        for props in exports.properties_of(page)
    ]
    href = f"{urls.api}/collections/{collection_id}"
    url = f"{href}/items"
    links = [
        _link(_self_url(url, params), "self", GEOJSON, say("link.page", API_LANG)),
        _link(href, "collection", JSON, say("link.collection", API_LANG)),
    ]
    if offset + limit < len(matched):
        links.append(
            _link(
                _self_url(url, params, offset=offset + limit, limit=limit),
                "next",
                GEOJSON,
                say("link.next", API_LANG),
            )
        )
    if offset > 0:
        links.append(
            _link(
                _self_url(url, params, offset=max(0, offset - limit), limit=limit),
                "prev",
                GEOJSON,
                say("link.prev", API_LANG),
            )
        )
    stamp = dataset.data_changed_at(settings)
    return exports.collection_text(
        texts,
        {
            "numberMatched": len(matched),
            "numberReturned": len(texts),
            "timeStamp": stamp,
            "links": links,
        },
    )


def item(
    settings: Settings,
    urls: Urls,
    collection_id: str,
    feature_id: str,
    args: Mapping[str, Sequence[str]],
) -> bytes:
    """One feature by its code."""
    level = _level(collection_id)
    params = check_params("item", args)
    # Known codes first: cheap for junk, and numpy compares text without its trailing NULs
    # ('73.71\0' == '73.71').
    texts = features.shapes(settings, level).texts
    if feature_id in texts:
        data = features.joined(settings, level, params.get("period"), params.get("segment"))
        rows = data.frame[data.frame["kode"] == feature_id]
    if feature_id not in texts or rows.empty:
        message = text(
            "error.no_feature",
            API_LANG,
            feature=feature_id,
            collection=collection_id,
            example=CODE_EXAMPLES[level],
        )
        raise NotFound(message)
    props = exports.properties_of(rows)[0]
    href = f"{urls.api}/collections/{collection_id}"
    self_url = _self_url(f"{href}/items/{feature_id}", params)
    links = [
        _link(self_url, "self", GEOJSON, say("link.feature", API_LANG)),
        _link(href, "collection", JSON, say("link.collection", API_LANG)),
    ]
    body = exports.feature_text(props, texts[feature_id], links)
    return body.encode()
