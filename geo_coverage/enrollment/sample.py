"""A deterministic, modelled sample of enrollment figures for all 102 regencies and cities,
calibrated to every usable published figure (data/README.md, section 5, says how).

For each sample period: province totals meet the province's published figures of that month
(exact counts exactly, percentages at their stated decimals, rounded counts within their
rounding interval, bounds) and otherwise follow the province series (series.py); regencies
with published figures meet them, the others share the rest by population and the published
pattern (pattern.py); members split into wage, informal and construction rows, meeting every
published segment count. The provenance of every figure (published, constrained by a
published figure, or modelled) is returned with the rows.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo_coverage.enrollment.anchors import (
    Constraints,
    Figure,
    ModelError,
    pct_interval,
    solve,
    usable_figures,
)
from geo_coverage.enrollment.pattern import Pattern, expit, fit_pattern, solve_offset
from geo_coverage.enrollment.segments import SEGMENTS, allocate, fit_segments, split_segments
from geo_coverage.enrollment.series import ProvinceSeries, province_points
from geo_coverage.enrollment.store import PROVENANCE_COLUMNS
from geo_coverage.enrollment.table import COLUMNS
from geo_coverage.region import FIGURE_LEVELS, REGION_CODE, province_of
from geo_coverage.sources.reference import Reference

LOGGER = logging.getLogger(__name__)

# Months with at least MIN_FIGURES_PER_PERIOD published, non-conflicting BPJS figures
# (coverage, members or potential workers, exact or rounded) of the region's provinces and
# regencies: see sample_periods(), which a test checks against this list.
PERIODS = (
    "2021-12",
    "2022-09",
    "2024-07",
    "2024-08",
    "2024-12",
    "2025-04",
    "2025-05",
    "2025-06",
    "2025-07",
    "2025-08",
    "2025-12",
)
MIN_FIGURES_PER_PERIOD = 3
RULE_QUANTITIES = ("members", "potential", "coverage", "uncovered")
SOURCE_NOTE = "modelled sample (geo_coverage.enrollment.sample, assumptions in data/README.md)"
Keep = Callable[[Figure], bool]


def _keep_all(_figure: Figure) -> bool:
    """Every figure."""
    return True


def sample_periods(figures: Sequence[Figure]) -> list[str]:
    """The months with enough published figures to be sample periods."""
    counts = Counter(
        f.period
        for f in figures
        if f.level in FIGURE_LEVELS
        and f.segment == "all"
        and f.quantity in ("members", "potential", "coverage")
        and f.qualifier in ("exact", "rounded")
        and f.month == f.period
    )
    return sorted(p for p, n in counts.items() if n >= MIN_FIGURES_PER_PERIOD)


@dataclass(frozen=True)
class Model:
    """The published figures, the province series and the pattern fitted to them."""

    figures: tuple[Figure, ...]
    series: ProvinceSeries
    pattern: Pattern
    reference: Reference
    skipped: Mapping[int, str] = field(default_factory=dict)
    by_area: Mapping[tuple[str, str], tuple[Figure, ...]] = field(default_factory=dict)

    @property
    def population(self) -> dict[str, int]:
        """Population of every province and regency."""
        return {k: a.population for k, a in self.reference.areas.items()}

    def rules(self, kode: str, period: str, segment: str = "all", keep: Keep = _keep_all):
        """The constraints of an area's figures published for exactly this period."""
        out = Constraints()
        for f in self.by_area.get((kode, period), ()):
            if f.segment == segment and f.quantity in RULE_QUANTITIES and keep(f):
                out.add(f)
        return out

    def refit(self, keep: Keep) -> Model:
        """The same model with the pattern fitted to the kept figures only."""
        pattern = fit_pattern(self.figures, self.series, self.population, keep)
        return Model(self.figures, self.series, pattern, self.reference, self.skipped, self.by_area)


