"""/ogc: OGC API – Features over the session build and the sample store (test client)."""

import gzip
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import shapely
from openapi_spec_validator import validate

from geo_coverage import create_app
from geo_coverage.gis import catalogue, ogc
from geo_coverage.gis.exports import PROPERTIES
from geo_coverage.metrics import dataset
from geo_coverage.region import LEVELS, SEGMENT_CHOICES
from geo_coverage.web import ogc_routes

GEOJSON = "application/geo+json"
ITEMS = "/ogc/collections/regencies/items"
FIXED_PARAMETERS = (
    "f",
    "lang",
    "limit",
    "offset",
    "bbox",
    "datetime",
    "filter",
    "filter-lang",
    "properties",
    "skipGeometry",
    "sortby",
)


@pytest.fixture(scope="module")
def client(served_settings):
    """A test client of the app over the session build and store."""
    return create_app(
        {"instance": served_settings.instance, "shapes": served_settings.shapes}
    ).test_client()


@pytest.fixture(scope="module")
def known(served_settings) -> list[str]:
    """The stored periods."""
    return dataset.periods(served_settings)


@pytest.fixture(scope="module")
def openapi(client) -> dict:
    """The served OpenAPI document."""
    resp = client.get("/ogc/api")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    return resp.get_json(force=True)


def examples(known: list[str]) -> dict[str, str]:
    """A valid value of every query parameter the API declares."""
    return {
        "f": "json",
        "lang": "en",
        "limit": "5",
        "offset": "1",
        "bbox": "119,-6,120,-5",
        "datetime": f"{known[-1]}-15",
        "filter": "coverage_pct < target_pct",
        "filter-lang": "cql2-text",
        "properties": "kode,coverage_pct",
        "skipGeometry": "true",
        "sortby": "-coverage_pct",
        "kode": "73.71",
        "nama": "Kota Makassar",
        "prov_kode": "73",
        "prov_nama": "Sulawesi Selatan",
        "period": known[-1],
        "segment": "wage",
        "potential_workers": "1000",
        "active_members": "500",
        "coverage_pct": "50.5",
        "coverage_pct_low": "40.1",
        "coverage_pct_high": "60.2",
        "informal_coverage_pct": "20",
        "wage_coverage_pct": "70",
        "target_pct": "60",
        "gap_to_target": "0",
        "uncovered_informal": "100",
        "target_shortfall_pct": "10",
        "priority_score": "1000",
        "priority_rank_region": "1",
        "priority_rank_province": "1",
        "data_source": "modelled",
        "figure_level": "regency",
    }


def _rels(doc: dict) -> dict[str, dict]:
    """Links by relation (the last of each)."""
    return {link["rel"]: link for link in doc["links"]}


def _path(href: str) -> str:
    """The path and query of an absolute link, for the test client."""
    parts = urlsplit(href)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _ids(client, query: str, collection: str = "regencies") -> list[str]:
    """The feature ids a query answers (geometry skipped)."""
    resp = client.get(f"/ogc/collections/{collection}/items?skipGeometry=true&{query}")
    assert resp.status_code == 200, resp.data[:300]
    return [f["id"] for f in resp.json["features"]]


def test_landing_page_links(client):
    resp = client.get("/ogc")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    rels = _rels(resp.json)
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["type"].startswith("application/vnd.oai.openapi+json")
    assert rels["service-doc"]["type"] == "text/html" and rels["alternate"]["type"] == "text/html"
    for rel in ("service-desc", "service-doc", "conformance", "data", "alternate"):
        assert client.get(_path(rels[rel]["href"])).status_code == 200, rel
    assert client.get("/ogc/").json == resp.json


def test_conformance_lists_what_is_implemented(client):
    classes = client.get("/ogc/conformance").json["conformsTo"]
    for name in ("core", "geojson", "oas30", "html"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}" in classes
    for name in ("queryables", "queryables-query-parameters", "filter", "features-filter"):
        assert f"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/{name}" in classes
    assert "http://www.opengis.net/spec/cql2/1.0/conf/property-property" in classes
    assert not any("ogcapi-features-2" in c for c in classes)  # no other CRS offered


