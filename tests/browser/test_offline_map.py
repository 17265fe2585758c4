"""The offline map file (/download/map.html) saved to disk and opened from a file:// URL in
headless Chromium with the network off: it draws the choropleth, legend, tooltips, banner and
source line from what it holds, at a desktop, a tablet and a phone size."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from geo_coverage.maps import view as map_view
from geo_coverage.maps.state import parse_view
from geo_coverage.metrics import dataset

VIEWPORTS = [(1440, 900), (768, 1024), (375, 667)]
# Each drawn area's code, fill and whether it shows on screen, read from Leaflet's layers.
AREAS = """() => {
  const layers = [];
  for (const value of Object.values(window)) {
    if (value instanceof L.GeoJSON) { value.eachLayer(l => layers.push(l)); }
  }
  return layers.map(l => [l.feature.properties.kode, l._path.getAttribute('fill')]);
}"""
# A point of an area's path on screen where that path is the topmost element.
POINT_INSIDE = """(kode) => {
  let path = null;
  for (const value of Object.values(window)) {
    if (value instanceof L.GeoJSON) {
      value.eachLayer(l => { if (l.feature.properties.kode === kode) { path = l._path; } });
    }
  }
  const box = path.getBoundingClientRect();
  for (let i = 1; i < 24; i++) {
    for (let j = 1; j < 24; j++) {
      const x = box.left + box.width * i / 24, y = box.top + box.height * j / 24;
      if (document.elementFromPoint(x, y) === path) { return [x, y]; }
    }
  }
  return null;
}"""


def _save(app_url: str, query: str, folder) -> str:
    """The file the server gives for a view, saved to disk; its file:// URL."""
    from urllib.request import urlopen

    with urlopen(f"{app_url}/download/map.html?{query}") as resp:  # the local test server
        assert resp.status == 200
        path = folder / "map.html"
        path.write_bytes(resp.read())
    return path.as_uri()


def _open(browser, url: str, width: int, height: int):
    """The file opened with the network off; the page, its errors and every request that
    was not for the file itself."""
    context = browser.new_context(viewport={"width": width, "height": height}, offline=True)
    page = context.new_page()
    errors: list[str] = []
    others: list[str] = []
    page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: r.url.startswith(("file:", "data:")) or others.append(r.url))
    page.goto(url, wait_until="load")
    page.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane path').length > 0")
    return context, page, errors, others


def _view(settings, query: dict):
    """The view model the file was made from."""
    return map_view.load_view(
        settings, parse_view(query, dataset.periods(settings), settings.region.provinces)
    )


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=lambda v: str(v))
def test_the_file_draws_offline_from_disk(
    browser, app_url, hostile_settings, tmp_path, width, height
):
    url = _save(app_url, "", tmp_path)
    view = _view(hostile_settings, {})
    context, page, errors, others = _open(browser, url, width, height)
    try:
        drawn = dict(page.evaluate(AREAS))
        assert drawn == {a.kode: a.fill if a.cls >= 0 else "url(#nodata-hatch)" for a in view.areas}
        shown = page.locator(".leaflet-overlay-pane path").first.bounding_box()
        assert shown is not None and shown["width"] > 0
        map_box = page.locator(".folium-map").bounding_box()
        beside = width > 720  # the legend beside the map; below it on a phone
        assert map_box["width"] >= (0.6 if beside else 1.0) * width - 1
        assert map_box["height"] >= 300
        assert page.locator("header h1").inner_text() == view.title
        assert page.locator(".banner").inner_text() == view.banner
        legend = page.locator("aside").inner_text()
        for entry in view.legend:
            assert f"{entry.label} ({entry.count})" in legend
        assert page.locator("aside ol li").count() == len(view.priorities) == 10
        assert page.locator("footer").inner_text().startswith("Sumber: data kepesertaan per")
        for part in ("header", "aside", "footer"):  # shown whole, nothing cut off sideways
            found = page.locator(part).bounding_box()
            assert found["height"] > 0 and found["x"] >= 0, part
            assert found["x"] + found["width"] <= width, part
            scroll = page.locator(part).evaluate("e => e.scrollHeight - e.clientHeight")
            assert scroll == 0 or (part == "aside" and beside), part  # a tall legend scrolls
        aside = page.locator("aside").bounding_box()
        if not beside:
            assert aside["y"] >= map_box["y"] + map_box["height"] - 1  # under the map
        assert "user-scalable=no" not in page.content()  # people can zoom the page
        violations = Axe().run(page).response["violations"]
        assert [(v["impact"], v["id"]) for v in violations] == []  # none at all, not even minor
        assert page.get_by_role("main").get_attribute("aria-label") == f"Peta: {view.title}"
        assert others == [] and errors == []
    finally:
        context.close()


def test_tooltips_show_the_figures_and_keep_names_as_text(
    browser, app_url, hostile_settings, tmp_path
):
    url = _save(app_url, "province=73&lang=en", tmp_path)
    view = _view(hostile_settings, {"province": "73", "lang": "en"})
    makassar = next(a for a in view.areas if a.kode == "73.71")
    context, page, errors, others = _open(browser, url, 1440, 900)
    try:
        assert page.locator("html").get_attribute("lang") == "en"
        point = page.evaluate(POINT_INSIDE, "73.71")
        assert point, "Kota Makassar is not visible"
        page.mouse.move(*point)
        tooltip = page.locator(".leaflet-tooltip")
        tooltip.wait_for()
        words = tooltip.inner_text()
        assert makassar.nama in words and makassar.prov_nama in words
        for label, cell in zip(view.fields, makassar.cells, strict=True):
            assert label in words and cell in words, label
        assert tooltip.locator("img").count() == 0  # a stored name is text, not markup
        assert page.locator("footer").inner_text().startswith("Source:")
        assert others == [] and errors == []
    finally:
        context.close()


def test_a_key_entry_zooms_to_its_area_and_opens_its_tooltip(
    browser, app_url, hostile_settings, tmp_path
):
    url = _save(app_url, "lang=en", tmp_path)
    view = _view(hostile_settings, {"lang": "en"})
    by_kode = {a.kode: a for a in view.areas}
    context, page, errors, others = _open(browser, url, 1440, 900)
    try:
        zoom = "Object.values(window).find(v => v instanceof L.Map).getZoom()"
        before = page.evaluate(zoom)
        for rank, kode, _lon, _lat in view.priorities[:3]:
            entry = page.locator(f'aside button[data-kode="{kode}"]')
            assert entry.inner_text().split()[0] == str(rank)
            entry.focus()
            page.keyboard.press("Enter")  # a button: the keyboard reaches it too
            tooltip = page.locator(".leaflet-tooltip")
            tooltip.wait_for()
            assert by_kode[kode].nama in tooltip.inner_text()
            page.wait_for_function(f"{zoom} > {before}")
        assert others == [] and errors == []
    finally:
        context.close()
