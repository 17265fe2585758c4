"""QGIS itself, headless (Debian's python3-qgis, QT_QPA_PLATFORM=offscreen), against a live
server: OAPIF layers for any period and segment, the styled GeoPackage (from a file and by URL
through /vsicurl/) rendered with the web map's colours, codes kept as text in the CSV zip and
the workbook.

QGIS's Python bindings belong to the system Python, so tests/gis/qgis_probe.py runs in
/usr/bin/python3 as a subprocess and reports what QGIS sees as JSON.
"""

import json
import os
import subprocess
import urllib.request
import zipfile
from pathlib import Path

import geopandas
import pytest
import shapely
from shapely.ops import polylabel

from geo_coverage.metrics import dataset

pytestmark = pytest.mark.qgis

SYSTEM_PYTHON = "/usr/bin/python3"
PROBE = Path(__file__).with_name("qgis_probe.py")
RENDER_SIZE = 1600  # qgis_probe.RENDER_SIZE (the probe runs in another Python)


@pytest.fixture(scope="module")
def qgis_python() -> str:
    """The system Python, once it imports qgis.core; skips saying why when it does not."""
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        pytest.skip(f"{SYSTEM_PYTHON} is missing: QGIS's bindings need Debian's system Python")
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        pytest.skip(
            "QGIS's Python bindings are not installed (apt-get install python3-qgis "
            f"qgis-providers; .ci/run does): {done.stderr.strip().splitlines()[-1:]}"
        )
    return SYSTEM_PYTHON


