"""Coverage targets per province and year: the table, its validation and lookups."""

from __future__ import annotations

import csv
import io
import logging
import math
from pathlib import Path

import pandas as pd

from geo_coverage.enrollment.table import Problem
from geo_coverage.errors import GeoCoverageError
from geo_coverage.package_files import data_dir
from geo_coverage.region import PROVINCES, Region

LOGGER = logging.getLogger(__name__)

DEFAULT_TARGET_PCT = 60.0
TARGETS_CSV = data_dir() / "targets.csv"
COLUMNS = ("province", "year", "target_pct", "source")


def read_targets(region: Region, path: Path = TARGETS_CSV) -> pd.DataFrame:
    """The targets of the region's provinces (prov_kode, year, target_pct, source); raises on
    any bad row, of any province (the table may hold every province of Indonesia)."""
    text = Path(path).read_bytes().decode("utf-8-sig")
    problems: list[Problem] = []
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    )
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    missing = [c for c in COLUMNS[:3] if c not in (reader.fieldnames or [])]
    problems += [Problem(1, c, f"missing required column '{c}'") for c in missing]
    records, seen = [], {}
    end = reader.line_num
    for row in [] if missing else reader:
        line, end = end + 1, reader.line_num
        prov, year, pct = (row[c].strip() for c in COLUMNS[:3])
        bad = len(problems)
        if prov not in PROVINCES:
            problems.append(
                Problem(
                    line,
                    "province",
                    f"'{prov}' is not a province code (Kemendagri: {', '.join(PROVINCES)})",
                )
            )
        if not (year.isdigit() and 1990 <= int(year) <= 2100):
            problems.append(Problem(line, "year", f"'{year}' is not a year like 2025"))
        try:
            value = float(pct)
            ok = math.isfinite(value) and 0 < value <= 100 and round(value, 2) == value
        except ValueError:
            ok = False
        if not ok:
            problems.append(
                Problem(
                    line,
                    "target_pct",
                    (
                        f"'{pct}' is not a percentage above 0 and at most 100 "
                        "with at most 2 decimals"
                    ),
                )
            )
        if len(problems) > bad:
            continue
        if (prov, int(year)) in seen:
            problems.append(
                Problem(
                    line,
                    "province",
                    (
                        f"duplicate target for {prov} {year} "
                        f"(first on row {seen[(prov, int(year))]})"
                    ),
                )
            )
            continue
        seen[(prov, int(year))] = line
        if prov not in region.provinces:
            continue
        records.append(
            {
                "prov_kode": prov,
                "year": int(year),
                "target_pct": float(pct),
                "source": (row.get("source") or "").strip() or None,
            }
        )
    if problems:
        raise GeoCoverageError(
            f"{path} is not a valid targets table:\n"
            + "\n".join(p.format(Path(path).name) for p in problems)
        )
    return pd.DataFrame.from_records(
        records, columns=["prov_kode", "year", "target_pct", "source"]
    ).astype({"prov_kode": "string", "year": "int64", "target_pct": "float64", "source": "string"})


def target_workers(pct: float, potential: int) -> int:
    """Workers needed to reach a target: ceil(pct % of potential), in exact arithmetic."""
    basis_points = round(pct * 100)
    return -(-basis_points * int(potential) // 10_000)
