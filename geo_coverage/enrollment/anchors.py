"""What the published figures say about an area's potential workers and members.

The evidence table (sources.evidence) holds every figure found; this module keeps those the
sample can use (BPJS's own UCJ counts and percentages of the region's areas, not conflicting),
says why the others are skipped, and turns the figures of one area and month into constraints
on whole numbers: exact counts fix a value, rounded counts an interval, percentages must match
at their stated decimals, bounds limit, approximate figures are targets only.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from geo_coverage.errors import GeoCoverageError

LOGGER = logging.getLogger(__name__)

# metric -> (segment, quantity). PU + PMI counted together are modelled as wage: the sample
# has no migrant rows because no migrant figure is published on its own.
METRICS = {
    "coverage_pct": ("all", "coverage"),
    "active_members": ("all", "members"),
    "potential_workers": ("all", "potential"),
    "uncovered_workers": ("all", "uncovered"),
    "members_wage": ("wage", "members"),
    "members_wage_and_migrant": ("wage", "members"),
    "members_informal": ("informal", "members"),
    "members_construction": ("construction", "members"),
    "potential_wage": ("wage", "potential"),
    "potential_informal": ("informal", "potential"),
    "potential_construction": ("construction", "potential"),
    "coverage_pct_wage": ("wage", "coverage"),
    "coverage_pct_informal": ("informal", "coverage"),
    "coverage_pct_construction": ("construction", "coverage"),
}
# BPS labour-survey figures used for the informal share of potential workers (not anchors).
BPS_SHARE_METRICS = ("bps_employed", "bps_informal_employed")
NUMERIC_QUALIFIERS = ("exact", "rounded", "approximate", "lower_bound", "upper_bound")
UNBOUNDED = None


class ModelError(GeoCoverageError):
    """The published figures cannot all be met (the figures are named)."""


@dataclass(frozen=True)
class Figure:
    """One usable published figure, placed at the month the model reads it for."""

    line: int
    kode: str
    level: str
    period: str
    month: str
    segment: str
    quantity: str
    value: float
    decimals: int
    qualifier: str


def month_of(period: str) -> str | None:
    """The month a period is modelled at: YYYY-MM itself, December for a bare year, else None."""
    if len(period) == 7 and period[4] == "-":
        return period
    if len(period) == 4 and period.isdigit():
        return f"{period}-12"
    return None


def month_index(month: str) -> int:
    """A YYYY-MM month as a count of months, for interpolation."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def _skip_reason(row) -> str | None:
    """Why a figure cannot be used by the model, or None."""
    if row.consistency == "conflicting":
        return "skipped: conflicting with the source's other figures, never an anchor"
    if row.level == "national":
        return "skipped: a national figure, outside the region"
    if row.qualifier not in NUMERIC_QUALIFIERS:
        return f"skipped: {row.qualifier} (no number to model)"
    if row.basis.startswith("bps") and row.metric in BPS_SHARE_METRICS:
        return None
    if not row.basis.startswith("bpjs"):
        return f"skipped: basis {row.basis}, not BPJS's UCJ base (context only)"
    if row.metric not in METRICS:
        return f"skipped: {row.metric} is not modelled by the sample"
    if month_of(row.period) is None:
        return f"skipped: period '{row.period}' is not a month or a year"
    return None


def usable_figures(evidence: pd.DataFrame) -> tuple[list[Figure], dict[int, str]]:
    """The figures the model can use, and for every other evidence line why it is skipped."""
    figures, skipped = [], {}
    for row in evidence.itertuples():
        reason = _skip_reason(row)
        if reason is not None:
            skipped[int(row.line)] = reason
            continue
        segment, quantity = METRICS.get(row.metric, ("all", row.metric))
        figures.append(
            Figure(
                int(row.line),
                str(row.kode),
                str(row.level),
                str(row.period),
                str(month_of(row.period) or row.period),
                segment,
                quantity,
                float(row.number),
                int(row.decimals),
                str(row.qualifier),
            )
        )
    return figures, skipped


def rounding_unit(value: float) -> int:
    """The unit a rounded count was rounded to: 1,327,000 -> 1,000; 2,900,000 -> 100,000."""
    number, unit = int(value), 1
    while number and number % 10 == 0:
        number, unit = number // 10, unit * 10
    return unit


def shown_basis_points(members: int, potential: int) -> int:
    """Coverage as the summary shows it (2 decimals, half up), in hundredths of a percent."""
    return (20_000 * members + potential) // (2 * potential)


