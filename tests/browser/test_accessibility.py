"""axe-core (bundled by the axe-playwright-python package, never fetched) finds no critical or
serious accessibility violation on any HTML page of the app, in both languages, offline.

The pages are found from the app's URL map: every GET route (with an example value for its
parameters) that answers HTML, as is or with ?f=html, so pages that other work adds (the
sources page, OGC HTML pages) are checked as soon as they exist."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from harness import PAINTED, severe

from geo_coverage import create_app

EXAMPLES = {"collection_id": "regencies", "feature_id": "73.71"}
LANGS = ("id", "en")


def _is_page(answer) -> bool:
    """An HTML page, not a file to download (the offline map is tested in test_offline_map)."""
    downloaded = answer.headers.get("Content-Disposition", "").startswith("attachment")
    return answer.status_code == 200 and answer.mimetype == "text/html" and not downloaded


def html_pages(app) -> list[str]:
    """Every URL of the app that answers HTML, with each language it speaks."""
    client = app.test_client()
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not set(rule.arguments) <= set(EXAMPLES):
            continue
        with app.test_request_context():
            path = app.url_for(rule.endpoint, **{a: EXAMPLES[a] for a in rule.arguments})
        for extra in ({}, {"f": "html"}):
            tried = [f"{path}?{urlencode(extra | {'lang': lang})}" for lang in LANGS]
            answers = [client.get(url, headers={"Accept": "text/html"}) for url in tried]
            if all(_is_page(a) for a in answers):
                found += tried
                break
            plain = f"{path}?{urlencode(extra)}" if extra else path
            answer = client.get(plain, headers={"Accept": "text/html"})
            if _is_page(answer):
                found.append(plain)
                break
    found += [f"/no-such-page?lang={lang}" for lang in LANGS]  # the error page
    return found


@pytest.fixture(scope="module")
def pages(hostile_settings) -> list[str]:
    app = create_app(
        {
            "instance": hostile_settings.instance,
            "shapes": hostile_settings.shapes,
            "mirror": hostile_settings.mirror,
        }
    )
    return html_pages(app)


def test_the_html_pages_are_found(pages):
    for expected in ("/?lang=id", "/?lang=en", "/embed?lang=en", "/ogc/api.html"):
        assert any(url.startswith(expected) for url in pages), expected


def test_no_page_has_a_critical_or_serious_violation(visit, pages):
    problems = {}
    for url in pages:
        v = visit(url, width=1440, height=900, wait=False)
        v.page.wait_for_load_state("load")
        if v.page.locator("#map-config").count():
            v.page.wait_for_selector(PAINTED, state="attached", timeout=20_000)
        found = severe(v.page)
        if found:
            problems[url] = found
        v.page.context.close()
    assert problems == {}


@pytest.mark.parametrize(("width", "height"), [(768, 1024), (375, 667)])
def test_the_map_with_an_area_open_has_no_serious_violation(visit, width, height):
    for lang in LANGS:
        v = visit(f"/?province=73&lang={lang}", width=width, height=height)
        v.page.mouse.click(*v.point_inside("73.06"))  # the sheet
        v.page.locator("#sheet").wait_for()
        assert severe(v.page) == []
        v.page.click("#sheet-close")
        v.page.locator(".legend-toggle").click()  # the legend open
        assert severe(v.page) == []
        v.assert_clean()


def test_the_map_with_a_search_open_has_no_serious_violation(visit):
    v = visit("/?lang=en")
    v.page.fill("#search-input", "utara")
    v.page.press("#search-input", "ArrowDown")
    assert severe(v.page) == []
    v.assert_clean()
