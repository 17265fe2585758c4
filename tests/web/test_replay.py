"""The fast path (web/replay.py): an anonymous GET the app has answered before is replayed
byte for byte without reaching Flask, only while the versions are the same, and never for a
request or an answer that depends on who asks."""

import gzip

import pytest
from enrollment_helpers import copy_store

from geo_coverage import create_app
from geo_coverage.enrollment.importer import import_file
from geo_coverage.web.http import EXTENSION

ROUTES = (
    "/embed?province=73",
    "/api/map-data?metric=gap",
    "/ogc/collections/regencies/items?limit=5",
    "/download/regency.csv",
    "/?lang=en",
)


def _counted(app):
    """The app, and a list of the paths of the requests that passed the fast path."""
    seen: list[str] = []
    fast = app.wsgi_app
    inner = fast.wsgi_app

    def counting(environ, start_response):
        seen.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    fast.wsgi_app = counting
    return app, seen


@pytest.fixture
def app(served_settings):
    """A fresh app (empty caches) over the session build, counting what reaches Flask."""
    return _counted(
        create_app({"instance": served_settings.instance, "shapes": served_settings.shapes})
    )


def _answer(resp):
    """What a client gets: status, headers and body."""
    return resp.status, sorted(resp.headers.items()), resp.data


@pytest.mark.parametrize("url", ROUTES)
def test_a_repeated_anonymous_get_is_replayed_byte_for_byte(app, url):
    flask_app, seen = app
    client = flask_app.test_client()
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and len(seen) == 1
    again = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert len(seen) == 1, "the second request reached Flask"
    assert _answer(again) == _answer(first)
    assert "Content-Security-Policy" in again.headers


def test_each_encoding_accept_and_host_is_its_own_answer(app):
    flask_app, seen = app
    client = flask_app.test_client()
    url = "/api/map-data?metric=gap"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert len(seen) == 2 and gzip.decompress(packed.data) == plain.data
    assert client.get(url, headers={"Accept-Encoding": "identity"}).data == plain.data
    assert client.get(url, headers={"Accept-Encoding": "gzip"}).data == packed.data
    assert len(seen) == 2
    items = "/ogc/collections/regencies?f=json"
    alpha = client.get(items, base_url="http://alpha.example")
    beta = client.get(items, base_url="http://beta.example")
    assert b"//alpha.example/" in alpha.data and b"//beta.example/" in beta.data
    assert b"//alpha.example/" not in beta.data
    html = client.get("/ogc/collections/regencies", headers={"Accept": "text/html"})
    json_ = client.get("/ogc/collections/regencies", headers={"Accept": "application/json"})
    assert html.mimetype == "text/html" and json_.mimetype == "application/json"


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer not-a-token"},
        {"If-None-Match": '"abc"'},
        {"If-Modified-Since": "Sat, 28 Nov 2026 00:00:00 GMT"},
        {"Range": "bytes=0-9"},
        {"Cache-Control": "no-cache"},
    ],
)
def test_requests_that_depend_on_who_or_what_the_client_has_go_to_flask(app, headers):
    flask_app, seen = app
    client = flask_app.test_client()
    url = "/download/regency.csv"
    client.get(url)
    client.get(url, headers=headers)
    client.get(url, headers=headers)
    assert len(seen) == 3


def test_long_urls_are_answered_but_not_kept(app):
    flask_app, seen = app
    client = flask_app.test_client()
    url = "/api/map-data?metric=gap&" + "&".join("metric=gap" for _ in range(600))  # 6.6 KB
    for _ in range(2):
        assert client.get(url).status_code == 200
    assert len(seen) == 2 and len(flask_app.extensions[EXTENSION].replays) == 0


def test_a_request_with_a_cookie_goes_to_flask(app):
    flask_app, seen = app
    client = flask_app.test_client()
    url = "/download/regency.csv"
    client.get(url)
    client.set_cookie("session", "anything")
    client.get(url)
    assert len(seen) == 2


def test_a_bad_token_is_refused_even_when_the_answer_is_kept(app):
    flask_app, _ = app
    client = flask_app.test_client()
    url = "/api/map-data?metric=gap"
    assert client.get(url).status_code == 200
    refused = client.get(url, headers={"Authorization": "Bearer not-a-token"})
    assert refused.status_code == 401


def test_private_mode_and_signed_links_are_never_replayed(served_settings):
    private, seen = _counted(
        create_app(
            {
                "instance": served_settings.instance,
                "shapes": served_settings.shapes,
                "private": True,
            }
        )
    )
    client = private.test_client()
    for _ in range(2):
        assert client.get("/api/map-data").status_code == 401
    assert len(private.extensions[EXTENSION].replays) == 0 and len(seen) == 2


def test_an_answer_is_replayed_only_while_its_data_version_is_active(served_settings, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    copy_store(served_settings.store_path, instance / "coverage.gpkg")
    flask_app, seen = _counted(create_app({"instance": instance, "shapes": served_settings.shapes}))
    client = flask_app.test_client()
    url = "/download/regency.csv?period=2025-12&segment=informal"
    before = client.get(url)
    assert client.get(url).data == before.data and len(seen) == 1
    table = tmp_path / "figures.csv"
    table.write_text(
        "kode,period,segment,potential_workers,active_members,source\n"
        "73.71,2025-12,informal,200000,123457,office\n"
    )
    settings = flask_app.config["SETTINGS"]
    import_file(settings, table)
    after = client.get(url)
    assert len(seen) == 2, "an answer of the old version was replayed"
    assert after.headers["ETag"] != before.headers["ETag"]
    row = next(line for line in after.data.decode().splitlines() if line.startswith("73.71,"))
    assert "123457" in row
    assert client.get(url).data == after.data and len(seen) == 2


def test_the_kept_answers_are_bounded_in_bytes_and_reset_with_the_app(served_settings):
    small, seen = _counted(
        create_app(
            {"instance": served_settings.instance, "shapes": served_settings.shapes, "cache_mb": 1}
        )
    )
    client = small.test_client()
    replays = small.extensions[EXTENSION].replays
    for province in ("71", "72", "73", "74", "75", "76", "81", "82"):
        client.get(f"/download/regency.csv?province={province}")
        client.get(f"/api/map-data?province={province}")
    assert 0 < replays.held_bytes <= replays.max_bytes == 1024 * 1024 // 4
    small.extensions[EXTENSION].reset()
    assert len(replays) == 0
