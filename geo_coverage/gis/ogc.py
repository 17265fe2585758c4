"""OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0) as plain data; no Flask.

Two collections, `provinces` and `regencies`; an item's id is its Kemendagri code (`73.71`).
Items show one period (default: the latest) and one segment (default: all) at a time.
Each function takes the service's absolute root URL (the API lives at root + PREFIX) and the
query parameters as lists,
and returns a dict (JSON) or bytes (GeoJSON); bad requests raise BadRequest, unknown
collections or features NotFound.
"""

from __future__ import annotations

import calendar
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import numpy as np
import shapely

from geo_coverage.config import Settings
from geo_coverage.errors import BadRequest, NotFound
from geo_coverage.gis import downloads, exports, features
from geo_coverage.gis.query import choice, single_values
from geo_coverage.i18n import DEFAULT_LANG, LANGS
from geo_coverage.metrics import dataset
from geo_coverage.sources.reference import REGION_PROVINCES

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
COLLECTIONS = {"provinces": "province", "regencies": "regency"}
CODE_PATTERNS = {"province": r"\d{2}", "regency": r"\d{2}\.\d{2}"}
TEXT = {
    "title": (
        "Cakupan BPJS Ketenagakerjaan Sulawesi–Maluku",
        "BPJS Ketenagakerjaan coverage, Sulawesi–Maluku",
    ),
    "description": (
        "Cakupan kepesertaan jaminan sosial pekerja per provinsi dan kabupaten/kota di 8 "
        "provinsi Sulawesi–Maluku. Angka berlabel 'modelled' bersifat ilustratif.",
        "Worker social-insurance coverage by province and regency/city in the 8 provinces of "
        "Sulawesi–Maluku. Figures labelled 'modelled' are illustrative.",
    ),
    "provinces": ("Provinsi: cakupan kepesertaan", "Provinces: coverage"),
    "regencies": ("Kabupaten/kota: cakupan kepesertaan", "Regencies and cities: coverage"),
    "provinces.description": (
        "8 provinsi; satu periode dan satu segmen per permintaan (bawaan: periode terbaru, "
        "semua segmen). Data ilustratif: angka berlabel data_source 'modelled' dimodelkan.",
        "8 provinces; one period and one segment per request (default: the latest period, all "
        "segments). Illustrative data: figures whose data_source is 'modelled' are modelled.",
    ),
    "regencies.description": (
        "102 kabupaten/kota; satu periode dan satu segmen per permintaan (bawaan: periode "
        "terbaru, semua segmen). Data ilustratif: angka berlabel data_source 'modelled' "
        "dimodelkan.",
        "102 regencies and cities; one period and one segment per request (default: the latest "
        "period, all segments). Illustrative data: figures whose data_source is 'modelled' are "
        "modelled.",
    ),
}


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
            {"type": "string", "enum": list(REGION_PROVINCES)},
            "Only areas of this province.",
        ),
        Parameter(
            "period",
            {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
            "Month of the figures (YYYY-MM); default the latest.",
        ),
        Parameter(
            "segment",
            {"type": "string", "enum": ["all", *dataset.SEGMENTS], "default": "all"},
            "Worker segment; default all segments.",
        ),
    )
}
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


def say(key: str, lang: str) -> str:
    """One of TEXT in a language."""
    return TEXT[key][LANGS.index(lang)]


