"""The query parameters of the OGC API: declared once (the OpenAPI definition, the checks and the
HTML documentation all read these declarations) and read into a Query; no Flask.

Every resource accepts every parameter, so that a query carried from a base URL (QGIS and GDAL
append it to every request they make) never breaks a client; a resource ignores what changes
nothing for it. A parameter given twice with the same value counts once; filters given twice
must all hold (AND), `limit` takes the smaller value, and any other parameter given twice with
different values is a 400. Unknown names and invalid values are 400s naming the parameter.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from geo_coverage.errors import BadRequest, QueryProblems, invalid_choice
from geo_coverage.gis import cql
from geo_coverage.gis.query import choice
from geo_coverage.i18n import API_LANG, DEFAULT_LANG, LANGS, text
from geo_coverage.metrics.registry import EXPORTED, FIELD
from geo_coverage.region import (
    CODE_PATTERNS,
    LEVELS,
    PERIOD_FORMAT,
    SEGMENT_CHOICES,
    Region,
)

FORMATS = ("json", "html")
FILTER_LANGS = ("cql2-text",)
LIMIT_FLOOR = 1000  # the maximum (and default) limit is never below this
TRUE_FALSE = ("true", "false")
# Parameters that narrow the features: given twice, both must hold.
FILTERS = ("bbox", "datetime", "filter", *(f.key for f in EXPORTED))
# A list of codes of either level: 73,73.71
_CODE = f"({'|'.join(CODE_PATTERNS[level] for level in LEVELS)})"
CODE_LIST_PATTERN = f"^{_CODE}(,{_CODE})*$"
Box = tuple[float, float, float, float]
Interval = tuple[datetime | None, datetime | None]


@dataclass(frozen=True)
class Facts:
    """What the declarations depend on: the stored periods, the largest collection and the
    region (its provinces and name)."""

    periods: tuple[str, ...]
    max_limit: int
    region: Region


@dataclass(frozen=True)
class Parameter:
    """A query parameter: its OpenAPI schema and what it means."""

    name: str
    schema: dict
    description: str


@dataclass(frozen=True)
class Query:
    """A request's parameters, checked: each filter as it applies, the rest as values."""

    lang: str = DEFAULT_LANG
    fmt: str | None = None  # f=json|html; None: by the Accept header
    limit: int = LIMIT_FLOOR
    offset: int = 0
    boxes: tuple[tuple[Box, ...], ...] = ()  # each bbox, split where it crosses 180°
    times: tuple[Interval, ...] = ()
    equals: dict[str, frozenset] = field(default_factory=dict)  # property -> values it may take
    filters: tuple = ()  # parsed CQL2 expressions
    properties: tuple[str, ...] | None = None
    skip_geometry: bool = False
    sortby: tuple[tuple[str, bool], ...] = ()  # (property, ascending)
    pairs: tuple[tuple[str, str], ...] = ()  # as given, repeats of one value dropped


def _value_schema(key: str, facts: Facts) -> dict:
    """The schema of a property's value (its queryable and its query parameter)."""
    f = FIELD[key]
    if key == "segment":
        return {"type": "string", "enum": list(SEGMENT_CHOICES)}
    if key == "period":
        return {"type": "string", "enum": list(facts.periods)}
    if key == "prov_kode":
        return {"type": "string", "enum": list(facts.region.provinces)}
    if key == "data_source":
        return {"type": "string", "enum": ["published", "mixed", "modelled"]}
    if key == "kode":
        return {"type": "string", "pattern": f"^{_CODE}$"}
    return {"type": f.json_type}


def queryable_schema(key: str, facts: Facts) -> dict:
    """A property's entry in the queryables document."""
    return {
        **_value_schema(key, facts),
        "title": FIELD[key].label.get(API_LANG),
        "description": FIELD[key].description.get(API_LANG),
    }


def _property_parameter(key: str, facts: Facts) -> Parameter:
    """A property as a query parameter: features whose value equals the one given."""
    schema = _value_schema(key, facts)
    description = f"Only features whose {key} equals this value ({FIELD[key].description.en})."
    if key == "kode":
        schema = {"type": "string", "pattern": CODE_LIST_PATTERN}
        description = "Only these Kemendagri codes, comma-separated (e.g. 73.71,73.72)."
    if key == "period":
        description = (
            f"Month of the figures ({PERIOD_FORMAT}). On provinces and regencies it chooses the "
            "period shown (default the latest); elsewhere it selects features of that period."
        )
    if key == "segment":
        description = (
            "Worker segment. On provinces and regencies it chooses the segment shown (default "
            "all); elsewhere it selects features of that segment."
        )
    return Parameter(key, schema, description)


