"""Fault tests: no malformed path, query, method or header gives a 500 or a traceback, through the
test client and through waitress; a bad request is one short log line, and junk in bulk keeps
the log small; 5,000 distinct 404s leave memory where it was."""

from __future__ import annotations

import gc
import logging
import socket
import sys
from urllib.parse import urlsplit

import pytest
from live_server import serve
from malformed import Case, corpus
from office_helpers import Browser, csrf_of, make_app

from geo_coverage.web import bad_input

pytest_plugins = ["enrollment_fixtures", "office_fixtures"]


class Kept(logging.Handler):
    """Keeps every record at WARNING or above, and the bytes it would have written."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self.bytes = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.bytes += len(self.format(record)) + 1


@pytest.fixture
def kept_log():
    """Every warning and error logged while the test runs, with a fresh rate limit."""
    handler = Kept()
    root = logging.getLogger()
    before = root.level
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    bad_input.BAD_REQUESTS = bad_input.RateLimitedLog(bad_input.LOGGER)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(before)


def _assert_clean_log(kept: Kept, requests: int) -> None:
    """No traceback, every line one line, at most one line per request."""
    tracebacks = [kept.format(r) for r in kept.records if r.exc_info or r.exc_text]
    assert tracebacks == []
    for record in kept.records:
        text = kept.format(record)
        assert "\n" not in text and "Traceback" not in text, text[:500]
        assert len(text) <= bad_input.LINE_CHARS + 50, text[:500]
    assert len(kept.records) <= requests


def _run(client, cases: list[Case], form: dict | None = None) -> list[str]:
    """Send every case through a test client; the cases answered with a 5xx."""
    failures = []
    for case in cases:
        data = form if case.method == "POST" else None
        resp = client.open(case.target, method=case.method, headers=case.headers, data=data)
        if resp.status_code >= 500:
            failures.append(f"{resp.status_code} {case}")
    return failures


@pytest.mark.slow
def test_no_malformed_request_is_a_500_or_a_traceback(office_app, kept_log):
    cases = list(corpus(office_app))
    assert len(cases) > 1000
    assert _run(office_app.test_client(), cases) == []
    _assert_clean_log(kept_log, len(cases))


def test_signed_in_the_admin_views_refuse_malformed_input_cleanly(office_app, kept_log):
    browser = Browser(office_app.test_client())
    browser.login("admin")
    token = csrf_of(browser.client.get("/admin/imports").get_data(as_text=True))
    cases = [
        c
        for c in corpus(office_app, headers=False)
        if c.target.startswith(("/admin", "/api/imports", "/s/", "/logout"))
    ]
    assert _run(browser.client, cases, form={"csrf_token": token, "kind": "enrollment"}) == []
    _assert_clean_log(kept_log, len(cases))


def _raw(port: int, request: bytes) -> bytes:
    """Send raw bytes to the server; the status line of its answer, read to its end (so that
    the server is done with it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        conn.sendall(request)
        conn.shutdown(socket.SHUT_WR)
        answer = bytearray()
        try:
            while chunk := conn.recv(65536):
                answer += chunk
        except ConnectionResetError:  # a server may close at once on what it cannot read
            pass
    return bytes(answer.split(b"\r\n", 1)[0])


RAW_REQUESTS = (
    b"GET /assets/\xff\xfe.js HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /ogc/collections/regencies/items/73.71\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /?lang=\xc0\xae HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GARBAGE\r\n\r\n",
    b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: \x00\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: a b c\r\n\r\n",
    b"GET /ogc HTTP/1.1\r\nHost: [::1\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nX-Bad\x00Name: 1\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nX-Long: " + b"a" * 300_000 + b"\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    b"POST /api/imports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET " + b"/a" * 40_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
)


@pytest.mark.slow
def test_waitress_answers_the_corpus_without_a_500_or_a_traceback(office_app, kept_log):
    with serve(office_app) as url:
        port = urlsplit(url).port
        cases = list(corpus(office_app))
        failures = []
        for case in cases:
            headers = "".join(f"{k}: {v}\r\n" for k, v in case.headers.items())
            request = (
                f"{case.method} {case.target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Length: 0\r\nConnection: close\r\n{headers}\r\n"
            ).encode("latin-1")
            status = _raw(port, request)
            if not status.startswith(b"HTTP/1.1 ") or status[9:10] == b"5":
                failures.append(f"{status!r} {case}")
        for request in RAW_REQUESTS:
            status = _raw(port, request)
            if status[9:10] == b"5":
                failures.append(f"{status!r} {request[:80]!r}")
    assert failures == []
    _assert_clean_log(kept_log, len(cases) + len(RAW_REQUESTS))


@pytest.mark.slow
def test_junk_in_bulk_writes_a_bounded_log(office_app, kept_log):
    client = office_app.test_client()
    for i in range(1000):
        assert client.get(f"/assets/junk-{i}%00.png").status_code == 400
        assert client.get(f"/ogc/collections/regencies/items/{i}").status_code == 404
    lines = [r.getMessage() for r in kept_log.records]
    assert (
        0 < len(lines) <= bad_input.LINES_PER_MINUTE * 2 + 2
    )  # the limit, twice at a minute's turn
    assert kept_log.bytes < 64 * 1024
    assert any("/assets/junk-0\\x00.png" in line for line in lines)


def test_the_lines_left_out_are_counted_when_the_minute_turns(monkeypatch):
    said = []
    log = bad_input.RateLimitedLog(logging.getLogger("test"), per_minute=3)
    monkeypatch.setattr(log.logger, "warning", said.append)
    clock = [600.0]
    monkeypatch.setattr(bad_input.time, "monotonic", lambda: clock[0])
    for i in range(10):
        log.line(f"bad {i}\x1b[31m " + "x" * 1000)
    assert len(said) == 3 and all(len(s) == bad_input.LINE_CHARS for s in said)
    assert said[0].startswith("bad 0\\x1b[31m ")
    clock[0] += 60
    log.line("next")
    assert said[3:] == ["7 more bad requests in the previous minute", "next"]


def _blocks_kept(client, paths: list[str]) -> int:
    """Memory blocks still allocated after asking for every path."""
    gc.collect()
    before = sys.getallocatedblocks()
    for path in paths:
        assert client.get(path).status_code in (400, 403, 404), path
    gc.collect()
    return sys.getallocatedblocks() - before


@pytest.mark.slow
def test_five_thousand_distinct_404s_leave_memory_bounded(served_settings):
    app = make_app(served_settings)
    client = app.test_client()
    kinds = (
        "/assets/missing-{i}.js",
        "/assets/leaflet/missing-{i}.png",
        "/ogc/collections/regencies/items/99.{i}",
        "/ogc/collections/missing-{i}",
        "/download/missing{i}.geojson",
        "/no/such/page/{i}",
        "/s/{i}/embed",
    )
    # first use: imports, parsed data, compiled templates
    _blocks_kept(client, [k.format(i=f"warm{i}") for i in range(50) for k in kinds])
    kept = _blocks_kept(client, [kinds[i % len(kinds)].format(i=i) for i in range(5000)])
    # remembering each miss would keep at least one block (its name) per request
    assert kept < 2000, f"{kept:,} memory blocks kept after 5,000 distinct 404s"
