"""Benchmark: how close the app serves its answers to the speed of the bytes.

    python bench/bench_serve.py [--duration 4] [--rounds 3] [--connections 16]

Starts `geo-coverage serve` (waitress, 8 threads), takes from it the answers of five routes
(an OGC items page, a download, /embed, /api/map-data, /map.png; gzip where the app sends
it), then serves those same bytes from two floors: a bare Flask app on the same waitress
settings (geo_coverage.cli.server's), and nginx with `gzip_static` when nginx is installed.
Each route is loaded with wrk (or, without wrk, a Python load generator: threads with
keep-alive http.client connections) for `--duration` seconds per round; prints req/s, p50 and
p99 (median of the rounds) and the ratio of the app's req/s to the Flask floor's against the
issue's goals. Then /embed at 64 connections, the app's and the floor's (p99 goal 250 ms),
and /healthz every 10 ms while 32 clients ask for uncached PNG maps (p99 goal 100 ms).
Every server runs in its own process on this machine (the load generator shares the cores).
Results also go to bench/out/bench_serve.json.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
THREADS = 8  # geo-coverage serve's default
ACCEPT = {"Accept-Encoding": "gzip"}
# (label, the app's URL, goal: the app's req/s as a share of the Flask floor's)
TARGETS = (
    ("items", "/ogc/collections/regencies/items?limit=1000", 0.8),
    ("download", "/download/regency.geojson", 0.8),
    ("embed", "/embed", 0.6),
    ("map-data", "/api/map-data", 0.6),
    ("map.png", "/map.png", None),
)
EMBED_P99_GOAL_MS = 250.0
EMBED_BUSY_CONNECTIONS = 64
HEALTHZ_P99_GOAL_MS = 100.0
PNG_CLIENTS = 32
HEALTHZ_EVERY_S = 0.01
_WRK_LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 300) -> None:
    """Wait until a URL answers (or the process dies)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                resp.read()
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def stop(proc: subprocess.Popen) -> None:
    """End a server this script started."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def take(base: str, path: str) -> tuple[bytes, dict[str, str]]:
    """The app's answer to a GET (gzip accepted): its body as sent and the headers that say
    what it is."""
    request = urllib.request.Request(base + path, headers=ACCEPT)
    with urllib.request.urlopen(request, timeout=300) as resp:
        body = resp.read()
        kept = ("Content-Type", "Content-Encoding")
        return body, {k: resp.headers[k] for k in kept if resp.headers.get(k)}


# ---- the floors -------------------------------------------------------------------------------


def write_answers(folder: Path, answers: dict[str, tuple[bytes, dict]]) -> None:
    """Each answer as files a floor serves: `<label>` (plain), `<label>.gz` when gzipped, and
    `<label>.json` with its headers."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    for label, (body, headers) in answers.items():
        if headers.get("Content-Encoding") == "gzip":
            (folder / f"{label}.gz").write_bytes(body)
            body = gzip.decompress(body)
        (folder / label).write_bytes(body)
        (folder / f"{label}.json").write_text(json.dumps(headers))


def run_flask_floor(folder: Path, port: int) -> None:
    """Serve the precomputed answers from a bare Flask app on waitress (what the app could do
    at best with the same server): /<label>, the stored bytes and headers, nothing else."""
    import waitress
    from flask import Flask, Response

    from geo_coverage.cli import server

    app = Flask("floor")
    answers = {}
    for meta in folder.glob("*.json"):
        label = meta.stem
        headers = json.loads(meta.read_text())
        gz = folder / f"{label}.gz"
        body = gz.read_bytes() if gz.exists() else (folder / label).read_bytes()
        answers[label] = (body, headers)

    @app.get("/<label>")
    def answer(label: str) -> Response:
        body, headers = answers[label]
        return Response(body, headers=headers)

    options = server.options(THREADS, server.CONNECTION_LIMIT, max_body_bytes=1024)
    waitress.create_server(app, host="127.0.0.1", port=port, **options).run()


NGINX_CONF = """\
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/tmp;
    proxy_temp_path {dir}/tmp;
    fastcgi_temp_path {dir}/tmp;
    uwsgi_temp_path {dir}/tmp;
    scgi_temp_path {dir}/tmp;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/answers;
        gzip_static on;
{locations}
    }}
}}
"""


