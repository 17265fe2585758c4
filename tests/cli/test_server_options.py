"""The embedded server's settings: waitress's queue warnings are kept to one line a minute,
with the count of those left out."""

import logging

import pytest
from waitress.task import ThreadedTaskDispatcher

from geo_coverage.cli import server


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
