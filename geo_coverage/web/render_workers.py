"""Images drawn in worker processes, so that drawing never holds the server's interpreter.

Drawing a map (matplotlib, shapely) is Python work that holds the GIL: two drawings in the
server's own threads make every other request wait for the interpreter, and /healthz answered
in hundreds of milliseconds under a flood of new maps. `geo-coverage serve` therefore draws in
`render_slots` worker processes (spawned on the first drawing, each loading the data itself
and keeping it between drawings); an app made otherwise (tests, the browser harness) draws in
its own threads. A worker whose server is gone ends itself; a pool broken by a killed worker
is made anew. No Flask here.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

LOGGER = logging.getLogger(__name__)

PARENT_CHECK_S = 1.0  # how often a worker looks whether its server still runs
T = TypeVar("T")


def _watch_parent(parent: int) -> None:
    """End this worker when the server that started it is gone (even killed)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)


def _start_worker(parent: int) -> None:
    """A worker's first step: watch its server."""
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


class RenderWorkers:
    """Run drawing functions in `processes` worker processes, or in the calling thread when
    `processes` is 0."""

    def __init__(self, processes: int):
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def run(self, draw: Callable[..., T], *args) -> T:
        """draw(*args), in a worker when there are workers; a broken pool is replaced once."""
        if not self.processes:
            return draw(*args)
        pool = self._get()
        try:
            return pool.submit(draw, *args).result()
        except BrokenProcessPool:
            LOGGER.warning("a drawing worker ended unexpectedly; starting new workers")
            self._drop(pool)
            return self._get().submit(draw, *args).result()

    def close(self) -> None:
        """Stop the workers: pending drawings are cancelled, running ones finish, and the
        pool's own threads have ended (closing their pipes) when this returns."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _get(self) -> ProcessPoolExecutor:
        """The pool, started on first use."""
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def _drop(self, broken: ProcessPoolExecutor) -> None:
        """Forget a broken pool (unless another thread has already replaced it)."""
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=True, cancel_futures=True)
