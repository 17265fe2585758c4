"""The render gate: a few holders, a short queue, the rest turned away at once."""

import threading
import time

import pytest

from geo_coverage.errors import Busy
from geo_coverage.web.limits import Gate


def test_gate_holds_queues_and_turns_away():
    gate = Gate(slots=1, queue=1, wait_s=5)
    holding, release = threading.Event(), threading.Event()
    done = []

    def holder():
        with gate.hold("busy"):
            holding.set()
            release.wait()
        done.append("holder")

    def waiter():
        with gate.hold("busy"):
            done.append("waiter")

    first = threading.Thread(target=holder)
    first.start()
    holding.wait()
    second = threading.Thread(target=waiter)
    second.start()
    deadline = time.monotonic() + 5
    while gate._waiting == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    began = time.perf_counter()
    with pytest.raises(Busy) as turned_away, gate.hold("busy, come back"):  # queue full: no wait
        pass
    assert time.perf_counter() - began < 0.5
    assert turned_away.value.status == 503 and turned_away.value.retry_after == 5
    release.set()
    first.join()
    second.join()
    assert done == ["holder", "waiter"]
    with gate.hold("free again"):
        pass


def test_a_wait_longer_than_allowed_is_busy():
    gate = Gate(slots=1, queue=4, wait_s=0.1)
    with gate.hold("busy"), pytest.raises(Busy), gate.hold("busy"):
        pass
    assert gate._waiting == 0
