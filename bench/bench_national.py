"""Benchmark: all of Indonesia built from the mirror, as `geo-coverage build` does it.

    GEO_COVERAGE_MIRROR=../shared/data python bench/bench_national.py [--region indonesia]

Runs `GEO_COVERAGE_REGION=indonesia geo-coverage build --mirror DIR` in a child process with a
fresh temporary shapes/ and instance/, and prints its wall and CPU time and peak memory (the
child's maximum resident set size) against the budgets, then, from its build report, the
counts, repairs and file sizes of each layer and the display geometry, and last the size and
drawing time of the offline map file (/download/map.html) of the whole region by regency and by
province, and of the province with the most districts by district. The machine's load average
is printed too: on a shared machine the wall time includes waiting for a core.
Results also go to bench/out/bench_national.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
BUDGET_SECONDS = 120
BUDGET_BYTES = 1.5 * 1024**3
KB, MB = 1024, 1024**2


def run_build(region: str, mirror: Path, root: Path) -> dict:
    """Run the build in a child process; its wall and CPU seconds and peak RSS in bytes."""
    env = {
        **os.environ,
        "GEO_COVERAGE_REGION": region,
        "GEO_COVERAGE_SHAPES": str(root / "shapes"),
        "GEO_COVERAGE_INSTANCE": str(root / "instance"),
    }
    command = [sys.executable, "-m", "geo_coverage.cli", "build", "--mirror", str(mirror)]
    load = os.getloadavg()
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the build failed (exit {done.returncode})")
    return {
        "wall_s": round(wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_bytes": usage.ru_maxrss * 1024,  # kilobytes on Linux
        "load_average_before": [round(x, 2) for x in load],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "log_tail": done.stderr.strip().splitlines()[-12:],
    }


def offline_maps(region: str, root: Path, province: str) -> list[dict]:
    """Draw the offline map file of the region by regency and by province, and of `province`
    by district, with the app over the fresh build: bytes, gzipped bytes and seconds each."""
    os.environ["GEO_COVERAGE_REGION"] = region
    from geo_coverage import create_app

    app = create_app({"instance": root / "instance", "shapes": root / "shapes", "tiles": "none"})
    client = app.test_client()
    found = []
    for query in ("level=regency", "level=province", f"level=district&province={province}"):
        started = time.perf_counter()
        answer = client.get(f"/download/map.html?{query}")
        seconds = time.perf_counter() - started
        if answer.status_code != 200:
            raise SystemExit(f"/download/map.html?{query} answered {answer.status_code}")
        found.append(
            {
                "query": query,
                "bytes": len(answer.data),
                "gzip_bytes": len(gzip.compress(answer.data)),
                "seconds": round(seconds, 2),
            }
        )
    return found


def layer_figures(report: dict, shapes: Path) -> dict:
    """Counts, vertices, parts, repairs by kind and shapefile bytes of each layer."""
    out = {}
    files = report["files_bytes"]
    for level, name in (
        ("province", "provinces"),
        ("regency", "regencies"),
        ("district", "districts"),
    ):
        figures = report["layers"][level]
        out[level] = {
            "count": figures["count"],
            "vertices": figures["vertices"],
            "parts": figures["parts"],
            "repairs": dict(Counter(r["repair"] for r in figures["repairs"])),
            "shapefile_bytes": sum(v for k, v in files.items() if k.startswith(f"{name}.")),
        }
    return out


def exceptions(report: dict) -> dict:
    """How many reviewed exceptions the checks used, by kind."""
    return {
        "area_exceptions": sum(len(r.get("excepted", {})) for r in report["checks"]),
        "known_gaps": sum(len(r.get("known_gaps", [])) for r in report["checks"]),
        "reassignments": sum(
            r["repair"] == "reassigned_from_districts"
            for r in report["layers"]["regency"]["repairs"]
        ),
        "checks_passed": sum(r["passed"] for r in report["checks"]),
        "checks": len(report["checks"]),
    }


def main(argv: list[str] | None = None) -> int:
    """Build, print the figures and ratios, write bench/out/bench_national.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--region", default="indonesia", help="the region to build")
    parser.add_argument("--mirror", default=os.environ.get("GEO_COVERAGE_MIRROR"))
    args = parser.parse_args(argv)
    if not args.mirror:
        raise SystemExit("give --mirror DIR or set GEO_COVERAGE_MIRROR (a copy of shared/data)")
    with tempfile.TemporaryDirectory(prefix="bench-national-") as tmp:
        root = Path(tmp)
        run = run_build(args.region, Path(args.mirror).resolve(), root)
        report = json.loads((root / "shapes" / "build_report.json").read_text(encoding="utf-8"))
        layers = layer_figures(report, root / "shapes")
        used = exceptions(report)
        sample_rows = (
            sum(1 for _ in (root / "instance" / "sample_enrollment.csv").open(encoding="utf-8")) - 1
        )
        display = report["display"]
        detail = display["detail"]["provinces"]
        largest = display["detail"]["largest"]
        most_districts = max(detail, key=lambda p: detail[p]["districts"])
        offline = offline_maps(args.region, root, most_districts)
    print(f"{report['region']['name']}: geo-coverage build from the mirror, in a child process")
    print(
        f"  wall time       {run['wall_s']:7.1f} s  (budget {BUDGET_SECONDS} s: "
        f"{run['wall_s'] / BUDGET_SECONDS:.2f}×)   load average before/after "
        f"{run['load_average_before'][0]:.1f}/{run['load_average_after'][0]:.1f} on "
        f"{os.cpu_count()} cores"
    )
    print(
        f"  CPU time        {run['cpu_s']:7.1f} s  (budget {BUDGET_SECONDS} s: "
        f"{run['cpu_s'] / BUDGET_SECONDS:.2f}×)"
    )
    print(
        f"  peak memory     {run['peak_rss_bytes'] / MB:7.0f} MB (budget "
        f"{BUDGET_BYTES / MB:.0f} MB: {run['peak_rss_bytes'] / BUDGET_BYTES:.2f}×)"
    )
    print(
        f"  checks          {used['checks_passed']}/{used['checks']} passed, using "
        f"{used['area_exceptions']} reviewed area exceptions, {used['known_gaps']} known gaps "
        f"and {used['reassignments']} regency reassignment"
    )
    print(f"  sample rows     {sample_rows} (the modelled sample covers Sulawesi–Maluku only)")
    print(
        f"  {'layer':9s} {'areas':>6s} {'vertices':>9s} {'parts':>7s} {'shapefile':>10s}  repairs"
    )
    for level, f in layers.items():
        repairs = ", ".join(f"{k} {v}" for k, v in sorted(f["repairs"].items()))
        print(
            f"  {level:9s} {f['count']:6d} {f['vertices']:9d} {f['parts']:7d} "
            f"{f['shapefile_bytes'] / MB:7.1f} MB  {repairs}"
        )
    print(
        f"  overview        {display['topojson_bytes'] / KB:7.0f} KB TopoJSON, "
        f"{display['topojson_gzip_bytes'] / KB:6.0f} KB gzipped "
        f"({display['regency_vertices']} vertices, tolerance {display['tolerance_deg']:.4f}°)"
    )
    print(
        f"  province detail {len(detail)} files, the largest {largest} "
        f"{detail[largest]['topojson_gzip_bytes'] / KB:.0f} KB gzipped; most districts "
        f"{most_districts} ({detail[most_districts]['districts']}) "
        f"{detail[most_districts]['topojson_gzip_bytes'] / KB:.0f} KB gzipped"
    )
    print(f"  shapes/ in all  {sum(report['files_bytes'].values()) / MB:7.1f} MB")
    for drawn in offline:
        print(
            f"  offline map     {drawn['bytes'] / MB:5.2f} MB, {drawn['gzip_bytes'] / KB:4.0f} KB "
            f"gzipped, drawn in {drawn['seconds']:4.1f} s  (/download/map.html?{drawn['query']})"
        )
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_national.json").write_text(
        json.dumps(
            {
                "run": run,
                "layers": layers,
                "exceptions": used,
                "display": display,
                "files_bytes": report["files_bytes"],
                "sample_rows": sample_rows,
                "offline_maps": offline,
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