def build_model(reference: Reference, evidence: pd.DataFrame) -> Model:
    """The model of the published figures (evidence: sources.evidence.read_evidence)."""
    figures, skipped = usable_figures(evidence)
    population = {k: a.population for k, a in reference.areas.items()}
    series = ProvinceSeries(province_points(figures), population)
    pattern = fit_pattern(figures, series, population)
    by_area: dict[tuple[str, str], list[Figure]] = {}
    for f in figures:
        by_area.setdefault((f.kode, f.period), []).append(f)
    index = {k: tuple(v) for k, v in by_area.items()}
    return Model(tuple(figures), series, pattern, reference, skipped, index)


def province_totals(model: Model, period: str) -> dict[str, tuple[int, int]]:
    """(potential, members) of every province in a period, meeting its published figures.

    Region figures of the period are met through the one province without figures of its own
    (Sulawesi Barat in Dec 2021).
    """
    totals, free = {}, []
    for prov in (a.kode for a in model.reference.provinces()):
        potential, coverage = model.series.at(prov, period)
        rule = model.rules(prov, period)
        if rule.empty:
            free.append(prov)
            totals[prov] = (round(potential), round(coverage * potential))
        else:
            totals[prov] = solve([rule], potential, coverage, f"province {prov} in {period}")
    region = model.rules(REGION_CODE, period)
    if not region.empty:
        if len(free) != 1:
            raise ModelError(
                f"the region's figures of {period} can only be met through exactly one "
                f"province without figures of its own; found {len(free)}"
            )
        prov = free[0]
        region.offset = (
            sum(p for k, (p, _) in totals.items() if k != prov),
            sum(m for k, (_, m) in totals.items() if k != prov),
        )
        potential, coverage = model.series.at(prov, period)
        totals[prov] = solve([region], potential, coverage, f"the region in {period}")
    return totals


def regency_totals(
    model: Model, prov: str, period: str, total: tuple[int, int], keep: Keep = _keep_all
) -> tuple[dict[str, tuple[int, int]], dict[str, Constraints]]:
    """(potential, members) of each regency of a province, summing exactly to the total.

    Regencies with figures published for the period meet them; the others share the rest of
    the potential by weighted population and of the members by their coverage effects.
    """
    areas = model.reference.regencies(prov)
    codes = [a.kode for a in areas]
    weights = np.array([model.pattern.potential_weight(a.kode, a.population) for a in areas])
    effects = np.array([model.pattern.effect(k) for k in codes])
    potential, members = total
    guess = potential * weights / weights.sum()
    alpha = solve_offset(guess, effects, members)
    rules = {k: model.rules(k, period, keep=keep) for k in codes}
    fixed: dict[str, tuple[int, int]] = {}
    for i, kode in enumerate(codes):
        if not rules[kode].empty:
            fixed[kode] = solve(
                [rules[kode]], guess[i], expit(alpha + effects[i]), f"regency {kode} in {period}"
            )
    free = [i for i, k in enumerate(codes) if k not in fixed]
    rest_p = potential - sum(p for p, _ in fixed.values())
    rest_m = members - sum(m for _, m in fixed.values())
    if free and not (rest_p > 0 and 0 <= rest_m <= rest_p):
        raise ModelError(
            f"the published regency figures of province {prov} in {period} leave "
            f"{rest_m} members for {rest_p} potential workers in the other regencies"
        )
    out = dict(fixed)
    if free:
        pots = allocate(rest_p, weights[free])
        alpha = solve_offset(pots.astype("float64"), effects[free], rest_m)
        share = pots / (1 + np.exp(-(alpha + effects[free])))
        mems = allocate(rest_m, share) if rest_m else np.zeros(len(free), dtype="int64")
        for j, i in enumerate(free):
            out[codes[i]] = (int(pots[j]), int(mems[j]))
    return out, rules


