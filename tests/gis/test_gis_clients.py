"""Real GIS clients: GDAL's ogrinfo and ogr2ogr (Debian gdal-bin) and pyogrio/geopandas against
a live waitress server."""

import os
import re
import shutil
import sqlite3
import subprocess
import urllib.request

import geopandas
import pytest

from geo_coverage.gis.exports import PROPERTIES, SHAPEFILE_FIELDS
from geo_coverage.metrics import dataset
from geo_coverage.region import SEGMENT_CHOICES

pytestmark = pytest.mark.gdal


@pytest.fixture(scope="module")
def ogrinfo_path() -> str:
    """Debian's ogrinfo; fails (never skips) when gdal-bin is missing."""
    path = shutil.which("ogrinfo")
    if path is None:
        pytest.fail("ogrinfo is missing: install Debian's gdal-bin (.ci/run does)", pytrace=False)
    return path


@pytest.fixture(scope="module")
def server(live_server, ogrinfo_path):
    """The live server (tests/gis/conftest.py), once ogrinfo is known to be there."""
    return live_server


def ogrinfo(*args: str) -> str:
    """Run ogrinfo read-only and return its output; fail with its messages if it fails."""
    env = {**os.environ, "GDAL_HTTP_TIMEOUT": "30", "NO_PROXY": "127.0.0.1"}
    done = subprocess.run(
        [shutil.which("ogrinfo"), "-ro", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _features(output: str) -> list[dict[str, str]]:
    """Each feature's fields from ogrinfo's text output."""
    out = []
    for block in output.split("OGRFeature(")[1:]:
        out.append(dict(re.findall(r"^  (\w+) \(\w+\) = (.*)$", block, re.MULTILINE)))
    return out


def test_oapif_lists_both_collections(server):
    base, _ = server
    output = ogrinfo(f"OAPIF:{base}/ogc")
    assert re.search(r"^1: provinces \(title: .+\) \(Multi Polygon\)$", output, re.MULTILINE)
    assert re.search(r"^2: regencies \(title: .+\) \(Multi Polygon\)$", output, re.MULTILINE)
    assert re.search(r"^3: districts \(title: .+\) \(Multi Polygon\)$", output, re.MULTILINE)


def test_oapif_reads_every_regency_in_pages_of_ten(server):
    base, recorder = server
    recorder.seen.clear()
    output = ogrinfo("-oo", "PAGE_SIZE=10", f"OAPIF:{base}/ogc", "regencies")
    rows = _features(output)
    assert len(rows) == 102 and len({r["kode"] for r in rows}) == 102
    assert all(set(PROPERTIES) <= set(r) | {"id"} for r in rows)
    assert sum(1 for r in rows if re.fullmatch(r"\d+\.\d+", r.get("coverage_pct", ""))) > 90
    makassar = next(r for r in rows if r["kode"] == "73.71")
    assert makassar["nama"] == "Kota Makassar" and int(makassar["potential_workers"]) > 0
    pages = [p for p in recorder.seen if p.startswith("/ogc/collections/regencies/items")]
    offsets = sorted({int(m) for p in pages for m in re.findall(r"offset=(\d+)", p)})
    assert offsets == list(range(10, 101, 10))
    assert all("limit=10" in p for p in pages)


def test_oapif_sends_attribute_and_bbox_filters_to_the_server(server):
    base, recorder = server
    recorder.seen.clear()
    one = _features(ogrinfo(f"OAPIF:{base}/ogc", "regencies", "-where", "kode = '73.71'"))
    assert [r["kode"] for r in one] == ["73.71"]
    assert any("kode=73.71" in p for p in recorder.seen)
    boxed = _features(ogrinfo(f"OAPIF:{base}/ogc", "regencies", "-spat", "119", "-6", "120", "-5"))
    assert 0 < len(boxed) < 20 and all(r["prov_kode"] == "73" for r in boxed)
    assert any("bbox=119" in p for p in recorder.seen)


@pytest.mark.parametrize(
    ("query", "period", "segment"),
    [("lang=en", None, "all"), ("lang=en&period=2024-08&segment=informal", "2024-08", "informal")],
)
def test_oapif_with_a_query_in_the_landing_pages_url(
    server, served_settings, query, period, segment
):
    base, recorder = server
    recorder.ranges.clear()
    summary = ogrinfo("-so", f"OAPIF:{base}/ogc?{query}", "regencies")
    assert re.search(r"^Feature Count: 102$", summary, re.MULTILINE)
    rows = _features(ogrinfo(f"OAPIF:{base}/ogc?{query}", "regencies"))
    assert len({r["kode"] for r in rows}) == len(rows) == 102
    latest = dataset.periods(served_settings)[-1]
    assert {(r["period"], r["segment"]) for r in rows} == {(period or latest, segment)}
    assert recorder.ranges and all(status == 200 for _, _, status in recorder.ranges)
    assert all(query in url for url, _, _ in recorder.ranges)  # carried to every request


def test_oapif_reaches_every_period_and_segment_by_collection(server):
    base, _ = server
    listing = ogrinfo(f"OAPIF:{base}/ogc?lang=en")
    assert re.search(
        r"^\d+: regencies_2024-08_informal \(title: .*August 2024, Informal workers \(BPU\)\)",
        listing,
        re.MULTILINE,
    )
    rows = _features(ogrinfo(f"OAPIF:{base}/ogc?lang=en", "regencies_2024-08_informal"))
    assert len({r["kode"] for r in rows}) == len(rows) == 102
    assert {(r["period"], r["segment"]) for r in rows} == {("2024-08", "informal")}


def test_ogr2ogr_copies_a_collection_whole(server, served_settings, tmp_path):
    base, _ = server
    out = tmp_path / "copy.gpkg"
    env = {**os.environ, "GDAL_HTTP_TIMEOUT": "30", "NO_PROXY": "127.0.0.1"}
    done = subprocess.run(
        [shutil.which("ogr2ogr"), "-f", "GPKG", str(out), f"OAPIF:{base}/ogc", "regencies_history"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    summary = ogrinfo("-so", str(out), "regencies_history")
    (count,) = re.findall(r"^Feature Count: (\d+)$", summary, re.MULTILINE)
    assert int(count) == 102 * len(dataset.periods(served_settings)) * len(SEGMENT_CHOICES)


@pytest.mark.parametrize(
    ("collection", "query", "rows", "combinations"),
    [
        ("regencies", "", 102, 1),
        ("regencies", "?lang=en", 102, 1),
        ("regencies_2024-08_informal", "", 102, 1),
        ("provinces", "?period=2022-09", 8, 1),
    ],
)
def test_geopandas_reads_the_whole_layer_from_the_items_url(
    server, collection, query, rows, combinations
):
    base, _ = server
    frame = geopandas.read_file(f"{base}/ogc/collections/{collection}/items{query}")
    assert len(frame) == rows and frame["kode"].is_unique
    assert len(frame.groupby(["period", "segment"])) == combinations
    assert frame.crs.to_epsg() == 4326 and frame.geometry.notna().all()


def test_geopandas_reads_the_history_whole(server, served_settings):
    base, _ = server
    frame = geopandas.read_file(f"{base}/ogc/collections/regencies_history/items")
    periods = dataset.periods(served_settings)
    assert set(frame["period"]) == set(periods)
    assert set(frame["segment"]) == set(SEGMENT_CHOICES)
    assert len(frame) == 102 * len(periods) * len(SEGMENT_CHOICES)
    assert not frame.duplicated(["kode", "period", "segment"]).any()


def _download(base: str, url: str, path) -> None:
    """Save a download to a file."""
    with urllib.request.urlopen(f"{base}{url}", timeout=60) as resp:
        assert resp.status == 200
        path.write_bytes(resp.read())


@pytest.mark.parametrize(
    ("url", "name", "layer", "count", "fields", "geometry"),
    [
        ("/download/regency.geojson", "r.geojson", None, 102, PROPERTIES, "Multi Polygon"),
        ("/download/regency.gpkg", "r.gpkg", "regencies", 102, PROPERTIES, "Multi Polygon"),
        (
            "/download/regency.shp.zip",
            "r.shp.zip",
            None,
            102,
            tuple(SHAPEFILE_FIELDS.values()),
            "Polygon",
        ),
        ("/download/regency.csv?geometry=wkt", "r.csv", None, 102, PROPERTIES, "Unknown (any)"),
        (
            "/download/regency.gpkg?period=all",
            "all.gpkg",
            "regencies",
            None,
            PROPERTIES,
            "Multi Polygon",
        ),
        ("/download/district.gpkg", "d.gpkg", "districts", 1265, PROPERTIES, "Multi Polygon"),
        (
            "/download/district.shp.zip",
            "d.shp.zip",
            None,
            1265,
            tuple(SHAPEFILE_FIELDS.values()),
            "Polygon",
        ),
        (
            "/download/province.geojson?simplified=1",
            "p.geojson",
            None,
            8,
            PROPERTIES,
            "Multi Polygon",
        ),
    ],
)
def test_ogrinfo_opens_each_download(
    server, served_settings, tmp_path, url, name, layer, count, fields, geometry
):
    base, _ = server
    path = tmp_path / name
    _download(base, url, path)
    source = f"/vsizip/{path}" if name.endswith(".zip") else str(path)
    options = ["-oo", "AUTODETECT_TYPE=YES"] if name.endswith(".csv") else []
    output = ogrinfo("-so", "-al", *options, source, *([layer] if layer else []))
    counts = [int(n) for n in re.findall(r"^Feature Count: (\d+)$", output, re.MULTILINE)]
    assert counts[0] == (count or 102 * len(dataset.periods(served_settings)))
    assert f"\nGeometry: {geometry}\n" in output
    declared = re.findall(r"^(\w+): (\w+)", output, re.MULTILINE)
    assert [n for n, _ in declared if n in fields] == list(fields)
    kinds = dict(declared)
    assert kinds[fields[PROPERTIES.index("coverage_pct")]] == "Real"
    assert kinds[fields[PROPERTIES.index("potential_workers")]].startswith("Integer")


def test_gdal_opens_the_geopackage_by_url_reading_byte_ranges(server):
    base, recorder = server
    recorder.ranges.clear()
    output = ogrinfo("-so", f"/vsicurl/{base}/download/regency.gpkg", "regencies")
    assert re.search(r"^Feature Count: 102$", output, re.MULTILINE)
    assert "\nGeometry: Multi Polygon\n" in output
    partial = [(r, status) for url, r, status in recorder.ranges if url == "/download/regency.gpkg"]
    assert partial and all(status == 206 for r, status in partial if r)
    assert sum(1 for r, _ in partial if r) >= 2  # read in pieces, not downloaded whole


@pytest.mark.parametrize(
    "url",
    [
        "/download/regency.gpkg",
        "/download/regency.gpkg?period=all",
        "/download/regency.gpkg?period=2024-08&segment=informal&lang=en",
        "/download/province.gpkg?simplified=1",
    ],
)
def test_every_geopackage_passes_gdals_validator(server, tmp_path, url):
    base, _ = server
    path = tmp_path / "v.gpkg"
    _download(base, url, path)
    done = subprocess.run(
        ["/usr/bin/python3", "-m", "osgeo_utils.samples.validate_gpkg", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "No module named" not in done.stderr, "install Debian's python3-gdal (.ci/run does)"
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    with sqlite3.connect(path) as db:
        styled = db.execute("SELECT count(*) FROM layer_styles WHERE useAsDefault").fetchone()
    assert styled == (1,)
