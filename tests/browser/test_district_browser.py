"""Districts in Debian's headless Chromium: a province's districts drawn from its detail alone,
the drill-down province → regency → district, the note that districts carry their regency's
figures, and the tooltip saying whose figures a district shows once some have their own."""

from __future__ import annotations

import re
import urllib.request

from enrollment_helpers import HEADER
from harness import severe, wait_for
from live_server import serve
from office_helpers import make_app

from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.importer import import_file
from geo_coverage.i18n import text
from geo_coverage.metrics import dataset

pytest_plugins = ["enrollment_fixtures", "office_fixtures"]

DISTRICT_PATHS = "document.querySelectorAll('#map path[data-kode]').length === {}"
SETTLED = """async (kode) => {
  const box = () => JSON.stringify(
    document.querySelector(`#map path[data-kode="${kode}"]`).getBoundingClientRect());
  const frame = () => new Promise((done) => setTimeout(done, 50));
  let last = box();
  let still = 0;
  for (let i = 0; i < 200 && still < 6; i++) {
    await frame();
    const now = box();
    still = now === last ? still + 1 : 0;
    last = now;
  }
}"""


def _geometry_requests(v) -> list[str]:
    """The geometry files a page asked for, by path."""
    return [re.sub(r"^https?://[^/]+", "", u).split("?")[0] for u in v.requests if "/geometry" in u]


def _settle(page, kode: str) -> None:
    """Wait until an area stops moving on screen (the map's zoom animation is over)."""
    page.evaluate(SETTLED, kode)


def test_sulawesi_selatans_districts_are_drawn_with_their_note(visit):
    v = visit("/?level=district&province=73&lang=en")
    page = v.page
    assert v.paths() == 313
    assert page.locator('#map path[data-kode="73.71.01"]').count() == 1
    assert _geometry_requests(v) == ["/geometry/73.topojson"]
    note = page.locator("#figures-note")
    assert note.is_visible() and note.inner_text() == text("district_note", "en")
    page.mouse.move(*v.point_inside("73.71.01"))
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert "Mariso" in tooltip.inner_text() and "Coverage" in tooltip.inner_text()
    assert page.locator(".priority-marker").count() == 0
    assert page.input_value('select[name="level"]') == "district"
    assert "/download/district.geojson" in page.get_attribute("#download-links a", "href")
    v.assert_clean()


def test_drill_down_province_regency_district_and_back(visit):
    v = visit("/")
    page = v.page
    page.mouse.click(*v.point_inside("73.71"))  # region-wide: the province opens
    page.wait_for_url(re.compile(r"province=73"))
    wait_for(page, DISTRICT_PATHS.format(24))
    assert page.locator("#district-hint").is_visible()
    assert not page.locator("#figures-note").is_visible()
    _settle(page, "73.71")
    page.mouse.click(*v.point_inside("73.71"))  # selects Makassar
    page.wait_for_selector('#priority-table tr[data-kode="73.71"].selected', state="attached")
    page.mouse.click(*v.point_inside("73.71"))  # again: its districts
    page.wait_for_url(re.compile(r"level=district.*province=73|province=73.*level=district"))
    wait_for(page, DISTRICT_PATHS.format(313))
    _settle(page, "73.71.04")
    assert page.locator("#figures-note").is_visible()
    assert not page.locator("#district-hint").is_visible()
    assert not page.locator("#priority-table").is_visible()  # no district is ranked
    # the map is zoomed to Makassar's districts: each of them can be pointed at
    for kode in ("73.71.01", "73.71.04"):
        v.point_inside(kode)
    page.mouse.click(*v.point_inside("73.71.04"))  # a district is selected, not drilled into
    page.wait_for_selector('#priority-table tr[data-kode="73.71.04"].selected', state="attached")
    assert "level=district" in page.url
    page.go_back()
    wait_for(page, DISTRICT_PATHS.format(24))
    assert _geometry_requests(v) == ["/geometry.topojson", "/geometry/73.topojson"]
    v.assert_clean()


def test_every_district_of_the_region(visit, app_url):
    # the server renders this 1,265-area page once (slow when cold: see the report), then
    # serves it from its cache; the browser's part is what is tested here
    with urllib.request.urlopen(app_url + "/?level=district", timeout=300) as warm:
        assert warm.status == 200
    v = visit("/?level=district")
    assert v.paths() == 1265
    assert sorted(_geometry_requests(v))[0] == "/geometry.topojson"
    assert len(_geometry_requests(v)) == 9  # the overview's province lines and 8 details
    assert v.page.locator("#figures-note").is_visible()
    v.assert_clean()


def test_the_district_map_has_no_serious_accessibility_violation(visit):
    for lang in ("id", "en"):
        v = visit(f"/?level=district&province=73&lang={lang}", width=1440, height=900)
        assert severe(v.page) == []
        v.assert_clean()


def test_a_district_with_figures_of_its_own_says_so_beside_one_without(
    visit, office_settings, tmp_path
):
    period = dataset.periods(office_settings)[-1]
    areas = open_store(office_settings).read_areas()
    makassar = sorted(areas.loc[areas["kode"].str.startswith("73.71."), "kode"])
    lines = [
        f"{kode},{period},wage,{9000 + 97 * i},{3000 + 41 * i},kacab"
        for i, kode in enumerate(makassar)
    ]
    table = tmp_path / "kecamatan.csv"
    table.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    import_file(office_settings, table)
    with serve(make_app(office_settings)) as url:
        v = visit(f"{url}/?level=district&province=73&period={period}&segment=wage&lang=en")
        page = v.page
        note = text("district_note.partial", "en", own=len(makassar), total=v.paths())
        assert page.locator("#figures-note").inner_text() == note
        tooltip = page.locator(".leaflet-tooltip")
        for kode, whose in (("73.71.01", "district"), ("73.72.01", "regency")):
            page.mouse.move(*v.point_inside(kode))
            wait_for(
                page,
                "t => document.querySelector('.leaflet-tooltip')?.innerText.includes(t)",
                text(f"figures_of.{whose}", "en"),
            )
        assert "Mariso" not in tooltip.inner_text()  # the tooltip moved on to 73.72.01
        v.assert_clean()
