"""The embedded server's settings (waitress) for many slow clients.

Waitress reads a whole request before a thread sees it and buffers the answer, so a slow or
idle client holds a connection, never a thread: the connection limit, not the threads, decides
how many slow clients it takes before `/healthz` is unreachable. The limit is raised well above
waitress's default of 100, connections are watched with poll() (select() stops at 1,024 file
descriptors), and a connection that sends nothing for CHANNEL_TIMEOUT_S is closed.
"""

from __future__ import annotations

import logging
import resource
import threading
import time

LOGGER = logging.getLogger(__name__)

CONNECTION_LIMIT = 2000  # open connections (slow, idle or keep-alive) waitress serves at once
CHANNEL_TIMEOUT_S = 30  # a connection idle this long, even mid-request, is closed
CLEANUP_INTERVAL_S = 5  # how often idle connections are looked for
BACKLOG = 2048  # connections the kernel queues before waitress accepts them
MAX_HEADER_BYTES = 64 * 1024  # a request's line and headers; more is refused with 431
SPARE_FILES = 128  # file descriptors kept for the store, shapes, logs and the thread pool
QUEUE_WARNING_EVERY_S = 60  # waitress's "Task queue depth" line, at most once a minute


class OncePerInterval(logging.Filter):
    """Let one record through per interval and count the others into the next one: waitress
    warns about its queue on every request that has to wait, and writes the line while it
    holds the lock its threads take work from, so under load the log itself would slow every
    request and grow without bound."""

    def __init__(self, interval_s: float):
        super().__init__()
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._next = 0.0
        self._held = 0

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether to write this record (with how many were left out since the last one)."""
        now = time.monotonic()
        with self._lock:
            if now < self._next:
                self._held += 1
                return False
            held, self._held, self._next = self._held, 0, now + self.interval_s
        if held:
            record.msg = f"{record.getMessage()} ({held:,} more such lines left out)"
            record.args = None
        return True


def quiet_queue_warnings() -> None:
    """Waitress's queue warnings at most once a minute (see OncePerInterval)."""
    queue = logging.getLogger("waitress.queue")
    if not any(isinstance(f, OncePerInterval) for f in queue.filters):
        queue.addFilter(OncePerInterval(QUEUE_WARNING_EVERY_S))


def open_files_allowed(wanted: int) -> int:
    """Raise this process's open-file limit towards `wanted` (up to the hard limit); the
    limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (OSError, ValueError) as exc:
            LOGGER.warning(f"cannot raise the open-file limit from {soft} to {target}: {exc}")
    return wanted if soft == resource.RLIM_INFINITY else soft


def options(threads: int, connections: int, max_body_bytes: int, trusted_proxy: str = "") -> dict:
    """Keyword arguments for waitress.create_server: slow clients hold connections, not
    threads; the connection limit fits the open-file limit; queue warnings are kept few.
    Behind a reverse proxy at `trusted_proxy`, the client's address and scheme are the ones it
    forwards (the last X-Forwarded-For hop, X-Forwarded-Proto); from anyone else those headers
    are dropped, so a client cannot claim another address."""
    quiet_queue_warnings()
    files = open_files_allowed(connections + SPARE_FILES)
    limit = min(connections, max(files - SPARE_FILES, 1))
    if limit < connections:
        LOGGER.warning(f"open-file limit {files}: serving at most {limit} connections")
    return {
        "threads": threads,
        "connection_limit": limit,
        "channel_timeout": CHANNEL_TIMEOUT_S,
        "cleanup_interval": CLEANUP_INTERVAL_S,
        "backlog": BACKLOG,
        "asyncore_use_poll": True,
        "max_request_header_size": MAX_HEADER_BYTES,
        # refuse an oversized upload from its Content-Length, before reading it
        "max_request_body_size": max_body_bytes,
    } | (_behind(trusted_proxy) if trusted_proxy else {})


def _behind(proxy: str) -> dict:
    """waitress's settings for one trusted reverse proxy."""
    return {
        "trusted_proxy": proxy,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        "clear_untrusted_proxy_headers": True,
    }
