"""Other regions than the regional office's: a province, a province without modelled figures,
and (slow) all of Indonesia, each built from the mirror and served."""

import csv
import json
import os
import re
import zipfile

import pyogrio
import pytest
from repo import REPO_ROOT

from geo_coverage import create_app
from geo_coverage.boundaries.build import build_shapes
from geo_coverage.boundaries.shapes import REPORT_NAME
from geo_coverage.config import Settings
from geo_coverage.enrollment import store
from geo_coverage.enrollment.build import build_sample_store
from geo_coverage.enrollment.importer import validate_file
from geo_coverage.errors import GeoCoverageError

pytestmark = pytest.mark.slow  # builds other regions

GZIP = {"Accept-Encoding": "gzip"}


def _built(root, region: str, mirror) -> Settings:
    """Settings of a region built (shapes and store) under root."""
    settings = Settings.from_env(
        environ={},
        region=region,
        instance=root / "instance",
        shapes=root / "shapes",
        mirror=mirror,
        tiles="none",
    )
    build_shapes(settings, progress=lambda _m: None)
    build_sample_store(settings, progress=lambda _m: None)
    return settings


def _client(settings: Settings):
    """A test client of an app serving the settings."""
    fields = ("region", "instance", "shapes", "mirror", "tiles")
    return create_app({f: getattr(settings, f) for f in fields}).test_client()


@pytest.fixture(scope="module")
def gorontalo(tmp_path_factory, mirror_dir) -> Settings:
    """Gorontalo (75) alone: its 6 regencies share the modelled sample of Sulawesi–Maluku."""
    return _built(tmp_path_factory.mktemp("gorontalo"), "75", mirror_dir)


def test_a_province_builds_with_its_own_counts_and_passes_every_check(gorontalo):
    report = json.loads((gorontalo.shapes / REPORT_NAME).read_text(encoding="utf-8"))
    assert report["region"] == {
        "key": "75",
        "code": "PROV-75",
        "name": "Gorontalo",
        "slug": "prov-75",
        "provinces": ["75"],
    }
    assert all(check["passed"] for check in report["checks"])
    counts = {r["level"]: (r["count"], r["expected"]) for r in report["checks"] if "expected" in r}
    assert counts == {"province": (1, 1), "regency": (6, 6), "district": (77, 77)}
    assert list(report["display"]["detail"]["provinces"]) == ["75"]
    assert [k for k in report["inputs"] if "_kab_" in k] == [
        "wilayah_boundaries/db/kab/wilayah_boundaries_kab_75.sql"
    ]


def test_a_province_is_served_under_its_own_name_and_file_names(gorontalo):
    client = _client(gorontalo)
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Worker social-insurance coverage — Gorontalo</h1>" in page
    assert "Sulawesi" not in page.split("<body", 1)[1].split('id="map-config"', 1)[0]
    data = client.get("/api/map-data?lang=en").json
    assert len(data["areas"]) == 6 and list(data["queries"]["provinces"]) == ["75"]
    bad = client.get("/?province=73&lang=en")
    assert bad.status_code == 400 and "Valid values: 75" in bad.get_data(as_text=True)
    download = client.get("/download/regency.geojson")
    name = download.headers["Content-Disposition"].split("filename=")[1].strip('"')
    assert name.startswith("prov-75_regency_") and name.endswith(".geojson")
    assert len(download.json["features"]) == 6
    shp = client.get("/download/province.shp.zip?period=2021-12")
    with zipfile.ZipFile(__import__("io").BytesIO(shp.data)) as archive:
        readme = archive.read("README.txt").decode("utf-8")
    assert "province of Gorontalo" in readme or "provinsi Gorontalo" in readme


def test_the_sources_page_lists_the_figures_about_the_region(gorontalo, mirror_dir):
    client = _client(gorontalo)
    page = client.get("/sources?lang=en").get_data(as_text=True)
    listed = re.findall(r'<tr id="figure-\d+" data-kode="([^"]+)"', page)
    with (mirror_dir / "published_figures.csv").open(encoding="utf-8", newline="") as handle:
        codes = [r["kode"] for r in csv.DictReader(handle)]
    assert listed == [c for c in codes if c == "ID" or c.split(".")[0] == "75"]
    assert "75" in listed and "ID" in listed
    banner = client.get("/").get_data(as_text=True)
    assert "Angka ilustratif: 6 dari 6 kabupaten/kota dimodelkan" in banner
    refused = client.get("/sources?kode=SULAMA&lang=en")  # the office's totals: another region
    assert refused.status_code == 400 and "or ID for Indonesia" in refused.get_data(as_text=True)


