"""The map images as a browser shows them: /map.svg, from the server or saved to disk and
opened with the network off, draws in headless Chromium the same page as /map.png; the map
page's links to the images and the offline file follow the view, and the offline file
downloads."""

from __future__ import annotations

import io
import re
from urllib.request import urlopen

import numpy as np
import pytest
from PIL import Image


def _get(url: str) -> bytes:
    """A response body from the local test server."""
    with urlopen(url) as resp:
        assert resp.status == 200
        return resp.read()


def _blocks(image: Image.Image) -> np.ndarray:
    """An image as 160×90 block averages, 0 to 1 (anti-aliasing differs between renderers)."""
    return np.asarray(image.convert("RGB").resize((160, 90), Image.BOX), dtype=float) / 255


@pytest.mark.parametrize("where", ["disk", "server"])
def test_the_svg_draws_as_the_png(browser, app_url, tmp_path, where):
    query = "metric=uncovered_informal&lang=en"
    url = f"{app_url}/map.svg?{query}"  # from the server: under the app's browser policies
    if where == "disk":  # saved and opened with the network off
        path = tmp_path / "map.svg"
        path.write_bytes(_get(url))
        url = path.as_uri()
    png = Image.open(io.BytesIO(_get(f"{app_url}/map.png?{query}")))
    other = Image.open(io.BytesIO(_get(f"{app_url}/map.png?metric=gap&lang=en")))
    context = browser.new_context(viewport={"width": 1280, "height": 720}, offline=where == "disk")
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: r.url == url or requests.append(r.url))
        errors: list[str] = []
        page.on(  # a browser asks the server for /favicon.ico by itself; the app has none
            "console",
            lambda m: (
                m.type == "error"
                and not (m.location.get("url") or "").endswith("/favicon.ico")
                and errors.append(f"{m.text} {m.location.get('url')}")
            ),
        )
        page.goto(url)
        size = page.evaluate(
            "[document.rootElement.width.baseVal.value, document.rootElement.height.baseVal.value]"
        )
        assert size == [1280, 720]  # 960 × 540 pt: a 16:9 slide
        shown = Image.open(io.BytesIO(page.screenshot()))
        assert requests == [] and errors == []  # nothing else loaded, nothing refused
    finally:
        context.close()
    difference = np.abs(_blocks(shown) - _blocks(png)).mean()
    assert difference < 0.02, difference
    assert np.abs(_blocks(other) - _blocks(png)).mean() > 2 * difference  # the check can tell


def test_the_download_links_follow_the_view(visit, tmp_path):
    v = visit("/")
    page = v.page
    page.select_option('select[name="metric"]', "gap")
    page.wait_for_url(re.compile(r"metric=gap"))
    query = page.url.split("?", 1)[1]
    for route in ("/map.png", "/map.svg", "/map.pdf", "/download/map.html"):
        link = page.locator(f'a[download][href^="{route}?"]')
        assert link.get_attribute("href") == f"{route}?{query}", route
    with page.expect_download() as got:  # the offline file downloads as a file to keep
        page.locator('a[href^="/download/map.html?"]').click()
    saved = tmp_path / got.value.suggested_filename
    got.value.save_as(saved)
    assert saved.name.startswith("peta-gap-") and saved.suffix == ".html"
    assert "<title>Kesenjangan terhadap target" in saved.read_text(encoding="utf-8")
    v.assert_clean()
