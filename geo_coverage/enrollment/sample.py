"""A deterministic, modelled sample of enrollment figures for all 102 regencies and cities.

Province totals reproduce the published figures where they exist and follow stated trend
assumptions elsewhere; regency figures are modelled from population and an explicit coverage
pattern (published rankings, regency percentages). data/README.md states every assumption.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo_coverage.enrollment.table import COLUMNS
from geo_coverage.region import REGION_CODE
from geo_coverage.sources.reference import Reference

LOGGER = logging.getLogger(__name__)

PERIODS = ("2021-12", "2024-08", "2025-06", "2025-12")
# Assumed share of informal (BPU) workers among the potential workers of a kabupaten, by
# province; a kota's share is CITY_INFORMAL_REDUCTION lower (more formal employment).
INFORMAL_SHARE = {
    "71": 0.55,
    "72": 0.66,
    "73": 0.62,
    "74": 0.65,
    "75": 0.63,
    "76": 0.70,
    "81": 0.60,
    "82": 0.64,
}
CITY_INFORMAL_REDUCTION = 0.20
# Members are split between segments so that informal coverage = INFORMAL_RELATIVE_COVERAGE ×
# wage coverage, with wage coverage capped at WAGE_COVERAGE_CAP (the rest goes to informal).
INFORMAL_RELATIVE_COVERAGE = 0.35
WAGE_COVERAGE_CAP = 0.99
# Trends for province figures not published: coverage +3.0 percentage points a year (about
# Sulawesi Selatan's published pace, 36.4 % in Dec 2021 to 47.4 % in Jun 2025) and potential
# workers +1.0 % a year, from the nearest published figure.
COVERAGE_TREND_PP_PER_YEAR = 3.0
WORKFORCE_GROWTH_PER_YEAR = 0.01
MAX_MODELLED_COVERAGE = 0.95
# Regency coverage pattern, as odds ratios against the province: kota (cities) 1.5, every
# area jittered by a factor exp(±JITTER) drawn from the sha256 of its code; named areas below
# take their explicit value instead (period '*' = every period not listed).
CITY_ODDS = 1.5
JITTER = 0.3
ODDS_INDEX: dict[str, dict[str, float]] = {
    # Sulawesi Selatan, Bisnis.com 28 Aug 2024: highest Luwu, Enrekang, Kepulauan Selayar
    # (over 60 %), lowest Gowa, Takalar, Jeneponto, fastest growth Makassar.
    "73.17": {"*": 3.0},
    "73.16": {"*": 2.8},
    "73.01": {"*": 2.6},
    "73.06": {"*": 0.40},
    "73.05": {"*": 0.45},
    "73.04": {"*": 0.50},
    # Makassar grows fastest to Aug 2024 and is among the two highest in mid-2025 with
    # "Toraja" (Bisnis.com 16 Jul 2025), modelled as Kabupaten Tana Toraja.
    "73.71": {"2021-12": 0.7, "2024-08": 1.8, "*": 4.0},
    "73.18": {"2025-06": 4.5, "2025-12": 4.5},
    # Sulawesi Utara, SulutNewsTV 18 Dec 2025: highest Talaud, Bolaang Mongondow Selatan,
    # Bolaang Mongondow, Minahasa Tenggara, Manado (exact Dec 2025 values in PUBLISHED
    # regency rows); Tomohon among the five lowest.
    "71.04": {"*": 4.0},
    "71.11": {"*": 3.2},
    "71.01": {"*": 2.6},
    "71.07": {"*": 2.5},
    "71.71": {"*": 2.0},
    "71.73": {"*": 0.35},
}
SOURCE_NOTE = "modelled sample (geo_coverage.sample, assumptions in data/README.md)"


@dataclass(frozen=True)
class ProvinceTotal:
    """Potential workers and active members of a province in a period, and their basis."""

    potential: int
    members: int
    basis: str


def _month(period: str) -> int:
    """A period as a month count, for interpolation."""
    year, month = period.split("-")
    return int(year) * 12 + int(month) - 1


def allocate(total: int, weights: Sequence[float]) -> np.ndarray:
    """Split a whole number in proportion to weights, exactly (largest remainder, ties by order)."""
    w = np.asarray(weights, dtype="float64")
    if total < 0 or (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"cannot allocate {total} by weights summing to {w.sum()}")
    quotas = total * w / w.sum()
    base = np.floor(quotas).astype("int64")
    remainder = int(total - base.sum())
    order = np.argsort(-(quotas - base), kind="stable")
    base[order[:remainder]] += 1
    return base


def _interpolate(
    anchors: dict[int, float], month: int, per_year: float, multiplicative: bool
) -> float:
    """Linear between anchors; beyond them a trend per year (added, or compounded)."""
    months = sorted(anchors)
    if month in anchors:
        return anchors[month]
    before = [m for m in months if m < month]
    after = [m for m in months if m > month]
    if before and after:
        a, b = before[-1], after[0]
        return anchors[a] + (anchors[b] - anchors[a]) * (month - a) / (b - a)
    edge = before[-1] if before else after[0]
    years = (month - edge) / 12
    if multiplicative:
        return anchors[edge] * (1 + per_year) ** years
    return anchors[edge] + per_year * years


def _pct_members(pct: float, potential: int) -> int:
    """Members giving exactly pct (to 2 decimals) of potential."""
    members = round(pct * potential / 100)
    for candidate in sorted(range(members - 3, members + 4), key=lambda m: abs(m - members)):
        if round(100 * candidate / potential, 2) == pct:
            return candidate
    raise ValueError(f"no whole number of members gives {pct} % of {potential}")


def province_totals(
    published: pd.DataFrame, reference: Reference, periods: Sequence[str] = PERIODS
) -> dict[tuple[str, str], ProvinceTotal]:
    """Potential and members of every province and period: published, derived or trended."""
    prov = published[published["level"] == "province"]
    region = published[(published["level"] == "region") & (published["kode"] == REGION_CODE)]
    known: dict[tuple[str, str], ProvinceTotal] = {}
    for r in prov.itertuples():
        m, p, c = r.active_members, r.potential_workers, r.coverage_pct
        if m is not pd.NA and p is not pd.NA:
            known[(r.kode, r.period)] = ProvinceTotal(
                int(p), int(m), (f"the published province total ({r.source})")
            )
        elif m is not pd.NA and c is not pd.NA:
            potential = round(int(m) * 100 / float(c))
            while round(100 * int(m) / potential, 2) != float(c):
                potential += 1 if 100 * int(m) / potential > float(c) else -1
            known[(r.kode, r.period)] = ProvinceTotal(
                potential, int(m), (f"the published province members and UCJ ({r.source})")
            )
    codes = [a.kode for a in reference.provinces()]
    for r in region.itertuples():
        if r.active_members is pd.NA or r.potential_workers is pd.NA:
            continue
        missing = [k for k in codes if (k, r.period) not in known]
        if len(missing) == 1:
            others = [known[(k, r.period)] for k in codes if k != missing[0]]
            known[(missing[0], r.period)] = ProvinceTotal(
                int(r.potential_workers) - sum(t.potential for t in others),
                int(r.active_members) - sum(t.members for t in others),
                f"the published region total minus the seven published provinces ({r.source})",
            )
    totals = dict(known)
    for kode in codes:
        rows = prov[prov["kode"] == kode]
        cov = {_month(per): t.members / t.potential for (k, per), t in known.items() if k == kode}
        cov |= {
            _month(r.period): float(r.coverage_pct) / 100
            for r in rows.itertuples()
            if r.coverage_pct is not pd.NA and (kode, r.period) not in known
        }
        pot = {_month(per): t.potential for (k, per), t in known.items() if k == kode}
        for period in periods:
            if (kode, period) in totals:
                continue
            month = _month(period)
            potential = round(_interpolate(pot, month, WORKFORCE_GROWTH_PER_YEAR, True))
            share = min(
                MAX_MODELLED_COVERAGE,
                _interpolate(cov, month, COVERAGE_TREND_PP_PER_YEAR / 100, False),
            )
            totals[(kode, period)] = ProvinceTotal(
                potential,
                round(share * potential),
                ("trend assumptions from the published province figures"),
            )
    return {k: v for k, v in totals.items() if k[1] in periods}


def _jitter(kode: str) -> float:
    """A fixed factor in [exp(-JITTER), exp(JITTER)] from the code's sha256."""
    u = int(hashlib.sha256(kode.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return math.exp(JITTER * (2 * u - 1))


def odds_index(kode: str, period: str) -> float:
    """The regency's coverage odds relative to its province in a period."""
    named = ODDS_INDEX.get(kode, {})
    if period in named or "*" in named:
        return named.get(period, named.get("*"))
    city = kode.split(".")[1].startswith("7")
    return (CITY_ODDS if city else 1.0) * _jitter(kode)


def _solve_members(potential: np.ndarray, odds: np.ndarray, members: int) -> np.ndarray:
    """Whole members per area summing to `members`, coverage odds proportional to `odds`."""
    if members == 0:
        return np.zeros(len(potential), dtype="int64")
    if not 0 < members < potential.sum():
        raise ValueError(f"{members} members cannot be spread over {potential.sum()} workers")

    def total(scale: float) -> float:
        x = scale * odds
        return float((potential * x / (1 + x)).sum())

    low, high = -30.0, 30.0
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if total(math.exp(mid)) < members else (low, mid)
    x = math.exp((low + high) / 2) * odds
    return allocate(members, potential * x / (1 + x))


def _split(potential: int, informal_potential: int, members: int) -> tuple[int, int]:
    """Wage and informal members of an area (informal coverage relative to wage coverage)."""
    wage_potential = potential - informal_potential
    denominator = wage_potential + INFORMAL_RELATIVE_COVERAGE * informal_potential
    wage_cov = min(WAGE_COVERAGE_CAP, members / denominator) if denominator else 0.0
    wage = min(members, round(wage_cov * wage_potential))
    informal = members - wage
    if informal > informal_potential:
        informal, wage = informal_potential, members - informal_potential
    return wage, informal


def regency_figures(
    reference: Reference, published: pd.DataFrame, prov: str, period: str, total: ProvinceTotal
) -> pd.DataFrame:
    """Potential and members of each regency of a province in a period (sums are exact)."""
    areas = reference.regencies(prov)
    codes = [a.kode for a in areas]
    potential = allocate(total.potential, [a.population for a in areas])
    pub = published[
        (published["level"] == "regency")
        & (published["period"] == period)
        & published["coverage_pct"].notna()
    ]
    fixed = {r.kode: (float(r.coverage_pct), r.source) for r in pub.itertuples() if r.kode in codes}
    members = np.zeros(len(codes), dtype="int64")
    basis = [f"the province total from {total.basis}"] * len(codes)
    for i, kode in enumerate(codes):
        if kode in fixed:
            members[i] = _pct_members(fixed[kode][0], int(potential[i]))
            basis[i] = f"the published regency UCJ ({fixed[kode][1]})"
    free = np.array([k not in fixed for k in codes])
    odds = np.array([odds_index(k, period) for k in codes])
    members[free] = _solve_members(
        potential[free], odds[free], total.members - int(members[~free].sum())
    )
    return pd.DataFrame({"kode": codes, "potential": potential, "members": members, "basis": basis})


def generate_sample(
    reference: Reference, published: pd.DataFrame, periods: Sequence[str] = PERIODS
) -> pd.DataFrame:
    """The sample table (the import format plus data_source), deterministic."""
    totals = province_totals(published, reference, periods)
    records = []
    for period in periods:
        for prov in (a.kode for a in reference.provinces()):
            figures = regency_figures(reference, published, prov, period, totals[(prov, period)])
            for r in figures.itertuples():
                city = r.kode.split(".")[1].startswith("7")
                share = INFORMAL_SHARE[prov] - (CITY_INFORMAL_REDUCTION if city else 0.0)
                informal_potential = round(int(r.potential) * share)
                wage, informal = _split(int(r.potential), informal_potential, int(r.members))
                source = f"{SOURCE_NOTE}: {r.basis}"
                records.append(
                    (
                        r.kode,
                        period,
                        "wage",
                        int(r.potential) - informal_potential,
                        wage,
                        source,
                        "modelled",
                    )
                )
                records.append(
                    (r.kode, period, "informal", informal_potential, informal, source, "modelled")
                )
    return pd.DataFrame.from_records(records, columns=list(COLUMNS)).astype(
        {"potential_workers": "Int64", "active_members": "Int64"}
    )