def test_openapi_document_is_valid_and_declares_what_is_accepted(openapi, known):
    validate(openapi)
    declared = openapi["components"]["parameters"]
    items = openapi["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    names = {declared[p["$ref"].rsplit("/", 1)[1]]["name"] for p in items}
    assert names == {"collectionId", *FIXED_PARAMETERS, *PROPERTIES}
    assert names - {"collectionId"} <= set(examples(known))
    assert declared["period"]["schema"]["enum"] == known
    limit = declared["limit"]["schema"]
    assert limit["default"] == limit["maximum"] >= 102 * len(known) * len(SEGMENT_CHOICES)
    queries = names - {"collectionId"}
    assert all(declared[n]["style"] == "form" and not declared[n]["explode"] for n in queries)
    collections = declared["collectionId"]["schema"]["enum"]
    assert collections == [c.id for c in catalogue.collections(known)]
    for operation in openapi["paths"].values():
        assert {"200", "304", "400", "500"} <= set(operation["get"]["responses"])


@pytest.mark.slow
def test_every_declared_parameter_is_accepted_on_every_resource(client, openapi, known):
    declared = openapi["components"]["parameters"]
    values = examples(known)
    for path, item in openapi["paths"].items():
        url = "/ogc" + path.rstrip("/").replace("{collectionId}", "regencies")
        url = url.replace("{featureId}", "73.71")
        queries = [declared[p["$ref"].rsplit("/", 1)[1]] for p in item["get"]["parameters"]]
        for param in (q for q in queries if q["in"] == "query"):
            resp = client.get(url or "/ogc", query_string={param["name"]: values[param["name"]]})
            assert resp.status_code in (200, 404), (path, param["name"], resp.data[:200])
            if resp.status_code == 404:  # a filter that drops the one feature asked for
                assert "items/{featureId}" in path, (path, param["name"])
        refused = client.get(url or "/ogc", query_string={"colour": "red"})
        assert refused.status_code == 400 and "colour" in refused.json["description"], path


@pytest.mark.parametrize(
    "query",
    ["lang=en", "period=2024-08&segment=informal", "lang=en&period=2024-08", "f=json"],
)
def test_a_base_url_query_carried_to_every_request_breaks_nothing(client, query):
    for path in ("", "/conformance", "/api", "/collections", "/collections/regencies"):
        resp = client.get(f"/ogc{path}?{query}")
        assert resp.status_code == 200, (path, resp.data[:200])
    page = client.get(f"{ITEMS}?limit=10&{query}").json
    assert page["numberMatched"] == 102
    if "period" in query:
        assert {f["properties"]["period"] for f in page["features"]} == {"2024-08"}


def test_service_doc_lists_the_parameters(client):
    page = client.get("/ogc/api.html").get_data(as_text=True)
    for name in ("limit", "offset", "bbox", "filter", "sortby", "/collections/{collectionId}"):
        assert name in page
    assert client.get("/ogc/api?f=html").get_data(as_text=True) == page


def test_collections_one_per_period_and_segment_with_titles_extents_and_links(client, known):
    doc = client.get("/ogc/collections").json
    ids = [c["id"] for c in doc["collections"]]
    assert ids[:5] == [
        "provinces",
        "regencies",
        "districts",
        "provinces_history",
        "regencies_history",
    ]  # a district's history is its regency's
    assert len(ids) == 5 + len(LEVELS) * len(known) * len(SEGMENT_CHOICES)
    assert "regencies_2024-08_informal" in ids and f"provinces_{known[0]}_all" in ids
    english = {c["id"]: c for c in client.get("/ogc/collections?lang=en").json["collections"]}
    for native in doc["collections"]:
        other = english[native["id"]]
        assert native["title"] != other["title"]
        assert "ilustratif" in native["description"] and "llustrative" in other["description"]
        west, south, east, north = native["extent"]["spatial"]["bbox"][0]
        assert 116 < west < east < 136 and -10 < south < north < 7
        start, end = native["extent"]["temporal"]["interval"][0]
        assert start < end
        rels = {(link["rel"], link["type"]) for link in native["links"]}
        assert {("items", GEOJSON), ("items", "text/html"), (ogc.QUERYABLES_REL, ogc.SCHEMA_JSON)}
        assert ("stylesheet", "application/vnd.qgis.qml") in rels
    fixed = english["regencies_2024-08_informal"]
    assert fixed["title"] == "Regencies and cities: coverage, August 2024, Informal workers (BPU)"
    assert fixed["extent"]["temporal"]["interval"][0] == [
        "2024-08-01T00:00:00Z",
        "2024-08-31T23:59:59Z",
    ]
    files = [link["href"] for link in fixed["links"] if link["rel"] == "enclosure"]
    assert all("period=2024-08" in f and "segment=informal" in f for f in files)
    styles = {link["type"]: link["href"] for link in fixed["links"] if link["rel"] == "stylesheet"}
    qml = client.get(_path(styles["application/vnd.qgis.qml"]))
    assert qml.status_code == 200 and 'label="No data"' in qml.get_data(as_text=True)
    assert "lang=en" in styles["application/vnd.ogc.se+xml"]
    one = client.get("/ogc/collections/regencies_2024-08_informal?lang=en").json
    assert {k: one[k] for k in ("id", "title", "extent")} == {
        k: fixed[k] for k in ("id", "title", "extent")
    }
    assert {link["href"] for link in fixed["links"]} <= {link["href"] for link in one["links"]}


def test_a_collection_per_period_and_segment_holds_exactly_those(client):
    page = client.get("/ogc/collections/regencies_2024-08_informal/items").json
    assert page["numberMatched"] == page["numberReturned"] == 102
    assert {(f["properties"]["period"], f["properties"]["segment"]) for f in page["features"]} == {
        ("2024-08", "informal")
    }
    assert _ids(client, "period=2025-06", "regencies_2024-08_informal") == []


def test_history_holds_every_area_period_and_segment(client, known):
    page = client.get("/ogc/collections/regencies_history/items?skipGeometry=true").json
    assert page["numberMatched"] == page["numberReturned"] == 102 * len(known) * 5
    seen = {(f["properties"]["period"], f["properties"]["segment"]) for f in page["features"]}
    assert seen == {(p, s) for p in known for s in SEGMENT_CHOICES}
    first = page["features"][0]
    assert first["id"] == f"71.01_{known[0]}_all" and first["geometry"] is None
    one = client.get(f"/ogc/collections/regencies_history/items/73.71_{known[1]}_wage").json
    assert one["properties"]["kode"] == "73.71" and one["properties"]["segment"] == "wage"
    assert one["geometry"]["type"] == "MultiPolygon"
    august = _ids(client, "datetime=2024-08-15", "regencies_history")
    assert len(august) == 102 * 5 and all("_2024-08_" in i for i in august)


def test_items_default_to_the_whole_layer_and_keep_paging(client, served_settings, assert_rfc7946):
    resp = client.get(ITEMS)
    assert resp.status_code == 200 and resp.mimetype == GEOJSON
    page = assert_rfc7946(resp.data)
    assert page["numberMatched"] == page["numberReturned"] == 102
    assert "next" not in _rels(page) and "timeStamp" not in page
    latest = dataset.periods(served_settings)[-1]
    assert {f["properties"]["period"] for f in page["features"]} == {latest}
    small = client.get(f"{ITEMS}?limit=60&lang=en").json
    nxt = client.get(_path(_rels(small)["next"]["href"])).json
    assert nxt["numberReturned"] == 42 and "next" not in _rels(nxt)
    assert parse_qs(urlsplit(_rels(nxt)["prev"]["href"]).query) == {
        "limit": ["60"],
        "lang": ["en"],
        "offset": ["0"],
    }
    codes = [f["id"] for f in small["features"] + nxt["features"]]
    assert len(set(codes)) == 102 and all(
        list(f["properties"]) == list(PROPERTIES) for f in nxt["features"]
    )


def test_limit_above_the_maximum_is_the_maximum_and_below_one_a_400(client, openapi):
    maximum = openapi["components"]["parameters"]["limit"]["schema"]["maximum"]
    for limit in ("10000", str(maximum + 1), "999999999"):
        page = client.get(
            f"/ogc/collections/regencies_history/items?skipGeometry=true&limit={limit}"
        )
        assert page.status_code == 200 and page.json["numberReturned"] == min(
            maximum, page.json["numberMatched"]
        )
    for bad in ("0", "-5", "ten"):
        resp = client.get(f"{ITEMS}?limit={bad}")
        assert resp.status_code == 400 and "limit" in resp.json["description"]
    assert client.get(f"{ITEMS}?offset=-1").status_code == 400
    assert client.get(f"{ITEMS}?limit=5&limit=3").json["numberReturned"] == 3


def test_bbox_of_four_or_six_numbers_and_across_the_antimeridian(client):
    everything = client.get(ITEMS).json["features"]

    def expected(*boxes):
        return {
            f["id"]
            for f in everything
            if any(shapely.geometry.shape(f["geometry"]).intersects(shapely.box(*b)) for b in boxes)
        }

    box = expected((119.0, -6.0, 120.0, -5.0))
    assert 0 < len(box) < 20
    assert set(_ids(client, "bbox=119,-6,120,-5")) == box
    assert set(_ids(client, "bbox=119,-6,-100,120,-5,100")) == box
    across = expected((125.0, -90, 180, 90), (-180, -90, 120.0, 90))
    assert set(_ids(client, "bbox=125,-90,120,90")) == across and 0 < len(across) < 102


@pytest.mark.parametrize(
    "bbox",
    [
        "119,-6,120",
        "a,b,c,d",
        "119,-5,120,-6",
        "119,-6,120,-5,1",
        "-200,-6,120,-5",
        "nan,-6,120,-5",
        "",
    ],
)
def test_malformed_bbox_is_a_400(client, bbox):
    resp = client.get(f"{ITEMS}?bbox={bbox}")
    assert resp.status_code == 400 and resp.mimetype == "application/json"
    assert resp.json["code"] == "BadRequest" and "bbox" in resp.json["description"]


def test_property_filters_and_their_combinations(client, known):
    assert _ids(client, "kode=73.71,73.72") == ["73.71", "73.72"]
    assert _ids(client, "kode=73.99") == []
    assert _ids(client, "kode=73") == []  # a province code matches no regency
    gorontalo = _ids(client, "prov_kode=75")
    assert gorontalo and all(k.startswith("75.") for k in gorontalo)
    assert _ids(client, "prov_kode=75&kode=73.71") == []
    assert _ids(client, "data_source=published&data_source=modelled") == []
    feature = client.get(f"{ITEMS}?kode=73.71&period={known[0]}&segment=migrant").json
    properties = feature["features"][0]["properties"]
    assert (properties["period"], properties["segment"]) == (known[0], "migrant")
    first = client.get(f"{ITEMS}?priority_rank_region=1&skipGeometry=true").json["features"]
    assert len(first) == 1 and first[0]["properties"]["priority_rank_region"] == 1
    firsts = client.get(f"{ITEMS}?priority_rank_province=1&skipGeometry=true").json["features"]
    assert len({f["properties"]["prov_kode"] for f in firsts}) == len(firsts) > 1


@pytest.mark.parametrize(
    ("value", "period"),
    [
        ("2025-06-15", "2025-06"),
        ("2025-06-30T23:00:00Z", "2025-06"),
        ("2024-01-01/2025-06-30", "2025-06"),
        ("../2024-11-30", "2024-08"),
        ("/2024-11-30", "2024-08"),
        ("2025-12-01T00:00:00+00:00/..", "2025-12"),
    ],
)
def test_datetime_shows_the_latest_period_it_touches(client, value, period):
    feature = client.get(
        "/ogc/collections/provinces/items", query_string={"datetime": value, "kode": "73"}
    ).json["features"][0]
    assert feature["properties"]["period"] == period


def test_datetime_outside_the_data_is_an_empty_collection(client):
    for value in ("2030-01-01", "1999-01-01/2000-01-01"):
        page = client.get(f"{ITEMS}?datetime={value}").json
        assert page["numberMatched"] == 0 and page["features"] == []
    assert _ids(client, "datetime=2024-08-15&period=2025-06") == []
    assert len(_ids(client, "datetime=2024-01-01/2025-12-31&period=2024-08")) == 102


@pytest.mark.parametrize(
    ("query", "parameter", "valid"),
    [
        ("datetime=yesterday", "datetime", "date-time"),
        ("datetime=2025-07-01/2025-01-01", "datetime", "ends before"),
        ("period=2025-03", "period", "2025-06"),
        ("period=0000-00", "period", "2025-06"),
        ("segment=fishers", "segment", "informal"),
        ("prov_kode=31", "prov_kode", "71, 72"),
        ("kode=Makassar", "kode", "73.71"),
        ("kode=", "kode", "73.71"),
        ("f=xml", "f", "json, html"),
        ("lang=fr", "lang", "id, en"),
        ("coverage_pct=high", "coverage_pct", "number"),
        ("limit=5&offset=1&offset=2", "offset", "different values"),
        ("properties=kode,colour", "properties", "coverage_pct"),
        ("sortby=colour", "sortby", "kode"),
        ("skipGeometry=yes", "skipGeometry", "true, false"),
        ("filter-lang=cql2-json", "filter-lang", "cql2-text"),
    ],
)
def test_bad_values_are_400_naming_parameter_and_valid_values(client, query, parameter, valid):
    resp = client.get(f"{ITEMS}?{query}")
    assert resp.status_code == 400, resp.data[:200]
    assert parameter in resp.json["description"] and valid in resp.json["description"]


def test_every_bad_parameter_is_listed_in_one_400(client):
    query = "lang=fr&f=xml&limit=0&bbox=1,2&segment=fishers&sortby=colour&filter=kode%20LIKE"
    resp = client.get(f"{ITEMS}?{query}")
    assert resp.status_code == 400
    lines = resp.json["description"].splitlines()
    named = ("lang", "'f'", "limit", "bbox", "segment", "sortby", "filter")
    assert len(lines) == len(named) and all(
        any(name in line for line in lines) for name in named
    ), lines


def test_properties_skip_geometry_and_sortby(client):
    page = client.get(
        f"{ITEMS}?properties=coverage_pct,kode&skipGeometry=true&sortby=-coverage_pct,kode"
    ).json
    features = page["features"]
    assert all(list(f["properties"]) == ["coverage_pct", "kode"] for f in features)
    assert all(f["geometry"] is None for f in features)
    values = [f["properties"]["coverage_pct"] for f in features]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=True) and values[: len(present)] == present
    by_name = client.get(f"{ITEMS}?properties=nama&skipGeometry=true&sortby=nama").json
    names = [f["properties"]["nama"] for f in by_name["features"]]
    assert names == sorted(names)