def parameters(facts: Facts) -> dict[str, Parameter]:
    """Every query parameter, by name."""
    limit = facts.max_limit
    fixed = [
        Parameter(
            "f",
            {"type": "string", "enum": list(FORMATS)},
            "Response format: json (GeoJSON for features) or html; default by the Accept header, "
            "else json.",
        ),
        Parameter(
            "lang",
            {"type": "string", "enum": list(LANGS), "default": DEFAULT_LANG},
            "Language of titles, descriptions and HTML pages: id (Bahasa Indonesia) or en; "
            "accepted everywhere, ignored where nothing is worded.",
        ),
        Parameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": limit, "default": limit},
            f"Features per page, 1 to {limit} (the largest collection whole); a larger value "
            "is taken as the maximum.",
        ),
        Parameter(
            "offset",
            {"type": "integer", "minimum": 0, "default": 0},
            "Number of matching features to skip (paging; next and prev links carry it).",
        ),
        Parameter(
            "bbox",
            {
                "type": "array",
                "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
                "items": {"type": "number"},
            },
            "Only features that intersect the box west,south,east,north (or west,south,zmin,"
            "east,north,zmax) in CRS84; west > east crosses the antimeridian.",
        ),
        Parameter(
            "datetime",
            {"type": "string"},
            "A date-time, a date or an interval (start/end, '..' or empty for an open end). "
            "Features of the months it touches; on provinces and regencies the latest month it "
            "touches is shown.",
        ),
        Parameter(
            "filter",
            {"type": "string"},
            "A CQL2 text filter on the queryables, e.g. coverage_pct < target_pct AND "
            "prov_kode = '73'.",
        ),
        Parameter(
            "filter-lang",
            {"type": "string", "enum": list(FILTER_LANGS), "default": FILTER_LANGS[0]},
            "The language of filter: cql2-text.",
        ),
        Parameter(
            "properties",
            {"type": "array", "items": {"type": "string", "enum": [f.key for f in EXPORTED]}},
            "Only these properties in each feature, comma-separated, in this order.",
        ),
        Parameter(
            "skipGeometry",
            {"type": "boolean", "default": False},
            "true: features without geometry (null).",
        ),
        Parameter(
            "sortby",
            {"type": "array", "items": {"type": "string", "pattern": _sort_pattern()}},
            "Sort by these properties, comma-separated, '-' before a name for descending "
            "(missing values last); default by kode, period and segment.",
        ),
    ]
    own = [_property_parameter(f.key, facts) for f in EXPORTED]
    return {p.name: p for p in (*fixed, *own)}


def _sort_pattern() -> str:
    """The pattern of one sortby item."""
    return f"^[+-]?({'|'.join(f.key for f in EXPORTED)})$"


def _bad(key: str, name: str, **values) -> BadRequest:
    """A 400 from the catalogue, naming the parameter."""
    return BadRequest(text(key, API_LANG, name=name, **values), name)


def _integer(value: str, name: str, low: int) -> int:
    """A whole number of at least low."""
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < low:
        raise _bad("error.integer_minimum", name, value=value, low=low)
    return number


def parse_bbox(value: str) -> tuple[Box, ...]:
    """The boxes of a bbox in CRS84 (two where it crosses the antimeridian); 400 unless four
    or six finite numbers within range with south ≤ north."""
    message = text("error.bbox", API_LANG, value=value)
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        raise BadRequest(message, "bbox") from None
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise BadRequest(message, "bbox")
    west, south, east, north = numbers
    inside = all(-180 <= x <= 180 for x in (west, east)) and all(
        -90 <= y <= 90 for y in (south, north)
    )
    if not inside or south > north:
        raise BadRequest(message, "bbox")
    if west > east:
        return ((west, south, 180.0, north), (-180.0, south, east, north))
    return ((west, south, east, north),)


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


def parse_datetime(value: str) -> Interval:
    """An instant or interval ('..' or empty for an open end) as (start, end)."""
    start_text, slash, end_text = value.partition("/")
    if not slash:
        end_text = start_text
    if slash and start_text in ("", "..") and end_text in ("", ".."):
        return None, None
    if not value:
        raise BadRequest(text("error.datetime", API_LANG, value=value), "datetime")
    start = None if start_text in ("", "..") else _instant(start_text, False)
    end = None if end_text in ("", "..") else _instant(end_text, True)
    if start is not None and end is not None and start > end:
        raise BadRequest(text("error.datetime_reversed", API_LANG, value=value), "datetime")
    return start, end


def month_of(period: str) -> tuple[datetime, datetime]:
    """The first and last second of a YYYY-MM period, UTC."""
    year, month = map(int, period.split("-"))
    last = calendar.monthrange(year, month)[1]
    return (
        datetime(year, month, 1, tzinfo=UTC),
        datetime(year, month, last, 23, 59, 59, tzinfo=UTC),
    )


def touches(period: str, interval: Interval) -> bool:
    """Whether a period's month meets an interval."""
    first, last = month_of(period)
    start, end = interval
    return (start is None or start <= last) and (end is None or end >= first)


