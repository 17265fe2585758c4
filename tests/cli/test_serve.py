"""`geo-coverage serve` runs a production server that builds first when nothing is built."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow  # starts real servers or processes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited early:\n{proc.stderr.read()}")
        try:
            return urllib.request.urlopen(url, timeout=2)
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {seconds} s")


def test_serve_builds_then_answers_healthz(mirror_dir, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "GEO_COVERAGE_INSTANCE": str(tmp_path / "instance"),
        "GEO_COVERAGE_SHAPES": str(tmp_path / "shapes"),
    }
    env.pop("GEO_COVERAGE_MIRROR", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "geo_coverage.cli",
            "serve",
            "--port",
            str(port),
            "--mirror",
            str(mirror_dir),
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        resp = _wait_for(f"http://127.0.0.1:{port}/healthz", proc, 180)
        assert resp.status == 200
        assert resp.headers["Server"] == "waitress"
        body = resp.read()
        assert b'"shapes_built":true' in body and b'"store_built":true' in body
        assert (tmp_path / "shapes" / "regencies.shp").exists()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "nothing built yet: building first" in err
    assert f"serving on http://127.0.0.1:{port}/" in err


def test_port_in_use_is_a_clear_error(served_settings):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {
            **os.environ,
            "GEO_COVERAGE_INSTANCE": str(served_settings.instance),
            "GEO_COVERAGE_SHAPES": str(served_settings.shapes),
        }
        done = subprocess.run(
            [sys.executable, "-m", "geo_coverage.cli", "serve", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def _copy_store(source, target) -> None:
    """A consistent copy of a store file (SQLite backup)."""
    import sqlite3

    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def test_serve_reads_a_read_only_store_without_building(served_settings, tmp_path):
    """A real read-only disk: the instance folder is a tmpfs remounted read-only, in a private
    mount namespace (tests/mounts.py); the server runs inside it."""
    from mounts import spawn_on_tmpfs

    port = _free_port()
    template = tmp_path / "template.gpkg"
    _copy_store(served_settings.store_path, template)
    instance = tmp_path / "instance"
    env = {
        **os.environ,
        "GEO_COVERAGE_INSTANCE": str(instance),
        "GEO_COVERAGE_SHAPES": str(served_settings.shapes),
    }
    proc = spawn_on_tmpfs(
        instance,
        2048,
        [f"cp {template} {instance}/coverage.gpkg"],
        [sys.executable, "-m", "geo_coverage.cli", "serve", "--port", str(port)],
        env,
        read_only=True,
    )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/healthz", proc, 120).read()
        assert b'"store_built":true' in health
        data = urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/map-data?period=2021-12", timeout=60
        )
        assert data.status == 200 and b"73.71" in data.read()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "is read-only (the disk it is on is mounted read-only): serving it read-only" in err
    assert "building" not in err and "Traceback" not in err


def test_serve_refuses_a_damaged_store_and_says_how_to_restore_it(served_settings, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    store = instance / "coverage.gpkg"
    _copy_store(served_settings.store_path, store)
    with store.open("r+b") as f:
        f.seek(4096 * 3)
        f.write(b"\xa5" * 4096)
    env = {
        **os.environ,
        "GEO_COVERAGE_INSTANCE": str(instance),
        "GEO_COVERAGE_SHAPES": str(served_settings.shapes),
    }
    done = subprocess.run(
        [sys.executable, "-m", "geo_coverage.cli", "serve", "--port", str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert f"the enrollment store {store} is damaged" in done.stderr
    assert "restore it from a backup" in done.stderr and "geo-coverage build" in done.stderr
    assert "building" not in done.stderr and "Traceback" not in done.stderr


def test_a_one_gigabyte_upload_is_refused_before_it_is_sent(served_settings):
    port = _free_port()
    env = {
        **os.environ,
        "GEO_COVERAGE_INSTANCE": str(served_settings.instance),
        "GEO_COVERAGE_SHAPES": str(served_settings.shapes),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo_coverage.cli", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", proc, 60)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(
                b"POST /api/imports?activate=1 HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer gct_x\r\nContent-Length: 1000000000\r\n\r\nkode,"
            )
            answer = conn.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
