"""The embedded server's settings: waitress's queue warnings are kept to one line a minute,
with the count of those left out; behind a trusted reverse proxy the client's own address and
scheme reach the app, and nobody else can claim one."""

import http.client
import json
import logging
from urllib.parse import urlsplit

import pytest
from live_server import serve
from waitress.task import ThreadedTaskDispatcher

from geo_coverage.cli import server
from geo_coverage.config import Settings
from geo_coverage.errors import ConfigError


class _Task:
    """What waitress's dispatcher queues; never run here (the dispatcher has no threads)."""

    def service(self) -> None:
        """Nothing to do."""

    def cancel(self) -> None:
        """Nothing to cancel."""


@pytest.fixture
def queue_log(caplog):
    """The records waitress's queue logger writes once the server's options are made."""
    queue = logging.getLogger("waitress.queue")
    kept = list(queue.filters)
    server.options(threads=2, connections=100, max_body_bytes=1024)
    caplog.set_level(logging.WARNING, logger="waitress.queue")
    yield caplog
    queue.filters[:] = kept


def test_a_full_queue_warns_once_a_minute_with_the_count_of_lines_left_out(queue_log, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(server.time, "monotonic", lambda: clock[0])
    dispatcher = ThreadedTaskDispatcher()  # no threads: every task waits in the queue
    for _ in range(500):
        dispatcher.add_task(_Task())
    lines = [r.getMessage() for r in queue_log.records]
    assert lines == ["Task queue depth is 1"]
    clock[0] += server.QUEUE_WARNING_EVERY_S
    dispatcher.add_task(_Task())
    lines = [r.getMessage() for r in queue_log.records]
    assert lines[1:] == ["Task queue depth is 501 (499 more such lines left out)"]


def test_making_the_options_twice_adds_one_filter(queue_log):
    server.options(threads=2, connections=100, max_body_bytes=1024)
    queue = logging.getLogger("waitress.queue")
    assert sum(isinstance(f, server.OncePerInterval) for f in queue.filters) == 1


def _seen_by_the_app(environ, start_response):
    """Where the request came from and by which scheme, as the app is told."""
    seen = {"address": environ["REMOTE_ADDR"], "scheme": environ["wsgi.url_scheme"]}
    seen["forwarded"] = environ.get("HTTP_X_FORWARDED_FOR")
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]


def _ask(port: int | None, source: str) -> dict:
    """What the app sees of a request from `source` that claims to forward 203.0.113.7."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
        conn.request("GET", "/", headers=headers)
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("proxy", "source", "expected"),
    [
        ("127.0.0.1", "127.0.0.1", ("203.0.113.7", "https", "203.0.113.7")),
        ("127.0.0.1", "127.0.0.2", ("127.0.0.2", "http", None)),
        ("", "127.0.0.1", ("127.0.0.1", "http", None)),
    ],
    ids=["from-the-proxy", "from-elsewhere", "no-proxy-set"],
)
def test_only_the_trusted_proxy_says_who_the_client_is(proxy, source, expected):
    opts = server.options(threads=2, connections=100, max_body_bytes=1024, trusted_proxy=proxy)
    with serve(_seen_by_the_app, **opts) as url:
        seen = _ask(urlsplit(url).port, source)
    # an untrusted claim is dropped, not passed on for the app to misread
    assert (seen["address"], seen["scheme"], seen["forwarded"]) == expected


@pytest.mark.parametrize("value", ["localhost", "127.0.0.0/8", "10.0.0.1 10.0.0.2", "*"])
def test_the_trusted_proxy_is_one_address(value):
    with pytest.raises(ConfigError, match="GEO_COVERAGE_TRUSTED_PROXY=.*e.g. 127.0.0.1"):
        Settings.from_env({"GEO_COVERAGE_TRUSTED_PROXY": value})


def test_the_trusted_proxy_is_read_from_the_environment():
    assert Settings.from_env({"GEO_COVERAGE_TRUSTED_PROXY": " ::1 "}).trusted_proxy == "::1"
