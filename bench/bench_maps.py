"""Benchmark: the regency embed (bytes from the app, first choropleth paint in headless
Chromium) against the naive folium page on the full-resolution boundaries; the offline map
file (/download/map.html: its size against its budget and its first draw from disk with the
network off) and the slide images (bytes, drawing time); then, on a national build in a
temporary folder, the national regency overview and the drill-down into the province with the
most districts (Jawa Timur, 666), whose detail file holds its districts, and that province's
district map; prints figures and ratios to the budgets.

    python bench/bench_maps.py [--runs N] [--no-national]

Uses the project's built shapes and store (building them first when needed), a real waitress
server and Debian's Chromium, with every request that would leave the machine aborted.
Results also go to bench/out/bench_maps.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "browser"))

from harness import block_non_local, chromium, serve  # noqa: E402

from geo_coverage import create_app  # noqa: E402
from geo_coverage.boundaries.build import build_shapes  # noqa: E402
from geo_coverage.config import Settings  # noqa: E402
from geo_coverage.enrollment.build import build_sample_store  # noqa: E402
from geo_coverage.metrics import dataset  # noqa: E402
from geo_coverage.region import DEFAULT_REGION, parse_region  # noqa: E402

OUT = HERE / "out"
EMBED = "/embed?level=regency"
BUDGET_BYTES = 150 * 1024
BUDGET_PAINT_MS = 1500
OFFLINE = "/download/map.html?level=regency"
IMAGES = ("/map.png", "/map.png?scale=2", "/map.png?size=a4&scale=2", "/map.svg", "/map.pdf")
BUDGET_OFFLINE_BYTES = 600 * 1024
# National: (page, areas drawn, bytes budget, first-paint budget in ms).
NATIONAL_PAGES = {
    "national regency overview": ("/embed?level=regency", 514, 300 * 1024, 2000),
    "Jawa Timur drill-down (its detail holds 666 districts)": (
        "/embed?province=35",
        38,
        150 * 1024,
        1500,
    ),
    "Jawa Timur districts (the largest district view)": (
        "/embed?level=district&province=35",
        666,
        150 * 1024,
        1500,
    ),
}
# Resource timing of everything the page loaded: url, bytes over the wire, bytes decoded.
TRANSFERS = """() => [performance.getEntriesByType('navigation')[0],
                      ...performance.getEntriesByType('resource')]
  .map(e => [e.name, e.transferSize, e.decodedBodySize])"""
LIBRARY = "/assets/leaflet/"
PAINT = "performance.getEntriesByName('choropleth-painted')[0].startTime"


def _settings() -> Settings:
    """The project's settings for the regional office's region, with shapes and store built."""
    settings = Settings.from_env(region=DEFAULT_REGION.key)
    build_shapes(settings, progress=lambda _msg: None)
    build_sample_store(settings, progress=lambda _msg: None)
    return settings


def measure_embed(browser, base: str, runs: int, path: str = EMBED, areas: int = 102) -> dict:
    """Bytes transferred and paint times of a map page, each run in a fresh (cold) context."""
    paints, transfers = [], None
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 960, "height": 640})
        block_non_local(context, [])
        page = context.new_page()
        page.goto(base + path)
        page.wait_for_selector("html[data-painted]", state="attached", timeout=30_000)
        paints.append(page.evaluate(PAINT))
        page.wait_for_load_state("networkidle")
        transfers = page.evaluate(TRANSFERS)
        assert page.locator("#map path[data-kode]").count() == areas
        context.close()
    ours = [
        (url, size, decoded)
        for url, size, decoded in transfers
        if url.startswith(base) and LIBRARY not in url
    ]
    library = sum(size for url, size, _ in transfers if url.startswith(base) and LIBRARY in url)
    return {
        "page_and_data_bytes": sum(size for _, size, _ in ours),
        "page_and_data_decoded_bytes": sum(decoded for _, _, decoded in ours),
        "files": {url[len(base) :].split("?")[0]: size for url, size, _ in ours},
        "library_bytes": library,
        "paint_ms": paints,
        "paint_ms_median": statistics.median(paints),
    }


def naive_page(settings: Settings) -> Path:
    """folium.Choropleth on the unsimplified regencies joined with coverage, as one HTML file."""
    import folium
    import geopandas as gpd

    shapes = gpd.read_file(settings.shapes / "regencies.shp")
    metrics = dataset.load_metrics(settings, "regency")
    coverage = metrics.loc[:, ["kode", "coverage_pct"]].astype({"kode": str, "coverage_pct": float})
    joined = shapes.loc[:, ["kode", "nama", "geometry"]].merge(coverage, on="kode")
    fmap = folium.Map(location=[-2.5, 124.0], zoom_start=6, tiles=None)
    folium.Choropleth(
        geo_data=joined,
        data=coverage,
        columns=["kode", "coverage_pct"],
        key_on="feature.properties.kode",
        fill_color="YlGnBu",
        legend_name="coverage %",
    ).add_to(fmap)
    OUT.mkdir(exist_ok=True)
    path = OUT / "naive_folium.html"
    fmap.save(str(path))
    return path


def measure_naive(browser, path: Path) -> dict:
    """Size of the naive page and whether it draws anything when its CDN files cannot load."""
    body = path.read_bytes()

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body]

    blocked: list[str] = []
    with serve(app, threads=2) as base:
        context = browser.new_context(viewport={"width": 960, "height": 640})
        block_non_local(context, blocked)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "/", wait_until="load", timeout=60_000)
        time.sleep(1.0)
        drawn = page.locator("path").count()
        context.close()
    return {
        "bytes": len(body),
        "gzip_bytes": len(gzip.compress(body, 6)),
        "paths_drawn_offline": drawn,
        "cdn_requests_blocked": len(blocked),
        "script_errors": errors[:3],
    }


def measure_images(app) -> dict:
    """Bytes and drawing time of each slide image of the regency view, first asked (nothing
    cached: each size and format is its own cache entry)."""
    client = app.test_client()
    found = {}
    for url in IMAGES:
        began = time.perf_counter()
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        found[url] = {"bytes": len(resp.data), "ms": (time.perf_counter() - began) * 1000}
    return found


def measure_offline(browser, app, runs: int) -> dict:
    """Size of the regency view's offline map file, and how long it takes to draw every area
    when opened from disk with the network off."""
    resp = app.test_client().get(OFFLINE)
    assert resp.status_code == 200, resp.status_code
    body = resp.data
    OUT.mkdir(exist_ok=True)
    path = OUT / "offline_map.html"
    path.write_bytes(body)
    drawn_ms = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1440, "height": 900}, offline=True)
        page = context.new_page()
        began = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function(
            "document.querySelectorAll('.leaflet-overlay-pane path').length === 102"
        )
        drawn_ms.append((time.perf_counter() - began) * 1000)
        context.close()
    return {
        "bytes": len(body),
        "gzip_bytes": len(gzip.compress(body, 6)),
        "drawn_ms": drawn_ms,
        "drawn_ms_median": statistics.median(drawn_ms),
    }


def national(browser, settings: Settings, runs: int) -> dict:
    """Build Indonesia in a temporary folder, serve it, measure its pages and detail files."""
    with tempfile.TemporaryDirectory(prefix="bench-maps-national-") as tmp:
        root = Path(tmp)
        built = settings.with_(
            region=parse_region("indonesia"), shapes=root / "shapes", instance=root / "instance"
        )
        report = build_shapes(built, progress=lambda _msg: None).report
        build_sample_store(built, progress=lambda _msg: None)
        app = create_app(
            {
                "region": "indonesia",
                "shapes": built.shapes,
                "instance": built.instance,
                "mirror": built.mirror,
                "tiles": "none",
            }
        )
        pages = {}
        with serve(app) as base:
            for name, (path, areas, _, _) in NATIONAL_PAGES.items():
                app.test_client().get(path)  # the server is warm
                pages[name] = measure_embed(browser, base, runs, path, areas)
    detail = report["display"]["detail"]["provinces"]
    return {
        "pages": pages,
        "detail_gzip_bytes": {p: d["topojson_gzip_bytes"] for p, d in detail.items()},
    }


def print_national(figures: dict, runs: int) -> None:
    """The national pages against their budgets, and the largest province detail file."""
    kb = 1024
    print(f"national build (Indonesia, in a temporary folder), {runs} cold loads each")
    for name, (_, _, budget_bytes, budget_ms) in NATIONAL_PAGES.items():
        page = figures["pages"][name]
        size, paint = page["page_and_data_bytes"], max(page["paint_ms"])
        print(f"  {name}")
        for file, got in page["files"].items():
            print(f"    {file:36s} {got / kb:8.1f} KB transferred")
        print(
            f"    page and its data, total         {size / kb:8.1f} KB "
            f"(budget {budget_bytes / kb:.0f} KB: {size / budget_bytes:.2f}×)"
        )
        print(
            f"    first choropleth paint           {page['paint_ms_median']:8.0f} ms median, "
            f"{paint:.0f} ms slowest (budget {budget_ms} ms: {paint / budget_ms:.2f}×)"
        )
    sizes = figures["detail_gzip_bytes"]
    largest = max(sizes, key=sizes.get)
    print(
        f"  province detail files (regencies and districts): the largest, {largest}, "
        f"{sizes[largest] / kb:.1f} KB gzipped ({sizes[largest] / (150 * kb):.2f}× of 150 KB); "
        f"median {statistics.median(sizes.values()) / kb:.1f} KB"
    )


def main(argv: list[str] | None = None) -> int:
    """Run both measurements, print figures and ratios, write bench/out/bench_maps.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold page loads of the embed")
    parser.add_argument("--no-national", action="store_true", help="skip the national build")
    args = parser.parse_args(argv)
    settings = _settings()
    app = create_app({"tiles": "none", "region": DEFAULT_REGION.key})
    with serve(app) as base, chromium() as browser:
        app.test_client().get(EMBED)  # compute the view once: the server is warm
        ours = measure_embed(browser, base, args.runs)
        naive = measure_naive(browser, naive_page(settings))
        offline = measure_offline(browser, app, args.runs)
        images = measure_images(app)
        whole = None if args.no_national else national(browser, settings, args.runs)
    kb = 1024
    print(f"regency embed, {args.runs} cold loads (tiles off, non-local requests blocked)")
    for name, size in ours["files"].items():
        print(f"  {name:32s} {size / kb:8.1f} KB transferred")
    print(
        f"  page and its data, total        {ours['page_and_data_bytes'] / kb:8.1f} KB "
        f"(budget {BUDGET_BYTES / kb:.0f} KB: "
        f"{'ok' if ours['page_and_data_bytes'] <= BUDGET_BYTES else 'OVER'})"
    )
    print(f"  Leaflet JS/CSS (not budgeted)   {ours['library_bytes'] / kb:8.1f} KB")
    print(
        f"  first choropleth paint          {ours['paint_ms_median']:8.0f} ms median "
        f"(runs: {', '.join(f'{p:.0f}' for p in ours['paint_ms'])}; budget "
        f"{BUDGET_PAINT_MS} ms: {'ok' if max(ours['paint_ms']) <= BUDGET_PAINT_MS else 'OVER'})"
    )
    print("naive folium.Choropleth on the full-resolution regencies, one HTML file")
    print(
        f"  size {naive['bytes'] / kb:8.1f} KB, gzipped {naive['gzip_bytes'] / kb:8.1f} KB; "
        f"offline: {naive['paths_drawn_offline']} areas drawn, "
        f"{naive['cdn_requests_blocked']} CDN requests blocked, "
        f"errors: {naive['script_errors']}"
    )
    print("ratios (naive ÷ ours)")
    print(
        f"  bytes over the wire: {naive['gzip_bytes'] / ours['page_and_data_bytes']:.1f}× "
        f"(gzipped naive page vs our page and data); with Leaflet counted too: "
        f"{naive['gzip_bytes'] / (ours['page_and_data_bytes'] + ours['library_bytes']):.1f}×"
    )
    print(
        f"  uncompressed: {naive['bytes'] / ours['page_and_data_decoded_bytes']:.1f}× "
        f"(naive HTML {naive['bytes'] / kb:.0f} KB vs our page and data decoded, "
        f"{ours['page_and_data_decoded_bytes'] / kb:.0f} KB)"
    )
    print(
        "  first paint offline: ours "
        f"{ours['paint_ms_median']:.0f} ms, naive never (blank without its CDN files)"
    )
    print("offline map file, regency view (/download/map.html), opened from disk, network off")
    print(
        f"  size {offline['bytes'] / kb:8.1f} KB (budget {BUDGET_OFFLINE_BYTES / kb:.0f} KB: "
        f"{'ok' if offline['bytes'] <= BUDGET_OFFLINE_BYTES else 'OVER'}; "
        f"{offline['bytes'] / BUDGET_OFFLINE_BYTES:.0%} of it), gzipped "
        f"{offline['gzip_bytes'] / kb:8.1f} KB as an e-mail attachment might be"
    )
    print(
        f"  every area drawn after          {offline['drawn_ms_median']:8.0f} ms median "
        f"(runs: {', '.join(f'{p:.0f}' for p in offline['drawn_ms'])})"
    )
    print(
        f"  vs the naive folium page: {naive['bytes'] / offline['bytes']:.1f}× smaller, "
        "and it draws offline"
    )
    print("slide images of the regency view, drawn on first request (one at a time)")
    for url, got in images.items():
        print(f"  {url:32s} {got['bytes'] / kb:8.1f} KB in {got['ms']:6.0f} ms")
    if whole is not None:
        print_national(whole, args.runs)
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_maps.json").write_text(
        json.dumps(
            {
                "ours": ours,
                "naive": naive,
                "offline": offline,
                "images": images,
                "national": whole,
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