def start_nginx(
    folder: Path, answers: dict[str, tuple[bytes, dict]]
) -> tuple[subprocess.Popen, int] | None:
    """nginx serving the answers with gzip_static (the .gz files as they are), or None when
    nginx is not installed."""
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        return None
    port = free_port()
    (folder / "tmp").mkdir(exist_ok=True)
    locations = "\n".join(
        f"        location = /{label} {{ types {{ }} default_type "
        f'"{headers.get("Content-Type", "application/octet-stream")}"; }}'
        for label, (_, headers) in answers.items()
    )
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=folder, port=port, locations=locations))
    proc = subprocess.Popen(
        [binary, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
        stderr=subprocess.DEVNULL,
    )
    wait_for(f"http://127.0.0.1:{port}/{next(iter(answers))}", proc, 30)
    return proc, port


# ---- the load ---------------------------------------------------------------------------------


def load_wrk(url: str, connections: int, seconds: int) -> tuple[float, float, float]:
    """req/s, p50 ms and p99 ms from wrk (2 threads, gzip accepted)."""
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "30s",
            "-H",
            "Accept-Encoding: gzip",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = {p: float(v) * _TO_MS[unit] for p, v, unit in _WRK_LATENCY.findall(out)}
    return float(_WRK_RATE.search(out).group(1)), latency["50"], latency["99"]


def load_python(url: str, connections: int, seconds: float) -> tuple[float, float, float]:
    """req/s, p50 ms and p99 ms from `connections` threads, each on a keep-alive connection."""
    host, _, rest = url.removeprefix("http://").partition("/")
    name, _, port = host.partition(":")
    path = "/" + rest
    times: list[float] = []
    lock = threading.Lock()
    began = time.perf_counter()
    deadline = began + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(name, int(port), timeout=30)
        mine = []
        while (start := time.perf_counter()) < deadline:
            conn.request("GET", path, headers=ACCEPT)
            resp = conn.getresponse()
            resp.read()
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            times.extend(mine)

    clients = [threading.Thread(target=client) for _ in range(connections)]
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    elapsed = time.perf_counter() - began
    return len(times) / elapsed, quantile_ms(times, 0.5), quantile_ms(times, 0.99)


def quantile_ms(seconds: list[float], q: float) -> float:
    """The q-quantile of some durations, in milliseconds."""
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def status_of(url: str) -> tuple[int, float]:
    """The status of one GET (the body read and dropped) and its Retry-After in seconds."""
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            resp.read()
            return resp.status, 0.0
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code, float(exc.headers.get("Retry-After") or 0)


def warm_drawing(base: str, workers: int = 2) -> None:
    """Draw a new map on each drawing worker at once, so the workers (started by the first
    drawing, each loading its data on a core for a few seconds) are ready before routes are
    measured."""
    threads = [
        threading.Thread(target=status_of, args=(f"{base}/map.png?threshold={5 + i}",))
        for i in range(workers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def png_flood(base: str, clients: int, seconds: float, polite: bool) -> dict:
    """/healthz every 10 ms while `clients` threads ask, one after another, for PNG maps of
    views never asked for before (each a new threshold, so none is cached). Polite clients
    wait as a 503's Retry-After says; the others ask again at once."""
    deadline = time.perf_counter() + seconds
    numbers = itertools.count()
    statuses: list[int] = []
    lock = threading.Lock()

    def client() -> None:
        while time.perf_counter() < deadline:
            threshold = 10 + next(numbers) / 100
            status, retry_after = status_of(
                f"{base}/map.png?outline=threshold&threshold={threshold:.2f}"
            )
            with lock:
                statuses.append(status)
            if polite and retry_after:
                time.sleep(min(retry_after, max(0.0, deadline - time.perf_counter())))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    health: list[float] = []
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        assert status_of(f"{base}/healthz")[0] == 200
        health.append(time.perf_counter() - began)
        time.sleep(HEALTHZ_EVERY_S)
    for t in threads:
        t.join()
    return {
        "clients": clients,
        "healthz_samples": len(health),
        "healthz_p50_ms": round(quantile_ms(health, 0.5), 1),
        "healthz_p99_ms": round(quantile_ms(health, 0.99), 1),
        "healthz_max_ms": round(max(health) * 1000, 1),
        "png_200": statuses.count(200),
        "png_503": statuses.count(503),
    }


def measure(load, url: str, connections: int, seconds: float, rounds: int) -> dict:
    """The median of `rounds` runs: req/s, p50 ms, p99 ms."""
    runs = [load(url, connections, seconds) for _ in range(rounds)]
    rate, p50, p99 = (statistics.median(values) for values in zip(*runs, strict=True))
    return {"rps": round(rate, 1), "p50_ms": round(p50, 2), "p99_ms": round(p99, 2)}


def main() -> int:
    """Start the servers, load each route, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=4, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--python-load", action="store_true", help="even when wrk is installed")
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)  # run the Flask floor
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        run_flask_floor(args.floor, args.port)
        return 0

    use_wrk = shutil.which("wrk") is not None and not args.python_load
    load = load_wrk if use_wrk else load_python
    port = free_port()
    app = subprocess.Popen(
        [sys.executable, "-m", "geo_coverage.cli", "serve", "--port", str(port)],
        stderr=subprocess.DEVNULL,
    )
    servers = [app]
    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    work.chmod(0o755)  # nginx's workers may run as another user
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz", app)
        answers = {label: take(base, path) for label, path, _ in TARGETS}
        warm_drawing(base)
        write_answers(work / "answers", answers)
        floor_port = free_port()
        floor = subprocess.Popen(
            [sys.executable, __file__, "--floor", str(work / "answers"), "--port", str(floor_port)],
            stderr=subprocess.DEVNULL,
        )
        servers.append(floor)
        wait_for(f"http://127.0.0.1:{floor_port}/{TARGETS[0][0]}", floor, 60)
        nginx = start_nginx(work, answers)
        if nginx:
            servers.append(nginx[0])

        print(
            f"load: {'wrk -t2' if use_wrk else 'Python threads'}, {args.connections} connections, "
            f"{args.rounds} rounds of {args.duration:g} s, gzip accepted; medians\n"
        )
        head = (
            f"{'route':10s} {'bytes':>9s} {'server':7s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s}"
        )
        print(head + f" {'app/floor':>9s} {'goal':>5s}")
        results = {}
        for label, path, goal in TARGETS:
            rows = {
                "app": measure(load, base + path, args.connections, args.duration, args.rounds),
                "flask": measure(
                    load,
                    f"http://127.0.0.1:{floor_port}/{label}",
                    args.connections,
                    args.duration,
                    args.rounds,
                ),
            }
            if nginx:
                rows["nginx"] = measure(
                    load,
                    f"http://127.0.0.1:{nginx[1]}/{label}",
                    args.connections,
                    args.duration,
                    args.rounds,
                )
            ratio = rows["app"]["rps"] / rows["flask"]["rps"]
            results[label] = {
                "path": path,
                "bytes": len(answers[label][0]),
                **rows,
                "app_to_flask": round(ratio, 2),
                "goal": goal,
            }
            for server, row in rows.items():
                extra = ""
                if server == "app":
                    extra = f" {ratio:9.2f} {goal if goal else '-':>5}"
                print(
                    f"{label:10s} {len(answers[label][0]):9,d} {server:7s} {row['rps']:8.1f} "
                    f"{row['p50_ms']:8.2f} {row['p99_ms']:8.2f}{extra}"
                )
        busy = measure(load, base + "/embed", EMBED_BUSY_CONNECTIONS, args.duration, args.rounds)
        floor_busy = measure(
            load,
            f"http://127.0.0.1:{floor_port}/embed",
            EMBED_BUSY_CONNECTIONS,
            args.duration,
            args.rounds,
        )
        results["embed_busy"] = {"connections": EMBED_BUSY_CONNECTIONS, **busy}
        results["embed_busy_flask"] = floor_busy
        print(
            f"\n/embed at {EMBED_BUSY_CONNECTIONS} connections: {busy['rps']:.1f} req/s, p99 "
            f"{busy['p99_ms']:.1f} ms (goal {EMBED_P99_GOAL_MS:.0f} ms, ratio "
            f"{busy['p99_ms'] / EMBED_P99_GOAL_MS:.2f}); the Flask floor: "
            f"{floor_busy['rps']:.1f} req/s, p99 {floor_busy['p99_ms']:.1f} ms"
        )
        for polite in (True, False):
            flood = png_flood(base, PNG_CLIENTS, args.duration * args.rounds, polite)
            kind = "wait as Retry-After says" if polite else "ask again at once"
            results[f"healthz_under_png_flood_{'polite' if polite else 'impolite'}"] = flood
            print(
                f"/healthz while {PNG_CLIENTS} clients ask for uncached PNG maps ({kind}): "
                f"{flood['healthz_samples']} samples, p50 {flood['healthz_p50_ms']} ms, p99 "
                f"{flood['healthz_p99_ms']} ms, worst {flood['healthz_max_ms']} ms (goal p99 "
                f"{HEALTHZ_P99_GOAL_MS:.0f} ms); PNGs drawn {flood['png_200']}, turned away "
                f"(503) {flood['png_503']}"
            )
        OUT.mkdir(exist_ok=True)
        summary = {"load": "wrk" if use_wrk else "python", "connections": args.connections}
        (OUT / "bench_serve.json").write_text(json.dumps(summary | results, indent=2) + "\n")
    finally:
        for proc in reversed(servers):
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
