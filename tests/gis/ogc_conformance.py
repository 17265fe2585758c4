"""A conformance check of an OGC API – Features server over HTTP: the requirements of Part 1
(Core, GeoJSON, HTML, OpenAPI 3.0) and each Part 3 / CQL2 class the server claims, one result
per requirement. tests/gis/test_ogc_conformance.py runs it against a live server and keeps
docs/ogc-conformance.md equal to its table.

Usage: python tests/gis/ogc_conformance.py http://HOST:8000/ogc [--markdown]
Exit status 1 when a requirement fails, or the server claims a class nothing here checks.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode, urlsplit

import shapely
from shapely.geometry import box, shape

PART1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
PART3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
LAYER = "regencies"  # a collection with a feature per area, many pages of it
HISTORY = "regencies_history"  # the largest collection
MEMBER = "73.71"  # a feature id in LAYER
CROSSING_BBOX = (170.0, -6.0, 120.0, -5.0)  # west > east: across the antimeridian


class Failed(AssertionError):
    """A requirement the server does not meet, with what was seen."""


@dataclass
class Answer:
    """An HTTP answer."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        """The body as JSON."""
        return json.loads(self.body)

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters."""
        return self.headers.get("content-type", "").split(";")[0].strip()


@dataclass
class Server:
    """The API under test, with what the checks learn along the way."""

    base: str
    learned: dict = field(default_factory=dict)

    def get(self, path: str, query: dict | None = None, method: str = "GET", **headers) -> Answer:
        """One request to a path under the landing page (or an absolute URL)."""
        url = path if path.startswith("http") else self.base.rstrip("/") + path
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query)
        req = urllib.request.Request(url, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return Answer(url, resp.status, _headers(resp.headers), resp.read())
        except urllib.error.HTTPError as err:
            return Answer(url, err.code, _headers(err.headers), err.read())

    def json(self, path: str, query: dict | None = None, **headers):
        """A 200 JSON answer's document."""
        answer = self.get(path, query, **headers)
        expect(answer.status == 200, f"{answer.url} answered {answer.status}")
        return answer.json()

    def items(self, collection: str, **query) -> list[dict]:
        """Every feature matching a query, whatever the default page size, following next."""
        answer = self.json(f"/collections/{collection}/items", query)
        features = list(answer["features"])
        while nxt := _link(answer, "next"):
            answer = self.json(nxt["href"])
            features += answer["features"]
        return features

    @property
    def api(self) -> dict:
        """The OpenAPI document."""
        if "api" not in self.learned:
            landing = self.json("/")
            self.learned["api"] = self.json(_link(landing, "service-desc")["href"])
        return self.learned["api"]

    def parameter(self, name: str) -> dict:
        """A declared query parameter of the items operation."""
        return self.api["components"]["parameters"][name]


def _headers(message) -> dict[str, str]:
    """Headers by lower-case name (repeated ones joined by ', ')."""
    out: dict[str, str] = {}
    for key, value in message.items():
        key = key.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def _link(doc: dict, rel: str, type_: str | None = None) -> dict | None:
    """The first link of a relation (and type)."""
    return next(
        (
            link
            for link in doc.get("links", [])
            if link["rel"] == rel and (type_ is None or link.get("type") == type_)
        ),
        None,
    )


def expect(condition: bool, message: str) -> None:
    """Fail the requirement with a message unless the condition holds."""
    if not condition:
        raise Failed(message)


def _ids(features: list[dict]) -> set[str]:
    """Feature ids."""
    return {f["id"] for f in features}


# Part 1, Core -------------------------------------------------------------------------------


def root(server: Server) -> None:
    """GET / answers 200 with links to the API definition, conformance and collections."""
    doc = server.json("/")
    for rel in ("service-desc", "conformance", "data"):
        expect(_link(doc, rel) is not None, f"the landing page has no {rel} link")
    expect(_link(doc, "self") is not None, "the landing page has no self link")


def conformance(server: Server) -> None:
    """GET /conformance lists the classes, Core, GeoJSON, HTML and OpenAPI 3.0 among them."""
    classes = server.json("/conformance")["conformsTo"]
    server.learned["classes"] = classes
    for name in ("core", "geojson", "html", "oas30"):
        expect(PART1 + name in classes, f"{name} is not declared")


def http(server: Server) -> None:
    """HTTP 1.1: HEAD answers as GET without a body; a 405 carries Allow; one charset at most."""
    get, head = server.get("/collections"), server.get("/collections", method="HEAD")
    expect(head.status == 200 and head.body == b"", f"HEAD answered {head.status}")
    expect(head.headers.get("content-type") == get.headers.get("content-type"), "HEAD's type")
    post = server.get("/collections", method="POST")
    allow = {m.strip() for m in post.headers.get("allow", "").split(",")}
    expect(post.status == 405 and "GET" in allow, f"POST: {post.status}, Allow {allow}")
    for path in ("/", "/conformance", "/api", f"/collections/{LAYER}/items?limit=1", "/?f=html"):
        kind = server.get(path).headers.get("content-type", "")
        expect(kind.lower().count("charset=") <= 1, f"{path}: Content-Type {kind!r}")


def unknown_parameter(server: Server) -> None:
    """A query parameter the API definition does not declare answers 400."""
    for path in ("/", f"/collections/{LAYER}/items"):
        answer = server.get(path, {"no_such_parameter": "1"})
        expect(answer.status == 400, f"{path}?no_such_parameter=1 answered {answer.status}")


def invalid_parameter(server: Server) -> None:
    """A declared parameter with an invalid value answers 400, on every parameter kind."""
    bad = {
        "limit": "many",
        "offset": "-1",
        "bbox": "1,2",
        "datetime": "yesterday",
        "f": "xml",
        "period": "0000-00",
        "kode": "",
        "properties": "no_such_property",
        "sortby": "no_such_property",
        "skipGeometry": "perhaps",
    }
    for name, value in bad.items():
        answer = server.get(f"/collections/{LAYER}/items", {name: value})
        expect(answer.status == 400, f"{name}={value!r} answered {answer.status}")


def collections(server: Server) -> None:
    """GET /collections: self link, each collection with an id, items links and an extent."""
    doc = server.json("/collections")
    expect(_link(doc, "self") is not None, "no self link")
    found = {c["id"]: c for c in doc["collections"]}
    expect(LAYER in found and HISTORY in found, f"collections: {sorted(found)[:5]}…")
    for collection in found.values():
        items = _link(collection, "items", GEOJSON)
        expect(items is not None, f"{collection['id']}: no GeoJSON items link")
        spatial = collection["extent"]["spatial"]["bbox"][0]
        expect(len(spatial) in (4, 6), f"{collection['id']}: spatial extent {spatial}")
        interval = collection["extent"].get("temporal", {}).get("interval", [[None, None]])[0]
        for end in interval:
            expect(end is None or _rfc3339(end), f"{collection['id']}: temporal {interval}")
    server.learned["collections"] = found


def _rfc3339(value: str) -> bool:
    """Whether a string is an RFC 3339 date-time."""
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


def collection(server: Server) -> None:
    """GET /collections/{id} answers the same description as in /collections."""
    listed = server.learned.get("collections") or {
        c["id"]: c for c in server.json("/collections")["collections"]
    }
    for name in (LAYER, HISTORY, next(iter(sorted(listed)))):
        one = server.json(f"/collections/{name}")
        expect(one["id"] == name, f"{name}: id {one['id']}")
        expect(one["extent"] == listed[name]["extent"], f"{name}: another extent")
    missing = server.get("/collections/no_such_collection")
    expect(missing.status == 404, f"an unknown collection answered {missing.status}")


def limit_definition(server: Server) -> None:
    """limit is an integer, minimum 1, with a maximum and a default that holds a layer whole."""
    schema = server.parameter("limit")["schema"]
    expect(schema.get("type") == "integer" and schema.get("minimum") == 1, f"limit: {schema}")
    expect("maximum" in schema and "default" in schema, f"limit: {schema}")
    largest = server.json(f"/collections/{HISTORY}/items", {"limit": 1, "skipGeometry": "true"})
    expect(schema["default"] >= largest["numberMatched"], f"default {schema['default']}")
    server.learned["limit"] = schema


def limit_response(server: Server) -> None:
    """No more features than limit; a limit above the maximum is the maximum, not an error."""
    schema = server.learned.get("limit") or server.parameter("limit")["schema"]
    five = server.json(f"/collections/{LAYER}/items", {"limit": 5})
    expect(five["numberReturned"] == len(five["features"]) == 5, "limit=5")
    for limit in (schema["maximum"] + 1, 10**9):
        query = {"limit": limit, "skipGeometry": "true"}
        answer = server.get(f"/collections/{HISTORY}/items", query)
        expect(answer.status == 200, f"limit={limit} answered {answer.status}")
        expect(len(answer.json()["features"]) <= schema["maximum"], f"limit={limit}")
    whole = server.json(f"/collections/{LAYER}/items")
    expect(whole["numberReturned"] == whole["numberMatched"], "the default page is not whole")


def bbox_definition(server: Server) -> None:
    """bbox is declared, and 4 or 6 numbers are accepted."""
    expect(server.parameter("bbox")["schema"]["items"]["type"] == "number", "bbox schema")
    for value in ("119,-6,120,-5", "119,-6,-100,120,-5,100"):
        answer = server.get(f"/collections/{LAYER}/items", {"bbox": value, "limit": 1})
        expect(answer.status == 200, f"bbox={value} answered {answer.status}")


def bbox_response(server: Server) -> None:
    """Exactly the features that intersect the box; 6 numbers as 4; across the antimeridian."""
    every = server.items(LAYER)
    shapes = {f["id"]: shape(f["geometry"]) for f in every}

    def inside(*boxes) -> set[str]:
        return {k for k, g in shapes.items() if any(g.intersects(box(*b)) for b in boxes)}

    four = (119.0, -6.0, 120.0, -5.0)
    got = _ids(server.items(LAYER, bbox=",".join(map(str, four))))
    expect(got == inside(four) and got, f"bbox {four}: {len(got)} features")
    six = "119,-6,-100,120,-5,100"
    expect(_ids(server.items(LAYER, bbox=six)) == got, "6 numbers differ from 4")
    west, south, east, north = CROSSING_BBOX
    crossing = _ids(server.items(LAYER, bbox=",".join(map(str, CROSSING_BBOX))))
    wanted = inside((west, south, 180, north), (-180, south, east, north))
    expect(crossing == wanted and crossing, f"across the antimeridian: {len(crossing)}")


def time_definition(server: Server) -> None:
    """datetime is declared; an instant, a date, a closed and open intervals are accepted."""
    expect(server.parameter("datetime")["schema"]["type"] == "string", "datetime schema")
    for value in ("2024-08-15T00:00:00Z", "2024-08-15", "2024-01-01/2024-12-31", "../2024-12-31"):
        answer = server.get(f"/collections/{LAYER}/items", {"datetime": value, "limit": 1})
        expect(answer.status == 200, f"datetime={value} answered {answer.status}")


def time_response(server: Server) -> None:
    """Only features of the times datetime touches; outside the data, an empty collection."""
    august = server.items(HISTORY, datetime="2024-08-15", skipGeometry="true")
    expect(august and {f["properties"]["period"] for f in august} == {"2024-08"}, "2024-08-15")
    for value in ("1990-01-01", "../1990-12-31", "2999-01-01/.."):
        answer = server.get(f"/collections/{HISTORY}/items", {"datetime": value})
        expect(answer.status == 200, f"datetime={value} answered {answer.status}")
        doc = answer.json()
        expect(doc["numberMatched"] == 0 and doc["features"] == [], f"datetime={value}")


def items_response(server: Server) -> None:
    """A FeatureCollection with self, alternate and next links, numberMatched/Returned, a
    timeStamp, and paging by next that reaches every feature once."""
    first = server.json(f"/collections/{LAYER}/items", {"limit": 40})
    expect(first["type"] == "FeatureCollection", f"type {first['type']}")
    expect(_link(first, "self", GEOJSON) is not None, "no self link")
    expect(_link(first, "alternate") is not None, "no alternate link")
    expect(_link(first, "next", GEOJSON) is not None, "no next link on a partial page")
    expect(first["numberReturned"] == len(first["features"]) == 40, "numberReturned")
    stamp = first.get("timeStamp")
    expect(stamp is None or _rfc3339(stamp), f"timeStamp {stamp}")
    paged = server.items(LAYER, limit=40)
    expect(len(paged) == len(_ids(paged)) == first["numberMatched"], "paging by next")


def feature(server: Server) -> None:
    """GET /collections/{id}/items/{featureId}: the feature with self and collection links;
    404 for an unknown id."""
    answer = server.get(f"/collections/{LAYER}/items/{MEMBER}")
    expect(answer.status == 200 and answer.media_type == GEOJSON, f"{answer.status}")
    doc = answer.json()
    expect(doc["type"] == "Feature" and doc["id"] == MEMBER, f"id {doc.get('id')}")
    expect(_link(doc, "self") and _link(doc, "collection"), "self or collection link missing")
    missing = server.get(f"/collections/{LAYER}/items/no_such_feature")
    expect(missing.status == 404, f"an unknown feature answered {missing.status}")


# Part 1, GeoJSON, HTML, OpenAPI 3.0 --------------------------------------------------------


def geojson(server: Server) -> None:
    """Features and feature collections are GeoJSON (application/geo+json, RFC 7946 shapes)."""
    for path in (f"/collections/{LAYER}/items?limit=3", f"/collections/{LAYER}/items/{MEMBER}"):
        answer = server.get(path)
        expect(answer.media_type == GEOJSON, f"{path}: {answer.media_type}")
        doc = answer.json()
        for one in doc.get("features", [doc]):
            expect(set(one) >= {"type", "geometry", "properties", "id"}, f"{path}: members")
            expect(shapely.is_valid(shape(one["geometry"])), f"{one['id']}: invalid geometry")


def html(server: Server) -> None:
    """Every resource as HTML by f=html or Accept: text/html, with no resource from elsewhere."""
    host = urlsplit(server.base).netloc
    for path in ("/", "/conformance", "/collections", f"/collections/{LAYER}"):
        for answer in (server.get(path, {"f": "html"}), server.get(path, Accept="text/html")):
            expect(answer.status == 200 and answer.media_type == "text/html", f"{path}")
            page = answer.body.decode()
            outside = [
                src
                for src in re.findall(r"(?:src|href)=\"(https?://[^\"]+)\"", page)
                if urlsplit(src).netloc != host and re.search(r"\.(js|css)\b", src)
            ]
            expect(not outside, f"{path} loads {outside[:2]}")
    items = server.get(f"/collections/{LAYER}/items", {"f": "html", "limit": 3})
    expect(items.media_type == "text/html", "items as HTML")
    ids = _ids(server.json(f"/collections/{LAYER}/items", {"limit": 3})["features"])
    expect(all(i in items.body.decode() for i in ids), "the HTML items lack the features")


def oas_definition(server: Server) -> None:
    """The landing page links the OpenAPI 3.0 document (service-desc) and its HTML form
    (service-doc)."""
    landing = server.json("/")
    desc, doc = _link(landing, "service-desc"), _link(landing, "service-doc")
    expect(desc is not None and desc.get("type") == OPENAPI, f"service-desc {desc}")
    expect(doc is not None and doc.get("type") == "text/html", f"service-doc {doc}")
    expect(server.get(desc["href"]).headers.get("content-type") == OPENAPI, "its type")
    expect(server.get(doc["href"]).media_type == "text/html", "the HTML form")
    expect(server.api["openapi"].startswith("3.0"), f"openapi {server.api['openapi']}")


def oas_implementation(server: Server) -> None:
    """Every path of the definition answers 200 for a valid request."""
    for path in server.api["paths"]:
        url = path.replace("{collectionId}", LAYER).replace("{featureId}", MEMBER)
        answer = server.get(url)
        expect(answer.status == 200, f"{url} answered {answer.status}")


def oas_completeness(server: Server) -> None:
    """The definition says exactly what the server accepts: every enumerated value of every
    parameter is accepted, a value outside an enumeration or a pattern is refused."""
    for name, parameter in server.api["components"]["parameters"].items():
        schema = parameter["schema"]
        values = schema.get("enum") or schema.get("items", {}).get("enum") or []
        if parameter["in"] == "path":
            for value in values[:60]:
                answer = server.get(f"/collections/{value}")
                expect(answer.status == 200, f"{name}={value} answered {answer.status}")
            continue
        for value in values:
            answer = server.get(f"/collections/{LAYER}/items", {name: value, "limit": 1})
            expect(answer.status == 200, f"{name}={value} answered {answer.status}")
        if values:
            answer = server.get(f"/collections/{LAYER}/items", {name: "no-such-value"})
            expect(answer.status == 400, f"{name}=no-such-value answered {answer.status}")
        pattern = schema.get("pattern")
        if pattern:
            expect(not re.search(pattern, ""), f"{name}: the pattern admits an empty value")


def oas_exceptions(server: Server) -> None:
    """Errors are declared in the definition and answer as declared (400, 404 as JSON)."""
    operation = server.api["paths"]["/collections/{collectionId}/items"]["get"]
    expect({"400", "404"} <= set(operation["responses"]), f"{sorted(operation['responses'])}")
    for path in (f"/collections/{LAYER}/items?limit=many", "/collections/no_such_collection"):
        answer = server.get(path)
        expect(answer.status in (400, 404) and answer.media_type == "application/json", path)
        expect("description" in answer.json(), f"{path}: no description")


# Part 3 and CQL2, each claimed class --------------------------------------------------------


def _where(server: Server, cql: str, keep: Callable[[dict], bool]) -> None:
    """The filter selects exactly the features the predicate keeps (on the history)."""
    every = server.learned.setdefault(
        "history", server.items(HISTORY, skipGeometry="true", period="2024-08")
    )
    wanted = {f["id"] for f in every if keep(f["properties"])}
    got = _ids(server.items(HISTORY, skipGeometry="true", period="2024-08", filter=cql))
    expect(wanted and got == wanted, f"{cql}: {len(got)} features, {len(wanted)} expected")


def queryables(server: Server) -> None:
    """Each collection links its queryables, a JSON Schema of the properties one can filter."""
    one = server.json(f"/collections/{LAYER}")
    link = _link(one, QUERYABLES_REL)
    expect(link is not None, "no queryables link")
    answer = server.get(link["href"])
    expect(answer.media_type == "application/schema+json", f"type {answer.media_type}")
    doc = answer.json()
    expect(doc.get("type") == "object" and "coverage_pct" in doc["properties"], "the schema")
    server.learned["queryables"] = doc["properties"]


def queryables_as_parameters(server: Server) -> None:
    """Each queryable of a simple type (not the geometry) is a query parameter that selects
    by equality."""
    names = (
        server.learned.get("queryables")
        or server.json(f"/collections/{LAYER}/queryables")["properties"]
    )
    simple = [n for n, s in names.items() if s.get("type") in ("string", "number", "integer")]
    expect(len(simple) >= len(names) - 1, f"queryables of other types: {sorted(names)}")
    for name in simple:
        expect(name in server.api["components"]["parameters"], f"{name} is not a parameter")
    got = server.items(LAYER, prov_kode="73", skipGeometry="true")
    expect(got and {f["properties"]["prov_kode"] for f in got} == {"73"}, "prov_kode=73")


def filter_parameter(server: Server) -> None:
    """filter and filter-lang=cql2-text select; another language or bad syntax is a 400."""
    _where(server, "prov_kode = '73'", lambda p: p["prov_kode"] == "73")
    for query in ({"filter": "prov_kode = "}, {"filter": "x=1", "filter-lang": "cql2-json"}):
        answer = server.get(f"/collections/{LAYER}/items", query)
        expect(answer.status == 400, f"{query} answered {answer.status}")


def cql2_text(server: Server) -> None:
    """CQL2 text: AND, OR, NOT and IS NULL."""
    _where(
        server,
        "(prov_kode = '73' OR prov_kode = '74') AND NOT coverage_pct IS NULL",
        lambda p: p["prov_kode"] in ("73", "74") and p["coverage_pct"] is not None,
    )


def basic_cql2(server: Server) -> None:
    """Basic CQL2: comparisons of a property with a literal."""
    _where(
        server,
        "coverage_pct >= 50 AND segment = 'informal'",
        lambda p: (
            p["coverage_pct"] is not None and p["coverage_pct"] >= 50 and p["segment"] == "informal"
        ),
    )


def advanced_comparison(server: Server) -> None:
    """LIKE, BETWEEN and IN."""
    _where(server, "nama LIKE 'Kota %'", lambda p: p["nama"].startswith("Kota "))
    _where(
        server,
        "coverage_pct BETWEEN 40 AND 60",
        lambda p: p["coverage_pct"] is not None and 40 <= p["coverage_pct"] <= 60,
    )
    _where(server, "prov_kode IN ('71', '82')", lambda p: p["prov_kode"] in ("71", "82"))


def case_insensitive(server: Server) -> None:
    """CASEI on both sides of a comparison."""
    _where(
        server,
        "CASEI(nama) = CASEI('KOTA MAKASSAR')",
        lambda p: p["nama"].casefold() == "kota makassar",
    )


def property_property(server: Server) -> None:
    """A property compared with another: coverage_pct < target_pct."""
    _where(
        server,
        "coverage_pct < target_pct",
        lambda p: (
            None not in (p["coverage_pct"], p["target_pct"]) and p["coverage_pct"] < p["target_pct"]
        ),
    )


def arithmetic(server: Server) -> None:
    """Arithmetic on properties."""
    _where(
        server,
        "active_members * 2 > potential_workers",
        lambda p: (
            None not in (p["active_members"], p["potential_workers"])
            and p["active_members"] * 2 > p["potential_workers"]
        ),
    )


def _spatial(server: Server, cql: str, keep: Callable) -> None:
    """A spatial filter selects exactly what the same predicate selects locally."""
    every = server.learned.setdefault("shapes", server.items(LAYER))
    wanted = {f["id"] for f in every if keep(shape(f["geometry"]))}
    got = _ids(server.items(LAYER, filter=cql))
    expect(wanted and got == wanted, f"{cql}: {len(got)} features, {len(wanted)} expected")


def basic_spatial(server: Server) -> None:
    """S_INTERSECTS with a BBOX and a polygon."""
    area = box(119.0, -6.0, 120.0, -5.0)
    _spatial(server, "S_INTERSECTS(geometry, BBOX(119, -6, 120, -5))", area.intersects)
    _spatial(server, f"S_INTERSECTS(geometry, {area.wkt})", area.intersects)


def basic_spatial_plus(server: Server) -> None:
    """S_INTERSECTS with a point."""
    _spatial(
        server,
        "S_INTERSECTS(geometry, POINT(119.43 -5.14))",
        lambda g: g.intersects(shapely.Point(119.43, -5.14)),
    )


def spatial_functions(server: Server) -> None:
    """S_WITHIN, S_CONTAINS, S_DISJOINT and S_TOUCHES."""
    area = box(118.0, -6.5, 121.0, -3.0)
    _spatial(server, f"S_WITHIN(geometry, {area.wkt})", lambda g: g.within(area))
    point = shapely.Point(119.43, -5.14)
    _spatial(server, "S_CONTAINS(geometry, POINT(119.43 -5.14))", lambda g: g.contains(point))
    _spatial(server, f"S_DISJOINT(geometry, {area.wkt})", lambda g: g.disjoint(area))


@dataclass(frozen=True)
class Requirement:
    """A requirement (or a conformance class) and how it is checked."""

    key: str
    check: Callable[[Server], None]
    claim: str | None = None  # the conformance class it stands for, when one

    @property
    def title(self) -> str:
        """What is checked, from the check's docstring."""
        return " ".join((self.check.__doc__ or "").split())


REQUIREMENTS = (
    Requirement("/req/core/root-op, root-success", root, PART1 + "core"),
    Requirement("/req/core/conformance-op, conformance-success", conformance),
    Requirement("/req/core/http", http),
    Requirement("/req/core/query-param-unknown", unknown_parameter),
    Requirement("/req/core/query-param-invalid", invalid_parameter),
    Requirement("/req/core/fc-md-op, fc-md-success, fc-md-links, fc-md-extent", collections),
    Requirement("/req/core/sfc-md-op, sfc-md-success", collection),
    Requirement("/req/core/fc-limit-definition", limit_definition),
    Requirement("/req/core/fc-limit-response-1", limit_response),
    Requirement("/req/core/fc-bbox-definition", bbox_definition),
    Requirement("/req/core/fc-bbox-response", bbox_response),
    Requirement("/req/core/fc-time-definition", time_definition),
    Requirement("/req/core/fc-time-response", time_response),
    Requirement(
        "/req/core/fc-response, fc-links, fc-rel-type, fc-timeStamp, fc-numberMatched, "
        "fc-numberReturned",
        items_response,
    ),
    Requirement("/req/core/f-op, f-success, f-links", feature),
    Requirement("/req/geojson/definition, content", geojson, PART1 + "geojson"),
    Requirement("/req/html/definition, content", html, PART1 + "html"),
    Requirement("/req/oas30/oas-definition-1, oas-definition-2", oas_definition, PART1 + "oas30"),
    Requirement("/req/oas30/oas-impl", oas_implementation),
    Requirement("/req/oas30/completeness", oas_completeness),
    Requirement("/req/oas30/exceptions-codes", oas_exceptions),
    Requirement("Part 3: queryables", queryables, PART3 + "queryables"),
    Requirement(
        "Part 3: queryables-query-parameters",
        queryables_as_parameters,
        PART3 + "queryables-query-parameters",
    ),
    Requirement("Part 3: filter", filter_parameter, PART3 + "filter"),
    Requirement("Part 3: features-filter", filter_parameter, PART3 + "features-filter"),
    Requirement("CQL2: cql2-text", cql2_text, CQL2 + "cql2-text"),
    Requirement("CQL2: basic-cql2", basic_cql2, CQL2 + "basic-cql2"),
    Requirement(
        "CQL2: advanced-comparison-operators",
        advanced_comparison,
        CQL2 + "advanced-comparison-operators",
    ),
    Requirement(
        "CQL2: case-insensitive-comparison", case_insensitive, CQL2 + "case-insensitive-comparison"
    ),
    Requirement("CQL2: basic-spatial-functions", basic_spatial, CQL2 + "basic-spatial-functions"),
    Requirement(
        "CQL2: basic-spatial-functions-plus",
        basic_spatial_plus,
        CQL2 + "basic-spatial-functions-plus",
    ),
    Requirement("CQL2: spatial-functions", spatial_functions, CQL2 + "spatial-functions"),
    Requirement("CQL2: property-property", property_property, CQL2 + "property-property"),
    Requirement("CQL2: arithmetic", arithmetic, CQL2 + "arithmetic"),
)


@dataclass(frozen=True)
class Result:
    """One requirement's outcome."""

    key: str
    title: str
    passed: bool
    detail: str = ""


def run(base: str) -> list[Result]:
    """Check every requirement against the API at base (its landing page URL); then that every
    class /conformance declares was checked (an honest list)."""
    server = Server(base)
    results = []
    for requirement in REQUIREMENTS:
        try:
            requirement.check(server)
        except (Failed, KeyError, TypeError, ValueError) as err:
            detail = f"{type(err).__name__}: {err}" if not isinstance(err, Failed) else str(err)
            results.append(Result(requirement.key, requirement.title, False, detail))
        else:
            results.append(Result(requirement.key, requirement.title, True))
    claimed = server.learned.get("classes", [])
    checked = {r.claim for r in REQUIREMENTS if r.claim}
    unchecked = sorted(set(claimed) - checked)
    results.append(
        Result(
            "/conformance is honest",
            "Every class /conformance declares is one checked here.",
            not unchecked,
            f"declared, not checked: {', '.join(unchecked)}" if unchecked else "",
        )
    )
    return results


def markdown(results: list[Result]) -> str:
    """The results as a Markdown table."""
    lines = ["| requirement | what is checked | result |", "| --- | --- | --- |"]
    for result in results:
        outcome = "pass" if result.passed else f"**fail**: {result.detail}"
        lines.append(f"| `{result.key}` | {result.title} | {outcome} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Check a server; print one line per requirement (or the Markdown table)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the landing page, e.g. http://127.0.0.1:8000/ogc")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    results = run(args.base)
    if args.markdown:
        print(markdown(results), end="")
    else:
        for result in results:
            mark = "pass" if result.passed else "FAIL"
            print(f"{mark}  {result.key}{'  ' + result.detail if result.detail else ''}")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
