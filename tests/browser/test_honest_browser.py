"""Issue 9 in headless Chromium, offline: the banner of modelled figures at the very top of the
browse page and of the embed in both languages, the priority explained beside its ranked list
(the same list as the CSV download), and the published figures in the tooltip and the sheet."""

from __future__ import annotations

import csv
import io
import re
import urllib.request

import pytest
from harness import wait_for

from geo_coverage.i18n import text
from geo_coverage.metrics import dataset

DESKTOP, PHONE = (1280, 800), (375, 667)
BOX = "n => { const r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"
CONFIG = "JSON.parse(document.getElementById('map-config').textContent).data"


def _modelled(settings, level: str = "regency") -> tuple[int, int]:
    """How many areas of the latest period are not published, and how many there are."""
    metrics = dataset.load_metrics(settings, level)
    return int((metrics["data_source"] != "published").sum()), len(metrics)


def _assert_banner_on_top(page, expected: str, size: tuple[int, int]) -> None:
    """The banner is shown, says `expected`, and is the first thing at the top of the screen."""
    banner = page.locator("#banner")
    assert banner.is_visible()
    left, top, right, bottom = banner.evaluate(BOX)
    assert top <= 1 and left <= 1 and bottom > top + 10 and right <= size[0] + 1
    assert page.locator("#banner-text").inner_text() == expected
    topmost = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('#banner') !== null", [20, 6]
    )
    assert topmost  # nothing covers it


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_banner_is_first_at_the_top_of_the_browse_page(visit, hostile_settings, lang, size):
    v = visit(f"/?lang={lang}", *size)
    modelled, total = _modelled(hostile_settings)
    _assert_banner_on_top(
        v.page, text("banner.modelled.regency", lang, modelled=modelled, total=total), size
    )
    if size == DESKTOP:  # it stays in view while the page scrolls to the data table
        v.page.locator("#data-section").scroll_into_view_if_needed()
        assert v.page.locator("#banner").evaluate(BOX)[1] <= 1
    link = v.page.locator("#banner-link")
    assert link.get_attribute("href") == ("/sources?lang=en" if lang == "en" else "/sources")
    v.page.select_option('select[name="level"]', "province")  # the script keeps it up to date
    modelled, total = _modelled(hostile_settings, "province")
    expected = text("banner.modelled.province", lang, modelled=modelled, total=total)
    wait_for(v.page, "t => document.getElementById('banner-text').textContent === t", expected)
    link.click()
    v.page.wait_for_url(re.compile(r"/sources"))
    assert v.page.locator("h1").inner_text() == text("sources", lang)
    assert v.page.locator("#figures tbody tr").count() == 217
    v.assert_clean()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_banner_is_first_at_the_top_of_the_embed(visit, hostile_settings, lang):
    size = (640, 360)
    v = visit(f"/embed?province=73&lang={lang}", *size)
    metrics = dataset.load_metrics(hostile_settings, "regency")
    inside = metrics[metrics["prov_kode"] == "73"]
    modelled = int((inside["data_source"] != "published").sum())
    expected = text("banner.modelled.regency", lang, modelled=modelled, total=len(inside))
    _assert_banner_on_top(v.page, expected, size)
    title = v.page.locator("#map-title").evaluate(BOX)
    assert title[1] >= v.page.locator("#banner").evaluate(BOX)[3] - 0.5  # title below it
    link = v.page.locator("#banner-link")
    assert link.get_attribute("target") == "_blank"  # out of the host's frame
    assert link.get_attribute("href").startswith("/sources?kode=73")
    v.assert_clean()


def test_the_ranked_list_is_explained_and_is_the_downloads_top_10(visit, app_url):
    v = visit("/")
    page = v.page
    with urllib.request.urlopen(app_url + "/download/regency.csv") as resp:
        rows = list(csv.DictReader(io.StringIO(resp.read().decode("utf-8-sig"))))
    ranked = sorted(
        (r for r in rows if r["priority_rank_region"]), key=lambda r: int(r["priority_rank_region"])
    )
    shown = page.eval_on_selector_all(
        "#priority-table tbody tr",
        "rows => rows.slice(0, 10).map(r => [r.dataset.kode, r.cells[0].textContent])",
    )
    assert shown == [[r["kode"], r["priority_rank_region"]] for r in ranked[:10]]
    headers = page.locator("#priority-table thead th").all_inner_texts()
    assert headers[2:6] == [
        "Skor prioritas",
        "Pekerja informal (BPU) belum terlindungi",
        "Cakupan pekerja informal (BPU)",
        "Kekurangan dari target",
    ]
    for part in ("#priority-how", "#priority-rule"):
        assert page.locator(part).is_visible(), part
    assert page.locator("#priority-how").inner_text() == text("priority_how", "id")
    assert page.locator("#priority-rule").inner_text().startswith("# = peringkat se-wilayah")
    v.assert_clean()


