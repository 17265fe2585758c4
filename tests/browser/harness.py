"""Real servers and Debian's Chromium for the browser tests and the benchmark (no downloads)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = ("127.0.0.1", "localhost")
PAINTED = "html[data-painted]"  # set by the map pages once the choropleth is drawn


def wait_for(page, expression: str, arg: object = None, timeout_s: float = 30.0) -> None:
    """Wait until an expression (or a function of `arg`) is true in the page, asked anew every
    50 ms. Playwright's wait_for_function polls with eval, which the pages' CSP forbids."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if page.evaluate(expression, arg):
                return
        except Error as exc:  # a navigation replaced the page's context: ask the new one
            if "context was destroyed" not in str(exc):
                raise
        page.wait_for_timeout(50)
    raise AssertionError(f"not true within {timeout_s} s: {expression} ({arg!r})")


@contextmanager
def chromium() -> Iterator:
    """Debian's headless Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def is_local(url: str) -> bool:
    """Whether a URL points at this machine (data: and blob: URLs count as local)."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob") or parts.hostname in LOCAL_HOSTS


def block_non_local(context, blocked: list[str]) -> None:
    """Abort every request that would leave the machine, recording its URL."""

    def handle(route):
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", handle)


POINT_INSIDE = """(kode) => {
  const path = document.querySelector(`#map path[data-kode="${kode}"]`);
  const box = path.getBoundingClientRect();
  for (let i = 1; i < 24; i++) {
    for (let j = 1; j < 24; j++) {
      const x = box.left + box.width * i / 24, y = box.top + box.height * j / 24;
      if (document.elementFromPoint(x, y) === path) { return [x, y]; }
    }
  }
  return null;
}"""


@dataclass
class Visit:
    """A page and what went wrong on it."""

    page: object
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """No console errors, no script errors, no failed request to the app."""
        assert self.errors == [] and self.failed == []

    def paths(self) -> int:
        """How many areas are drawn."""
        return self.page.locator("#map path[data-kode]").count()

    def point_inside(self, kode: str) -> list[float]:
        """A visible point of an area on screen."""
        point = self.page.evaluate(POINT_INSIDE, kode)
        assert point, f"{kode} is not visible"
        return point


SEVERE = ("critical", "serious")  # the axe impacts a page must not have


def severe(page) -> list[str]:
    """The critical and serious violations axe finds on a page, one line each."""
    results = Axe().run(page)
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in SEVERE
    ]
