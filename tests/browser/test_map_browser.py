"""The map pages in Debian's headless Chromium against a real waitress server, offline.

Every request that would leave the machine (the basemap tiles) is aborted, so these tests also
show that the choropleth, legend and controls render without internet.
"""

from __future__ import annotations

import re

from harness import PAINTED, Visit, wait_for
from live_server import serve

from geo_coverage.i18n import text
from geo_coverage.metrics import dataset
from geo_coverage.metrics.registry import metric_title


def test_browse_draws_every_regency_offline(visit, hostile_settings):
    v = visit("/")
    page = v.page
    assert v.paths() == 102
    assert any("tiles.example.org" in url for url in v.blocked)  # tiles tried, and blocked
    config = page.evaluate("JSON.parse(document.getElementById('map-config').textContent)")
    for kode in ("71.71", "73.06", "81.01"):
        fill = page.get_attribute(f'#map path[data-kode="{kode}"]', "fill")
        assert fill == config["data"]["areas"][kode]["fill"], kode
    classes = page.locator("#legend-body > ul:not(.keys) > li")
    assert classes.count() == len(config["data"]["legend"]["entries"])
    assert page.locator("#legend li.nodata .swatch.hatched").count() == 1
    assert page.locator(".priority-marker").count() == 10
    assert page.locator("#priority-table tbody tr").count() == 102
    assert page.locator("#map path.area-low").count() == len(config["data"]["low_areas"]) > 0
    assert page.locator("#controls select").count() == 9
    assert page.locator("#banner").is_visible()
    assert page.locator("#source-line").inner_text().startswith("Sumber:")
    assert "period=" + dataset.periods(hostile_settings)[-1] in page.url  # a permalink
    code = page.input_value("#embed-code")
    assert re.match(r'<iframe src="http://127\.0\.0\.1:\d+/embed\?period=[\d-]+" title="', code)
    assert "/map.png?period=" in page.get_attribute("#download-png", "href")
    v.assert_clean()


def test_tooltip_shows_the_figures_and_keeps_names_as_text(visit):
    v = visit("/?province=73&lang=en")
    assert v.paths() == 24
    v.page.mouse.move(*v.point_inside("73.71"))
    tooltip = v.page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    text = tooltip.inner_text()
    assert 'Kota Makassar <img src=x onerror="alert(1)"> & "Co"' in text
    for label in (
        "Coverage",
        "Active members",
        "Potential workers",
        "Coverage of informal workers (BPU)",
        "Gap to target",
        "Priority rank",
        "December 2025",
        "illustrative (modelled)",
    ):
        assert label in text, label
    assert re.search(r"\d{1,3}(,\d{3})+", text) and re.search(r"\d+\.\d %", text)
    assert tooltip.locator("img").count() == 0
    v.assert_clean()


def _geometry_requests(v: Visit) -> list[str]:
    """The geometry files a page asked for, by path."""
    return [re.sub(r"^https?://[^/]+", "", u).split("?")[0] for u in v.requests if "/geometry" in u]


def test_drill_down_changes_the_url_and_back_returns(visit):
    v = visit("/")
    page = v.page
    assert _geometry_requests(v) == ["/geometry.topojson"]  # the overview only
    page.mouse.click(*v.point_inside("73.17"))
    page.wait_for_url(re.compile(r"province=73"))
    wait_for(page, "document.querySelectorAll('#map path[data-kode]').length === 24")
    assert page.locator("#back-to-region").is_visible()
    assert page.locator("#priority-table tbody tr").count() == 24
    page.go_back()
    wait_for(page, "document.querySelectorAll('#map path[data-kode]').length === 102")
    assert "province" not in page.url
    page.go_forward()
    wait_for(page, "document.querySelectorAll('#map path[data-kode]').length === 24")
    # the province's detail is loaded on the first drill-down, then reused
    assert _geometry_requests(v) == ["/geometry.topojson", "/geometry/73.topojson"]
    v.assert_clean()


def test_a_drill_down_link_paints_from_its_province_detail_alone(visit):
    v = visit("/embed?province=74&lang=en")
    assert v.paths() == 17
    assert _geometry_requests(v) == ["/geometry/74.topojson"]
    assert all("v=" in u for u in v.requests if "/geometry" in u)  # versioned: cached a year
    v.assert_clean()


def test_table_and_map_highlight_each_other(visit):
    v = visit("/")
    page = v.page
    page.hover('#priority-table tr[data-kode="73.06"]')
    assert page.get_attribute('#map path[data-kode="73.06"]', "stroke-width") == "4.5"
    page.mouse.move(*v.point_inside("72.08"))
    page.wait_for_selector('#priority-table tr[data-kode="72.08"].hover')
    v.assert_clean()


def test_controls_change_the_view_and_the_link_reproduces_it(visit):
    v = visit("/")
    page = v.page
    page.select_option('select[name="metric"]', "gap")
    page.wait_for_url(re.compile(r"metric=gap"))
    first = page.locator("#legend-body li").first
    assert "0 (target tercapai)" in first.inner_text()
    assert page.inner_text("#view-title").startswith("Kesenjangan terhadap target")
    page.select_option('select[name="outline"]', "threshold")  # asks for the number first
    page.fill('input[name="threshold"]', "45")
    page.press('input[name="threshold"]', "Enter")
    page.wait_for_url(re.compile(r"threshold=45"))
    wait_for(page, "document.getElementById('low-title').textContent === 'Di bawah 45,0 %'")
    low = int(page.inner_text("#low-count"))
    assert 0 < low == page.locator("#map path.area-low").count() < 102
    page.select_option('select[name="level"]', "province")
    wait_for(page, "document.querySelectorAll('#map path[data-kode]').length === 8")
    assert "/download/province.geojson" in page.get_attribute("#download-links a", "href")
    link = page.url
    again = visit(link)
    assert (
        again.paths() == 8
        and "0 (target tercapai)" in again.page.locator("#legend-body li").first.inner_text()
    )
    assert again.page.input_value('select[name="metric"]') == "gap"
    v.assert_clean()
    again.assert_clean()


