"""The reviewed lists the boundary build reads (geo_coverage/boundaries/reviewed/*.csv): areas
whose size is known to differ from the official table, gaps the source leaves open, regency
parts reassigned from the districts, and the expected district counts.

Each exception was measured on a build and carries its reason; the checks accept only what the
lists name, and fail again when a measurement drifts from the one reviewed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from geo_coverage.errors import BuildError

FOLDER = "reviewed"
AREA_EXCEPTIONS = "area_exceptions.csv"
KNOWN_GAPS = "known_gaps.csv"
REASSIGNMENTS = "regency_reassignments.csv"
DISTRICT_COUNTS = "district_counts.csv"


@dataclass(frozen=True)
class AreaException:
    """An area whose size differs from its official area by more than the tolerance."""

    level: str
    kode: str
    nama: str
    difference_pct: float  # as measured when reviewed
    reason: str


@dataclass(frozen=True)
class KnownGap:
    """A gap between areas the source leaves open, wider than the build closes."""

    level: str
    lon: float
    lat: float
    area_km2: float
    neighbours: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Reassignment:
    """The part of one regency's polygon that another regency's districts cover, moved to it."""

    kode: str
    from_kode: str
    reason: str


@dataclass(frozen=True)
class Review:
    """Every reviewed list, as the build and its checks use them."""

    area_exceptions: Mapping[tuple[str, str], AreaException]
    known_gaps: tuple[KnownGap, ...]
    reassignments: tuple[Reassignment, ...]
    district_counts: Mapping[str, int]


def _rows(name: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a reviewed list with their line numbers; BuildError naming file, line and
    column for a missing column or an empty cell."""
    path = resources.files("geo_coverage.boundaries").joinpath(FOLDER, name)
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise BuildError([f"{FOLDER}/{name}: missing column(s) {', '.join(missing)}"])
    rows, problems = [], []
    for line, row in enumerate(reader, start=2):
        problems += [f"{FOLDER}/{name}:{line}:{c}: empty" for c in columns if not row[c].strip()]
        rows.append((line, {c: row[c].strip() for c in columns}))
    if problems:
        raise BuildError(problems)
    return rows


def _number(name: str, line: int, column: str, value: str) -> float:
    """A number cell, or BuildError naming where it is."""
    try:
        return float(value)
    except ValueError:
        raise BuildError([f"{FOLDER}/{name}:{line}:{column}: '{value}' is not a number"]) from None


@cache
def load_review() -> Review:
    """The reviewed lists shipped with the code."""
    return Review(area_exceptions(), known_gaps(), reassignments(), district_counts())


def area_exceptions() -> dict[tuple[str, str], AreaException]:
    """The reviewed area exceptions by (level, kode)."""
    out = {}
    for line, r in _rows(AREA_EXCEPTIONS, ("level", "kode", "nama", "difference_pct", "reason")):
        pct = _number(AREA_EXCEPTIONS, line, "difference_pct", r["difference_pct"])
        out[(r["level"], r["kode"])] = AreaException(
            r["level"], r["kode"], r["nama"], pct, r["reason"]
        )
    return out


def known_gaps() -> tuple[KnownGap, ...]:
    """The reviewed gaps the source leaves open."""
    columns = ("level", "lon", "lat", "area_km2", "neighbours", "reason")
    return tuple(
        KnownGap(
            r["level"],
            _number(KNOWN_GAPS, line, "lon", r["lon"]),
            _number(KNOWN_GAPS, line, "lat", r["lat"]),
            _number(KNOWN_GAPS, line, "area_km2", r["area_km2"]),
            tuple(r["neighbours"].split()),
            r["reason"],
        )
        for line, r in _rows(KNOWN_GAPS, columns)
    )


def reassignments() -> tuple[Reassignment, ...]:
    """The reviewed regency reassignments."""
    return tuple(
        Reassignment(r["kode"], r["from_kode"], r["reason"])
        for _, r in _rows(REASSIGNMENTS, ("kode", "from_kode", "reason"))
    )


def district_counts() -> dict[str, int]:
    """The number of districts (kecamatan) of each province."""
    return {
        r["province"]: int(_number(DISTRICT_COUNTS, line, "districts", r["districts"]))
        for line, r in _rows(DISTRICT_COUNTS, ("province", "districts"))
    }
