"""The map routes through the Flask test client: status, types, framing, caching, fills, errors."""

import gzip
import hashlib
import html
import io
import json
import re
from urllib.parse import urljoin

import numpy as np
import pyogrio
import pytest
from branca.utilities import color_brewer
from hypothesis import given, settings
from hypothesis import strategies as st
from map_pages import map_config
from matplotlib.image import imread

from geo_coverage import create_app
from geo_coverage.boundaries.shapes import DISPLAY_TOPOJSON
from geo_coverage.enrollment.sample import PERIODS
from geo_coverage.i18n import format_period, text
from geo_coverage.maps import view as map_view
from geo_coverage.metrics import dataset
from geo_coverage.package_files import STATIC

GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture(scope="module")
def client(hostile_settings):
    app = create_app(
        {
            "instance": hostile_settings.instance,
            "shapes": hostile_settings.shapes,
            "mirror": hostile_settings.mirror,
            "tiles": "none",
        }
    )
    return app.test_client()


def _expected_fill(settings, kode: str) -> str:
    """The colour of an area's coverage in the default view, worked out from the metrics."""
    metrics = dataset.load_metrics(settings, "regency")
    target = map_view.reference_target(metrics)
    value = float(metrics.loc[metrics["kode"] == kode, "coverage_pct"].iloc[0])
    cls = int(np.searchsorted([target - 20, target - 10, target, target + 10], value, "right"))
    return color_brewer("YlGnBu", 5)[cls]