def check_params(resource: str, args: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """The query parameters as single values; 400 for unknown or repeated ones."""
    out = single_values(args, ACCEPTS[resource], f"this resource ({resource})")
    choice(out, "f", ("json",), "json")
    if "lang" in ACCEPTS[resource]:
        out["lang"] = choice(out, "lang", LANGS, DEFAULT_LANG)
    return out


def _link(href: str, rel: str, type_: str, title: str | None = None) -> dict:
    """A link object."""
    return {"href": href, "rel": rel, "type": type_, **({"title": title} if title else {})}


def landing(root: str, args: Mapping[str, Sequence[str]]) -> dict:
    """The landing page: title and the links a client starts from."""
    lang = check_params("landing", args)["lang"]
    base = root + PREFIX
    return {
        "title": say("title", lang),
        "description": say("description", lang),
        "links": [
            _link(f"{base}?lang={lang}", "self", JSON, "this document"),
            _link(f"{base}/api", "service-desc", OPENAPI, "OpenAPI 3.0 definition"),
            _link(f"{base}/api.html", "service-doc", HTML, "API documentation"),
            _link(f"{base}/conformance", "conformance", JSON, "conformance classes"),
            _link(f"{base}/collections?lang={lang}", "data", JSON, "collections"),
        ],
    }


def conformance(args: Mapping[str, Sequence[str]]) -> dict:
    """The conformance classes this API implements."""
    check_params("conformance", args)
    return {"conformsTo": list(CONFORMANCE)}


def _level(collection_id: str) -> str:
    """The level of a collection id; NotFound listing the collections otherwise."""
    if collection_id not in COLLECTIONS:
        raise NotFound(f"no collection '{collection_id}'; collections: {', '.join(COLLECTIONS)}")
    return COLLECTIONS[collection_id]


def _temporal(settings: Settings) -> list[list[str | None]]:
    """The interval from the start of the first period to the end of the last."""
    known = dataset.periods(settings)
    if not known:
        return [[None, None]]
    year, month = map(int, known[-1].split("-"))
    last_day = calendar.monthrange(year, month)[1]
    return [[f"{known[0]}-01T00:00:00Z", f"{known[-1]}-{last_day:02d}T23:59:59Z"]]


def _collection(settings: Settings, root: str, collection_id: str, lang: str) -> dict:
    """One collection's description."""
    level = _level(collection_id)
    bounds = features.shapes(settings, level).bounds
    bbox = [
        float(bounds[:, 0].min()),
        float(bounds[:, 1].min()),
        float(bounds[:, 2].max()),
        float(bounds[:, 3].max()),
    ]
    href = f"{root}{PREFIX}/collections/{collection_id}"
    files = [
        _link(f"{root}/download/{level}.{ext}", "enclosure", media, label)
        for ext, (media, label) in downloads.FORMATS.items()
    ]
    return {
        "id": collection_id,
        "title": say(collection_id, lang),
        "description": say(f"{collection_id}.description", lang),
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


def collections(settings: Settings, root: str, args: Mapping[str, Sequence[str]]) -> dict:
    """Every collection."""
    lang = check_params("collections", args)["lang"]
    return {
        "links": [_link(f"{root}{PREFIX}/collections?lang={lang}", "self", JSON, "collections")],
        "collections": [_collection(settings, root, cid, lang) for cid in COLLECTIONS],
    }


def collection(
    settings: Settings, root: str, collection_id: str, args: Mapping[str, Sequence[str]]
) -> dict:
    """One collection."""
    _level(collection_id)
    lang = check_params("collection", args)["lang"]
    return _collection(settings, root, collection_id, lang)


def _integer(value: str | None, name: str, default: int, low: int, high: int | None) -> int:
    """An integer parameter within [low, high]."""
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        valid = f"{low} to {high}" if high is not None else f"{low} or more"
        raise BadRequest(f"invalid {name} '{value}'; valid values: integers {valid}", name)
    return number


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    """west,south,east,north in CRS84; 400 unless four finite numbers in range and order."""
    message = (
        f"invalid bbox '{value}'; give four numbers west,south,east,north in CRS84 "
        "longitude/latitude, west ≤ east within -180..180, south ≤ north within -90..90"
    )
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


def _instant(text: str, end: bool) -> datetime:
    """A date or RFC 3339 date-time; a bare date means its start (or its end if end)."""
    try:
        if "T" in text.upper():
            moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        day = datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        raise BadRequest(
            f"invalid datetime '{text}'; give a date (2025-06-30), a date-time "
            "(2025-06-30T00:00:00Z) or an interval start/end with '..' for an "
            "open end",
            "datetime",
        ) from None
    return day.replace(hour=23, minute=59, second=59) if end else day


def period_of_datetime(value: str, known: Sequence[str]) -> str:
    """The latest known period (month) that a datetime instant or interval touches."""
    start_text, slash, end_text = value.partition("/")
    if not slash:
        end_text = start_text
    start = None if start_text in ("", "..") else _instant(start_text, False)
    end = None if end_text in ("", "..") else _instant(end_text, True)
    if start is not None and end is not None and start > end:
        raise BadRequest(
            f"invalid datetime '{value}': the interval ends before it starts", "datetime"
        )
    touched = []
    for period in known:
        year, month = map(int, period.split("-"))
        first = datetime(year, month, 1, tzinfo=UTC)
        last = datetime(year, month, calendar.monthrange(year, month)[1], 23, 59, 59, tzinfo=UTC)
        if (start is None or start <= last) and (end is None or end >= first):
            touched.append(period)
    if not touched:
        raise BadRequest(
            f"datetime '{value}' touches no period; periods: {', '.join(known)}", "datetime"
        )
    return touched[-1]


def _codes(value: str, level: str) -> set[str]:
    """The comma-separated codes of a kode filter, each well formed for the level."""
    codes = {c.strip() for c in value.split(",") if c.strip()}
    pattern = CODE_PATTERNS[level]
    bad = sorted(c for c in codes if not re.fullmatch(pattern, c))
    if not codes or bad:
        example = "73" if level == "province" else "73.71"
        raise BadRequest(
            f"invalid kode '{value}'; give {level} codes like {example}, comma-separated", "kode"
        )
    return codes


def _query(settings: Settings, params: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The period and segment a request chooses (period or datetime, not both)."""
    period = params.get("period")
    if "datetime" in params:
        if period is not None:
            raise BadRequest("give either period or datetime, not both", "datetime")
        period = period_of_datetime(params["datetime"], dataset.periods(settings))
    return period, params.get("segment")


def _self_url(url: str, params: Mapping[str, str], **changes) -> str:
    """The same URL with some parameters changed."""
    merged = {**params, **{k: str(v) for k, v in changes.items()}}
    return f"{url}?{urlencode(merged)}" if merged else url


def items(
    settings: Settings, root: str, collection_id: str, args: Mapping[str, Sequence[str]]
) -> bytes:
    """A page of features: filtered, bbox-selected, with paging links and counts."""
    level = _level(collection_id)
    params = check_params("items", args)
    limit = _integer(params.get("limit"), "limit", LIMIT_DEFAULT, 1, LIMIT_MAX)
    offset = _integer(params.get("offset"), "offset", 0, 0, None)
    box = parse_bbox(params["bbox"]) if "bbox" in params else None
    prov = params.get("prov_kode")
    if prov is not None and prov not in REGION_PROVINCES:
        raise BadRequest(
            f"unknown prov_kode '{prov}'; valid values: {', '.join(REGION_PROVINCES)}", "prov_kode"
        )
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
    url = f"{root}{PREFIX}/collections/{collection_id}/items"
    links = [
        _link(_self_url(url, params), "self", GEOJSON, "this page"),
        _link(f"{root}{PREFIX}/collections/{collection_id}", "collection", JSON, "the collection"),
    ]
    if offset + limit < len(matched):
        links.append(
            _link(
                _self_url(url, params, offset=offset + limit, limit=limit),
                "next",
                GEOJSON,
                "next page",
            )
        )
    if offset > 0:
        links.append(
            _link(
                _self_url(url, params, offset=max(0, offset - limit), limit=limit),
                "prev",
                GEOJSON,
                "previous page",
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
    root: str,
    collection_id: str,
    feature_id: str,
    args: Mapping[str, Sequence[str]],
) -> bytes:
    """One feature by its code."""
    level = _level(collection_id)
    params = check_params("item", args)
    data = features.joined(settings, level, params.get("period"), params.get("segment"))
    rows = data.frame[data.frame["kode"] == feature_id]
    if rows.empty:
        raise NotFound(
            f"no feature '{feature_id}' in {collection_id}; feature ids are "
            f"Kemendagri codes like {'73' if level == 'province' else '73.71'}"
        )
    props = exports.properties_of(rows)[0]
    href = f"{root}{PREFIX}/collections/{collection_id}"
    links = [
        _link(_self_url(f"{href}/items/{feature_id}", params), "self", GEOJSON, "this feature"),
        _link(href, "collection", JSON, "the collection"),
    ]
    text = exports.feature_text(props, features.shapes(settings, level).texts[feature_id], links)
    return text.encode()
