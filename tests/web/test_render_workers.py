"""Drawing in worker processes (web/render_workers.py): the same images as drawing in the
server's threads, a killed worker replaced, and no worker outliving its server."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from geo_coverage import create_app
from geo_coverage.web.http import EXTENSION
from geo_coverage.web.render_workers import RenderWorkers

pytestmark = pytest.mark.slow  # starts worker processes


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie of ours counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


def test_the_workers_draw_the_same_bytes_as_the_servers_threads(served_settings):
    paths = {"instance": served_settings.instance, "shapes": served_settings.shapes}
    threads = create_app(paths).test_client()
    workers_app = create_app({**paths, "render_processes": True})
    workers = workers_app.extensions[EXTENSION].draws
    try:
        assert workers.processes == served_settings.render_slots
        for url in ("/map.png?metric=gap&lang=en", "/map.svg?province=73", "/map.pdf"):
            mine = threads.get(url)
            theirs = workers_app.test_client().get(url)
            assert theirs.status_code == mine.status_code == 200, url
            assert theirs.data == mine.data, url
        assert workers.run(os.getpid) != os.getpid()
    finally:
        workers.close()


def test_a_killed_worker_is_replaced():
    workers = RenderWorkers(1)
    try:
        first = workers.run(os.getpid)
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(first) and time.monotonic() < deadline:
            time.sleep(0.05)
        second = workers.run(os.getpid)
        assert second not in (first, os.getpid())
        assert workers.run(os.getpid) == second
    finally:
        workers.close()


def test_no_worker_outlives_a_killed_server(tmp_path):
    script = textwrap.dedent(
        """
        import os, sys
        from geo_coverage.web.render_workers import RenderWorkers
        if __name__ == "__main__":
            print(RenderWorkers(1).run(os.getpid), flush=True)
            os.kill(os.getpid(), 9)
        """
    )
    (tmp_path / "server.py").write_text(script)
    done = subprocess.run(
        [sys.executable, str(tmp_path / "server.py")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    worker = int(done.stdout.strip())
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker), "the worker outlived its server"
