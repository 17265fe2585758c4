"""`geo-coverage serve` under load: 200 slow connections (silent, headers that never end, a body
that never ends) and a flood of 32 uncached PNG maps; `/healthz` still answers at once."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from test_serve import _copy_store, _free_port, _wait_for

pytestmark = pytest.mark.slow  # starts real servers or processes

SLOW_CONNECTIONS = 200
PNG_FLOOD = 32
PNG_VIEWS = [
    f"metric={metric}&k={k}&lang={lang}"
    for metric in ("coverage", "gap", "informal_coverage", "uncovered_informal")
    for k in (3, 4, 5, 6)
    for lang in ("id", "en")
]
HEALTHZ_WITHIN_S = 1.0
PARTIAL = (
    b"",  # connected, silent
    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",  # headers that never end
    b"POST /api/imports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\nkode,",
)


@pytest.fixture
def server(served_settings, tmp_path):
    """A real `geo-coverage serve` over a copy of the served store; yields its port."""
    instance = tmp_path / "instance"
    instance.mkdir()
    _copy_store(served_settings.store_path, instance / "coverage.gpkg")
    port = _free_port()
    env = {
        **os.environ,
        "GEO_COVERAGE_INSTANCE": str(instance),
        "GEO_COVERAGE_SHAPES": str(served_settings.shapes),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo_coverage.cli", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", proc, 120).read()
        yield port
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
        assert "Traceback" not in err, err[-3000:]


def _healthz_seconds(port: int) -> float:
    """Seconds until /healthz has answered in full (at most HEALTHZ_WITHIN_S, else a timeout)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HEALTHZ_WITHIN_S)
    try:
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        assert resp.status == 200 and b'"store_built":true' in resp.read()
    finally:
        conn.close()
    return time.monotonic() - started


def test_healthz_answers_within_a_second_under_200_slow_connections(server):
    slow = []
    try:
        for i in range(SLOW_CONNECTIONS):
            conn = socket.create_connection(("127.0.0.1", server), timeout=10)
            conn.sendall(PARTIAL[i % len(PARTIAL)])
            slow.append(conn)
        time.sleep(1.0)  # the server has accepted them all by now and waits for the rest
        # waitress's default (100 connections) leaves the 201st queued until a slow one ends:
        # every try would time out. A try may be slow on a busy machine; three are allowed.
        times = []
        for _ in range(3):
            try:
                times.append(_healthz_seconds(server))
                break
            except TimeoutError as exc:
                times.append(f"timed out: {exc}")
        assert isinstance(times[-1], float) and times[-1] < HEALTHZ_WITHIN_S, times
        # the slow connections are still open: none was dropped to make room
        for conn in slow[:: len(PARTIAL)]:
            conn.setblocking(False)
            with pytest.raises(BlockingIOError):
                conn.recv(1)
    finally:
        for conn in slow:
            conn.close()


def _status(url: str) -> tuple[int, str | None]:
    """Status and Retry-After of one GET, body read."""
    try:
        with urllib.request.urlopen(url, timeout=120) as resp:
            resp.read()
            return resp.status, None
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code, exc.headers.get("Retry-After")


def test_healthz_answers_at_once_while_32_uncached_maps_are_drawn(server):
    base = f"http://127.0.0.1:{server}"
    assert _status(f"{base}/map.png?metric=change")[0] == 200  # first use: imports, metrics
    answers: list[tuple[int, str | None]] = []
    start = threading.Barrier(PNG_FLOOD + 1)

    def png(i: int) -> None:
        start.wait()
        view = PNG_VIEWS[i % len(PNG_VIEWS)]
        answers.append(_status(f"{base}/map.png?{view}&outline=threshold&threshold={40 + i}"))

    flood = [threading.Thread(target=png, args=(i,)) for i in range(PNG_FLOOD)]
    for thread in flood:
        thread.start()
    start.wait()
    health = []
    while any(thread.is_alive() for thread in flood):
        try:
            health.append(_healthz_seconds(server))
        except TimeoutError:
            health.append(f"timed out after {HEALTHZ_WITHIN_S} s")
        time.sleep(0.1)
    for thread in flood:
        thread.join()
    drawn = [a for a in answers if a[0] == 200]
    busy = [a for a in answers if a[0] == 503]
    assert len(drawn) + len(busy) == PNG_FLOOD, answers  # no 500, nothing lost
    assert drawn and all(retry and int(retry) >= 1 for _, retry in busy), answers
    assert len(health) >= 3, health  # the flood lasted long enough to ask a few times
    # with no render limit the 32 renders took every thread and /healthz waited ~12 s
    late = [h for h in health if not isinstance(h, float) or h >= HEALTHZ_WITHIN_S]
    assert len(late) <= 1, health  # one slow answer allowed on a busy machine
