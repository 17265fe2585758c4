"""/download/{level}.{ext}: every format, choices, caching headers and error answers."""

import csv
import gzip
import io
import json
import shutil
import sqlite3
import zipfile

import pyogrio
import pytest

from geo_coverage import create_app
from geo_coverage.enrollment import store
from geo_coverage.gis.exports import PROPERTIES
from geo_coverage.metrics import dataset
from geo_coverage.web.download_routes import download_links


@pytest.fixture(scope="module")
def app(served_settings):
    """The app over the session build and store."""
    return create_app({"instance": served_settings.instance, "shapes": served_settings.shapes})


@pytest.fixture(scope="module")
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture(scope="module")
def latest(served_settings) -> str:
    """The latest period of the sample store."""
    return dataset.periods(served_settings)[-1]


def _attachment(resp) -> str:
    """The file name of an attachment response."""
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    return disposition.split("filename=", 1)[1].strip('"')


@pytest.mark.parametrize(
    ("ext", "mimetype"),
    [
        ("geojson", "application/geo+json"),
        ("gpkg", "application/geopackage+sqlite3"),
        ("shp.zip", "application/zip"),
        ("csv", "text/csv"),
        ("csv.zip", "application/zip"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("qml", "application/vnd.qgis.qml"),
        ("sld", "application/vnd.ogc.se+xml"),
    ],
)
def test_each_format_is_an_attachment_with_validators(client, latest, ext, mimetype):
    resp = client.get(f"/download/regency.{ext}")
    assert resp.status_code == 200 and resp.mimetype == mimetype
    assert resp.headers["Content-Type"].count("charset") <= 1
    assert _attachment(resp) == f"sulama_regency_{latest}.{ext}"
    assert resp.headers["ETag"] and resp.last_modified is not None
    again = client.get(f"/download/regency.{ext}", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_geojson_download_follows_rfc7946(client, latest, assert_rfc7946):
    resp = client.get("/download/regency.geojson")
    doc = assert_rfc7946(resp.data)
    assert len(doc["features"]) == 102
    assert {f["properties"]["period"] for f in doc["features"]} == {latest}
    with_figures = [f for f in doc["features"] if f["properties"]["coverage_pct"] is not None]
    assert len(with_figures) > 90


@pytest.mark.parametrize("simplified", ["0", "1"])
def test_district_downloads_carry_their_regencys_rates_labelled(
    client, latest, assert_rfc7946, simplified
):
    resp = client.get(f"/download/district.geojson?simplified={simplified}")
    suffix = "_simplified" if simplified == "1" else ""
    assert _attachment(resp) == f"sulama_district_{latest}{suffix}.geojson"
    doc = assert_rfc7946(resp.data)
    props = {f["id"]: f["properties"] for f in doc["features"]}
    assert len(props) == 1265
    assert {p["figure_level"] for p in props.values()} == {"regency"}
    assert all(
        p["active_members"] is None and p["priority_rank_region"] is None for p in props.values()
    )
    regencies = {
        f["id"]: f["properties"]
        for f in json.loads(client.get("/download/regency.geojson").data)["features"]
    }
    for kode, p in props.items():
        regency = regencies[kode.rsplit(".", 1)[0]]
        assert (p["coverage_pct"], p["data_source"]) == (
            regency["coverage_pct"],
            regency["data_source"],
        ), kode
    assert props["73.71.01"]["nama"] == "Mariso" and props["73.71.01"]["prov_kode"] == "73"


def test_district_csv_lists_every_district(client, latest):
    resp = client.get("/download/district.csv")
    assert _attachment(resp) == f"sulama_district_{latest}.csv"
    rows = list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert len(rows) == 1265 and list(rows[0]) == list(PROPERTIES)
    assert {r["figure_level"] for r in rows} == {"regency"}
    assert {r["potential_workers"] for r in rows} == {""}


def test_period_segment_and_simplified_are_honoured(client, served_settings, assert_rfc7946):
    first = dataset.periods(served_settings)[0]
    resp = client.get(f"/download/province.geojson?period={first}&segment=informal&simplified=1")
    assert _attachment(resp) == f"sulama_province_{first}_informal_simplified.geojson"
    doc = assert_rfc7946(resp.data)
    assert len(doc["features"]) == 8
    assert {(f["properties"]["period"], f["properties"]["segment"]) for f in doc["features"]} == {
        (first, "informal")
    }
    full = client.get(f"/download/province.geojson?period={first}&segment=informal")
    assert len(resp.data) < len(full.data) / 2
    assert resp.headers["ETag"] != full.headers["ETag"]


def test_gzip_when_the_client_accepts_it(client):
    plain = client.get("/download/regency.geojson")
    packed = client.get("/download/regency.geojson", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2


def test_csv_without_and_with_wkt(client):
    rows = list(
        csv.DictReader(io.StringIO(client.get("/download/regency.csv").data.decode("utf-8-sig")))
    )
    assert len(rows) == 102 and list(rows[0]) == list(PROPERTIES)
    wkt = client.get("/download/regency.csv?geometry=wkt")
    assert _attachment(wkt).endswith(".csv")
    previous = csv.field_size_limit(1 << 24)  # full-resolution WKT cells are long
    try:
        rows = list(csv.DictReader(io.StringIO(wkt.data.decode("utf-8-sig"))))
    finally:
        csv.field_size_limit(previous)
    assert len(rows) == 102 and list(rows[0])[-1] == "wkt"
    assert all(row["wkt"].startswith("MULTIPOLYGON (((") for row in rows)


def test_shapefile_zip_holds_102_regencies(client, tmp_path):
    body = client.get("/download/regency.shp.zip").data
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert "README.txt" in archive.namelist()
    (tmp_path / "r.zip").write_bytes(body)
    frame = pyogrio.read_dataframe(f"/vsizip/{tmp_path / 'r.zip'}")
    assert len(frame) == 102 and max(len(c) for c in frame.columns) <= 10


def test_gpkg_with_every_period(client, served_settings, tmp_path):
    resp = client.get("/download/regency.gpkg?period=all")
    assert _attachment(resp) == "sulama_regency_all-periods.gpkg"
    path = tmp_path / "all.gpkg"
    path.write_bytes(resp.data)
    frame = pyogrio.read_dataframe(path, layer="regencies")
    known = dataset.periods(served_settings)
    assert len(frame) == 102 * len(known)
    assert sorted(set(frame["period"])) == known
    with sqlite3.connect(path) as db:
        meta = dict(db.execute("SELECT key, value FROM metadata WHERE key != 'source'"))
    assert meta["period"] == "all" and meta["data_version"] == dataset.data_version(served_settings)
    assert json.loads(meta["build_report"])["layers"]["regency"]["count"] == 102


def test_etag_follows_the_data_version(served_settings, tmp_path):
    instance = tmp_path / "instance"
    shutil.copytree(served_settings.instance, instance)
    app = create_app({"instance": instance, "shapes": served_settings.shapes})
    client = app.test_client()
    before = client.get("/download/province.csv")
    store.set_meta(instance / "coverage.gpkg", "data_version", "changed-for-the-test")
    after = client.get("/download/province.csv", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]


@pytest.mark.parametrize(
    ("url", "parameter", "valid"),
    [
        ("/download/village.geojson", "village", "province, regency, district"),
        ("/download/regency.kml", "kml", "geojson, gpkg, shp.zip, csv, csv.zip, xlsx, qml, sld"),
        ("/download/regency.geojson?period=1999-01", "1999-01", "2025-"),
        ("/download/regency.geojson?segment=fishers", "fishers", "informal"),
        ("/download/regency.geojson?simplified=yes", "simplified", "0, 1"),
        ("/download/regency.csv?geometry=wkb", "geometry", "none, wkt"),
        ("/download/regency.geojson?geometry=wkt", "geometry", "period, segment, simplified, lang"),
        ("/download/regency.geojson?colour=red", "colour", "period, segment, simplified, lang"),
        ("/download/regency.xlsx?lang=fr", "lang", "id, en"),
        ("/download/regency.qml?period=all", "period=all", ".gpkg only"),
        ("/download/regency.csv?period=all", "period=all", ".gpkg only"),
        ("/download/regency.csv?segment=wage&segment=informal", "segment", "once"),
    ],
)
def test_bad_requests_answer_400_naming_parameter_and_valid_values(client, url, parameter, valid):
    resp = client.get(url)
    assert resp.status_code == 400 and resp.mimetype == "application/json"
    assert resp.json["code"] == "BadRequest"
    assert parameter in resp.json["description"] and valid in resp.json["description"]


def test_every_bad_download_parameter_is_listed_in_one_400(client):
    resp = client.get("/download/regency.csv?period=all&segment=fishers&simplified=2&lang=fr")
    assert resp.status_code == 400
    lines = resp.json["description"].splitlines()
    assert len(lines) == 4, lines
    assert all(word in resp.json["description"] for word in (".gpkg", "fishers", "'2'", "fr"))


def test_download_links_lead_to_files(app, client, latest):
    with app.test_request_context("/"):
        links = download_links("province", latest, "wage", "en")
        default = download_links("regency", lang="id")
    assert [link["format"] for link in links] == [
        "geojson",
        "gpkg",
        "shp.zip",
        "csv",
        "csv.zip",
        "xlsx",
        "gpkg",
    ]
    assert links[-1]["label"] == "GeoPackage, every period"
    assert default[-1]["label"] == "GeoPackage, semua periode"
    assert default[0]["url"] == "/download/regency.geojson"
    for link in links:
        resp = client.get(link["url"])
        assert resp.status_code == 200, link
        assert "_wage" in _attachment(resp)
