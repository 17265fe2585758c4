"""docs/deploy.md's recipe, run on loopback: a throw-away PostGIS cluster, two real
`geo-coverage serve` processes and nginx with the configuration the page shows (read from the
page, only its ports and folder changed). An import through one instance is read through nginx
and served by the other within a second; an instance is killed while requests go on and none
fails; nginx answers the versioned assets and geometry from the precompressed files itself;
the instances see a client's own address through nginx, and nobody can claim another."""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from postgres import free_port, postgis_copy
from repo import REPO_ROOT

from geo_coverage.accounts import audit, tokens

pytest_plugins = ["enrollment_fixtures"]
pytestmark = [pytest.mark.deploy, pytest.mark.slow]

DOC = REPO_ROOT / "docs" / "deploy.md"
NGINX_BLOCK = re.compile(r"```nginx\n(.*?)```", re.S)
# What the page's configuration names and the test replaces: its own ports and folder.
DOC_LISTEN, DOC_A, DOC_B = "127.0.0.1:8080", "127.0.0.1:8001", "127.0.0.1:8002"
DOC_STATIC = "/srv/geo-coverage/static/"
IMPORT = b"kode,period,segment,potential_workers,active_members\n73.71,2025-06,wage,400000,390000\n"
MAP_DATA = "/api/map-data?level=regency&period=2025-06"
# the versioned URLs a page links: assets, the overview and each province's detail geometry
VERSIONED = r'"(/(?:assets/[^"?]+|geometry\.topojson|geometry/\d+\.topojson)\?v=[0-9a-f]{16})"'
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def doc_config(listen: int, a: int, b: int, static: Path) -> str:
    """The nginx server configuration docs/deploy.md shows, on the test's ports and folder."""
    blocks = NGINX_BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) == 1, "docs/deploy.md shows one nginx configuration"
    text = blocks[0]
    for literal in (DOC_LISTEN, DOC_A, DOC_B, DOC_STATIC):
        assert text.count(literal) == 1, f"docs/deploy.md's nginx configuration names {literal}"
    return (
        text.replace(DOC_LISTEN, f"127.0.0.1:{listen}")
        .replace(DOC_A, f"127.0.0.1:{a}")
        .replace(DOC_B, f"127.0.0.1:{b}")
        .replace(DOC_STATIC, f"{static}/")
    )


def _get(url: str, headers: dict | None = None, timeout: float = 30):
    """(status, headers, body) of a GET; an HTTP error status is an answer too."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _wait(url: str, proc: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    """Until url answers 200; fails with the process's log if it exits or never answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{proc.args[:4]} exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if _get(url, timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds} s:\n{log.read_text()[-3000:]}")