def test_a_first_at_its_target_is_explained_beside_the_list(visit):
    v = visit("/?province=71&period=2024-12&lang=en")
    why = v.page.locator("#priority-why")
    assert why.is_visible()
    first = v.page.locator("#priority-table tbody tr").first
    name = first.locator("th").inner_text()
    assert why.inner_text().startswith(f"{name} ranks first although its coverage has reached")
    assert v.page.locator("#priority-rule").inner_text().startswith("# = rank in Sulawesi Utara")
    v.page.select_option('select[name="province"]', "")  # back to the region: a first below target
    wait_for(v.page, "document.querySelectorAll('#map path[data-kode]').length === 102")
    assert why.is_hidden()
    v.assert_clean()


def _area_with(view: dict, test) -> str:
    """The first regency (by rank) whose view data passes `test`."""
    found = [k for k in view["ranked"] if test(view["areas"][k])]
    assert found, "no such area in this view"
    return found[0]


def test_the_tooltip_shows_published_figures_the_likely_range_and_differences(visit):
    v = visit("/?period=2025-06&province=73&lang=en")
    view = v.page.evaluate(CONFIG)
    kode = _area_with(view, lambda a: a["evidence"]["figures"] and a["evidence"]["note"])
    v.page.mouse.move(*v.point_inside(kode))
    tooltip = v.page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    shown = tooltip.inner_text()
    evidence = view["areas"][kode]["evidence"]
    assert text("figure.heading", "en") in shown
    for figure in evidence["figures"]:
        assert figure["value"] in shown and figure["source"] in shown
    assert tooltip.locator(".tip-figures li").count() == len(evidence["figures"])
    assert evidence["note"] in shown  # the figure on the map is modelled and differs
    modelled = _area_with(view, lambda a: a["data_source"] == "modelled")
    v.page.mouse.move(*v.point_inside(modelled))
    wait_for(
        v.page,
        "t => document.querySelector('.leaflet-tooltip')?.innerText.includes(t)",
        view["areas"][modelled]["name"].split(" <")[0],
    )
    assert re.search(r"\(likely \d+(\.\d)?–\d+(\.\d)? %\)", tooltip.inner_text())
    v.assert_clean()


def test_the_sheet_links_to_the_areas_sources_on_a_phone(visit):
    v = visit("/?province=73", *PHONE)
    view = v.page.evaluate(CONFIG)
    kode = _area_with(view, lambda a: a["evidence"]["more"] > 0)
    v.page.mouse.click(*v.point_inside(kode))
    sheet = v.page.locator("#sheet")
    sheet.wait_for()
    assert text("figure.heading", "id") in sheet.inner_text()
    more = sheet.locator("a.tip-more")
    assert more.get_attribute("href") == f"/sources?kode={kode}"
    more.click()
    v.page.wait_for_url(re.compile(r"/sources\?kode="))
    assert v.page.locator(f'#figures tbody tr[data-kode="{kode}"]').count() > 0
    v.assert_clean()


def test_the_embed_says_why_a_first_at_its_target_is_first(visit):
    v = visit("/embed?province=71&period=2024-12&lang=en", 960, 540)
    view = v.page.evaluate(CONFIG)
    first = view["areas"][view["ranked"][0]]["name"]
    why = v.page.locator("#legend .priority-why")
    assert why.is_visible() and view["priority_why"]
    assert why.inner_text() == view["priority_why"]
    assert why.inner_text().startswith(f"{first} ranks first although its coverage has reached")
    legend = v.page.locator("#legend").inner_text()
    assert legend.index("numbered circle") < legend.index(view["priority_why"])
    v.page.goto(v.page.url.replace("province=71&period=2024-12&", ""))  # first below target
    v.page.wait_for_selector("html[data-painted]", state="attached")
    assert v.page.locator("#legend .priority-why").count() == 0
    v.assert_clean()
