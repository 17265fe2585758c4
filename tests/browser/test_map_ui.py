"""Issue 12 in headless Chromium, offline: embeds that fit a slide, finding and reading places,
comparing two periods, controls that cannot contradict, phones and tablets, the keyboard, and
the page's language, at 1440×900, 768×1024 and 375×667."""

from __future__ import annotations

import math
import re

import pytest
from harness import PAINTED, wait_for
from live_server import serve

from geo_coverage.i18n import format_period, text
from geo_coverage.metrics import dataset

DESKTOP, TABLET, PHONE = (1440, 900), (768, 1024), (375, 667)
VIEWPORTS = {"desktop": DESKTOP, "tablet": TABLET, "phone": PHONE}
SLIDE = (960, 540)
BOX = "n => { const r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"
ROWS = "#data-table tbody tr"


def box(locator) -> list[float]:
    """[left, top, right, bottom] of an element in its frame's viewport."""
    return locator.evaluate(BOX)


def inside(inner: list[float], outer: list[float], slack: float = 0.5) -> bool:
    """Whether a box lies within another."""
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def overlap(a: list[float], b: list[float]) -> bool:
    """Whether two boxes overlap by more than a pixel."""
    return min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1


def wait_for_view(page, count: int) -> None:
    """Until the map shows `count` areas."""
    wait_for(
        page, "(n) => document.querySelectorAll('#map path[data-kode]').length === n", arg=count
    )


def slide_host(code: str):
    """A WSGI app serving a 960×540 slide with a heading and the embed code pasted below it."""
    width, height = SLIDE
    body = (
        "<!doctype html><html lang='id'><title>Rapat</title><body style='margin:0'>"
        f"<div id='slide' style='width:{width}px;height:{height}px;display:flex;"
        "flex-direction:column;overflow:hidden;background:#fff;box-sizing:border-box'>"
        "<h2 style='margin:0;padding:10px 16px;font:26px sans-serif'>Rapat dengan Gubernur</h2>"
        f"<div id='holder' style='flex:1;min-height:0;padding:0 16px 12px'>{code}</div></div>"
        "</body></html>"
    ).encode()

    def host(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body]

    return host


def test_the_embed_code_fits_a_slide_legibly_with_nothing_cut_off(visit, tmp_path):
    browse = visit("/?lang=en")
    code = browse.page.input_value("#embed-code")
    assert 'style="display:block;width:100%;aspect-ratio:16/9;max-height:100%;border:0"' in code
    assert "geo-coverage-embed" in code  # the height listener
    with serve(slide_host(code), threads=2) as host_url:
        v = visit(host_url + "/", width=1200, height=800, wait=False)
        page = v.page
        frame = page.frame_locator("iframe")
        frame.locator(PAINTED).wait_for(state="attached", timeout=20_000)
        wait_for(page, "document.querySelector('iframe').style.height !== ''")
        page.screenshot(
            path=str(tmp_path / "slide.png"), clip={"x": 0, "y": 0, "width": 960, "height": 540}
        )
        slide, holder = box(page.locator("#slide")), box(page.locator("#holder"))
        framed = box(page.locator("iframe"))
        assert inside(framed, holder) and inside(framed, slide)
        assert framed[2] - framed[0] >= 900  # the frame fills the slide's width
        viewport = [0, 0, framed[2] - framed[0], framed[3] - framed[1]]
        for part in (
            "#map-title",
            "#map-period",
            "#legend",
            "#source-line",
            "#banner",
            "#data-link",
            ".leaflet-control-attribution",
            ".leaflet-control-zoom",
        ):
            node = frame.locator(part)
            assert node.is_visible(), part
            assert inside(box(node), viewport), part
        for part in ("#map-title", "#legend .range", "#source-line", "#data-link"):
            size = frame.locator(part).first.evaluate(
                "n => parseFloat(getComputedStyle(n).fontSize)"
            )
            assert size >= 10, (part, size)
        title = frame.locator("#map-title")
        assert title.evaluate("n => n.scrollWidth <= n.clientWidth")  # not truncated
        assert frame.locator("#data-link").get_attribute("href").endswith(".csv?period=2025-12")
    v.assert_clean()


