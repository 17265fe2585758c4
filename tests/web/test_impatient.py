"""Clients that do not wait as told: once an address has been turned away from drawing (every
slot and waiting place taken), its next drawings within Retry-After are refused before Flask;
other addresses, other routes, and the same address once drawing is free are answered as ever."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from geo_coverage import create_app
from geo_coverage.web import impatient
from geo_coverage.web.http import EXTENSION, RENDER_WAIT_S

IMPATIENT, OTHER = "198.51.100.7", "198.51.100.8"


@pytest.fixture
def app(served_settings):
    """An app of its own with one drawing slot and one waiting place."""
    return create_app(
        {"instance": served_settings.instance, "shapes": served_settings.shapes, "render_slots": 1}
    )


@contextmanager
def drawing_full(app) -> Iterator[None]:
    """Every slot held and every waiting place taken, by other drawings that wait for a
    release (threads holding the app's own gate)."""
    gate = app.extensions[EXTENSION].renders
    gate.wait_s = 60.0  # the waiters below wait for the release, not for a timeout
    release = threading.Event()

    def draw_elsewhere() -> None:
        with gate.hold("drawing elsewhere"):
            release.wait()

    others = [threading.Thread(target=draw_elsewhere) for _ in range(gate.slots + gate.queue)]
    for other in others:
        other.start()
    deadline = time.monotonic() + 10
    while not gate.full and time.monotonic() < deadline:
        time.sleep(0.01)
    gate.wait_s = RENDER_WAIT_S  # what the requests under test are told
    try:
        assert gate.full
        yield
    finally:
        release.set()
        for other in others:
            other.join()


def _get(client, path: str, address: str):
    return client.get(path, environ_base={"REMOTE_ADDR": address})


def test_an_address_told_to_wait_is_turned_away_before_flask(app):
    client = app.test_client()
    with drawing_full(app):
        first = _get(client, "/map.png?threshold=11&lang=en", IMPATIENT)
        assert first.status_code == 503 and first.headers["Retry-After"] == "5"
        assert first.headers["Content-Security-Policy"]  # the app's own answer
        again = _get(client, "/map.svg?threshold=12&lang=en", IMPATIENT)
        assert again.status_code == 503 and again.mimetype == "text/plain"
        assert "Content-Security-Policy" not in again.headers  # Flask never saw it
        assert 1 <= int(again.headers["Retry-After"]) <= 5
        assert again.get_data(as_text=True).startswith("The server is busy drawing")
        assert again.headers["Cache-Control"] == "no-store"
        indonesian = _get(client, "/download/map.html?threshold=13", IMPATIENT)
        assert indonesian.get_data(as_text=True).startswith("Server sedang menggambar")
        # another address and other routes are the app's to answer
        other = _get(client, "/map.png?threshold=14&lang=en", OTHER)
        assert other.status_code == 503 and "Content-Security-Policy" in other.headers
        assert _get(client, "/healthz", IMPATIENT).status_code == 200
        assert _get(client, "/api/map-data?threshold=15", IMPATIENT).status_code == 200
    # drawing has room again: the same address is drawn for, though its wait is not over
    drawn = _get(client, "/map.png?threshold=16", IMPATIENT)
    assert drawn.status_code == 200 and drawn.mimetype == "image/png"


def test_the_addresses_remembered_are_bounded(app, monkeypatch):
    monkeypatch.setattr(impatient, "MAX_ADDRESSES", 50)
    client = app.test_client()
    with drawing_full(app):
        for i in range(120):
            address = f"203.0.113.{i}" if i < 100 else f"2001:db8::{i}"
            assert _get(client, f"/map.png?threshold={i / 2}", address).status_code == 503
    turn_away = app.wsgi_app.wsgi_app  # behind the fast path
    assert isinstance(turn_away, impatient.TurnAway)
    assert turn_away.remembered() == 50