def test_browse_page(client, hostile_settings):
    resp = client.get("/", headers=GZIP)
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert resp.headers["Content-Encoding"] == "gzip"
    assert resp.headers["Content-Security-Policy"].endswith("; frame-ancestors 'self'")
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert resp.headers["Cache-Control"] == "public, max-age=60"
    page = gzip.decompress(resp.data).decode()
    assert '<html lang="id">' in page and "Salin kode sematan" in page and "Unduh PNG" in page
    config = map_config(page)
    assert config["mode"] == "browse" and config["tiles"] is None
    assert len(config["data"]["areas"]) == 102
    for kode in ("73.71", "71.01", "82.72"):
        assert config["data"]["areas"][kode]["fill"] == _expected_fill(hostile_settings, kode), kode
    assert re.search(r'href="/download/regency\.geojson\?period=[\d-]+" download>', page)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    again = client.get("/", headers={**GZIP, "If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_revalidation_renders_nothing(client, monkeypatch):
    etags = {url: client.get(url, headers=GZIP).headers["ETag"] for url in ("/", "/api/map-data")}

    def fail(*_args):
        raise AssertionError("a 304 must not build the view")

    monkeypatch.setattr(map_view, "load_view", fail)
    for url, etag in etags.items():
        assert client.get(url, headers={**GZIP, "If-None-Match": etag}).status_code == 304


def test_stored_text_is_escaped(client):
    page = client.get("/").get_data(as_text=True)
    assert "<img" not in page
    assert map_config(page)["data"]["areas"]["73.71"]["name"].startswith("Kota Makassar <img src=x")
    drilled = client.get("/?province=73").get_data(as_text=True)
    assert "<b>" not in drilled and "Sulawesi Selatan &lt;b&gt;&amp;amp;&lt;/b&gt;" in drilled
    png = client.get("/map.png?province=73")  # the title holds '$x^{$', broken mathtext
    assert png.status_code == 200 and png.mimetype == "image/png"


def test_english_and_the_language_switch(client):
    page = client.get("/?lang=en&metric=gap").get_data(as_text=True)
    assert '<html lang="en">' in page and "Gap to target (workers)" in page
    assert 'href="?metric=gap&amp;period=' in page and ">Bahasa Indonesia<" in page


def test_embed_is_framable_and_carries_its_notes(client):
    resp = client.get("/embed?metric=informal_coverage")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert resp.headers["Content-Security-Policy"].endswith("; frame-ancestors *")
    assert "X-Frame-Options" not in resp.headers
    page = resp.get_data(as_text=True)
    # the banner first, above the title, linked to the sources (out of the frame)
    banner = page.index('id="banner"')
    assert banner < page.index('class="embed-head"') and banner < page.index('id="map"')
    assert "Angka ilustratif: " in page and 'href="/sources"' in page
    assert 'id="illustrative-note"' not in page  # no second notice at the foot
    assert 'id="source-line"' in page and 'id="map-period"' in page
    assert 'class="panel"' not in page and "priority-table" not in page
    assert map_config(page)["mode"] == "embed"


def test_embed_framing_follows_the_setting(hostile_settings):
    app = create_app(
        {
            "instance": hostile_settings.instance,
            "shapes": hostile_settings.shapes,
            "frame_ancestors": "https://intranet.example 'self'",
        }
    )
    client = app.test_client()
    csp = client.get("/embed").headers["Content-Security-Policy"]
    assert csp.endswith("; frame-ancestors https://intranet.example 'self'")
    assert client.get("/").headers["Content-Security-Policy"].endswith("; frame-ancestors 'self'")


def test_map_data_api(client, hostile_settings):
    resp = client.get("/api/map-data?province=73&metric=uncovered_informal", headers=GZIP)
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.headers["Content-Encoding"] == "gzip" and resp.headers["ETag"]
    data = json.loads(gzip.decompress(resp.data))
    codes = dataset.load_metrics(hostile_settings, "regency")["kode"]
    assert set(data["areas"]) == {k for k in codes if k.startswith("73.")}
    assert "Sulawesi Selatan" in data["title"] and data["layer"] == "regencies"
    assert data["queries"]["self"].startswith("province=73&metric=uncovered_informal")
    assert data["legend"]["entries"][-1]["hatched"] is True
    assert {d["format"] for d in data["downloads"]} >= {"geojson", "gpkg", "csv"}
    again = client.get(
        "/api/map-data?province=73&metric=uncovered_informal",
        headers={**GZIP, "If-None-Match": resp.headers["ETag"]},
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("query", "parameter", "valid"),
    [
        ("level=kecamatan", "level", "province, regency"),
        ("metric=x", "metric", "coverage, informal_coverage"),
        ("period=1999-01", "period", ", ".join(PERIODS)),
        ("segment=x", "segment", "all, wage, informal"),
        ("scheme=x", "scheme", "target, quantiles, equal_interval, natural_breaks"),
        ("k=2", "k", "3, 4, 5, 6, 7"),
        ("threshold=x", "threshold", "0"),
        ("metric=change&base=2030-01", "base", "2021-12, 2022-09"),
        ("metric=change&period=2021-12&base=2021-12", "base", "tidak ada"),
        ("base=2021-12", "base", "metric=change"),
        ("metric=informal_coverage&segment=wage", "segment", "segment=all"),
        ("outline=thick", "outline", "worst, target, threshold, none"),
        ("outline=none&threshold=40", "outline", "threshold"),
    ],
)
def test_bad_parameters_answer_400(client, query, parameter, valid):
    page = client.get(f"/?{query}")
    assert page.status_code == 400 and page.mimetype == "text/html"
    text = html.unescape(page.get_data(as_text=True))
    assert f"'{parameter}'" in text and valid in text and "tidak valid" in text
    english = client.get(f"/embed?{query}&lang=en").get_data(as_text=True)
    assert "Invalid parameter" in english
    api = client.get(f"/api/map-data?{query}&lang=en")
    assert api.status_code == 400 and api.json["code"] == "BadRequest"
    assert f"'{parameter}'" in api.json["description"]
    for route in ("/map.png", "/map.svg", "/map.pdf", "/download/map.html"):
        assert client.get(f"{route}?{query}").status_code == 400, route


def test_png(client):
    resp = client.get("/map.png?metric=gap&lang=en")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert "Content-Encoding" not in resp.headers
    assert resp.headers["Content-Disposition"].startswith('inline; filename="peta-gap-all-')
    image = imread(io.BytesIO(resp.data))
    assert image.shape[:2] == (1080, 1920)
    pixels = {
        "#{:02x}{:02x}{:02x}".format(*p)
        for p in (image[:, :, :3].reshape(-1, 3) * 255).round().astype(int)
    }
    legend = client.get("/api/map-data?metric=gap&lang=en").json["legend"]["entries"]
    for entry in legend:
        if not entry["hatched"] and entry["count"]:
            assert entry["color"] in pixels, entry
    cached = client.get(
        "/map.png?metric=gap&lang=en", headers={"If-None-Match": resp.headers["ETag"]}
    )
    assert cached.status_code == 304


@pytest.mark.parametrize(
    ("query", "shape"),
    [("", (1080, 1920)), ("size=4:3", (1080, 1440)), ("size=a4&scale=2", (2480, 3508))],
)
def test_png_sizes(client, query, shape):
    resp = client.get(f"/map.png?{query}")
    assert resp.status_code == 200 and imread(io.BytesIO(resp.data)).shape[:2] == shape


@pytest.mark.slow
def test_svg_and_pdf_of_the_same_view(client):
    svg = client.get("/map.svg?metric=gap&lang=en", headers=GZIP)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.headers["Content-Encoding"] == "gzip"  # text: compressed
    body = gzip.decompress(svg.data).decode()
    assert re.search(r'<svg[^>]* width="960pt" height="540pt"', body)
    assert re.search(r"<dc:title>Gap to target \(workers\)[^<]*</dc:title>", body)
    assert svg.headers["Content-Disposition"].endswith('-16x9.svg"')
    pdf = client.get("/map.pdf?size=4:3")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and b"/MediaBox [ 0 0 720 540 ]" in pdf.data
    assert "Content-Encoding" not in client.get("/map.pdf?size=4:3", headers=GZIP).headers
    tags = {
        client.get(url).headers["ETag"]
        for url in ("/map.png", "/map.png?size=4:3", "/map.png?scale=2", "/map.svg", "/map.pdf")
    }
    assert len(tags) == 5
    again = client.get(
        "/map.svg?metric=gap&lang=en", headers={"If-None-Match": svg.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/map.png?size=5:4", ["'size'", "16:9, 4:3, a4"]),
        ("/map.png?scale=3&lang=en", ["'scale'", "1, 2"]),
        ("/map.svg?scale=2&lang=en", ["'scale'", "SVG", "PNG only"]),
        ("/map.pdf?scale=2", ["'scale'", "PDF", "hanya untuk PNG"]),
    ],
)
def test_bad_image_parameters_answer_400(client, url, words):
    resp = client.get(url, headers={"Accept": "application/json"})
    assert resp.status_code == 400
    description = resp.json["description"]
    assert all(w in description for w in words), description


def test_offline_map_file(client):
    resp = client.get("/download/map.html?province=73&lang=en")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert resp.headers["Content-Disposition"] == (
        f'attachment; filename="peta-coverage-all-prov73-{PERIODS[-1]}.html"'
    )
    page = resp.get_data(as_text=True)
    assert '<html lang="en">' in page and "Illustrative figures: 24 of 24" in page
    assert "<script src" not in page and "<link" not in page
    cached = client.get(
        "/download/map.html?province=73&lang=en", headers={"If-None-Match": resp.headers["ETag"]}
    )
    assert cached.status_code == 304


@pytest.mark.slow
def test_the_images_and_the_offline_map_follow_their_renderers_versions(client, monkeypatch):
    from geo_coverage.maps import image, offline

    urls = ("/map.png", "/map.svg", "/download/map.html")
    before = {url: client.get(url).headers["ETag"] for url in urls}
    monkeypatch.setattr(image, "RENDERER", f"{image.RENDERER}.post1")
    monkeypatch.setattr(offline, "RENDERER", f"{offline.RENDERER}.post1")
    # A renderer's version is fixed for a process's life, so the fast path (web/replay.py)
    # does not look at it: a client asking for a fresh answer reaches the app's keys.
    fresh = {"Cache-Control": "no-cache"}
    after = {url: client.get(url, headers=fresh).headers["ETag"] for url in urls}
    assert all(before[url] != after[url] for url in urls), (before, after)


def test_the_browse_page_links_every_image_and_the_offline_map(client):
    page = html.unescape(client.get("/?metric=gap").get_data(as_text=True))
    for route, label in (
        ("/map.png", "Unduh PNG"),
        ("/map.svg", "SVG"),
        ("/map.pdf", "PDF"),
        ("/download/map.html", "Peta HTML (luring)"),
    ):
        assert re.search(
            rf'href="{re.escape(route)}\?metric=gap&period=[^"]+"\s+download>{re.escape(label)}<',
            page,
        )


def test_geometry(client, hostile_settings):
    resp = client.get("/geometry.topojson", headers=GZIP)
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.headers["Content-Encoding"] == "gzip"
    path = hostile_settings.shapes / DISPLAY_TOPOJSON
    assert resp.data == path.with_name(path.name + ".gz").read_bytes()
    topology = json.loads(gzip.decompress(resp.data))
    assert len(topology["objects"]["regencies"]["geometries"]) == 102
    assert resp.headers["Cache-Control"] == "public, max-age=60"
    page = map_config(client.get("/embed").get_data(as_text=True))
    versioned = client.get(page["geometry"], headers=GZIP)
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000"
    assert (
        client.get(
            page["geometry"], headers={**GZIP, "If-None-Match": versioned.headers["ETag"]}
        ).status_code
        == 304
    )


def test_province_detail_geometry(client, hostile_settings):
    page = map_config(client.get("/embed").get_data(as_text=True))
    assert sorted(page["detail"]) == ["71", "72", "73", "74", "75", "76", "81", "82"]
    resp = client.get(page["detail"]["73"], headers=GZIP)
    assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "gzip"
    assert resp.headers["Cache-Control"] == "public, max-age=31536000"
    topology = json.loads(gzip.decompress(resp.data))
    regencies = topology["objects"]["regencies"]["geometries"]
    districts = topology["objects"]["districts"]["geometries"]
    shp = {
        name: pyogrio.read_dataframe(hostile_settings.shapes / f"{name}.shp", read_geometry=False)
        for name in ("regencies", "districts")
    }
    assert sorted(g["id"] for g in regencies) == sorted(
        shp["regencies"].kode[shp["regencies"].prov_kode == "73"]
    )
    assert sorted(g["id"] for g in districts) == sorted(
        shp["districts"].kode[shp["districts"].prov_kode == "73"]
    )
    assert all(g["properties"]["kab_kode"] == g["id"][:5] for g in districts)
    revalidated = client.get(
        page["detail"]["73"], headers={**GZIP, "If-None-Match": resp.headers["ETag"]}
    )
    assert revalidated.status_code == 304
    other = client.get(page["detail"]["74"], headers=GZIP)
    overview = client.get(page["geometry"], headers=GZIP)
    assert len({resp.headers["ETag"], other.headers["ETag"], overview.headers["ETag"]}) == 3
    plain = client.get("/geometry/73.topojson")
    assert plain.headers["Cache-Control"] == "public, max-age=60"
    assert json.loads(plain.data) == topology
    for unknown in ("31", "7", "73.71"):
        missing = client.get(f"/geometry/{unknown}.topojson")
        assert missing.status_code == 404 and missing.is_json
        assert missing.json["description"] == (
            f"no geometry for province '{unknown}'; the region's provinces: "
            "71, 72, 73, 74, 75, 76, 81, 82"
        )


def test_assets(client):
    page = client.get("/embed").get_data(as_text=True)
    scripts = re.findall(r'<script (?:type="module" )?src="(/assets/[^"]+)"', page)
    assert [s.split("?")[0] for s in scripts] == [
        "/assets/leaflet/leaflet.js",
        "/assets/js/main.js",
    ]
    assert '<script type="module" src="/assets/js/main.js?v=' in page
    for url in scripts + re.findall(r'href="(/assets/[^"]+)"', page):
        resp = client.get(url, headers=GZIP)
        assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "gzip"
        assert resp.headers["Cache-Control"] == "public, max-age=31536000"
    image = client.get("/assets/leaflet/images/layers.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    for missing in (
        "/assets/nope.js",
        "/assets/leaflet/../../__init__.py",
        "/assets/%2e%2e/maps.py",
    ):
        assert client.get(missing).status_code == 404, missing


IMPORTS = re.compile(r"""(?:^import|\bfrom)\s+["']([^"']+)["']""", re.MULTILINE)


def test_modules_load_through_the_import_map(client):
    page = client.get("/").get_data(as_text=True)
    found = re.search(r'<script type="importmap">(.*?)</script>', page, re.DOTALL)
    assert found and page.index('type="importmap"') < page.index('rel="modulepreload"')
    imports = json.loads(found.group(1))["imports"]
    files = sorted((STATIC / "js").glob("*.js"))
    assert len(files) >= 7 and set(imports) == {f"/assets/js/{f.name}" for f in files}
    for path in files:  # each URL carries its own file's content hash: a change reloads it
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        assert imports[f"/assets/js/{path.name}"] == f"/assets/js/{path.name}?v={digest}"
    assert re.findall(r'<link rel="modulepreload" href="([^"]+)">', page) == list(imports.values())
    for plain, versioned in imports.items():
        resp = client.get(versioned)
        assert resp.status_code == 200 and resp.mimetype == "text/javascript", plain
        assert resp.headers["Cache-Control"] == "public, max-age=31536000"
        specifiers = IMPORTS.findall(resp.get_data(as_text=True))
        for specifier in specifiers:  # no import bypasses the map (and its versions)
            assert urljoin(versioned, specifier) in imports, (plain, specifier)
    main = imports["/assets/js/main.js"]
    assert len(IMPORTS.findall(client.get(main).get_data(as_text=True))) >= 6
    assert client.get("/assets/js/main.js").headers["Cache-Control"] == "public, max-age=60"


PARAMETERS = (
    "level",
    "metric",
    "segment",
    "period",
    "scheme",
    "k",
    "threshold",
    "province",
    "lang",
)


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(PARAMETERS),
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(
                [
                    "regency",
                    "province",
                    "gap",
                    "73",
                    "2025-12",
                    "natural_breaks",
                    "7",
                    "50",
                    "en",
                    "informal",
                ]
            ),
        ),
        max_size=5,
    )
)
def test_any_query_answers_200_or_400_never_500(client, query):
    resp = client.get("/api/map-data", query_string=query)
    assert resp.status_code in (200, 400), resp.data
    if resp.status_code == 400:
        assert resp.json["description"]


