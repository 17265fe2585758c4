"""A corpus of malformed requests for every route of the app: NUL bytes, over-long names,
invalid percent-encoding, `..`, huge query strings, unknown methods, bad Range and conditional
headers, bytes that are not UTF-8. Shared by the test-client and the waitress fault tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# A value for each variable part of a route, so that the plain path is a real resource.
SAMPLE_VALUES = {
    "filename": "map.css",
    "ext": "geojson",
    "level": "regency",
    "collection_id": "regencies",
    "feature_id": "73.71",
    "province": "73",
    "upload_id": "AAAAAAAAAAAAAAAAAAAAAAAA",
    "link_id": "1",
    "token": "eyJpIjoxfQ.not-a-signature",
}
PATH_TAILS = (
    "%00",
    "%00.png",
    "%zz",
    "%",
    "%e2%82",
    "%ff%fe",
    "%c0%ae%c0%ae",
    "/../../../../etc/passwd",
    "/..%2f..%2f..%2fpyproject.toml",
    "/%2e%2e/%2e%2e/",
    "\\..\\..\\",
    "/" + "a" * 300,
    "/" + "%41" * 2000,
)
QUERIES = (
    "lang=%00",
    "%00=1",
    "period=%ff%fe",
    "metric=%zz",
    "v=%",
    "&" * 500,
    "=" * 100,
    "a=" + "x" * 100_000,
    "&".join(f"p{i}=1" for i in range(1500)),
    "limit=1e999&offset=-0&bbox=nan,nan,nan,nan",
    "period=9999-99&segment=" + "%e2%80%ae" * 50,
)
METHODS = ("FOO", "PROPFIND", "PUT", "DELETE", "PATCH", "TRACE")
HEADERS = (
    {"Range": "bytes=abc"},
    {"Range": "bytes=9-1"},
    {"Range": "bytes=-0"},
    {"Range": "bytes=99999999999999999999999-"},
    {"Range": "bytes=" + ",".join("0-0" for _ in range(300))},
    {"Range": "items=0-10"},
    {"If-None-Match": '"unterminated'},
    {"If-None-Match": "W/"},
    {"If-None-Match": ", " * 200},
    {"If-Modified-Since": "yesterday"},
    {"If-Modified-Since": "Mon, 99 Foo 99999 99:99:99 GMT"},
    {"If-Range": "garbage", "Range": "bytes=0-10"},
    {"Accept-Encoding": "gzip;q=x, br;q=-1, *;q=2"},
    {"Accept": "*/*;q=abc, text/html;level=%00"},
    {"Accept-Language": "??;q=nan"},
    {"Cookie": "session=garbage.%00.x; session=again"},
    {"Authorization": "Basic !!!not-base64"},
    {"Authorization": "Bearer " + "x" * 5000},
)


@dataclass(frozen=True)
class Case:
    """One malformed request: method, target (path and query, percent-encoded) and headers."""

    method: str
    target: str
    headers: dict = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        shown = self.target if len(self.target) < 90 else self.target[:87] + "..."
        return f"{self.method} {shown} {sorted(self.headers)}"


def route_paths(app) -> list[tuple[str, tuple[str, ...]]]:
    """Every route of the app as a concrete path, with its methods."""
    found = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_VALUES[m.group(1)], rule.rule)
        methods = tuple(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        found.append((path, methods))
    return found


def corpus(app, headers: bool = True) -> Iterator[Case]:
    """The malformed requests for every route (with the header cases when asked)."""
    for path, methods in route_paths(app):
        method = methods[0]
        for tail in PATH_TAILS:
            # '/' + '/..' would be a network-path reference ('//..'), not a path
            base = path.rstrip("/") if tail.startswith(("/", "\\")) else path
            yield Case(method, base + tail)
        head, _, last = path.rpartition("/")
        yield Case(method, f"{head}/%00{last}")
        for query in QUERIES:
            yield Case(method, f"{path}?{query}")
        for unknown in METHODS:
            yield Case(unknown, path)
        if headers and "GET" in methods:
            for extra in HEADERS:
                yield Case("GET", path, extra)
