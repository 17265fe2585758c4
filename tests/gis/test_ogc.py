"""/ogc: OGC API – Features Part 1 over the session build and the sample store."""

import gzip
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import shapely
from openapi_spec_validator import validate

from geo_coverage import create_app
from geo_coverage.gis import ogc
from geo_coverage.gis.exports import PROPERTIES
from geo_coverage.metrics import dataset
from geo_coverage.web import ogc_routes

GEOJSON = "application/geo+json"
# A valid value of every query parameter the API declares.
EXAMPLES = {
    "f": "json",
    "lang": "en",
    "limit": "5",
    "offset": "1",
    "bbox": "119,-6,120,-5",
    "datetime": "2025-06-15",
    "kode": "73.71",
    "prov_kode": "73",
    "period": "2025-06",
    "segment": "wage",
}


@pytest.fixture(scope="module")
def client(served_settings):
    """A test client of the app over the session build and store."""
    return create_app(
        {"instance": served_settings.instance, "shapes": served_settings.shapes}
    ).test_client()


@pytest.fixture(scope="module")
def openapi(client) -> dict:
    """The served OpenAPI document."""
    resp = client.get("/ogc/api")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    return resp.get_json(force=True)


def _rels(doc: dict) -> dict[str, dict]:
    """Links by relation (the last of each)."""
    return {link["rel"]: link for link in doc["links"]}


def _path(href: str) -> str:
    """The path and query of an absolute link, for the test client."""
    parts = urlsplit(href)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_landing_page_links(client):
    resp = client.get("/ogc")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    rels = _rels(resp.json)
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["type"].startswith("application/vnd.oai.openapi+json")
    assert rels["service-doc"]["type"] == "text/html"
    for rel in ("service-desc", "service-doc", "conformance", "data"):
        assert client.get(_path(rels[rel]["href"])).status_code == 200, rel
    assert client.get("/ogc/").json == resp.json


def test_conformance_classes(client):
    classes = client.get("/ogc/conformance").json["conformsTo"]
    for name in ("core", "geojson", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}" in classes
    assert not any(c.endswith("/html") for c in classes)


