"""How regencies differ from their province, and how members split into segments, as the
published figures show it.

- Coverage effect: a regency's published coverage against a typical regency of its province
  at the same month, on the log-odds scale (mean over its published months); a regency
  without a published figure has effect 0. A kota/kabupaten effect was tried and left out:
  it made the leave-one-out errors larger.
- Potential workers per inhabitant: a kota's relative to a kabupaten's, from the published
  regency potentials.
- Segments: the informal share of potential workers (BPS informal employment of the
  province), the construction (Jakon) shares of potential workers and of members and the
  ratio of informal to wage coverage, each from the most specific published figures (the
  regency, its province, then all of them pooled).
"""

from __future__ import annotations

import logging
import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from geo_coverage.enrollment.anchors import Figure
from geo_coverage.enrollment.series import ProvinceSeries, point
from geo_coverage.region import SEGMENTS, province_of

LOGGER = logging.getLogger(__name__)

# The segments the sample models: no migrant (PMI) figure is published on its own.
MODELLED_SEGMENTS = tuple(s for s in SEGMENTS if s != "migrant")

# A kota's informal share of potential workers is this much lower than its province's
# (assumed: more formal employment in cities; no usable published split for a kota).
CITY_INFORMAL_REDUCTION = 0.20
COVERAGE_CLIP = (0.005, 0.995)
# Only without any published figure of the kind (not the case with the shipped table).
DEFAULT_INFORMAL = 0.6
DEFAULT_RATIO = 0.25
DEFAULT_CONSTRUCTION_POTENTIAL = 0.1
ITERATIONS = 100
CONVERGED = 1e-7


def is_city(kode: str) -> bool:
    """Whether a regency code is a kota (city): its second part starts with 7."""
    return kode.split(".")[1].startswith("7")


def logit(share: float) -> float:
    """Log-odds of a share, clipped away from 0 and 1."""
    share = min(max(share, COVERAGE_CLIP[0]), COVERAGE_CLIP[1])
    return math.log(share / (1 - share))


def expit(x: float) -> float:
    """The share of some log-odds."""
    return 1 / (1 + math.exp(-x))


@dataclass(frozen=True)
class Observation:
    """A published regency coverage and what it says against its province."""

    kode: str
    month: str
    coverage: float
    effect: float
    lines: tuple[int, ...]


@dataclass(frozen=True)
class Pattern:
    """Regency effects and segment parameters fitted to the published figures."""

    effects: Mapping[str, float]
    city_potential: float
    informal_share: Mapping[str, float]
    construction_share: Mapping[str, float]
    informal_ratio: Mapping[str, float]
    construction_potential: float
    used: Mapping[str, frozenset[int]]

    def effect(self, kode: str) -> float:
        """The regency's coverage log-odds relative to a typical regency of its province (0
        without a published figure)."""
        return self.effects.get(kode, 0.0)

    def potential_weight(self, kode: str, population: int) -> float:
        """The weight a regency's share of its province's potential workers is drawn by."""
        return population * (self.city_potential if is_city(kode) else 1.0)

    def informal_potential_share(self, kode: str) -> float:
        """The informal (BPU) share of a regency's potential workers."""
        share = self.informal_share.get(province_of(kode), self.informal_share["*"])
        return max(0.0, share - (CITY_INFORMAL_REDUCTION if is_city(kode) else 0.0))

    def _specific(self, table: Mapping[str, float], kode: str) -> float:
        """The regency's value, else its province's, else the pooled one."""
        return table.get(kode, table.get(province_of(kode), table["*"]))

    def construction(self, kode: str) -> float:
        """The construction (Jakon) share of a regency's members."""
        return self._specific(self.construction_share, kode)

    def ratio(self, kode: str) -> float:
        """Informal coverage ÷ wage coverage in a regency."""
        return self._specific(self.informal_ratio, kode)


def _grouped(figures: Iterable[Figure], level: str | None = None) -> dict:
    """Figures by (kode, month)."""
    out: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for f in figures:
        if level is None or f.level == level:
            out[(f.kode, f.month)].append(f)
    return out


def observations(figures: Iterable[Figure], series: ProvinceSeries) -> list[Observation]:
    """Every published regency coverage (all segments), with its effect against the province."""
    out = []
    for (kode, month), group in sorted(_grouped(figures, "regency").items()):
        whole = [f for f in group if f.segment == "all"]
        p = point(month, whole) if whole else None
        if p is None or p.coverage is None:
            continue
        province = series.at(province_of(kode), month)[1]
        out.append(
            Observation(kode, month, p.coverage, logit(p.coverage) - logit(province), p.lines)
        )
    return out


