"""Print how wrong the modelled sample is likely to be: every leave-one-out comparison and,
per kind of modelled figure, the count, median absolute error and 80/90 % intervals (the
figures in data/README.md, section 5), and the time the measurement takes.

    python bench/bench_model_errors.py [--all]

Uses the settings of the environment (GEO_COVERAGE_MIRROR) for the population table.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from geo_coverage.config import Settings
from geo_coverage.enrollment.model_errors import MODELS, all_comparisons, comparison_frame, summary
from geo_coverage.enrollment.sample import build_model
from geo_coverage.sources.evidence import read_evidence
from geo_coverage.sources.pinned import fetch_all
from geo_coverage.sources.reference import load_reference


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="print every comparison")
    args = parser.parse_args()
    reference = load_reference(fetch_all(Settings.from_env(), lambda _m: None))
    model = build_model(reference, read_evidence())
    started = time.perf_counter()
    comparisons = all_comparisons(model)
    seconds = time.perf_counter() - started
    if args.all:
        with pd.option_context("display.width", 160, "display.max_rows", None):
            print(comparison_frame(comparisons).to_string(index=False))
    header = ("model", "n", "median |e|", "80 % of errors", "90 % of errors")
    print("{:22s} {:>3s} {:>10s} {:>16s} {:>16s}".format(*header))
    for name in MODELS:
        s = summary([c for c in comparisons if c.model == name])
        print(
            f"{name:22s} {s['comparisons']:3d} {s['median_abs_pp']:10.1f} "
            f"{s['p10_pp']:+7.1f} to {s['p90_pp']:+5.1f} {s['p05_pp']:+7.1f} to {s['p95_pp']:+5.1f}"
        )
    print(f"leave-one-out over {len(comparisons)} comparisons took {seconds:.1f} s")


if __name__ == "__main__":
    main()
