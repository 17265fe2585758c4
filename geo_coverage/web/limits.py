"""Bounded expensive work: a few renders at a time and a short queue; the rest are told to come
back later, so that the server's threads stay free for /healthz and cached answers. No Flask."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from geo_coverage.errors import Busy


class Gate:
    """At most `slots` holders at once and at most `queue` waiting; others are turned away."""

    def __init__(self, slots: int, queue: int, wait_s: float):
        self.slots, self.queue, self.wait_s = slots, queue, wait_s
        self._free = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._waiting = 0

    @property
    def full(self) -> bool:
        """Whether a new holder would be turned away now: every slot held and the queue full."""
        return self._waiting >= self.queue

    @property
    def retry_after(self) -> int:
        """Whole seconds a client turned away should wait."""
        return max(1, math.ceil(self.wait_s))

    @contextmanager
    def hold(self, busy_message: str) -> Iterator[None]:
        """Hold a slot while the block runs; Busy (503) when the queue is full or the wait is
        longer than wait_s."""
        if not self._free.acquire(blocking=False):
            with self._lock:
                if self._waiting >= self.queue:
                    raise Busy(busy_message, self.retry_after)
                self._waiting += 1
            try:
                got = self._free.acquire(timeout=self.wait_s)
            finally:
                with self._lock:
                    self._waiting -= 1
            if not got:
                raise Busy(busy_message, self.retry_after)
        try:
            yield
        finally:
            self._free.release()