def _potential_ratios(
    figures: Iterable[Figure], series: ProvinceSeries, population: Mapping[str, int]
) -> tuple[dict[str, list[float]], set[int]]:
    """Published regency potential per inhabitant against the province's, by kind; the
    lines used."""
    out: dict[str, list[float]] = {"city": [], "regency": []}
    lines: set[int] = set()
    for (kode, month), group in sorted(_grouped(figures, "regency").items()):
        whole = [f for f in group if f.segment == "all"]
        segments = [f for f in group if f.quantity == "potential" and f.segment != "all"]
        direct = [f for f in whole if f.quantity == "potential"]
        if not direct and {f.segment for f in segments} >= set(MODELLED_SEGMENTS):
            potential, used = sum(f.value for f in segments), [f.line for f in segments]
        else:
            potential = point(month, whole).potential if whole else None
            used = [f.line for f in whole if f.quantity in ("potential", "members", "coverage")]
        if potential is None:
            continue
        lines.update(used)
        prov = province_of(kode)
        per_head = series.at(prov, month)[0] / population[prov]
        out["city" if is_city(kode) else "regency"].append(potential / population[kode] / per_head)
    return out, lines


def _informal_shares(figures: Iterable[Figure]) -> tuple[dict[str, float], set[int]]:
    """BPS informal employment ÷ employment by province (its latest month with both), and
    pooled ('*'); the lines used."""
    shares: dict[str, float] = {}
    pairs: dict[str, tuple[Figure, Figure]] = {}
    lines: set[int] = set()
    for (kode, _month), group in sorted(_grouped(figures, "province").items()):
        found = {f.quantity: f for f in group if f.quantity.startswith("bps_")}
        if {"bps_employed", "bps_informal_employed"} <= set(found):
            pairs[kode] = (found["bps_informal_employed"], found["bps_employed"])
    for kode, (informal, employed) in pairs.items():
        shares[kode] = informal.value / employed.value
        lines.update((informal.line, employed.line))
    total = sum(e.value for _, e in pairs.values())
    shares["*"] = sum(i.value for i, _ in pairs.values()) / total if total else DEFAULT_INFORMAL
    return shares, lines


def _construction_shares(figures: Iterable[Figure]) -> tuple[dict[str, float], set[int]]:
    """Construction members ÷ members by area (pooled over its months), and pooled ('*');
    the lines used."""
    parts: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    lines: set[int] = set()
    for (kode, _month), group in sorted(_grouped(figures).items()):
        found = {(f.segment, f.quantity): f for f in group if f.qualifier == "exact"}
        construction = found.get(("construction", "members"))
        members = found.get(("all", "members"))
        if construction is not None and members is not None and members.value:
            parts[kode][0] += construction.value
            parts[kode][1] += members.value
            lines.update((construction.line, members.line))
    shares = {k: c / m for k, (c, m) in parts.items()}
    total_c = sum(c for c, _ in parts.values())
    total_m = sum(m for _, m in parts.values())
    shares["*"] = total_c / total_m if total_m else 0.0
    return shares, lines


def _construction_potential(figures: Iterable[Figure]) -> tuple[float, set[int]]:
    """Published construction potential ÷ potential workers (pooled); the lines used."""
    construction, total = 0.0, 0.0
    lines: set[int] = set()
    for (_kode, _month), group in sorted(_grouped(figures).items()):
        found = {(f.segment, f.quantity): f for f in group if f.qualifier == "exact"}
        parts = [p for s in MODELLED_SEGMENTS if (p := found.get((s, "potential"))) is not None]
        whole = found.get(("all", "potential"))
        part = found.get(("construction", "potential"))
        if part is None or (whole is None and len(parts) < len(MODELLED_SEGMENTS)):
            continue
        denominator = whole.value if whole is not None else sum(p.value for p in parts)
        construction += part.value
        total += denominator
        lines.update(p.line for p in [*parts, whole] if p is not None)
    return (construction / total if total else DEFAULT_CONSTRUCTION_POTENTIAL), lines


def _segment_coverage(found: Mapping[tuple[str, str], Figure], segment: str):
    """(coverage %, lines) of a segment from its published coverage or counts, or None."""
    if (segment, "coverage") in found:
        f = found[(segment, "coverage")]
        return f.value, [f.line]
    if (segment, "potential") in found and (segment, "members") in found:
        p, m = found[(segment, "potential")], found[(segment, "members")]
        return 100 * m.value / p.value, [p.line, m.line]
    return None