class Processes:
    """Processes started by the test, each logging to its own file; all stopped at the end."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, command: list[str], env: dict) -> tuple[subprocess.Popen, Path]:
        """Start one process with its output in folder/name.log."""
        log = self.folder / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.running.append(proc)
        return proc, log

    def stop_all(self) -> None:
        """Stop every process still running."""
        for proc in self.running:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.running:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def web_root():
    """A folder nginx's workers can read (and write their temporary files in): when the tests
    run as root the workers run as nobody, who cannot enter pytest's private tmp_path."""
    root = Path(tempfile.mkdtemp(prefix="geo-coverage-nginx-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def nginx_main(root: Path, site: str) -> Path:
    """A main nginx.conf around the page's server block: its own pid, logs and temp folders."""
    user = ""
    if os.geteuid() == 0:
        user = "user nobody nogroup;"
        for name in TEMP_PATHS:
            (root / "temp" / name).mkdir(parents=True)
            shutil.chown(root / "temp" / name, "nobody", "nogroup")
    else:
        for name in TEMP_PATHS:
            (root / "temp" / name).mkdir(parents=True)
    temps = "\n".join(f"    {n}_temp_path {root}/temp/{n};" for n in TEMP_PATHS)
    (root / "site.conf").write_text(site, encoding="utf-8")
    main = root / "nginx.conf"
    main.write_text(
        f"{user}\nworker_processes 1;\ndaemon off;\npid {root}/nginx.pid;\n"
        f"error_log {root}/error.log info;\nevents {{ worker_connections 512; }}\n"
        f"http {{\n    access_log {root}/access.log;\n{temps}\n    include {root}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    return main


def _fail_to_sign_in(port: int, source: str, name: str) -> None:
    """Sign in as `name` with a wrong password, from the loopback address `source`, claiming
    in X-Forwarded-For to be 203.0.113.7."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        conn.request("GET", "/login")
        resp = conn.getresponse()
        page = resp.read().decode()
        cookie = resp.getheader("Set-Cookie", "").split(";")[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert resp.status == 200 and cookie and token, (resp.status, page[:300])
        form = urlencode({"csrf_token": token[1], "username": name, "password": "wrong"})
        headers = {
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": "203.0.113.7",
        }
        conn.request("POST", "/login", body=form, headers=headers)
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 401, resp.status
    finally:
        conn.close()


def _hammer(base: str, paths: list[str], stop: threading.Event, outcomes: list) -> None:
    """GET the paths through nginx in turn until stopped, recording (time, path, status or
    error)."""
    i = 0
    while not stop.is_set():
        path = paths[i % len(paths)]
        i += 1
        try:
            status, _, _ = _get(base + path, timeout=30)
        except OSError as exc:
            status = repr(exc)
        outcomes.append((time.monotonic(), path, status))


def test_two_instances_behind_nginx(
    postgres_server, postgis_sample_template, served_settings, tmp_path, web_root
):
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.fail("nginx is not installed (apt-get install nginx; .ci/run does)")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    procs = Processes(tmp_path)
    bare = served_settings.with_(instance=tmp_path / "instance", shapes=tmp_path / "no-shapes")
    with postgis_copy(postgres_server, postgis_sample_template, bare) as settings:
        env = {
            **os.environ,
            "GEO_COVERAGE_DATABASE_URL": settings.database_url,
            "GEO_COVERAGE_SHAPES": str(tmp_path / "no-shapes"),
            "GEO_COVERAGE_MIRROR": str(settings.mirror),
            "GEO_COVERAGE_TILES": "none",
            "GEO_COVERAGE_TRUSTED_PROXY": "127.0.0.1",  # nginx, as docs/deploy.md says
        }
        cli = [sys.executable, "-m", "geo_coverage.cli"]
        static = web_root / "static"
        exported = subprocess.run(
            [*cli, "static", str(static)],
            env={**env, "GEO_COVERAGE_INSTANCE": str(tmp_path / "exporter")},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert exported.returncode == 0, exported.stderr
        ports = {"a": free_port(), "b": free_port(), "nginx": free_port()}
        try:
            serve = {}
            for name in ("a", "b"):
                command = [*cli, "serve", "--host", "127.0.0.1", "--port", str(ports[name])]
                instance_env = {**env, "GEO_COVERAGE_INSTANCE": str(tmp_path / name)}
                serve[name] = procs.start(name, command, instance_env)
            for name in ("a", "b"):
                _wait(f"http://127.0.0.1:{ports[name]}/healthz", *serve[name])
            main = nginx_main(web_root, doc_config(ports["nginx"], ports["a"], ports["b"], static))
            checked = subprocess.run(
                [nginx, "-t", "-c", str(main), "-e", str(web_root / "error.log")],
                capture_output=True,
                text=True,
            )
            assert checked.returncode == 0, checked.stderr
            proxy = procs.start(
                "nginx", [nginx, "-c", str(main), "-e", str(web_root / "error.log")], env
            )
            front = f"http://127.0.0.1:{ports['nginx']}"
            _wait(f"{front}/healthz", *proxy)
            a, b = (f"http://127.0.0.1:{ports[n]}" for n in ("a", "b"))
            landing = _get(front + "/ogc/")
            assert landing[0] == 200 and f"{front}/ogc/collections" in landing[2].decode()

            # Versioned assets and geometry: the exported files, gzip, immutable.
            page = _get(front + "/")[2].decode()
            versioned = re.findall(VERSIONED, page)
            assert any(p.startswith("/assets/") for p in versioned), "the page links assets"
            assert "/geometry.topojson" in {p.split("?")[0] for p in versioned}, "the overview"
            assert any(p.startswith("/geometry/") for p in versioned), "a province's detail"
            from_app = {}
            for path in versioned:
                status, headers, body = _get(front + path, {"Accept-Encoding": "gzip"})
                assert status == 200, path
                assert headers["Content-Encoding"] == "gzip", path
                assert "immutable" in headers["Cache-Control"], path
                assert headers["Vary"] == "Accept-Encoding", path
                from_app[path] = _get(a + path)[2]
                assert gzip.decompress(body) == from_app[path], path
            # a version that was never exported is answered by the app
            unknown = _get(front + "/assets/js/main.js?v=0123456789abcdef")
            assert unknown[0] == 200 and unknown[2] == _get(a + "/assets/js/main.js")[2]

            # An import through A is served by B, and through nginx, within a second.
            _, secret = tokens.create_token(settings.database_url, "script", "editor", "test")
            before = _get(front + MAP_DATA)[1]["ETag"]
            request = urllib.request.Request(
                a + "/api/imports?activate=1",
                data=IMPORT,
                headers={"Authorization": f"Bearer {secret}", "Content-Type": "text/csv"},
            )
            with urllib.request.urlopen(request, timeout=60) as resp:
                assert resp.status == 200 and b'"activated"' in resp.read()
            committed = time.monotonic()
            while _get(b + MAP_DATA)[1]["ETag"] == before:
                assert time.monotonic() - committed < 1.0, "B did not serve the import in 1 s"
                time.sleep(0.02)
            seen = {_get(front + MAP_DATA)[1]["ETag"] for _ in range(4)}  # both, in turn
            assert before not in seen and len(seen) == 1

            # The instances see who signs in: the client through nginx, the peer otherwise.
            _fail_to_sign_in(ports["nginx"], "127.0.0.2", "via-nginx")
            _fail_to_sign_in(ports["b"], "127.0.0.3", "direct")
            recorded = {
                name: audit.entries(settings.database_url, actor=name, action="login_failed")
                for name in ("via-nginx", "direct")
            }
            assert [e.address for e in recorded["via-nginx"]] == ["127.0.0.2"]
            assert [e.address for e in recorded["direct"]] == ["127.0.0.3"]

            # Kill A while requests go on: not one fails.
            stop, outcomes = threading.Event(), []
            paths = [MAP_DATA, "/api/map-data?level=province&period=2021-12", "/healthz", "/"]
            workers = [
                threading.Thread(target=_hammer, args=(front, paths, stop, outcomes))
                for _ in range(4)
            ]
            for worker in workers:
                worker.start()
            time.sleep(1.0)
            serve["a"][0].send_signal(signal.SIGKILL)
            killed = time.monotonic()
            time.sleep(3.0)
            stop.set()
            for worker in workers:
                worker.join(timeout=60)
            assert serve["a"][0].wait(timeout=10) == -signal.SIGKILL
            failed = [o for o in outcomes if o[2] != 200]
            assert not failed, failed[:5]
            after = [o for o in outcomes if o[0] > killed]
            assert len(outcomes) > 40 and len(after) > 20, (len(outcomes), len(after))

            # With no instance left, nginx still answers the versioned files itself.
            serve["b"][0].terminate()
            serve["b"][0].wait(timeout=20)
            assert _get(front + MAP_DATA)[0] == 502
            for path, body in from_app.items():
                status, headers, gz = _get(front + path, {"Accept-Encoding": "gzip"})
                assert status == 200 and gzip.decompress(gz) == body, path
                status, headers, plain = _get(front + path)
                assert status == 200 and plain == body, path
        finally:
            procs.stop_all()
