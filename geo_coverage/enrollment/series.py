"""Province series: potential workers and coverage of each province at any month.

Between two months with published figures both are interpolated linearly (by month); before
the first and after the last they are held at the nearest published value: no trend is
assumed. A province without any published figure (Sulawesi Barat) takes its neighbours'
pooled coverage and their potential workers per inhabitant.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from geo_coverage.enrollment.anchors import Figure, month_index

LOGGER = logging.getLogger(__name__)

# Provinces sharing a land border (Maluku and Maluku Utara: each other, across the sea).
NEIGHBOURS = {
    "71": ("75",),
    "72": ("73", "74", "75", "76"),
    "73": ("72", "74", "76"),
    "74": ("72", "73"),
    "75": ("71", "72"),
    "76": ("72", "73"),
    "81": ("82",),
    "82": ("81",),
}


@dataclass(frozen=True)
class Point:
    """What the published figures of a province give at one month (None: not derivable)."""

    month: str
    potential: float | None
    coverage: float | None
    lines: tuple[int, ...]
    observed: bool = True


def _pick(figures: list[Figure], quantity: str) -> float | None:
    """The most precise value of a quantity (exact before rounded before approximate)."""
    rank = {"exact": 0, "rounded": 1, "approximate": 2}
    found = [f for f in figures if f.quantity == quantity and f.qualifier in rank]
    if not found:
        return None
    best = min(found, key=lambda f: (rank[f.qualifier], -f.decimals))
    return best.value


def point(month: str, figures: list[Figure]) -> Point:
    """The potential and coverage (share) the figures of one province and month give."""
    members, potential = _pick(figures, "members"), _pick(figures, "potential")
    pct, uncovered = _pick(figures, "coverage"), _pick(figures, "uncovered")
    coverage = pct / 100 if pct is not None else None
    exact_counts = {f.quantity for f in figures if f.qualifier == "exact"} >= {
        "members",
        "potential",
    }
    if members is not None and potential is not None and (exact_counts or coverage is None):
        coverage = members / potential
    if potential is None and members is not None:
        if coverage:
            potential = members / coverage
        elif uncovered is not None:
            potential = members + uncovered
    if potential is not None and coverage is None and uncovered is not None:
        coverage = 1 - uncovered / potential
    return Point(month, potential, coverage, tuple(sorted(f.line for f in figures)))


def province_points(figures: Iterable[Figure]) -> dict[str, list[Point]]:
    """Per province, the points of its months with published figures (all segments), by month."""
    grouped: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for f in figures:
        if f.level == "province" and f.segment == "all":
            grouped[(f.kode, f.month)].append(f)
    out: dict[str, list[Point]] = defaultdict(list)
    counts_only: dict[str, list[tuple[str, float, tuple[int, ...]]]] = defaultdict(list)
    for (kode, month), group in sorted(grouped.items()):
        p = point(month, group)
        if p.potential is not None or p.coverage is not None:
            out[kode].append(p)
        elif (members := _pick(group, "members")) is not None:
            counts_only[kode].append((month, members, p.lines))
    # members without a denominator: coverage against the interpolated potential workers
    for kode, found in counts_only.items():
        anchors = [(month_index(p.month), p.potential) for p in out.get(kode, []) if p.potential]
        for month, members, lines in found:
            potential = interpolate(anchors, month_index(month))
            if potential:
                out[kode].append(Point(month, None, members / potential, lines, observed=False))
        out[kode].sort(key=lambda p: month_index(p.month))
    return dict(out)


def interpolate(anchors: list[tuple[int, float]], month: int) -> float | None:
    """Linear between anchors (month, value) sorted by month; flat beyond; None without any."""
    if not anchors:
        return None
    if month <= anchors[0][0]:
        return anchors[0][1]
    if month >= anchors[-1][0]:
        return anchors[-1][1]
    for (m0, v0), (m1, v1) in zip(anchors, anchors[1:], strict=False):
        if m0 <= month <= m1:
            return v0 + (v1 - v0) * (month - m0) / (m1 - m0)
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class ProvinceSeries:
    """Potential workers and coverage (share) of every province at any month."""

    points: Mapping[str, list[Point]]
    population: Mapping[str, int]

    def _own(self, kode: str, month: str) -> tuple[float | None, float | None]:
        """Interpolated from the province's own points (None where it has none)."""
        pts = self.points.get(kode, [])
        m = month_index(month)
        potential = interpolate(
            [(month_index(p.month), p.potential) for p in pts if p.potential is not None], m
        )
        coverage = interpolate(
            [(month_index(p.month), p.coverage) for p in pts if p.coverage is not None], m
        )
        return potential, coverage

    def from_neighbours(self, kode: str, month: str) -> tuple[float, float]:
        """Neighbours' pooled coverage and their potential per inhabitant times the population."""
        pairs: list[tuple[str, float, float]] = []
        for n in NEIGHBOURS[kode]:
            p, c = self._own(n, month)
            if p is not None and c is not None:
                pairs.append((n, p, c))
        if not pairs:
            raise ValueError(f"no neighbour of {kode} has published figures")
        potential = sum(p for _, p, _ in pairs)
        members = sum(p * c for _, p, c in pairs)
        people = sum(self.population[n] for n, _, _ in pairs)
        return self.population[kode] * potential / people, members / potential

    def at(self, kode: str, month: str) -> tuple[float, float]:
        """(potential workers, coverage share) of a province at a month."""
        potential, coverage = self._own(kode, month)
        if potential is None or coverage is None:
            n_potential, n_coverage = self.from_neighbours(kode, month)
            potential = n_potential if potential is None else potential
            coverage = n_coverage if coverage is None else coverage
        return potential, coverage

    def model_of(self, kode: str) -> str:
        """'province' when the province has its own points, else 'neighbours'."""
        return "province" if self.points.get(kode) else "neighbours"

    def without(self, kode: str, month: str) -> ProvinceSeries:
        """The same series without one province's point at one month (leave-one-out)."""
        points = dict(self.points)
        points[kode] = [p for p in points.get(kode, []) if p.month != month]
        return ProvinceSeries(points, self.population)
