"""A real waitress server of a WSGI app on a free loopback port, in a thread, stopped cleanly.

Closing waitress's sockets from the test's thread races its loop, which may be inside
`select` on them (EBADF in the server's thread, reported by pytest as a failure of whichever
test runs then). The loop is therefore run here in short rounds that check a stop flag, and
it closes its own sockets when told to stop; the test's thread touches none of them (nor
waitress's trigger pipe)."""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from waitress import wasyncore
from waitress.server import create_server

ROUND = 0.05  # seconds the loop waits for sockets before it looks at the stop flag


@contextmanager
def serve(app: Callable, **options) -> Iterator[str]:
    """Serve `app` (with waitress's `options`; 4 threads unless told) until the block ends;
    yields its base URL (http://127.0.0.1:PORT)."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # a test's burst is normal
    server = create_server(app, host="127.0.0.1", port=0, **{"threads": 4, **options})
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.is_set() and server._map:
                wasyncore.loop(timeout=ROUND, map=server._map, count=1)
        finally:
            wasyncore.close_all(server._map)

    thread = threading.Thread(target=run, daemon=True, name="waitress-loop")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stop.set()
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()
        if thread.is_alive():
            raise AssertionError("waitress's loop did not stop within 10 s")