def test_item_by_code(client, assert_rfc7946):
    resp = client.get(f"{ITEMS}/73.71")
    assert resp.status_code == 200 and resp.mimetype == GEOJSON
    feature = assert_rfc7946(resp.data)
    assert feature["id"] == "73.71" and feature["properties"]["nama"] == "Kota Makassar"
    rels = _rels(feature)
    assert rels["self"]["href"].endswith(f"{ITEMS}/73.71")
    assert rels["collection"]["type"] == "application/json"
    assert rels["alternate"]["type"] == "text/html"
    province = client.get("/ogc/collections/provinces/items/73?segment=informal").json
    assert province["properties"]["segment"] == "informal"


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/collections/villages",
        "/ogc/collections/kab/items",
        "/ogc/collections/regencies_1999-01_all",
        "/ogc/collections/regencies/items/99.99",
        "/ogc/collections/provinces/items/73.71",
        "/ogc/collections/regencies_history/items/73.71",
        "/ogc/collections/regencies/queryables/x",
        "/ogc/nothing-here",
    ],
)
def test_unknown_collection_or_feature_is_a_404(client, url):
    resp = client.get(url)
    assert resp.status_code == 404 and resp.mimetype == "application/json"
    assert resp.json["code"] == "NotFound" and resp.json["description"]
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