def _property_values(key: str, value: str, facts: Facts) -> frozenset:
    """The values a property parameter allows (a code list for kode), checked against its
    schema."""
    schema = _value_schema(key, facts)
    if key == "kode":
        if not re.fullmatch(CODE_LIST_PATTERN, value):
            raise _bad("error.kode", key, value=value)
        return frozenset(value.split(","))
    if "enum" in schema:
        if value not in schema["enum"]:
            raise invalid_choice(key, value, schema["enum"] or ["–"])
        return frozenset([value])
    if schema["type"] == "string":
        return frozenset([value])
    try:
        number = float(value) if schema["type"] == "number" else int(value)
    except ValueError:
        raise _bad("error.property_number", key, value=value, kind=schema["type"]) from None
    if not math.isfinite(number):
        raise _bad("error.property_number", key, value=value, kind=schema["type"])
    return frozenset([number])


def _names(value: str, name: str, allowed: Sequence[str]) -> tuple[str, ...]:
    """A comma-separated list of property names, each allowed, without repeats."""
    names = [n.strip() for n in value.split(",") if n.strip()]
    wrong = [n for n in names if n not in allowed]
    if not names or wrong:
        raise invalid_choice(name, value, allowed)
    return tuple(dict.fromkeys(names))


def _sortby(value: str) -> tuple[tuple[str, bool], ...]:
    """sortby items as (property, ascending)."""
    allowed = [f.key for f in EXPORTED]
    out = []
    for item in (part.strip() for part in value.split(",")):
        key = item.lstrip("+-")
        if key not in allowed or len(item) - len(key) > 1:
            raise invalid_choice("sortby", value, [f"{k}, -{k}" for k in allowed[:3]] + ["…"])
        out.append((key, not item.startswith("-")))
    return tuple(dict.fromkeys(out))


def _single(name: str, values: list[str]) -> str:
    """The one value of a parameter that may not differ between repeats."""
    if len(set(values)) > 1:
        raise _bad("error.param_differs", name, values=", ".join(dict.fromkeys(values)))
    return values[0]


def read(pairs: Sequence[tuple[str, str]], facts: Facts) -> Query:
    """The checked Query of a request's parameters (name, value) in the order given."""
    declared = parameters(facts)
    unknown = sorted({name for name, _ in pairs} - set(declared))
    if unknown:
        raise BadRequest(
            text(
                "error.unknown_params",
                API_LANG,
                names=", ".join(unknown),
                where="the OGC API",
                valid=", ".join(declared),
            ),
            unknown[0],
        )
    kept = tuple(dict.fromkeys(pairs))
    given: dict[str, list[str]] = {}
    for name, value in kept:
        given.setdefault(name, []).append(value)
    problems = QueryProblems()
    one: dict[str, str] = {}
    for name, values in given.items():
        if name not in FILTERS and name != "limit":
            one[name] = problems.check(values[0], partial(_single, name, values))

    def one_of(name: str, valid: Sequence[str], default: str) -> str:
        """The parameter's value if valid; its default (and a problem noted) otherwise."""
        return problems.check(default, partial(choice, one, name, valid, default))

    lang = one_of("lang", LANGS, DEFAULT_LANG)
    fmt = one_of("f", FORMATS, "") or None
    one_of("filter-lang", FILTER_LANGS, FILTER_LANGS[0])
    skip = one_of("skipGeometry", TRUE_FALSE, "false")
    limits = problems.each(partial(_integer, name="limit", low=1), given.get("limit", []))
    offsets = problems.each(partial(_integer, name="offset", low=0), given.get("offset", [])[:1])
    equals: dict[str, frozenset] = {}
    for f in EXPORTED:
        checked = partial(_property_values, f.key, facts=facts)
        for allowed in problems.each(checked, given.get(f.key, [])):
            equals[f.key] = equals[f.key] & allowed if f.key in equals else allowed
    queryables = {f.key: f.json_type for f in EXPORTED}
    names = partial(_names, name="properties", allowed=list(queryables))
    query = Query(
        lang=lang,
        fmt=fmt,
        limit=min([facts.max_limit, *limits]) if limits else facts.max_limit,
        offset=offsets[0] if offsets else 0,
        boxes=problems.each(parse_bbox, given.get("bbox", [])),
        times=problems.each(parse_datetime, given.get("datetime", [])),
        equals=equals,
        filters=problems.each(partial(cql.parse, queryables=queryables), given.get("filter", [])),
        properties=next(iter(problems.each(names, given.get("properties", [])[:1])), None),
        skip_geometry=skip == "true",
        sortby=next(iter(problems.each(_sortby, given.get("sortby", [])[:1])), ()),
        pairs=kept,
    )
    problems.raise_any()
    return query


def facts_of(periods: Sequence[str], largest: int, region: Region) -> Facts:
    """The Facts of a store: its periods, the size of its largest collection, its region."""
    return Facts(tuple(periods), max(LIMIT_FLOOR, largest), region)


def with_pairs(pairs: Sequence[tuple[str, str]], **changes: object) -> list[tuple[str, str]]:
    """The parameters with some replaced (in place, or added at the end) or removed (None)."""
    out, done = [], set()
    for name, value in pairs:
        if name in changes:
            if name not in done and changes[name] is not None:
                out.append((name, str(changes[name])))
            done.add(name)
        else:
            out.append((name, value))
    out += [(n, str(v)) for n, v in changes.items() if n not in done and v is not None]
    return out
