"""Benchmark the GIS endpoints on a real waitress server: bytes on the wire and latency.

Prints, for OGC API items pages and every download, the raw and gzipped size, their ratio,
the first (cold) and median warm response time, and the ratio of a page's gzipped size to a
budget for weak island connections. Uses the settings of the environment (GEO_COVERAGE_*),
building shapes and the store first when they are missing.

    python bench/bench_gis.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import urllib.request

from waitress.server import create_server

from geo_coverage import create_app
from geo_coverage.boundaries.build import build_shapes
from geo_coverage.boundaries.shapes import is_built
from geo_coverage.config import Settings
from geo_coverage.enrollment.build import build_sample_store

# A page a phone on a 1 Mbit/s island connection fetches in about two seconds.
PAGE_BUDGET_BYTES = 250_000
URLS = (
    "/ogc/collections/regencies/items?limit=10",
    "/ogc/collections/regencies/items",
    "/ogc/collections/regencies/items?limit=1000",
    "/ogc/collections/provinces/items",
    "/ogc/collections/regencies/items/73.71",
    "/ogc/collections/regencies/items?bbox=119,-6,120,-5",
    "/ogc/collections/regencies_2024-08_informal/items",
    "/ogc/collections/regencies/items?filter=coverage_pct%20%3C%20target_pct",
    "/ogc/collections/regencies_history/items?skipGeometry=true",
    "/ogc/collections/regencies_history/items",
    "/download/regency.geojson",
    "/download/regency.geojson?simplified=1",
    "/download/regency.gpkg",
    "/download/regency.gpkg?period=all",
    "/download/regency.shp.zip",
    "/download/regency.csv",
    "/download/regency.csv?geometry=wkt",
    "/download/regency.csv.zip",
    "/download/regency.xlsx",
    "/download/regency.qml",
    "/download/province.geojson",
)


def fetch(url: str, gzip: bool) -> tuple[int, float]:
    """Bytes received and seconds taken for one GET."""
    headers = {"Accept-Encoding": "gzip"} if gzip else {}
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120) as r:
        body = r.read()
    return len(body), time.perf_counter() - started


def main() -> None:
    """Serve, measure each URL, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = Settings.from_env()
    if not is_built(settings.shapes):
        build_shapes(settings, progress=print)
    build_sample_store(settings, progress=lambda _m: None)
    srv = create_server(create_app(), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()  # ends with the process
    base = f"http://127.0.0.1:{srv.effective_port}"
    print(
        f"{'url':55s} {'raw B':>10s} {'gzip B':>9s} {'gz/raw':>6s} {'cold ms':>8s} "
        f"{'warm ms':>8s} {'gz/budget':>9s}"
    )
    for path in URLS:
        raw, cold = fetch(base + path, gzip=False)
        packed, _ = fetch(base + path, gzip=True)
        warm = statistics.median(fetch(base + path, gzip=True)[1] for _ in range(args.repeat))
        budget = f"{packed / PAGE_BUDGET_BYTES:9.2f}" if path.startswith("/ogc") else " " * 9
        print(
            f"{path:55s} {raw:10,d} {packed:9,d} {packed / raw:6.2f} {cold * 1000:8.0f} "
            f"{warm * 1000:8.0f} {budget}"
        )


if __name__ == "__main__":
    main()
