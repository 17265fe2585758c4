"""Real GIS clients: GDAL's ogrinfo (Debian gdal-bin) against a live waitress server."""

import os
import re
import shutil
import subprocess
import threading
import urllib.request

import pytest
from waitress.server import create_server

from geo_coverage import create_app
from geo_coverage.gis.exports import PROPERTIES, SHAPEFILE_FIELDS
from geo_coverage.metrics import dataset

pytestmark = pytest.mark.gdal


@pytest.fixture(scope="module")
def ogrinfo_path() -> str:
    """Debian's ogrinfo; fails (never skips) when gdal-bin is missing."""
    path = shutil.which("ogrinfo")
    if path is None:
        pytest.fail("ogrinfo is missing: install Debian's gdal-bin (.ci/run does)", pytrace=False)
    return path


class Recorder:
    """WSGI middleware that keeps the path and query of every request, and the Range header
    and status of each (in ranges)."""

    def __init__(self, app):
        self.app, self.seen, self.ranges, self.lock = app, [], [], threading.Lock()

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING", "")
        url = environ["PATH_INFO"] + (f"?{query}" if query else "")
        with self.lock:
            self.seen.append(url)

        def record(status, headers, *args):
            with self.lock:
                self.ranges.append((url, environ.get("HTTP_RANGE"), int(status.split()[0])))
            return start_response(status, headers, *args)

        return self.app(environ, record)


@pytest.fixture(scope="module")
def server(served_settings, ogrinfo_path):
    """A waitress server on a free port over the session build; yields (base URL, recorder)."""
    app = create_app({"instance": served_settings.instance, "shapes": served_settings.shapes})
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}", recorder
    srv.close()
    thread.join(timeout=10)


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
