"""Benchmark: importing the app and answering the first /healthz, in a fresh interpreter each run;
prints the median and its ratio to the budget.

    python bench/bench_startup.py [--runs N]

Each run is a subprocess that times `from geo_coverage import create_app`, create_app() and one
GET /healthz through the test client (the interpreter's own start is reported apart). It uses
the project's settings (GEO_COVERAGE_* variables); nothing needs to be built, since /healthz
answers either way. Results also go to bench/out/bench_startup.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
BUDGET_S = 1.5
HEAVY = ("scipy", "matplotlib", "mapclassify", "geopandas", "pyogrio", "pandas", "sklearn")
PROBE = f"""
import json, sys, time
start = time.perf_counter()
from geo_coverage import create_app
imported = time.perf_counter()
resp = create_app().test_client().get("/healthz")
done = time.perf_counter()
assert resp.status_code in (200, 503), resp.status_code
heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)
print(json.dumps({{"import_s": imported - start, "first_healthz_s": done - start, "heavy": heavy}}))
"""


def run_once() -> dict:
    """One fresh interpreter: the app's import and first /healthz, and the process's wall time."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - began
    return result


def main() -> int:
    """Run the probe several times and print medians and the ratio to the budget."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    run_once()  # warm the file-system cache and the bytecode
    runs = [run_once() for _ in range(args.runs)]
    median = {k: statistics.median(r[k] for r in runs) for k in ("import_s", "first_healthz_s")}
    median["process_s"] = statistics.median(r["process_s"] for r in runs)
    summary = {
        "runs": args.runs,
        "median_import_s": round(median["import_s"], 3),
        "median_first_healthz_s": round(median["first_healthz_s"], 3),
        "median_process_s": round(median["process_s"], 3),
        "budget_s": BUDGET_S,
        "ratio_to_budget": round(median["first_healthz_s"] / BUDGET_S, 2),
        "heavy_modules_loaded": runs[-1]["heavy"],
    }
    print(
        f"import {summary['median_import_s']:.3f} s, import + first /healthz "
        f"{summary['median_first_healthz_s']:.3f} s (budget {BUDGET_S} s, ratio "
        f"{summary['ratio_to_budget']:.2f}); whole process {summary['median_process_s']:.3f} s; "
        f"heavy modules loaded: {', '.join(summary['heavy_modules_loaded']) or 'none'}"
    )
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_startup.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
