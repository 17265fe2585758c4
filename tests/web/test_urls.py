"""Every internal link comes from url_for: served below a path prefix, every link keeps it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from geo_coverage import create_app

PREFIX = "/geo"  # as when a proxy mounts the service at https://intranet.example/geo/
HOST = "http://localhost"


@pytest.fixture(scope="module")
def client(served_settings):
    """A test client of the app mounted below PREFIX."""
    app = create_app(
        {"instance": served_settings.instance, "shapes": served_settings.shapes, "tiles": "none"}
    )
    return app.test_client()


def _get(client, path: str):
    """A GET of a path below the prefix."""
    return client.get(path, base_url=f"{HOST}{PREFIX}")


def _page_links(page: str) -> list[str]:
    """The href and src values of a page that lead somewhere else in the app."""
    links = re.findall(r'(?:href|src)="([^"]+)"', page)
    return [link for link in links if not link.startswith(("?", "data:", "#"))]


@pytest.mark.parametrize("path", ["/", "/embed?lang=en", "/ogc/api.html", "/nowhere?lang=en"])
def test_pages_link_below_the_prefix(client, path):
    page = _get(client, path).get_data(as_text=True)
    links = _page_links(page)
    assert links, path
    for link in links:
        assert link.startswith((f"{PREFIX}/", f"{HOST}{PREFIX}/")), (path, link)


def test_the_error_page_leads_back_to_the_map_in_its_language(client):
    english = _get(client, "/nowhere?lang=en").get_data(as_text=True)
    assert f'<a href="{PREFIX}/?lang=en">Back to the map</a>' in english
    indonesian = _get(client, "/nowhere").get_data(as_text=True)
    assert f'<a href="{PREFIX}/">Kembali ke peta</a>' in indonesian


@pytest.mark.slow
def test_the_map_script_talks_to_routes_below_the_prefix(client):
    page = _get(client, "/").get_data(as_text=True)
    paths = re.search(r'"paths": (\{[^}]*\})', page)[1]
    for url in re.findall(r'"(/[^"]*)"', paths):
        assert url.startswith(f"{PREFIX}/"), url
        assert _get(client, url.removeprefix(PREFIX)).status_code == 200, url
    for link in re.findall(r'"url": "([^"]+)"', page):  # the download links
        assert link.startswith(f"{PREFIX}/download/"), link


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    ["/ogc", "/ogc/collections", "/ogc/collections/regencies", "/ogc/collections/regencies/items",
     "/ogc/collections/regencies/items/73.71"],
)  # fmt: skip
def test_ogc_links_are_absolute_below_the_prefix(client, path):
    doc = _get(client, path).get_json(force=True)
    links = [*doc.get("links", []), *(x for c in doc.get("collections", []) for x in c["links"])]
    for feature in doc.get("features", []):
        links += feature.get("links", [])
    assert links, path
    followed = set()
    for link in links:
        parts = urlsplit(link["href"])
        assert f"{parts.scheme}://{parts.netloc}" == HOST and parts.path.startswith(PREFIX), link
        target = parts.path.removeprefix(PREFIX) + (f"?{parts.query}" if parts.query else "")
        # one link of each kind is followed: the collections of other periods and segments
        # differ only in those (a few hundred files otherwise)
        kind = re.sub(r"\d{4}-\d{2}|(wage|informal|construction|migrant)\b", "", target)
        if kind not in followed:
            followed.add(kind)
            assert _get(client, target).status_code == 200, link


def test_the_openapi_server_is_below_the_prefix(client):
    assert _get(client, "/ogc/api").get_json(force=True)["servers"] == [
        {"url": f"{HOST}{PREFIX}/ogc"}
    ]
