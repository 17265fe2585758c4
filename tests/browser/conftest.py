"""Fixtures of the browser tests: one real waitress server of the app (with a basemap that
is never reached) and Debian's headless Chromium, shared by a module; `visit` opens a page in
a fresh context at a given viewport, records what goes wrong and blocks the internet."""

from __future__ import annotations

import pytest
from harness import PAINTED, Visit, block_non_local, chromium, is_local
from live_server import serve

from geo_coverage import create_app

TILES = "https://tiles.example.org/{z}/{x}/{y}.png"


@pytest.fixture(scope="module")
def app_url(hostile_settings):
    app = create_app(
        {
            "instance": hostile_settings.instance,
            "shapes": hostile_settings.shapes,
            "mirror": hostile_settings.mirror,
            "tiles": TILES,
        }
    )
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def visit(browser, app_url):
    contexts = []

    def open_page(url: str, width: int = 1280, height: int = 800, wait: bool = True) -> Visit:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        found = Visit(context.new_page())
        block_non_local(context, found.blocked)
        page = found.page
        page.on(
            "console",
            lambda m: (
                m.type == "error"
                and is_local(m.location.get("url") or app_url)
                and found.errors.append(m.text)
            ),
        )
        page.on("pageerror", lambda e: found.errors.append(str(e)))
        page.on("dialog", lambda d: (found.errors.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("request", lambda r: is_local(r.url) and found.requests.append(r.url))
        page.on("requestfailed", lambda r: is_local(r.url) and found.failed.append(r.url))
        page.on(
            "response",
            lambda r: (
                is_local(r.url) and r.status >= 400 and found.failed.append(f"{r.status} {r.url}")
            ),
        )
        page.goto(url if url.startswith("http") else app_url + url)
        if wait:
            page.wait_for_selector(PAINTED, state="attached", timeout=20_000)
        return found

    yield open_page
    for context in contexts:
        context.close()
