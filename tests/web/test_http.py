"""Cached, conditional, compressed answers: encodings, revalidation, ranges, single flight,
bounded memory and bounded rendering, through the Flask test client over the session build."""

import gzip
import threading
import time
from datetime import datetime

import brotli
import pytest

from geo_coverage import create_app
from geo_coverage.enrollment.backend import open_store
from geo_coverage.gis import downloads, ogc
from geo_coverage.maps import image, offline
from geo_coverage.maps import view as map_view
from geo_coverage.web import assets, health
from geo_coverage.web.http import EXTENSION

ITEMS = "/ogc/collections/regencies/items?limit=1000"


def _app(settings, **extra):
    """An app of its own (its own cache) over the session build."""
    return create_app({"instance": settings.instance, "shapes": settings.shapes, **extra})


@pytest.fixture
def app(served_settings):
    """A fresh app per test, so that every test starts with an empty cache."""
    return _app(served_settings)


def _state(app):
    """The app's cache, render slots and memos."""
    return app.extensions[EXTENSION]


def test_encodings_follow_accept_encoding_and_each_has_its_etag(app):
    client = app.test_client()
    plain = client.get(ITEMS, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    packed = client.get(ITEMS, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    best = client.get(ITEMS, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert best.headers["Content-Encoding"] == "br"
    assert brotli.decompress(best.data) == plain.data
    tags = {r.headers["ETag"] for r in (plain, packed, best)}
    assert len(tags) == 3
    for refused in ("gzip;q=0", "br;q=0, gzip;q=0", "identity"):
        resp = client.get(ITEMS, headers={"Accept-Encoding": refused})
        assert "Content-Encoding" not in resp.headers, refused
        assert resp.data == plain.data
    only_gzip = client.get(ITEMS, headers={"Accept-Encoding": "br;q=0, gzip"})
    assert only_gzip.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in plain.headers["Vary"]


def test_big_bodies_are_compressed_once(app):
    client = app.test_client()
    client.get(ITEMS, headers={"Accept-Encoding": "gzip"})
    cache = _state(app).cache
    (tag,) = [t for t, e in cache._entries.items() if e.encoded]
    kept = cache.get(tag).encoded["gzip"]
    again = client.get(ITEMS, headers={"Accept-Encoding": "gzip"})
    assert again.data is not None and again.data == kept
    assert cache.get(tag).encoded["gzip"] is kept  # the same bytes object: not recompressed


@pytest.mark.slow
def test_revalidation_computes_nothing_even_with_a_cold_cache(app, monkeypatch):
    client = app.test_client()
    urls = (
        ITEMS,
        "/ogc/collections/regencies/items/73.71",
        "/download/regency.csv",
        "/api/map-data?metric=gap",
        "/map.png",
        "/map.svg?size=4:3",
        "/download/map.html?province=74",
    )
    tags = {
        url: client.get(url, headers={"Accept-Encoding": "gzip"}).headers["ETag"] for url in urls
    }
    modified = client.get("/download/regency.csv").headers["Last-Modified"]
    _state(app).reset()

    def fail(*_args, **_kwargs):
        raise AssertionError("a revalidation must not compute the body")

    for module, name in (
        (ogc, "items"),
        (ogc, "item"),
        (downloads, "produce"),
        (map_view, "load_view"),
        (image, "render"),
        (offline, "render_html"),
    ):
        monkeypatch.setattr(module, name, fail)
    for url, tag in tags.items():
        resp = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
        assert resp.status_code == 304 and resp.data == b"", url
        assert resp.headers["ETag"] == tag
    since = client.get("/download/regency.csv", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    assert len(_state(app).cache) == 0


def test_byte_ranges_on_downloads_and_the_geometry(app):
    client = app.test_client()
    whole = client.get("/download/regency.gpkg", headers={"Accept-Encoding": "gzip, br"})
    assert whole.headers["Accept-Ranges"] == "bytes" and "Content-Encoding" not in whole.headers
    assert whole.data[:16] == b"SQLite format 3\x00"
    part = client.get("/download/regency.gpkg", headers={"Range": "bytes=100-1123"})
    assert part.status_code == 206 and part.data == whole.data[100:1124]
    assert part.headers["Content-Range"] == f"bytes 100-1123/{len(whole.data)}"
    tail = client.get("/download/regency.gpkg", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == whole.data[-10:]
    beyond = client.get("/download/regency.gpkg", headers={"Range": f"bytes={len(whole.data)}-"})
    assert beyond.status_code == 416
    stale = client.get(
        "/download/regency.gpkg", headers={"Range": "bytes=0-9", "If-Range": '"not-the-etag"'}
    )
    assert stale.status_code == 200 and stale.data == whole.data
    geometry = client.get("/geometry.topojson")
    first = client.get(
        "/geometry.topojson", headers={"Range": "bytes=0-99", "Accept-Encoding": "gzip"}
    )
    assert first.status_code == 206 and "Content-Encoding" not in first.headers
    assert first.data == geometry.data[:100]


@pytest.mark.parametrize(
    ("url", "mimetype"),
    [
        ("/download/regency.shp.zip", "application/zip"),
        ("/download/regency.gpkg", "application/geopackage+sqlite3"),
        ("/map.png", "image/png"),
    ],
)
def test_packed_formats_are_not_recompressed(app, url, mimetype):
    resp = app.test_client().get(url, headers={"Accept-Encoding": "gzip, br"})
    assert resp.status_code == 200 and resp.mimetype == mimetype
    assert "Content-Encoding" not in resp.headers


def test_concurrent_cold_requests_compute_once(app, monkeypatch):
    calls = []
    produce = downloads.produce

    def slow(*args, **kwargs):
        calls.append(threading.get_ident())
        time.sleep(0.3)  # long enough for every request to arrive while it runs
        return produce(*args, **kwargs)

    monkeypatch.setattr(downloads, "produce", slow)
    start = threading.Barrier(8)
    bodies = []

    def fetch():
        client = app.test_client()
        start.wait()
        bodies.append(client.get("/download/province.geojson?segment=wage").data)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len(bodies) == 8 and len(set(bodies)) == 1
    stats = _state(app).cache.stats
    assert stats.computed == 1 and stats.misses == 1 and stats.waited + stats.hits == 7


@pytest.mark.slow
def test_the_cache_is_bounded_in_bytes(served_settings):
    app = _app(served_settings, cache_mb=1)
    client = app.test_client()
    for segment in ("all", "wage", "informal"):
        client.get(f"/download/regency.csv?segment={segment}")
        client.get(f"/download/province.geojson?segment={segment}")
    big = client.get("/download/regency.geojson")  # about 2 MB: served, not kept
    assert big.status_code == 200 and len(big.data) > 1024 * 1024
    cache = _state(app).cache
    assert 0 < cache.held_bytes <= 1024 * 1024
    assert cache.stats.evicted > 0
    _state(app).reset()
    assert len(cache) == 0 and cache.held_bytes == 0


@pytest.mark.slow
def test_missing_assets_are_not_remembered(app):
    client = app.test_client()
    assert client.get("/assets/map.css").status_code == 200
    kept = assets._load.cache_info().currsize
    entries = len(_state(app).cache)
    for i in range(5000):
        assert client.get(f"/assets/missing-{i}.js").status_code == 404
    assert assets._load.cache_info().currsize == kept
    assert len(_state(app).cache) == entries


@pytest.mark.slow
def test_png_rendering_is_bounded_and_healthz_stays_fast(served_settings, monkeypatch):
    app = _app(served_settings, render_slots=1)
    client = app.test_client()
    gate = _state(app).renders
    monkeypatch.setattr(gate, "wait_s", 0.2)
    drawn = ("/map.png", "/map.svg", "/map.pdf", "/download/map.html")
    with gate.hold("drawing elsewhere"):  # the only slot is busy
        for route in drawn:
            busy = client.get(f"{route}?metric=gap&lang=en")
            assert busy.status_code == 503 and busy.headers["Retry-After"] == "1", route
            assert "busy drawing other maps" in busy.get_data(as_text=True)
        began = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        assert time.perf_counter() - began < 1
    for route in drawn:
        assert client.get(f"{route}?metric=gap&lang=en").status_code == 200, route


def test_healthz_reads_the_report_only_when_it_changes(served_settings, monkeypatch, tmp_path):
    calls = []
    real = health.is_built
    monkeypatch.setattr(health, "is_built", lambda shapes: calls.append(1) or real(shapes))
    client = _app(served_settings).test_client()
    for _ in range(5):
        assert client.get("/healthz").json["status"] == "ok"
    assert len(calls) == 1
    empty = create_app({"shapes": tmp_path / "none", "instance": tmp_path}).test_client()
    resp = empty.get("/healthz")
    assert resp.status_code == 503 and resp.json["status"] == "degraded"


def test_every_period_in_one_file_is_capped(served_settings):
    client = _app(served_settings, max_features=200).test_client()
    resp = client.get("/download/regency.gpkg?period=all")
    assert resp.status_code == 400
    text = resp.json["description"]
    assert "200" in text and "GEO_COVERAGE_MAX_FEATURES" in text and "period=YYYY-MM" in text
    assert client.get("/download/province.gpkg?period=all").status_code == 200


@pytest.mark.slow
def test_ogc_pages_carry_no_timestamp_and_say_when_the_data_changed(app, served_settings):
    """A cached page is served long after it was made: it omits timeStamp (optional in OGC API
    – Features) rather than state a time it was not made at; Last-Modified says when the data
    changed, and the same data give the same bytes."""
    client = app.test_client()
    first = client.get(ITEMS)
    assert "timeStamp" not in first.json
    time.sleep(1.1)
    _state(app).reset()
    again = client.get(ITEMS)
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    changed = open_store(served_settings).current_version().changed_at
    assert first.last_modified >= datetime.fromisoformat(changed.replace("Z", "+00:00"))
