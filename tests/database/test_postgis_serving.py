"""The app on the PostgreSQL back end, as several instances run it: with no store file and no
shapes folder of its own it serves the same pages, data, geometry, downloads and OGC features
as on the GeoPackage; accounts are shared; an import through one instance is served by another
within a second."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time

import pytest
from office_helpers import ENROLLMENT_HEADER, PASSWORD, Browser, enrollment_rows, make_app, xlsx
from postgres import HOLD_LOCK, postgis_copy

from geo_coverage.accounts import tokens, users
from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.pg_store import PostgresStore

pytest_plugins = ["enrollment_fixtures"]


@pytest.fixture
def pg_settings(postgres_server, postgis_sample_template, served_settings, tmp_path):
    """Settings of an instance that has only the database: an empty instance folder, no
    shapes folder."""
    bare = served_settings.with_(instance=tmp_path / "instance", shapes=tmp_path / "no-shapes")
    bare.instance.mkdir()
    with postgis_copy(postgres_server, postgis_sample_template, bare) as found:
        yield found


def _features(body: bytes) -> list:
    """GeoJSON features, sorted by id."""
    return sorted(json.loads(body)["features"], key=lambda f: f["id"])


@pytest.mark.parametrize(
    "path",
    [
        "/geometry.topojson",
        "/geometry/73.topojson",
        "/api/map-data?level=regency&metric=coverage",
        "/api/map-data?level=province&metric=gap&period=2021-12",
        "/download/regency.csv",
        "/download/province.geojson?simplified=1",
        "/ogc/collections/regencies/items?limit=5&prov_kode=73",
        "/ogc/collections/provinces/items?limit=10",
        "/api/map-data?level=regency&metric=coverage&segment=informal&period=2025-06",
        "/map.png?level=province&period=2021-12",
    ],
)
def test_a_database_instance_serves_what_a_file_instance_serves(pg_settings, served_settings, path):
    database = make_app(pg_settings).test_client().get(path)
    files = make_app(served_settings).test_client().get(path)
    assert database.status_code == files.status_code == 200, database.get_data(as_text=True)
    if path.startswith("/download/") and path.split("?")[0].endswith(".geojson"):
        assert _features(database.data) == _features(files.data)
    elif path.startswith("/ogc/"):
        assert database.json["features"] == files.json["features"]
    elif path.startswith("/api/"):
        assert {k: v for k, v in database.json.items() if k != "data_version"} == {
            k: v for k, v in files.json.items() if k != "data_version"
        }
    else:
        assert database.data == files.data
    assert not (pg_settings.instance / "coverage.gpkg").exists()
    assert not pg_settings.shapes.exists()


def test_health_and_downloads_of_full_geometry_come_from_postgis(pg_settings, served_settings):
    client = make_app(pg_settings).test_client()
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json["shapes_built"] and health.json["store_built"]
    full = _features(client.get("/download/regency.geojson").data)
    assert full == _features(
        make_app(served_settings).test_client().get("/download/regency.geojson").data
    )
    assert len(full) == 102


def test_accounts_and_imports_are_shared_by_two_instances(pg_settings, tmp_path):
    second = pg_settings.with_(instance=tmp_path / "second")
    second.instance.mkdir()
    users.add_user(pg_settings.accounts_db, "rina", "editor", PASSWORD)
    _, secret = tokens.create_token(pg_settings.accounts_db, "script", "editor", "test")
    a, b = make_app(pg_settings).test_client(), make_app(second).test_client()
    browser = Browser(b)
    signed_in = browser.login("rina")
    assert signed_in.status_code == 302, "an account made through one instance signs in on another"
    a.set_cookie("geo_coverage_session", b.get_cookie("geo_coverage_session").value)
    assert a.get("/admin/history").status_code == 200, "and its session holds on the other"
    before = b.get("/api/map-data?level=regency&period=2025-06")
    done = a.post(
        "/api/imports?activate=1",
        data=b"kode,period,segment,potential_workers,active_members\n73.71,2025-06,wage,400000,390000\n",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert done.status_code == 200 and done.json["status"] == "activated", done.json
    committed = time.monotonic()
    while (
        b.get("/api/map-data?level=regency&period=2025-06").headers["ETag"]
        == before.headers["ETag"]
    ):
        assert time.monotonic() - committed < 1.0, "instance B did not serve the import within 1 s"
        time.sleep(0.02)
    history, active = open_store(second).versions()
    assert active == done.json["version"] == history[-1].id
    log = b.get("/admin/history")
    assert log.status_code == 200 and "token:script" in log.get_data(as_text=True)


def test_an_import_while_another_holds_the_store_is_refused_with_the_reason(pg_settings):
    _, secret = tokens.create_token(pg_settings.accounts_db, "script", "editor", "test")
    client = make_app(pg_settings).test_client()
    before = open_store(pg_settings).versions()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, pg_settings.database_url, "5"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        PostgresStore.for_url(pg_settings.database_url).lock_wait = 0.3
        refused = client.post(
            "/api/imports?activate=1",
            data=b"kode,period,segment,potential_workers,active_members\n"
            b"73.71,2025-06,wage,400000,390000\n",
            headers={"Authorization": f"Bearer {secret}"},
        )
        said = refused.get_data(as_text=True)
        assert refused.status_code == 503, said
        assert "another import is in progress" in said and "june.csv by rina" in said
        assert "nothing was changed" in said
        assert open_store(pg_settings).versions() == before
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_an_upload_checked_on_one_instance_is_previewed_and_activated_on_another(
    pg_settings, tmp_path
):
    second = pg_settings.with_(instance=tmp_path / "second")
    second.instance.mkdir()
    users.add_user(pg_settings.accounts_db, "rina", "editor", PASSWORD)
    a, b = Browser(make_app(pg_settings).test_client()), Browser(make_app(second).test_client())
    a.login("rina")
    b.client.set_cookie("geo_coverage_session", a.client.get_cookie("geo_coverage_session").value)
    sent = a.post_form(
        "/admin/imports",
        "/admin/imports",
        {
            "kind": "enrollment",
            "file": (io.BytesIO(xlsx([ENROLLMENT_HEADER, *enrollment_rows()])), "june.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    preview = sent.headers["Location"]
    upload_id = preview.rsplit("/", 1)[1]
    assert "june.xlsx" in b.client.get("/admin/imports").get_data(as_text=True)
    shown = b.client.get(preview)
    assert shown.status_code == 200 and "menggantikan 3 baris aktif" in shown.get_data(as_text=True)
    done = b.post_form(preview, f"/admin/imports/{upload_id}/activate", {})
    assert done.status_code == 303
    history, active = open_store(pg_settings).versions()
    assert active == history[-1].id and history[-1].file_name == "june.xlsx"
    for instance in (a, b):  # used up everywhere
        assert instance.client.get(preview).status_code == 404
    assert "june.xlsx" not in a.client.get("/admin/imports").get_data(as_text=True)


def test_a_database_of_another_region_is_refused_with_what_to_do(pg_settings):
    from geo_coverage.config import Settings

    gorontalo = pg_settings.with_(region=Settings.from_env(environ={}, region="75").region)
    client = make_app(gorontalo, region=gorontalo.region).test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["region"] == "75"
    assert not health.json["shapes_built"] and not health.json["store_built"]
    geometry = client.get("/geometry.topojson")
    said = geometry.json["description"]
    assert geometry.status_code == 500 and "were built for the region 'sulawesi-maluku'" in said
    assert "GEO_COVERAGE_DATABASE_URL" in said
    data = client.get("/api/map-data")
    assert data.status_code == 500 and "enrollment store" in data.json["description"]