def pct_matches(members: int, potential: int, value: float, decimals: int) -> bool:
    """Whether the shown coverage equals a published percentage at its stated decimals."""
    if potential <= 0:
        return False
    if decimals > 2:
        scale = 10 ** (decimals + 2)
        return (2 * scale * members + potential) // (2 * potential) == round(value * 10**decimals)
    unit = 10 ** (2 - decimals)
    shown = shown_basis_points(members, potential)
    return (2 * shown + unit) // (2 * unit) == round(value * 10**decimals)


def pct_interval(value: float, decimals: int, qualifier: str) -> tuple[float, float]:
    """The coverage interval (in %) a published percentage allows."""
    if qualifier == "lower_bound":
        return value, 100.0
    if qualifier == "upper_bound":
        return 0.0, value
    half = 0.5 * 10.0 ** -min(decimals, 2) if decimals < 2 else 0.005
    return max(0.0, value - half), min(100.0, value + half)


def _count_interval(figure: Figure) -> tuple[int | None, int | None]:
    """The whole numbers a published count allows (None: unbounded; approximate: no limit)."""
    v = figure.value
    if figure.qualifier == "exact":
        return round(v), round(v)
    if figure.qualifier == "rounded":
        unit = rounding_unit(v)
        return math.ceil(v - unit / 2), math.ceil(v + unit / 2) - 1
    if figure.qualifier == "lower_bound":
        return math.ceil(v), UNBOUNDED
    if figure.qualifier == "upper_bound":
        return UNBOUNDED, math.floor(v)
    return UNBOUNDED, UNBOUNDED


def _meet(a: tuple, b: tuple) -> tuple:
    """The intersection of two intervals with None as unbounded."""
    lo = a[0] if b[0] is None else b[0] if a[0] is None else max(a[0], b[0])
    hi = a[1] if b[1] is None else b[1] if a[1] is None else min(a[1], b[1])
    return lo, hi


@dataclass
class Constraints:
    """What published figures say about (potential P, members M) of one area, month, segment.

    Each applies to (P + offset[0], M + offset[1]): a region figure constrains one province
    through the others' fixed sums. Targets (approximate figures) are aimed at, not enforced.
    """

    potential: tuple = (UNBOUNDED, UNBOUNDED)
    members: tuple = (UNBOUNDED, UNBOUNDED)
    uncovered: tuple = (UNBOUNDED, UNBOUNDED)
    pcts: list[tuple[float, int, str]] = field(default_factory=list)
    potential_target: float | None = None
    members_target: float | None = None
    coverage_target: float | None = None
    offset: tuple[int, int] = (0, 0)
    lines: list[int] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        """Take one figure into account."""
        self.lines.append(figure.line)
        if figure.quantity == "coverage":
            if figure.qualifier == "approximate":
                self.coverage_target = figure.value / 100
            else:
                self.pcts.append((figure.value, figure.decimals, figure.qualifier))
            return
        interval = _count_interval(figure)
        name = figure.quantity
        setattr(self, name, _meet(getattr(self, name), interval))
        if figure.qualifier == "approximate" and name in ("potential", "members"):
            setattr(self, f"{name}_target", figure.value)

    @property
    def empty(self) -> bool:
        """Whether no figure was added."""
        return not self.lines

    def shifted(self, name: str) -> tuple:
        """An interval of P or M in the area's own terms (the offset taken off)."""
        lo, hi = getattr(self, name)
        off = self.offset[0] if name == "potential" else self.offset[1]
        return (None if lo is None else lo - off, None if hi is None else hi - off)

    def members_range(self, potential: int) -> tuple:
        """The members an area may have given its potential (intervals only, no percentages)."""
        rng = self.shifted("members")
        lo, hi = self.uncovered
        p = potential + self.offset[0]
        # uncovered = P - M  =>  M in [P - hi, P - lo]
        own = (
            None if hi is None else p - hi - self.offset[1],
            None if lo is None else p - lo - self.offset[1],
        )
        return _meet(rng, own)

    def pct_ok(self, potential: int, members: int) -> bool:
        """Whether every published percentage is met."""
        p, m = potential + self.offset[0], members + self.offset[1]
        for value, decimals, qualifier in self.pcts:
            if p <= 0:
                return False
            if qualifier == "lower_bound" and shown_basis_points(m, p) < round(value * 100):
                return False
            if qualifier == "upper_bound" and shown_basis_points(m, p) > round(value * 100):
                return False
            if qualifier in ("exact", "rounded") and not pct_matches(m, p, value, decimals):
                return False
        return True

    def pct_members_range(self, potential: int) -> tuple:
        """Members that may meet the percentages (a little wide; pct_ok decides)."""
        p = potential + self.offset[0]
        rng: tuple = (UNBOUNDED, UNBOUNDED)
        for value, decimals, qualifier in self.pcts:
            lo, hi = pct_interval(value, decimals, qualifier)
            rng = _meet(
                rng,
                (
                    math.floor(lo * p / 100) - 2 - self.offset[1],
                    math.ceil(hi * p / 100) + 2 - self.offset[1],
                ),
            )
        return rng