def segment_figures(
    model: Model, prov: str, period: str, regencies: Mapping[str, tuple[int, int]]
) -> dict[str, dict[str, tuple[int, int]]]:
    """Per regency and segment (potential, members), meeting published segment figures."""
    codes = list(regencies)
    potentials, seed = {}, np.zeros((len(codes), len(SEGMENTS)))
    fixed, column_totals = {}, {}
    for i, kode in enumerate(codes):
        rules = {s: model.rules(kode, period, s) for s in SEGMENTS}
        what = f"regency {kode} in {period}"
        potentials[kode], members = split_segments(
            model.pattern, kode, *regencies[kode], rules, what
        )
        seed[i] = members
        for j, segment in enumerate(SEGMENTS):
            lo, hi = rules[segment].members
            if rules[segment].pcts:
                fixed[(i, j)] = int(members[j])
            elif lo is not None and lo == hi:
                fixed[(i, j)] = lo
    for j, segment in enumerate(SEGMENTS):
        lo, hi = model.rules(prov, period, segment).members
        if lo is not None and lo == hi:
            column_totals[j] = lo
    fitted = fit_segments(
        [regencies[k][1] for k in codes], seed, fixed, column_totals, f"province {prov} in {period}"
    )
    return {
        kode: {s: (potentials[kode][j], int(fitted[i, j])) for j, s in enumerate(SEGMENTS)}
        for i, kode in enumerate(codes)
    }


def _status(rule: Constraints) -> tuple[str, str, str, float | None, float | None]:
    """(members, potential, coverage) as published/constrained/modelled, and the coverage
    interval the published figures allow when the coverage itself is not published."""

    def count(name: str) -> str:
        lo, hi = rule.shifted(name)
        if lo is not None and lo == hi:
            return "published"
        touched = lo is not None or hi is not None or getattr(rule, f"{name}_target")
        return "constrained" if touched else "modelled"

    members, potential = count("members"), count("potential")
    u_lo, u_hi = rule.uncovered
    if u_lo is not None and u_lo == u_hi:
        members = "published" if potential == "published" else members
        potential = "published" if members == "published" else potential
    if members == potential == "published" or any(
        d >= 2 and q in ("exact", "rounded") for _, d, q in rule.pcts
    ):
        return members, potential, "published", None, None
    low, high = 0.0, 100.0
    for value, decimals, qualifier in rule.pcts:
        lo, hi = pct_interval(value, decimals, qualifier)
        low, high = max(low, lo), min(high, hi)
    (m_lo, m_hi), (p_lo, p_hi) = rule.shifted("members"), rule.shifted("potential")
    if m_hi is not None and p_lo:
        high = min(high, 100 * m_hi / p_lo)
    if m_lo is not None and p_hi:
        low = max(low, 100 * m_lo / p_hi)
    constrained = rule.pcts or rule.coverage_target or (low, high) != (0.0, 100.0)
    coverage = "constrained" if constrained or "constrained" in (members, potential) else "modelled"
    bounded = (low, high) != (0.0, 100.0)
    return (
        members,
        potential,
        coverage,
        round(low, 2) if bounded else None,
        round(high, 2) if bounded else None,
    )


def _lines(rule: Constraints) -> str | None:
    """The evidence lines behind a figure, as text."""
    return " ".join(str(n) for n in sorted(set(rule.lines))) or None


def _provenance(kode: str, period: str, segment: str, rule: Constraints, model: str | None):
    """One provenance record."""
    members, potential, coverage, low, high = _status(rule)
    return {
        "kode": kode,
        "period": period,
        "segment": segment,
        "members": members,
        "potential": potential,
        "coverage": coverage,
        "coverage_low": low,
        "coverage_high": high,
        "model": model,
        "evidence": _lines(rule),
    }


@dataclass(frozen=True)
class Sample:
    """The sample rows (import format plus data_source), their provenance and the model."""

    rows: pd.DataFrame
    provenance: pd.DataFrame
    model: Model


def _province_basis(model: Model, prov: str, period: str) -> str:
    """How a province total was obtained, for the rows' source text."""
    rule = model.rules(prov, period)
    if not rule.empty:
        return f"province total from published figures (lines {_lines(rule)})"
    if model.series.model_of(prov) == "neighbours":
        return "province total from neighbouring provinces (no published figure)"
    return "province total interpolated between published figures"


def generate_sample(
    reference: Reference, evidence: pd.DataFrame, periods: Sequence[str] = PERIODS
) -> Sample:
    """The sample for every regency and period, deterministic."""
    model = build_model(reference, evidence)
    return sample_of(model, periods)