def test_openapi_document_is_valid_and_declares_every_parameter(openapi):
    validate(openapi)
    declared = openapi["components"]["parameters"]
    items = openapi["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    names = {declared[p["$ref"].rsplit("/", 1)[1]]["name"] for p in items}
    assert names == {
        "collectionId",
        "f",
        "limit",
        "offset",
        "bbox",
        "datetime",
        "kode",
        "prov_kode",
        "period",
        "segment",
    }
    assert declared["limit"]["schema"]["maximum"] == 1000
    assert declared["limit"]["schema"]["default"] == 100


def test_every_declared_parameter_is_accepted_and_others_refused(client, openapi):
    declared = openapi["components"]["parameters"]
    for path, item in openapi["paths"].items():
        url = "/ogc" + path.replace("{collectionId}", "regencies").replace("{featureId}", "73.71")
        queries = [declared[p["$ref"].rsplit("/", 1)[1]] for p in item["get"]["parameters"]]
        for param in (q for q in queries if q["in"] == "query"):
            resp = client.get(url, query_string={param["name"]: EXAMPLES[param["name"]]})
            assert resp.status_code == 200, (path, param["name"], resp.data[:200])
        refused = client.get(url, query_string={"colour": "red"})
        assert refused.status_code == 400 and "colour" in refused.json["description"], path


def test_service_doc_lists_the_parameters(client):
    page = client.get("/ogc/api.html").get_data(as_text=True)
    for name in ("limit", "offset", "bbox", "prov_kode", "segment", "/collections/{collectionId}"):
        assert name in page


def test_collections_titles_extent_and_links(client):
    doc = client.get("/ogc/collections").json
    assert [c["id"] for c in doc["collections"]] == ["provinces", "regencies", "districts"]
    english = client.get("/ogc/collections?lang=en").json["collections"]
    for native, other in zip(doc["collections"], english, strict=True):
        assert "." not in native["id"] and native["title"] != other["title"]
        west, south, east, north = native["extent"]["spatial"]["bbox"][0]
        assert 116 < west < east < 136 and -10 < south < north < 7
        assert native["extent"]["spatial"]["crs"] == ogc.CRS84
        start, end = native["extent"]["temporal"]["interval"][0]
        assert start < end
        items = _rels(native)["items"]
        assert items["type"] == GEOJSON and items["href"].endswith(
            f"/ogc/collections/{native['id']}/items"
        )
    assert english[1]["title"] == "Regencies and cities: coverage"
    assert all("ilustratif" in c["description"] for c in doc["collections"])
    assert all("llustrative" in c["description"] for c in english)
    one = client.get("/ogc/collections/regencies").json
    assert one["id"] == "regencies" and _rels(one)["self"]["type"] == "application/json"


def test_items_page_through_every_regency(client, served_settings, assert_rfc7946):
    resp = client.get("/ogc/collections/regencies/items")
    assert resp.status_code == 200 and resp.mimetype == GEOJSON
    page = assert_rfc7946(resp.data)
    assert page["numberMatched"] == 102 and page["numberReturned"] == 100
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", page["timeStamp"])
    rels = _rels(page)
    assert "prev" not in rels and rels["self"]["type"] == GEOJSON
    nxt = client.get(_path(rels["next"]["href"])).json
    assert nxt["numberReturned"] == 2 and "next" not in _rels(nxt)
    assert parse_qs(urlsplit(_rels(nxt)["prev"]["href"]).query)["offset"] == ["0"]
    codes = [f["id"] for f in page["features"] + nxt["features"]]
    assert len(set(codes)) == 102
    latest = dataset.periods(served_settings)[-1]
    assert {f["properties"]["period"] for f in page["features"]} == {latest}
    assert all(list(f["properties"]) == list(PROPERTIES) for f in nxt["features"])


def test_districts_collection_serves_every_district_with_its_regencys_rates(client, assert_rfc7946):
    one = client.get("/ogc/collections/districts?lang=en").json
    assert one["id"] == "districts" and "1265 districts" in one["description"]
    assert "regency's rates" in one["description"]
    page = client.get("/ogc/collections/districts/items?limit=1000&offset=1000").json
    assert page["numberMatched"] == 1265 and page["numberReturned"] == 265
    sulsel = client.get("/ogc/collections/districts/items?prov_kode=73&limit=1000").json
    assert sulsel["numberMatched"] == 313
    assert {f["properties"]["prov_kode"] for f in sulsel["features"]} == {"73"}
    resp = client.get("/ogc/collections/districts/items/73.71.01")
    feature = assert_rfc7946(resp.data)
    regency = client.get("/ogc/collections/regencies/items/73.71").json["properties"]
    props = feature["properties"]
    assert (props["nama"], props["figure_level"], props["active_members"]) == (
        "Mariso",
        "regency",
        None,
    )
    assert (props["coverage_pct"], props["data_source"]) == (
        regency["coverage_pct"],
        regency["data_source"],
    )
    assert regency["figure_level"] == "regency" and regency["active_members"] > 0
    assert client.get("/ogc/collections/districts/items/73.71").status_code == 404


def test_limit_bounds(client):
    assert client.get("/ogc/collections/provinces/items?limit=1000").json["numberReturned"] == 8
    small = client.get("/ogc/collections/provinces/items?limit=3&offset=6").json
    assert small["numberReturned"] == 2 and "prev" in _rels(small)
    for bad in ("0", "1001", "-5", "ten"):
        resp = client.get(f"/ogc/collections/provinces/items?limit={bad}")
        assert resp.status_code == 400 and "limit" in resp.json["description"]
        assert "1 to 1000" in resp.json["description"]
    assert client.get("/ogc/collections/provinces/items?offset=-1").status_code == 400


def test_bbox_selects_the_areas_that_intersect_it(client):
    everything = client.get("/ogc/collections/regencies/items?limit=1000").json["features"]
    box = shapely.box(119.0, -6.0, 120.0, -5.0)
    expected = {
        f["id"] for f in everything if shapely.geometry.shape(f["geometry"]).intersects(box)
    }
    got = client.get("/ogc/collections/regencies/items?bbox=119,-6,120,-5&limit=1000").json
    assert {f["id"] for f in got["features"]} == expected and 0 < len(expected) < 20
    assert got["numberMatched"] == len(expected)


@pytest.mark.parametrize(
    "bbox",
    [
        "119,-6,120",
        "a,b,c,d",
        "120,-6,119,-5",
        "119,-5,120,-6",
        "119,-6,120,-5,1,2",
        "-200,-6,120,-5",
        "119,-95,120,-5",
        "nan,-6,120,-5",
        "",
    ],
)
def test_malformed_bbox_is_a_400(client, bbox):
    resp = client.get(f"/ogc/collections/regencies/items?bbox={bbox}")
    assert resp.status_code == 400 and resp.mimetype == "application/json"
    assert resp.json["code"] == "BadRequest" and "bbox" in resp.json["description"]


def test_filters(client, served_settings):
    known = dataset.periods(served_settings)

    def ids(query: str) -> list[str]:
        resp = client.get(f"/ogc/collections/regencies/items?limit=1000&{query}")
        assert resp.status_code == 200, resp.data
        return [f["id"] for f in resp.json["features"]]

    assert ids("kode=73.71,73.72") == ["73.71", "73.72"]
    assert ids("kode=73.99") == []
    gorontalo = ids("prov_kode=75")
    assert gorontalo and all(k.startswith("75.") for k in gorontalo)
    assert ids("prov_kode=75&kode=73.71") == []
    feature = client.get(
        f"/ogc/collections/regencies/items?kode=73.71&period={known[0]}&segment=migrant"
    ).json["features"][0]["properties"]
    assert (feature["period"], feature["segment"]) == (known[0], "migrant")


@pytest.mark.parametrize(
    ("value", "index"),
    [
        ("2025-06-15", "2025-06"),
        ("2025-06-30T23:00:00Z", "2025-06"),
        ("2024-01-01/2025-06-30", "2025-06"),
        ("../2024-11-30", "2024-08"),
        ("2025-12-01T00:00:00+00:00/..", "2025-12"),
    ],
)
def test_datetime_chooses_the_latest_period_it_touches(client, value, index):
    feature = client.get(
        "/ogc/collections/provinces/items", query_string={"datetime": value, "kode": "73"}
    ).json["features"][0]
    assert feature["properties"]["period"] == index


@pytest.mark.parametrize(
    ("query", "parameter", "valid"),
    [
        ("datetime=2030-01-01", "datetime", "2021-12"),
        ("datetime=yesterday", "datetime", "date-time"),
        ("datetime=2025-07-01/2025-01-01", "datetime", "ends before"),
        ("datetime=2025-06-15&period=2025-06", "datetime", "either"),
        ("period=2025-03", "period", "2025-06"),
        ("segment=fishers", "segment", "informal"),
        ("prov_kode=31", "prov_kode", "71, 72"),
        ("kode=Makassar", "kode", "73.71"),
        ("f=html", "f", "json"),
        ("limit=5&limit=6", "limit", "once"),
    ],
)
def test_bad_filters_are_400_naming_parameter_and_valid_values(client, query, parameter, valid):
    resp = client.get(f"/ogc/collections/regencies/items?{query}")
    assert resp.status_code == 400
    assert parameter in resp.json["description"] and valid in resp.json["description"]


def test_item_by_code(client, assert_rfc7946):
    resp = client.get("/ogc/collections/regencies/items/73.71")
    assert resp.status_code == 200 and resp.mimetype == GEOJSON
    feature = assert_rfc7946(resp.data)
    assert feature["id"] == "73.71" and feature["properties"]["nama"] == "Kota Makassar"
    rels = _rels(feature)
    assert rels["self"]["href"].endswith("/ogc/collections/regencies/items/73.71")
    assert rels["collection"]["type"] == "application/json"
    province = client.get("/ogc/collections/provinces/items/73?segment=informal").json
    assert province["properties"]["segment"] == "informal"


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/collections/villages",
        "/ogc/collections/kab/items",
        "/ogc/collections/regencies/items/99.99",
        "/ogc/collections/provinces/items/73.71",
        "/ogc/nothing-here",
    ],
)
def test_unknown_collection_or_feature_is_a_404(client, url):
    resp = client.get(url)
    assert resp.status_code == 404 and resp.mimetype == "application/json"
    assert resp.json["code"] == "NotFound" and resp.json["description"]
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_is_open_on_answers_errors_and_preflight(client):
    for url in (
        "/ogc",
        "/ogc/collections/regencies/items?limit=1",
        "/ogc/collections/regencies/items?limit=0",
    ):
        assert client.get(url).headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/ogc/collections/regencies/items",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 200
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in client.get("/healthz").headers


def test_gzip_and_conditional_requests(client):
    url = "/ogc/collections/regencies/items?limit=20"
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    unpacked = gzip.decompress(packed.data)
    assert len(packed.data) < len(unpacked) / 2
    assert unpacked.split(b'"features"')[1] == plain.data.split(b'"features"')[1]
    again = client.get(url, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    other = client.get("/ogc/collections/regencies/items?limit=21")
    assert other.headers["ETag"] != plain.headers["ETag"]


def test_the_blueprint_serves_the_prefix_the_links_use():
    assert ogc_routes.PREFIX == ogc.PREFIX