@pytest.mark.parametrize("width", [343, 600])
def test_the_embed_asks_for_the_height_it_needs(visit, app_url, width):
    code = visit("/").page.input_value("#embed-code")

    def host(environ, start_response):
        body = f"<!doctype html><title>intranet</title><div style='width:{width}px'>{code}</div>"
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]

    with serve(host, threads=2) as host_url:
        v = visit(host_url + "/", width=1000, height=900, wait=False)
        frame = v.page.frame_locator("iframe")
        frame.locator(PAINTED).wait_for(state="attached", timeout=20_000)
        wait_for(v.page, "document.querySelector('iframe').style.height !== ''")
        height = v.page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
        assert height >= width * 9 / 16  # the map's 16:9 and the title and notes around it
        viewport = [0, 0, width, height]
        for part in ("#map-title", "#legend", "#source-line", "#data-link"):
            assert inside(box(frame.locator(part)), viewport), part
    v.assert_clean()


def test_copying_falls_back_to_a_selection_and_a_hint(visit, browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    # A plain-HTTP intranet host is no secure context: browsers offer no clipboard API there.
    context.add_init_script("Object.defineProperty(window, 'isSecureContext', {value: false})")
    context.route(
        "**/*",
        lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort(),
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(app_url + "/")
    page.wait_for_selector(PAINTED, state="attached")
    page.click("#copy-embed")
    assert page.inner_text("#copy-status") == text("copy_hint", "id")
    selected = page.evaluate(
        "() => { const t = document.getElementById('embed-code'); "
        "return [document.activeElement === t, t.selectionStart, t.selectionEnd, t.value.length]; }"
    )
    assert selected[0] and selected[1] == 0 and selected[2] == selected[3] > 100
    assert errors == []
    context.close()


@pytest.mark.parametrize(
    ("query", "kode", "province", "count"),
    [
        ("Toraja Utara", "73.26", "73", 24),
        ("Kota Ternate", "82.71", "82", 10),
        ("kabupaten toraja utara", "73.26", "73", 24),
        ("ternate", "82.71", "82", 10),
    ],
)
def test_the_place_search_finds_and_shows_a_place(visit, query, kode, province, count):
    v = visit("/?level=province")  # the regency is not on the map: its province opens
    page = v.page
    page.fill("#search-input", query)
    first = page.locator("#search-results li").first
    assert first.get_attribute("data-kode") == kode
    assert page.get_attribute("#search-input", "aria-expanded") == "true"
    page.press("#search-input", "ArrowDown")
    assert page.get_attribute("#search-input", "aria-activedescendant") == first.get_attribute("id")
    page.press("#search-input", "Enter")
    page.wait_for_url(re.compile(f"province={province}"))
    wait_for_view(page, count)
    page.wait_for_selector(f'#data-table tr[data-kode="{kode}"].selected')
    assert page.get_attribute(f'#map path[data-kode="{kode}"]', "stroke-width") == "4.5"
    name = page.inner_text(f'#data-table tr[data-kode="{kode}"] th')
    assert name in page.inner_text(".leaflet-tooltip")  # its figures, without a pointer
    assert page.locator(".area-label.selected").inner_text() in name
    v.assert_clean()


def test_a_province_found_opens_and_a_found_regency_in_view_is_selected(visit):
    v = visit("/")
    page = v.page
    page.fill("#search-input", "Toraja Utara")
    page.press("#search-input", "Enter")  # on the map already: selected where it is
    page.wait_for_selector('#data-table tr[data-kode="73.26"].selected')
    assert "province" not in page.url and v.paths() == 102
    page.fill("#search-input", "Maluku Utara")
    assert page.locator("#search-results li").first.get_attribute("data-kode") == "82"
    page.press("#search-input", "Enter")
    page.wait_for_url(re.compile("province=82"))
    wait_for_view(page, 10)
    page.fill("#search-input", "zzz")
    assert page.inner_text("#search-status") == text("search.none", "id")
    v.assert_clean()


def test_selects_apply_on_a_choice_and_each_view_is_one_history_entry(visit):
    v = visit("/")
    page = v.page
    asked = []
    page.on("request", lambda r: "/api/map-data" in r.url and asked.append(r.url))
    entries = page.evaluate("history.length")
    page.focus('select[name="metric"]')
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(400)
    assert asked == [] and page.evaluate("history.length") == entries  # only moved
    page.keyboard.press("Tab")  # leaving the select applies the choice
    page.wait_for_url(re.compile("metric=wage_coverage"))
    assert len(asked) == 1 and page.evaluate("history.length") == entries + 1
    page.focus('select[name="province"]')
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # the keyboard's drill-down
    page.wait_for_url(re.compile("province=71"))
    wait_for_view(page, 15)
    assert len(asked) == 2 and page.evaluate("history.length") == entries + 2
    page.go_back()
    wait_for_view(page, 102)
    assert "metric=wage_coverage" in page.url and "province" not in page.url
    v.assert_clean()


def test_controls_cannot_contradict(visit, hostile_settings):
    v = visit("/")
    page = v.page
    gaps = dataset.segment_gaps(hostile_settings, dataset.periods(hostile_settings)[-1])
    assert gaps  # the sample has a segment without figures
    for segment, why in gaps.items():
        option = page.locator(f'select[name="segment"] option[value="{segment}"]')
        assert option.is_disabled()
        assert f"({text(f'unavailable.{why}', 'id')})" in option.inner_text()
    page.select_option('select[name="segment"]', "wage")
    page.wait_for_url(re.compile("segment=wage"))
    page.select_option('select[name="metric"]', "informal_coverage")
    page.wait_for_url(re.compile("metric=informal_coverage"))
    assert "segment=" not in page.url
    assert page.locator('select[name="segment"]').is_disabled()
    assert "pekerja informal (BPU)" in page.inner_text("#segment-hint")
    assert page.locator('select[name="base"]').is_disabled()
    page.select_option('select[name="outline"]', "threshold")
    assert page.locator('input[name="threshold"]').is_enabled()
    page.fill('input[name="threshold"]', "45,5")  # an Indonesian decimal
    page.press('input[name="threshold"]', "Enter")
    page.wait_for_url(re.compile(r"threshold=45\.5"))
    wait_for(page, "document.getElementById('low-title').textContent === 'Di bawah 45,5 %'")
    assert "garis tebal = cakupan di bawah 45,5 %" in page.inner_text("#legend")
    v.assert_clean()


def test_the_default_outline_and_the_markers_have_a_key_and_do_not_hide_each_other(visit):
    v = visit("/")
    page = v.page
    config = page.evaluate("JSON.parse(document.getElementById('map-config').textContent)")
    legend = page.inner_text("#legend")
    assert config["data"]["legend"]["outline"] in legend  # the rule, with its count
    low = len(config["data"]["low_areas"])  # a fifth, widened by the areas tied at its edge
    assert low >= 21 and f"{low} dari 102" in config["data"]["legend"]["outline"]
    assert config["data"]["legend"]["markers"] in legend
    assert page.locator("#map path.area-low").count() == low
    assert page.locator("#map path.outline").count() == low
    markers = [box(m) for m in page.locator(".priority-marker").all()]
    labels = [box(m) for m in page.locator(".area-label").all()]
    assert len(markers) == 10 and labels
    centres = [((a[0] + a[2]) / 2, (a[1] + a[3]) / 2) for a in markers]
    for i, a in enumerate(markers):
        for b in centres[i + 1 :]:  # round markers: apart by their diameter
            assert math.dist(centres[i], b) >= a[2] - a[0] - 1, i
        assert not any(overlap(a, b) for b in labels), i
    v.assert_clean()


def test_an_empty_outline_list_says_why_nothing_is_outlined(visit):
    v = visit("/?province=73&threshold=1&lang=en")
    page = v.page
    config = page.evaluate("JSON.parse(document.getElementById('map-config').textContent)")
    assert config["data"]["low_areas"] == []
    assert page.inner_text("#low-count") == "0"
    items = page.locator("#low-areas li")
    assert items.count() == 1 and items.inner_text() == config["data"]["legend"]["outline"]
    assert "below 1.0 %" in items.inner_text()
    v.assert_clean()


def test_the_change_map_names_its_baseline(visit, hostile_settings):
    periods = dataset.periods(hostile_settings)
    base, latest = periods[0], periods[-1]
    v = visit(f"/?metric=change&base={base}&lang=en")
    page = v.page
    named = f"since {format_period(base, 'en')}"
    assert named in page.inner_text("#view-title") and named in page.inner_text("#legend h2")
    assert page.input_value('select[name="base"]') == base
    page.mouse.move(*v.point_inside("73.06"))
    tooltip = page.locator(".leaflet-tooltip").inner_text()
    assert f"Coverage {format_period(base, 'en')}" in tooltip
    assert f"Coverage {format_period(latest, 'en')}" in tooltip
    headers = page.locator("#data-table thead th").all_inner_texts()
    assert f"Coverage {format_period(base, 'en')}" in " ".join(headers)
    page.select_option('select[name="base"]', "")  # the previous period
    wait_for(
        page,
        "(t) => document.getElementById('view-title').textContent.includes(t)",
        arg=f"since {format_period(periods[-2], 'en')}",
    )
    assert "base=" not in page.url
    page.select_option('select[name="metric"]', "coverage")
    page.wait_for_url(re.compile(r"\?period="))
    assert page.locator('select[name="base"]').is_disabled()
    v.assert_clean()


def test_the_data_table_is_complete_sortable_and_linked_with_the_map(visit):
    v = visit("/")
    page = v.page
    config = page.evaluate("JSON.parse(document.getElementById('map-config').textContent)")
    data = config["data"]
    assert page.locator(ROWS).count() == 102
    assert page.inner_text("#data-caption") == data["table"]["caption"]
    headers = page.locator("#data-table thead th").all_inner_texts()
    assert headers == ["Wilayah", "Provinsi", *data["table"]["columns"]]
    page.click("#data-table thead th:nth-child(3) button")
    assert page.get_attribute("#data-table thead th:nth-child(3)", "aria-sort") == "ascending"
    kodes = page.eval_on_selector_all(ROWS, "rows => rows.map(r => r.dataset.kode)")
    values = [data["areas"][k]["table"][0][1] for k in kodes]
    assert values == sorted(values)
    page.click("#data-table thead th:nth-child(3) button")
    kodes = page.eval_on_selector_all(ROWS, "rows => rows.map(r => r.dataset.kode)")
    assert [data["areas"][k]["table"][0][1] for k in kodes] == sorted(values, reverse=True)
    row = page.locator('#data-table tr[data-kode="81.01"]')
    cells = row.locator("td").all_inner_texts()
    assert cells[1:] == [cell[0] for cell in data["areas"]["81.01"]["table"]]
    row.hover()
    assert page.get_attribute('#map path[data-kode="81.01"]', "stroke-width") == "4.5"
    page.evaluate("scrollTo(0, 0)")
    page.mouse.move(*v.point_inside("72.08"))
    page.wait_for_selector('#data-table tr[data-kode="72.08"].hover')
    v.assert_clean()


def test_tables_are_one_tab_stop_moved_through_with_the_arrow_keys(visit):
    v = visit("/?province=73")
    page = v.page
    for table in ("#priority-table", "#data-table"):
        rows = page.locator(f"{table} tbody tr")
        assert page.locator(f'{table} tbody tr[tabindex="0"]').count() == 1
        rows.first.focus()
        page.keyboard.press("ArrowDown")
        second = rows.nth(1).get_attribute("data-kode")
        assert page.evaluate("document.activeElement.dataset.kode") == second
        page.keyboard.press("End")
        last = rows.last.get_attribute("data-kode")
        assert page.evaluate("document.activeElement.dataset.kode") == last
        assert page.locator(f'{table} tbody tr[tabindex="0"]').get_attribute("data-kode") == last
        page.keyboard.press("Enter")
        page.wait_for_selector(f'{table} tr[data-kode="{last}"].selected')
        assert page.get_attribute(f'#map path[data-kode="{last}"]', "stroke-width") == "4.5"
        assert page.inner_text("#announce").startswith("Dipilih: ")
    v.assert_clean()


def test_every_area_is_reachable_and_drillable_by_keyboard(visit):
    v = visit("/?level=province")
    page = v.page
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == text("skip_to_map", "id")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "map"
    page.locator(f"{ROWS}").first.focus()
    page.keyboard.press("Home")
    first = page.evaluate("document.activeElement.dataset.kode")
    page.keyboard.press("Enter")  # a province row drills into it
    page.wait_for_url(re.compile(f"province={first}"))
    page.wait_for_selector(f'{ROWS}[data-kode^="{first}."]')
    v.assert_clean()


def test_leaflet_speaks_the_pages_language(visit):
    for lang, zoom_in, osm in (
        ("id", "Perbesar", "kontributor OpenStreetMap"),
        ("en", "Zoom in", "OpenStreetMap contributors"),
    ):
        v = visit(f"/?lang={lang}")
        page = v.page
        assert page.get_attribute(".leaflet-control-zoom-in", "title") == zoom_in
        assert page.get_attribute(".leaflet-control-zoom-in", "aria-label") == zoom_in
        attribution = page.locator(".leaflet-control-attribution")
        assert osm in attribution.inner_text()
        assert attribution.locator("a").first.get_attribute("title") == text(
            "leaflet.library", lang
        )
        assert not re.search(r"versi|version [0-9a-f-]{8,}", page.inner_text("#source-line"))
        v.assert_clean()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_each_screen_size_shows_the_map_legend_table_and_an_areas_figures(visit, viewport):
    width, height = VIEWPORTS[viewport]
    v = visit("/?province=73", width=width, height=height)
    page = v.page
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width  # no sideways scroll
    map_box = box(page.locator("#map"))
    assert map_box[2] - map_box[0] >= (0.6 * width if viewport != "phone" else width - 1)
    toggle = page.locator(".legend-toggle")
    if width < 800:
        assert toggle.is_visible() and not page.locator("#legend-body").is_visible()
        assert page.get_attribute(".legend-toggle", "aria-expanded") == "false"
        toggle.click()
        assert page.locator("#legend-body").is_visible()
        toggle.click()
    else:
        assert not toggle.is_visible() and page.locator("#legend-body").is_visible()
    assert page.locator(ROWS).count() == 24
    page.mouse.click(*v.point_inside("73.06"))
    if width < 800:
        sheet = page.locator("#sheet")
        sheet.wait_for()
        assert "Kabupaten Gowa" in sheet.inner_text()
        s = box(sheet)
        assert s[3] >= height - 1  # at the bottom of the screen
        for x, y in (
            (s[0] + 10, s[1] + 10),
            ((s[0] + s[2]) / 2, (s[1] + s[3]) / 2),
            (s[2] - 20, s[3] - 10),
        ):
            assert page.evaluate(
                "([x, y]) => document.getElementById('sheet')"
                ".contains(document.elementFromPoint(x, y))",
                [x, y],
            )
        assert not page.locator("#legend-body").is_visible()
        # the pointer may have passed other areas (their tooltips closed): none may show
        assert not any(t.is_visible() for t in page.locator(".leaflet-tooltip").all())
        page.click("#sheet-close")
        assert page.locator("#sheet").is_hidden()
    else:
        page.mouse.move(*v.point_inside("73.06"))
        assert "Kabupaten Gowa" in page.locator(".leaflet-tooltip").inner_text()
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll('a, button, select, input, [tabindex="0"]'))
          .filter(n => n.offsetParent !== null)
          .filter(n => !n.closest('.leaflet-control-attribution, .source'))  // inline in text
          .filter(n => {
            const r = n.getBoundingClientRect();
            return r.width < 24 || r.height < 24;
          })
          .map(n => n.outerHTML.slice(0, 80))"""
    )
    assert small == []  # tap targets of 24 px or more
    v.assert_clean()