def test_embed_renders_in_an_iframe_of_another_origin(visit, app_url):
    def host(environ, start_response):
        body = (
            f"<!doctype html><title>intranet</title><h1>Rapat</h1>"
            f'<iframe src="{app_url}/embed?metric=informal_coverage" title="peta" '
            f'width="420" height="300"></iframe>'
            f'<iframe src="{app_url}/embed?level=province&lang=en" title="map" '
            f'width="960" height="640"></iframe>'
        ).encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body]

    with serve(host, threads=2) as host_url:
        assert host_url.split(":")[-1] != app_url.split(":")[-1]
        v = visit(host_url + "/", width=1500, height=1000, wait=False)
        for index, (width, height, areas) in enumerate([(420, 300, 102), (960, 640, 8)]):
            frame = v.page.frame_locator("iframe").nth(index)
            frame.locator(PAINTED).wait_for(state="attached", timeout=20_000)
            assert frame.locator("#map path[data-kode]").count() == areas
            page_box = frame.locator(".map-wrap").bounding_box()
            assert (round(page_box["width"]), round(page_box["height"])) == (width, height)
            box = frame.locator("#map").bounding_box()
            assert round(box["width"]) == width and box["height"] >= 0.6 * height
            for part in (
                "#map-title",
                "#map-period",
                "#legend",
                "#source-line",
                "#banner",
            ):
                assert frame.locator(part).is_visible(), part
        v.assert_clean()


def test_areas_without_data_are_hatched(visit):
    v = visit("/embed?metric=change&period=2021-12&lang=en")  # no earlier period: no change
    fills = v.page.eval_on_selector_all(
        "#map path[data-kode]", "paths => paths.map(p => p.getAttribute('fill'))"
    )
    assert len(fills) == 102 and set(fills) == {"url(#nodata-hatch)"}
    no_data = v.page.locator("#legend li.nodata")
    assert "No data" in no_data.inner_text() and "102" in no_data.inner_text()
    assert v.page.locator("#nodata-hatch line").count() == 1
    v.assert_clean()


def test_modules_load_once_each_by_their_versioned_urls(visit, app_url):
    v = visit("/?province=73")
    page = v.page
    imports = page.evaluate(
        "JSON.parse(document.querySelector('script[type=importmap]').textContent).imports"
    )
    modules = sorted(url for url in v.requests if "/assets/js/" in url)
    assert modules == sorted(app_url + url for url in imports.values())
    assert all(re.search(r"\.js\?v=[0-9a-f]{16}$", url) for url in modules)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("#copy-embed")
    wait_for(
        page,
        "(done) => document.getElementById('copy-embed').textContent === done",
        arg=text("copied", "id"),
    )
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.input_value("#embed-code") and "/embed?province=73" in copied
    page.mouse.click(*v.point_inside("73.06"))  # inside a province, a click selects the area
    page.wait_for_selector('#priority-table tr[data-kode="73.06"].selected')
    page.mouse.move(1, 1)  # over the panel: the selected area stays highlighted
    assert page.get_attribute('#map path[data-kode="73.06"]', "stroke-width") == "4.5"
    page.focus('#priority-table tr[data-kode="73.71"]')
    page.keyboard.press("Enter")  # so does Enter on a row, and the map zooms to the area
    selected = page.locator("#priority-table tr.selected")
    assert selected.count() == 1 and selected.get_attribute("data-kode") == "73.71"
    assert page.get_attribute('#map path[data-kode="73.71"]', "stroke-width") == "4.5"
    assert page.get_attribute('#map path[data-kode="73.06"]', "stroke-width") != "4.5"
    v.assert_clean()


def test_a_slow_older_view_never_replaces_a_newer_one(visit):
    v = visit("/")
    page = v.page
    held, ended = [], []
    page.on("requestfinished", lambda r: ended.append(r.url))
    page.on("requestfailed", lambda r: ended.append(r.url))

    def hold_the_gap_view(route):
        if "metric=gap" in route.request.url:
            held.append(route)  # answered below, once the newer view is drawn
        else:
            route.continue_()

    def wait_until(condition) -> None:
        for _ in range(500):
            if condition():
                return
            page.wait_for_timeout(10)
        raise AssertionError("timed out")

    entries = page.evaluate("history.length")
    page.route("**/api/map-data?*", hold_the_gap_view)
    page.select_option('select[name="metric"]', "gap")
    wait_until(lambda: held)
    page.select_option('select[name="metric"]', "informal_coverage")
    title = metric_title("informal_coverage", "id")
    shown = "(title) => document.querySelector('#legend h2').textContent === title"
    wait_for(page, shown, arg=title)
    stale = held[0].request
    held[0].continue_()  # the older answer arrives last (unless the page gave up on it)
    wait_until(lambda: stale.url in ended)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")
    assert page.inner_text("#legend h2") == title
    assert page.inner_text("#view-title").startswith(title)
    assert page.input_value('select[name="metric"]') == "informal_coverage"
    assert "metric=informal_coverage" in page.url and page.evaluate("history.length") == entries + 1
    assert v.errors == [] and v.failed in ([], [stale.url])  # superseded: aborted, no error
    assert page.locator("#status").is_hidden()