def probe(python: str, spec: dict) -> dict:
    """Run the probe in headless QGIS; its findings."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NO_PROXY": "127.0.0.1"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [python, str(PROBE), json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_oapif_layers_for_any_period_and_segment(qgis_python, live_server, served_settings):
    base, recorder = live_server
    recorder.seen.clear()
    landing = f"{base}/ogc?lang=en"
    layers = [
        {"url": landing, "collection": "regencies_2024-08_informal"},
        {"url": landing, "collection": "regencies"},
        {"url": f"{base}/ogc?lang=en&period=2022-09&segment=wage", "collection": "provinces"},
        {
            "url": landing,
            "collection": "regencies_history",
            "subset": "\"period\" = '2024-08' AND \"segment\" = 'informal'",
        },
    ]
    found = probe(qgis_python, {"oapif": layers})
    one, latest, province, history = found["oapif"]
    assert one["valid"] and one["feature_count"] == one["features"] == one["codes"] == 102
    assert (one["periods"], one["segments"]) == (["2024-08"], ["informal"])
    assert {"kode", "coverage_pct", "target_pct", "data_source"} <= set(one["fields"])
    assert latest["features"] == 102
    assert (latest["periods"], latest["segments"]) == (
        [dataset.periods(served_settings)[-1]],
        ["all"],
    )
    assert province["features"] == province["codes"] == 8
    assert (province["periods"], province["segments"]) == (["2022-09"], ["wage"])
    # A period and segment in the landing page's URL choose them: QGIS carries its query.
    # QGIS 3.22 filters OAPIF layers on the client: the history layer holds every period and
    # segment, so a filter on it finds the same 102 areas.
    assert history["features"] == history["codes"] == 102
    assert (history["periods"], history["segments"]) == (["2024-08"], ["informal"])
    items = [u for u in recorder.seen if "/items" in u]
    assert items and all("lang=en" in u for u in items)  # the base URL's query was carried


def _download(base: str, url: str, path: Path) -> None:
    """Save a download to a file."""
    with urllib.request.urlopen(f"{base}{url}", timeout=60) as resp:
        assert resp.status == 200
        path.write_bytes(resp.read())


def _inner_points(path: Path) -> dict[str, tuple[float, float]]:
    """A point deep inside each area wide enough to hold a few pixels of the rendering."""
    frame = geopandas.read_file(path, layer="regencies")
    west, south, east, north = frame.total_bounds
    pixel = max(east - west, north - south) / RENDER_SIZE
    points = {}
    for kode, geometry in zip(frame["kode"], frame.geometry, strict=True):
        largest = max(getattr(geometry, "geoms", [geometry]), key=lambda g: g.area)
        inner = polylabel(largest, tolerance=pixel / 2)
        if shapely.distance(inner, largest.boundary) > 4 * pixel:
            points[kode] = (inner.x, inner.y)
    return points


def test_the_geopackage_opens_styled_and_renders_the_web_maps_colours(
    qgis_python, live_server, tmp_path
):
    base, _ = live_server
    path = tmp_path / "regency.gpkg"
    _download(base, "/download/regency.gpkg?period=2024-08&segment=informal&lang=en", path)
    points = _inner_points(path)
    assert len(points) > 60
    spec = {
        "geopackages": [
            {
                "source": str(path),
                "layer": "regencies",
                "png": str(tmp_path / "regency.png"),
                "points": list(points.values()),
            }
        ]
    }
    (found,) = probe(qgis_python, spec)["geopackages"]
    assert found["valid"] and found["feature_count"] == 102
    assert found["renderer"] == "RuleRenderer"  # QGIS loaded the default style, not one colour
    with urllib.request.urlopen(
        f"{base}/api/map-data?level=regency&period=2024-08&segment=informal&lang=en", timeout=60
    ) as resp:
        web = json.load(resp)
    legend = web["legend"]["entries"]
    assert [(r["label"], r["color"]) for r in found["rules"]][:-1] == [
        (e["label"], e["color"]) for e in legend if not e["hatched"]
    ]
    assert found["rules"][-1]["filter"] == '"coverage_pct" IS NULL'
    web_fill = {k: web["areas"][k]["fill"] for k in points}
    rendered = dict(zip(points, found["colors"], strict=True))
    assert len(set(web_fill.values())) >= 3  # several classes are compared, not one
    assert rendered == web_fill
    assert (tmp_path / "regency.png").stat().st_size > 10_000


def test_a_geopackage_opens_by_url_through_vsicurl(qgis_python, live_server):
    base, recorder = live_server
    recorder.ranges.clear()
    source = f"/vsicurl/{base}/download/regency.gpkg?lang=en"
    spec = {"geopackages": [{"source": source, "layer": "regencies"}]}
    (found,) = probe(qgis_python, spec)["geopackages"]
    assert found["valid"] and found["feature_count"] == 102
    assert found["renderer"] == "RuleRenderer"
    partial = [s for url, r, s in recorder.ranges if url.startswith("/download/regency.gpkg") and r]
    assert partial and set(partial) == {206}


def test_codes_stay_text_in_the_csv_zip_and_the_workbook(qgis_python, live_server, tmp_path):
    base, _ = live_server
    _download(base, "/download/regency.csv.zip", tmp_path / "regency.csv.zip")
    _download(base, "/download/regency.xlsx", tmp_path / "regency.xlsx")
    with zipfile.ZipFile(tmp_path / "regency.csv.zip") as archive:
        (csv_name,) = [n for n in archive.namelist() if n.endswith(".csv")]
    spec = {
        "tables": [
            {"source": f"/vsizip/{tmp_path / 'regency.csv.zip'}/{csv_name}"},
            {"source": f"{tmp_path / 'regency.xlsx'}|layername=data"},
        ]
    }
    csv, sheet = probe(qgis_python, spec)["tables"]
    for found in (csv, sheet):
        assert found["valid"] and len(found["codes"]) == 102
        assert found["types"]["kode"] == found["types"]["prov_kode"] == "String"
        assert found["types"]["coverage_pct"] == "Real"
        assert "71.10" in found["codes"] and "71.1" not in found["codes"]
    # the CSV keeps percentages, the workbook fractions shown with a percentage format
    assert all(
        50 * s < c < 150 * s for c, s in zip(csv["coverage"], sheet["coverage"], strict=True)
    )