def _members_for(rules: Sequence[Constraints], potential: int, target: float) -> int | None:
    """The members nearest target meeting every rule at this potential, or None."""
    lo, hi = 0, potential
    for rule in rules:
        lo, hi = _meet((lo, hi), rule.members_range(potential))
        lo, hi = _meet((lo, hi), rule.pct_members_range(potential))
    if lo is None or hi is None or lo > hi:
        return None
    start = min(max(round(target), lo), hi)
    for step in range(0, hi - lo + 1):
        for m in (start - step, start + step) if step else (start,):
            if lo <= m <= hi and all(r.pct_ok(potential, m) for r in rules):
                return m
        if start - step < lo and start + step > hi:
            break
    return None


def _potential_range(rules: Sequence[Constraints]) -> tuple:
    """Potentials allowed by the count intervals and, with bounded members, the percentages."""
    rng: tuple = (1, UNBOUNDED)
    for rule in rules:
        rng = _meet(rng, rule.shifted("potential"))
        m_lo, m_hi = rule.shifted("members")
        for value, decimals, qualifier in rule.pcts:
            lo, hi = pct_interval(value, decimals, qualifier)
            if m_lo is not None and m_hi is not None and rule.offset == (0, 0):
                p_lo = math.floor(m_lo * 100 / hi) - 2 if hi > 0 else None
                p_hi = math.ceil(m_hi * 100 / lo) + 2 if lo > 0 else None
                rng = _meet(rng, (p_lo, p_hi))
    return rng


def solve(
    rules: Sequence[Constraints],
    potential_target: float,
    coverage_target: float,
    what: str,
    search: int = 200_000,
) -> tuple[int, int]:
    """(potential, members) meeting every rule, nearest the targets (potential first).

    Targets from approximate figures in the rules take precedence over the given ones.
    Raises ModelError naming `what` and the evidence lines when no pair meets the rules.
    """
    for rule in rules:
        if rule.offset == (0, 0):
            potential_target = rule.potential_target or potential_target
            stated = [(d, v) for v, d, q in rule.pcts if q in ("exact", "rounded")]
            if stated:
                coverage_target = max(stated)[1] / 100  # the published value, not an edge
            coverage_target = rule.coverage_target or coverage_target
            m_lo, m_hi = rule.members
            if stated and m_lo is not None and m_lo == m_hi and coverage_target > 0:
                potential_target = m_lo / coverage_target  # the potential the two imply
    members_target = next(
        (r.members_target for r in rules if r.offset == (0, 0) and r.members_target), None
    )
    lo, hi = _potential_range(rules)
    if lo is not None and hi is not None and lo > hi:
        raise ModelError(_unmet(rules, what))
    start = round(potential_target)
    start = max(start, lo) if lo is not None else start
    start = min(start, hi) if hi is not None else start
    for step in range(search):
        for p in (start - step, start + step) if step else (start,):
            if (lo is not None and p < lo) or (hi is not None and p > hi) or p <= 0:
                continue
            target = members_target if members_target else coverage_target * p
            m = _members_for(rules, p, target)
            if m is not None:
                return p, m
        if lo is not None and hi is not None and start - step < lo and start + step > hi:
            break
    raise ModelError(_unmet(rules, what))


def _unmet(rules: Sequence[Constraints], what: str) -> str:
    """The message for figures no pair of counts can meet."""
    lines = sorted({line for r in rules for line in r.lines})
    return (
        f"no whole numbers of potential workers and members meet the published figures of "
        f"{what} (published_figures.csv lines {', '.join(map(str, lines))})"
    )