def test_queryables_are_a_json_schema_of_the_properties(client):
    resp = client.get("/ogc/collections/regencies/queryables?lang=en")
    assert resp.status_code == 200 and resp.mimetype == "application/schema+json"
    doc = resp.json
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"].endswith("/ogc/collections/regencies/queryables")
    assert doc["type"] == "object" and doc["additionalProperties"] is False
    assert list(doc["properties"]) == [*PROPERTIES, "geometry"]
    assert doc["properties"]["geometry"] == {
        "format": "geometry-multipolygon",
        "title": "geometry",
    }
    assert doc["properties"]["coverage_pct"]["type"] == "number"
    assert doc["properties"]["segment"]["enum"] == list(SEGMENT_CHOICES)


def test_method_not_allowed_says_what_is(client):
    resp = client.post("/ogc/collections")
    assert resp.status_code == 405 and set(resp.headers["Allow"].split(", ")) >= {"GET", "HEAD"}


def test_html_by_f_or_accept_and_json_by_default(client):
    for url, headers in (
        ("/ogc?f=html", {}),
        ("/ogc", {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}),
        (f"{ITEMS}?limit=3&f=html", {}),
        (f"{ITEMS}/73.71", {"Accept": "text/html"}),
        ("/ogc/collections/regencies/queryables?f=html&lang=en", {}),
    ):
        resp = client.get(url, headers=headers)
        assert resp.status_code == 200 and resp.mimetype == "text/html", url
        assert "Accept" in resp.headers["Vary"]
    for accept in ("*/*", "application/json", "application/geo+json, application/json"):
        assert client.get(ITEMS + "?limit=1", headers={"Accept": accept}).mimetype == GEOJSON
    resp = client.get(f"{ITEMS}?limit=3&f=html&lang=en")
    page = resp.get_data(as_text=True)
    assert '<html lang="en">' in page and "3 are on this page" in page
    hrefs = re.findall(r"<([^>]+)>", resp.headers["Link"])
    assert len(hrefs) >= 4  # self, alternate, collection, next
    for href in hrefs:
        assert f'href="{href.replace("&", "&amp;")}"' in page, href