def sample_of(model: Model, periods: Sequence[str] = PERIODS) -> Sample:
    """The sample of a built model."""
    records, provenance = [], []
    for period in periods:
        totals = province_totals(model, period)
        provenance.append(
            _provenance(REGION_CODE, period, "all", model.rules(REGION_CODE, period), "region")
        )
        for prov in (a.kode for a in model.reference.provinces()):
            kind = model.series.model_of(prov)
            provenance.append(_provenance(prov, period, "all", model.rules(prov, period), kind))
            for segment in SEGMENTS:
                rule = model.rules(prov, period, segment)
                if not rule.empty:
                    provenance.append(_provenance(prov, period, segment, rule, None))
            regencies, rules = regency_totals(model, prov, period, totals[prov])
            split = segment_figures(model, prov, period, regencies)
            basis = _province_basis(model, prov, period)
            for kode, segments in split.items():
                kind = "regency_other_months" if kode in model.pattern.effects else "regency"
                provenance.append(_provenance(kode, period, "all", rules[kode], kind))
                own = rules[kode]
                text = (
                    f"{SOURCE_NOTE}: published regency figures (lines {_lines(own)})"
                    if not own.empty
                    else f"{SOURCE_NOTE}: {basis}; regency share by population and pattern"
                )
                for segment, (potential, members) in segments.items():
                    rule = model.rules(kode, period, segment)
                    if not rule.empty:
                        provenance.append(_provenance(kode, period, segment, rule, None))
                    records.append((kode, period, segment, potential, members, text, "modelled"))
    rows = pd.DataFrame.from_records(records, columns=list(COLUMNS)).astype(
        {"potential_workers": "Int64", "active_members": "Int64"}
    )
    prov_frame = pd.DataFrame.from_records(provenance, columns=list(PROVENANCE_COLUMNS))
    return Sample(rows, prov_frame, model)


_ANCHOR_USES = {
    "exact": "anchor: reproduced exactly (a count) or at its stated decimals (a percentage)",
    "rounded": "anchor: met within its rounding interval",
    "approximate": "anchor: aimed at (approximate)",
    "lower_bound": "anchor: bound respected",
    "upper_bound": "anchor: bound respected",
}


def evidence_uses(model: Model, periods: Sequence[str] = PERIODS) -> dict[int, str]:
    """For every evidence line, how the sample uses it (or why it does not)."""
    uses = dict(model.skipped)
    series_lines = {n for pts in model.series.points.values() for p in pts for n in p.lines}
    for f in model.figures:
        roles = [role for role, lines in model.pattern.used.items() if f.line in lines]
        if f.period in periods and f.level != "national" and not f.quantity.startswith("bps_"):
            if f.segment == "all" or f.quantity == "members":
                uses[f.line] = "; ".join([_ANCHOR_USES[f.qualifier], *roles])
            elif roles:
                uses[f.line] = "regency pattern and segments: " + "; ".join(roles)
            else:
                uses[f.line] = "not used: segment potentials and coverage are modelled"
        elif f.level == "province" and f.line in series_lines:
            uses[f.line] = "; ".join(["province series: interpolation point", *roles])
        elif roles:
            uses[f.line] = "regency pattern and segments: " + "; ".join(roles)
        elif f.qualifier in ("lower_bound", "upper_bound"):
            uses[f.line] = "not used: a bound outside the sample periods"
        elif f.level == "region":
            uses[f.line] = "not used: the region is the sum of its provinces outside the periods"
        else:
            uses[f.line] = "not used: no denominator or counterpart outside the sample periods"
    return uses


def regency_estimate(
    model: Model,
    kode: str,
    month: str,
    keep: Keep,
    totals: Mapping[str, tuple[int, int]] | None = None,
) -> tuple[int, int]:
    """(potential, members) the model gives a regency at any month, the pattern refitted to
    the kept figures and only kept regency figures met (leave-one-out leaves some out)."""
    prov = province_of(kode)
    refit = model.refit(keep)
    total = (totals or province_totals(refit, month))[prov]
    regencies, _ = regency_totals(refit, prov, month, total, keep)
    return regencies[kode]
