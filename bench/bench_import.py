"""Benchmark importing big enrollment files: peak memory (RSS) and time.

Generates, in a temporary folder, a valid file of about --size-mb megabytes (every regency,
period 1990-01 to 2100-12 and segment once, with a long `source` text to reach the size) and
a rejected file of --duplicates rows that are all the same (the duplicate-row case), builds
a fresh store there from the mirror, and imports each file in a child process. Prints, per
file, its size, rows, seconds, MB/s, the child's baseline and peak RSS, and the ratio of the
peak to the budget (300 MB for a 200 MB file).

    python bench/bench_import.py [--size-mb 200] [--duplicates 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from geo_coverage.config import Settings
from geo_coverage.enrollment import store
from geo_coverage.enrollment.build import build_sample_store
from geo_coverage.region import SEGMENTS

HEADER = "kode,period,segment,potential_workers,active_members,source,data_source\n"
PEAK_BUDGET_MB = 300


def rss_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS, VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def periods() -> list[str]:
    """Every month the format accepts, 1990-01 to 2100-12."""
    return [f"{y}-{m:02d}" for y in range(1990, 2101) for m in range(1, 13)]


def write_valid(path: Path, codes: list[str], size_mb: int) -> int:
    """A valid file of about size_mb MB; returns its rows."""
    months = periods()
    rows = len(codes) * len(months) * len(SEGMENTS)
    padding = max(0, (size_mb * 1_000_000 - len(HEADER)) // rows - 48)
    note = ("laporan kacab " * (padding // 14 + 1))[:padding].replace(",", ";")
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for kode in codes:
            for period in months:
                out.writelines(
                    f"{kode},{period},{segment},900000,400000,{note},modelled\n"
                    for segment in SEGMENTS
                )
    return rows


def write_duplicates(path: Path, rows: int) -> int:
    """A file of `rows` identical rows: one is imported, every other is a duplicate."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        out.writelines("73.71,2025-06,wage,900000,400000,,published\n" for _ in range(rows))
    return rows


def child(file: str, instance: str) -> None:
    """Import one file (allowing future periods) and print figures as JSON."""
    from geo_coverage.enrollment.importer import import_file
    from geo_coverage.enrollment.table import TableRejected

    settings = Settings.from_env(environ={}, instance=Path(instance))
    baseline = rss_mb("VmRSS")
    started = time.perf_counter()
    try:
        report, _ = import_file(settings, Path(file), allow_future=True)
    except TableRejected as exc:
        report = exc.report
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "baseline_mb": baseline,
                "peak_mb": rss_mb("VmHWM"),
                "ok": report.ok,
                "rows": report.row_count,
                "errors": report.error_count,
                "listed": len(report.lines("errors")),
            }
        )
    )


def measure(file: Path, instance: Path) -> dict:
    """Run the import of one file in a child process; its figures."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(file), str(instance)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Generate the files, import each in a child process, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--duplicates", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        root = Path(tmp)
        settings = Settings.from_env(instance=root / "instance")
        settings.instance.mkdir()
        build_sample_store(settings, progress=lambda _m: None)
        areas = store.read_areas(settings.store_path)
        codes = sorted(areas.loc[areas["level"] == "regency", "kode"])
        cases = []
        valid = root / "valid.csv"
        cases.append(("valid", valid, write_valid(valid, codes, args.size_mb)))
        dup = root / "duplicates.csv"
        cases.append(("duplicates", dup, write_duplicates(dup, args.duplicates)))
        print(
            f"{'file':12s} {'MB':>7s} {'rows':>10s} {'s':>7s} {'MB/s':>6s} "
            f"{'base MB':>8s} {'peak MB':>8s} {'peak/size':>9s} {'peak/budget':>11s}  outcome"
        )
        for name, path, rows in cases:
            size_mb = os.path.getsize(path) / 1e6
            r = measure(path, settings.instance)
            outcome = (
                f"imported {r['rows']:,} rows"
                if r["ok"]
                else f"rejected: {r['errors']:,} problems, {r['listed']} lines listed"
            )
            print(
                f"{name:12s} {size_mb:7.1f} {rows:10,d} {r['seconds']:7.1f} "
                f"{size_mb / r['seconds']:6.1f} {r['baseline_mb']:8.1f} {r['peak_mb']:8.1f} "
                f"{r['peak_mb'] / size_mb:9.2f} {r['peak_mb'] / PEAK_BUDGET_MB:11.2f}  {outcome}"
            )


if __name__ == "__main__":
    main()