def test_the_view_json_names_the_baseline_and_carries_the_data_table(client, hostile_settings):
    periods = dataset.periods(hostile_settings)
    data = client.get(f"/api/map-data?metric=change&base={periods[0]}&lang=en").json
    base = format_period(periods[0], "en")
    assert data["base"] == base and data["state"]["base"] == periods[0]
    assert f"since {base}" in data["title"] and f"since {base}" in data["legend"]["title"]
    assert len(data["table"]["columns"]) == 3 and all(
        len(a["table"]) == 3 for a in data["areas"].values()
    )
    gaps = dataset.segment_gaps(hostile_settings, periods[-1])
    assert gaps and data["unavailable"] == {
        s: text(f"unavailable.{g}", "en") for s, g in gaps.items()
    }
    assert data["data_link"].startswith("/download/regency.csv?period=")
    assert dataset.data_version(hostile_settings) not in data["source"]


def test_the_browse_page_disables_what_does_not_apply(client, hostile_settings):
    page = client.get("/?metric=informal_coverage").get_data(as_text=True)
    gaps = dataset.segment_gaps(hostile_settings, dataset.periods(hostile_settings)[-1])
    assert re.search(r'<select name="segment" disabled', page)
    assert re.search(r'<select name="base" disabled', page)
    for segment, why in gaps.items():
        reason = re.escape(text(f"unavailable.{why}", "id"))
        assert re.search(rf'<option value="{segment}"\s+disabled>[^<]*\({reason}\)', page)
    assert re.search(r'<input name="threshold"[^>]*disabled', page, re.DOTALL)
    assert 'class="skip-link" href="#map"' in page and 'id="data-table"' in page
