"""The offline map file: one HTML file that refers to nothing outside itself, carries the view's
choropleth, legend, tooltips, banner and source line, escapes stored names, and is the same
bytes for the same view."""

import json
import re
from html.parser import HTMLParser

import pytest

from geo_coverage.maps import offline
from geo_coverage.maps import view as map_view
from geo_coverage.maps.state import parse_view
from geo_coverage.metrics import dataset

URL = re.compile(r"https?://[^\s\"'<>)\\]+")
# Addresses that may appear in the file and are never fetched: the SVG namespace (an identifier
# Leaflet's script uses) and Leaflet's attribution link, written into the attribution text.
NOT_FETCHED = {"http://www.w3.org/2000/svg", "https://leafletjs.com"}
LOADING_ATTRIBUTES = ("src", "href", "srcset", "data", "action", "poster", "background")


class _Page(HTMLParser):
    """Tags with their attributes, and the text of every script and style element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._inside: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._inside = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag):
        self._inside = None

    def handle_data(self, data):
        if self._inside == "script":
            self.scripts.append(data)
        elif self._inside == "style":
            self.styles.append(data)
        else:
            self.text.append(data)


def _render(settings, query: dict) -> tuple[bytes, map_view.MapView]:
    """The offline file of a view on the real data."""
    view = map_view.load_view(
        settings, parse_view(query, dataset.periods(settings), settings.region.provinces)
    )
    source = map_view.source_line(settings, view.state.lang)
    return offline.render_html(view, settings, source), view


def _parse(body: bytes) -> _Page:
    """The parsed page."""
    page = _Page()
    page.feed(body.decode("utf-8"))
    return page


@pytest.fixture(scope="module")
def regency(served_settings):
    return _render(served_settings, {})


def test_nothing_outside_the_file_is_referred_to(regency):
    body, _view = regency
    page = _parse(body)
    assert not [t for t, a in page.tags if t == "link" or (t == "script" and "src" in a)]
    for tag, attributes in page.tags:
        for name in LOADING_ATTRIBUTES:
            value = attributes.get(name) or ""
            assert not URL.match(value.strip()), f"<{tag} {name}={value}>"
        assert "url(" not in (attributes.get("style") or ""), tag
    for style in page.styles:
        without_comments = re.sub(r"/\*.*?\*/", "", style, flags=re.DOTALL)
        assert "@import" not in without_comments
        for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", without_comments):
            assert target.startswith(("data:", "#")), target
    for script in page.scripts:
        assert set(URL.findall(script)) <= NOT_FETCHED, set(URL.findall(script)) - NOT_FETCHED
    assert "L.tileLayer" not in body.decode() and "tile.openstreetmap" not in body.decode()


def test_the_view_is_in_the_file(regency):
    body, view = regency
    text = body.decode("utf-8")
    page = _parse(body)
    words = " ".join(" ".join(page.text).split())
    assert f'<html lang="{view.state.lang}">' in text
    assert f"<title>{view.title}</title>" in text and view.title in words
    assert view.banner in words and "Sumber: data kepesertaan per" in words
    for entry in view.legend:
        assert f"{entry.label} ({entry.count})" in words
    assert view.outline_rule in words
    by_kode = {a.kode: a for a in view.areas}
    for rank, kode, _lon, _lat in view.priorities:
        area = by_kode[kode]
        assert f"{rank} {map_view.short_name(area.nama)} {area.table[0][0]}" in words
    data = _embedded(text)
    assert len(data["features"]) == len(view.areas) == 102
    fills = {f["properties"]["kode"] for f in data["features"]}
    assert fills == {a.kode for a in view.areas}
    for feature in data["features"][:5]:
        coordinates = json.dumps(feature["geometry"]["coordinates"])
        assert not re.search(r"\d\.\d{4,}", coordinates), "coordinates beyond 3 decimals"
    for area in view.areas:
        assert area.fill in text  # each class colour is in the style function
    tooltip = re.search(r"let aliases = (\[.*?\]);", text)
    assert json.loads(tooltip.group(1))[:2] == ["Wilayah", "Provinsi"]


def _embedded(text: str) -> dict:
    """The GeoJSON folium adds to the map."""
    start = text.index("_add({") + len("_add(")
    return json.loads(text[start : text.index(");\n", start)])


def test_the_same_view_gives_the_same_bytes(regency, served_settings):
    body, _view = regency
    again, _ = _render(served_settings, {})
    assert again == body
    assert not re.search(rb"_[0-9a-f]{32}\b", body), "folium's random names were left"


def test_stored_names_are_escaped(hostile_settings):
    body, view = _render(hostile_settings, {"province": "73", "lang": "en"})
    text = body.decode("utf-8")
    assert "<img" not in text and "<b>" not in text
    assert "Sulawesi Selatan &lt;b&gt;&amp;amp;&lt;/b&gt; $x^{$" in text  # title and heading
    assert view.state.lang == "en" and '<html lang="en">' in text