def _informal_ratios(figures: Iterable[Figure]) -> tuple[dict[str, float], set[int]]:
    """Informal ÷ wage coverage by area (mean over its months), and the median of all ('*');
    the lines used."""
    ratios: dict[str, list[float]] = defaultdict(list)
    lines: set[int] = set()
    for (kode, _month), group in sorted(_grouped(figures).items()):
        found = {(f.segment, f.quantity): f for f in group}
        wage, informal = _segment_coverage(found, "wage"), _segment_coverage(found, "informal")
        if wage and wage[0] and informal:
            ratios[kode].append(informal[0] / wage[0])
            lines.update(wage[1] + informal[1])
    out = {k: statistics.fmean(v) for k, v in ratios.items()}
    out["*"] = statistics.median(out.values()) if out else DEFAULT_RATIO
    return out, lines


def solve_offset(potential: np.ndarray, effects: np.ndarray, members: float) -> float:
    """The log-odds α at which Σ potential × expit(α + effect) equals members (Newton's
    method on an increasing function, kept inside a bracket)."""
    total = float(potential.sum())
    if members <= 0 or total <= 0:
        return -50.0
    if members >= total:
        return 50.0
    low, high = -50.0, 50.0
    alpha = logit(members / total) - float(np.average(effects, weights=potential))
    for _ in range(100):
        share = 1 / (1 + np.exp(-(alpha + effects)))
        gap = float((potential * share).sum()) - members
        if abs(gap) < 1e-6:
            break
        low, high = (alpha, high) if gap < 0 else (low, alpha)
        slope = float((potential * share * (1 - share)).sum())
        step = alpha - gap / slope if slope > 0 else (low + high) / 2
        alpha = step if low < step < high else (low + high) / 2
    return alpha


def _effects(
    obs: list[Observation],
    series: ProvinceSeries,
    population: Mapping[str, int],
    city_potential: float,
) -> dict[str, float]:
    """Regency effects such that each observed regency, with its province's regencies spread
    as the sample spreads them (the others at effect 0), has its published coverage."""
    regencies: dict[str, list[str]] = defaultdict(list)
    for kode in population:
        if "." in kode:
            regencies[province_of(kode)].append(kode)
    effects = {o.kode: o.effect for o in obs}
    setups = {}
    for prov, month in sorted({(province_of(o.kode), o.month) for o in obs}):
        codes = regencies[prov]
        weights = np.array([population[k] * (city_potential if is_city(k) else 1.0) for k in codes])
        potential, coverage = series.at(prov, month)
        setups[(prov, month)] = (codes, potential * weights / weights.sum(), potential * coverage)
    for _ in range(ITERATIONS):
        offsets = {
            key: solve_offset(spread, np.array([effects.get(k, 0.0) for k in codes]), members)
            for key, (codes, spread, members) in setups.items()
        }
        by_regency: dict[str, list[float]] = defaultdict(list)
        for o in obs:
            by_regency[o.kode].append(logit(o.coverage) - offsets[(province_of(o.kode), o.month)])
        new = {k: statistics.fmean(v) for k, v in by_regency.items()}
        changed = max((abs(v - effects[k]) for k, v in new.items()), default=0.0)
        effects = new
        if changed < CONVERGED:
            break
    return effects


def fit_pattern(
    figures: Iterable[Figure],
    series: ProvinceSeries,
    population: Mapping[str, int],
    keep: Callable[[Figure], bool] = lambda _f: True,
) -> Pattern:
    """The pattern from the figures that `keep` accepts (leave-one-out leaves some out)."""
    figures = [f for f in figures if keep(f)]
    ratios, potential_lines = _potential_ratios(figures, series, population)
    city_potential = (
        statistics.median(ratios["city"]) / statistics.median(ratios["regency"])
        if ratios["city"] and ratios["regency"]
        else 1.0
    )
    obs = observations(figures, series)
    effects = _effects(obs, series, population, city_potential)
    informal_share, share_lines = _informal_shares(figures)
    construction, construction_lines = _construction_shares(figures)
    ratio, ratio_lines = _informal_ratios(figures)
    construction_potential, construction_potential_lines = _construction_potential(figures)
    used = {
        "coverage effect of a regency": frozenset(n for o in obs for n in o.lines),
        "potential workers per inhabitant": frozenset(potential_lines),
        "informal share of potential workers": frozenset(share_lines),
        "construction share of members": frozenset(construction_lines),
        "informal/wage coverage ratio": frozenset(ratio_lines),
        "construction share of potential workers": frozenset(construction_potential_lines),
    }
    return Pattern(
        effects,
        city_potential,
        informal_share,
        construction,
        ratio,
        construction_potential,
        used,
    )