def test_the_ogc_api_and_the_geometry_follow_the_region(gorontalo):
    client = _client(gorontalo)
    landing = client.get("/ogc?lang=en").json
    assert landing["title"] == "BPJS Ketenagakerjaan coverage, Gorontalo"
    api = client.get("/ogc/api").json
    assert api["components"]["parameters"]["prov_kode"]["schema"]["enum"] == ["75"]
    wrong = client.get("/ogc/collections/regencies/items?prov_kode=73")
    assert wrong.status_code == 400 and "Valid values: 75" in wrong.json["description"]
    items = client.get("/ogc/collections/regencies/items?prov_kode=75").json
    assert items["numberMatched"] == 6
    detail = client.get("/geometry/75.topojson", headers=GZIP)
    assert detail.status_code == 200
    assert client.get("/geometry/73.topojson").status_code == 404


def test_import_checks_codes_against_the_region(gorontalo, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text(
        "kode,period,segment,potential_workers,active_members\n"
        "75.71,2025-06,wage,1000,500\n73.71,2025-06,wage,1000,500\n",
        encoding="utf-8",
    )
    report = validate_file(gorontalo, table)
    (error,) = report.lines("errors")
    assert error.startswith("t.csv:3:kode:")
    assert "'73.71' is a code of Sulawesi Selatan, not in the region (province codes 75)" in error


def test_shapes_or_a_store_of_another_region_are_refused_with_what_to_do(gorontalo):
    default = gorontalo.with_(region=Settings.from_env(environ={}).region)
    client = _client(default)
    geometry = client.get("/geometry.topojson")
    assert geometry.status_code == 500
    assert "shapes in" in geometry.json["description"]
    assert "were built for the region '75'" in geometry.json["description"]
    assert "GEO_COVERAGE_REGION is 'sulawesi-maluku'" in geometry.json["description"]
    data = client.get("/api/map-data")
    assert data.status_code == 500 and "run geo-coverage build" in data.json["description"]
    assert "enrollment store" in data.json["description"]
    with pytest.raises(GeoCoverageError, match="store .* was built for the region '75'"):
        validate_file(default, REPO_ROOT / "tests" / "data" / "bad" / "empty.csv")


def test_a_province_without_modelled_figures_is_served_without_data(tmp_path, mirror_dir):
    settings = _built(tmp_path, "34", mirror_dir)  # Daerah Istimewa Yogyakarta
    history, active = store.versions(settings.store_path)
    assert len(history) == 1 and history[0].total_rows == 0 and active == history[0].id
    client = _client(settings)
    data = client.get("/api/map-data?lang=en").json
    assert len(data["areas"]) == 5 and all(a["fill"] is None for a in data["areas"].values())
    assert data["legend"]["entries"][-1]["count"] == 5  # the hatched "no data" class
    download = client.get("/download/regency.csv")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].endswith('prov-34_regency_none.csv"')


def test_indonesia_builds_with_the_cli_and_passes_every_check(mirror_dir, monkeypatch):
    """The done-when of issue 14: GEO_COVERAGE_REGION=indonesia geo-coverage build --mirror DIR
    (kept in .test-cache/ like the shared build: rebuilt only when its inputs or code change)."""
    from geo_coverage.cli.main import main

    root = REPO_ROOT / ".test-cache" / "indonesia"
    if os.environ.get("GEO_COVERAGE_TEST_CACHE", "1") == "0":
        root = root.with_name("indonesia-fresh")
    monkeypatch.setenv("GEO_COVERAGE_REGION", "indonesia")
    monkeypatch.setenv("GEO_COVERAGE_SHAPES", str(root / "shapes"))
    monkeypatch.setenv("GEO_COVERAGE_INSTANCE", str(root / "instance"))
    assert main(["build", "--mirror", str(mirror_dir)]) == 0
    report = json.loads((root / "shapes" / REPORT_NAME).read_text(encoding="utf-8"))
    assert all(check["passed"] for check in report["checks"])
    assert {lv: f["count"] for lv, f in report["layers"].items()} == {
        "province": 38,
        "regency": 514,
        "district": 7285,
    }
    excepted = {
        (r["level"], k)
        for r in report["checks"]
        if r["check"] == "official_area"
        for k in r["excepted"]
    }
    assert len(excepted) == 21 and ("regency", "96.01") not in excepted
    known = sum(len(r.get("known_gaps", [])) for r in report["checks"])
    assert known == 11
    moved = [r for r in report["layers"]["regency"]["repairs"] if r["repair"].startswith("reas")]
    assert [(r["kode"], r["from"]) for r in moved] == [("96.04", "96.01")]
    districts = pyogrio.read_dataframe(root / "shapes" / "districts.shp", read_geometry=False)
    assert districts.kode.is_unique and len(districts) == 7285
    assert len(report["display"]["detail"]["provinces"]) == 38
