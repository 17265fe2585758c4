"""Benchmark: /healthz and a cached answer while many cold PNG maps are asked for at once, and
the cost of a repeated OGC items page; on a real waitress server (8 threads).

    python bench/bench_serving.py [--pngs 32]

Fires N PNG requests with N different views (none cached) at the same moment, and meanwhile
times /healthz and a cached /api/map-data every 100 ms; prints the median and worst latency,
how many PNGs were drawn (200) and turned away (503), and the worst /healthz against a 0.5 s
budget. Then times a warm 1.1 MB items page (gzip) twenty times. Uses the project's settings
(GEO_COVERAGE_*), building first when needed. Results also go to bench/out/bench_serving.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from waitress.server import create_server

from geo_coverage import create_app
from geo_coverage.boundaries.build import build_shapes
from geo_coverage.config import Settings
from geo_coverage.enrollment.build import build_sample_store

OUT = Path(__file__).resolve().parent / "out"
HEALTH_BUDGET_S = 0.5
ITEMS = "/ogc/collections/regencies/items?limit=1000"
VIEWS = [
    f"metric={m}&k={k}&lang={lang}"
    for m in ("coverage", "gap", "informal_coverage", "uncovered_informal")
    for k in (3, 4, 5, 6)
    for lang in ("id", "en")
]


def _get(url: str, headers: dict | None = None) -> tuple[int, float]:
    """Status and seconds of one GET."""
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    return status, time.perf_counter() - began


def main() -> int:
    """Run the load and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pngs", type=int, default=32)
    args = parser.parse_args()
    settings = Settings.from_env()
    build_shapes(settings, progress=lambda _msg: None)
    build_sample_store(settings, progress=lambda _msg: None)
    app = create_app()
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"
    _get(f"{base}/api/map-data")  # warm: imports, metrics, one cached answer
    _get(f"{base}/map.png?metric=change")

    statuses: list[int] = []
    health: list[float] = []
    cached: list[float] = []
    start = threading.Barrier(args.pngs + 1)

    def png(i: int) -> None:
        start.wait()
        statuses.append(_get(f"{base}/map.png?{VIEWS[i % len(VIEWS)]}&threshold={i}")[0])

    threads = [threading.Thread(target=png, args=(i,)) for i in range(args.pngs)]
    for t in threads:
        t.start()
    start.wait()
    while any(t.is_alive() for t in threads):
        health.append(_get(f"{base}/healthz")[1])
        cached.append(_get(f"{base}/api/map-data")[1])
        time.sleep(0.1)
    for t in threads:
        t.join()

    _get(f"{base}{ITEMS}", {"Accept-Encoding": "gzip"})
    warm = [_get(f"{base}{ITEMS}", {"Accept-Encoding": "gzip"})[1] for _ in range(20)]
    server.close()
    summary = {
        "pngs": args.pngs,
        "png_200": statuses.count(200),
        "png_503": statuses.count(503),
        "healthz_median_ms": round(statistics.median(health) * 1000, 1),
        "healthz_worst_ms": round(max(health) * 1000, 1),
        "healthz_budget_ms": HEALTH_BUDGET_S * 1000,
        "healthz_worst_ratio_to_budget": round(max(health) / HEALTH_BUDGET_S, 2),
        "cached_map_data_median_ms": round(statistics.median(cached) * 1000, 1),
        "cached_map_data_worst_ms": round(max(cached) * 1000, 1),
        "items_warm_median_ms": round(statistics.median(warm) * 1000, 1),
    }
    for key, value in summary.items():
        print(f"{key:32s} {value}")
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_serving.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