def test_link_headers_repeat_the_links(client):
    resp = client.get(f"{ITEMS}?limit=10")
    header = resp.headers["Link"]
    for link in resp.json["links"]:
        assert f'<{link["href"]}>; rel="{link["rel"]}"; type="{link["type"]}"' in header
    assert 'rel="next"' in header
    assert "Link" in resp.headers["Access-Control-Expose-Headers"]


def test_cors_is_open_on_answers_errors_and_preflight(client):
    for url in ("/ogc", f"{ITEMS}?limit=1", f"{ITEMS}?limit=0"):
        assert client.get(url).headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        ITEMS,
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
    url = f"{ITEMS}?limit=20"
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    unpacked = gzip.decompress(packed.data)
    assert len(packed.data) < len(unpacked) / 2
    assert unpacked == plain.data
    again = client.get(url, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    other = client.get(f"{ITEMS}?limit=21")
    assert other.headers["ETag"] != plain.headers["ETag"]
    html = client.get(f"{url}&f=html")
    assert html.headers["ETag"] != plain.headers["ETag"]


def test_the_blueprint_serves_the_prefix_the_links_use():
    assert ogc_routes.PREFIX == ogc.PREFIX


def test_a_collection_title_names_period_and_segment():
    found = catalogue.find("regencies_2024-08_wage", ["2024-08"])
    assert (found.kind, found.period, found.segment) == (catalogue.FIXED, "2024-08", "wage")
    assert (
        found.title("id") == "Kabupaten/kota: cakupan kepesertaan, Agustus 2024, Penerima upah (PU)"
    )
    with pytest.raises(Exception, match=re.escape("{layer}_{period}_{segment}")) as info:
        catalogue.find("regencies_2024-09_wage", ["2024-08"])
    assert "regencies_history" in str(info.value)


def test_districts_collection_serves_every_district_with_its_regencys_rates(client, assert_rfc7946):
    one = client.get("/ogc/collections/districts?lang=en").json
    assert one["id"] == "districts" and "1265 " in one["description"]
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
