"""Members and potential workers of a regency split into wage (PU), informal (BPU) and
construction (Jakon) rows, from the published pattern and the regency's own segment figures.

Potential workers: construction takes the published construction share of potential
workers, informal its share of the rest (pattern.Pattern), wage the remainder. Members:
construction takes its published share of members; the rest is split so that informal
coverage ÷ wage coverage is the published ratio, with wage coverage at most 100 %. A
regency's published segment percentages are met at their stated decimals (the informal share
of its potential is then chosen to meet them). fit_segments then meets published segment
member counts of regencies and provinces exactly.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence

import numpy as np

from geo_coverage.enrollment.anchors import Constraints, ModelError, pct_interval, pct_matches
from geo_coverage.enrollment.pattern import MODELLED_SEGMENTS, Pattern

LOGGER = logging.getLogger(__name__)

SEGMENTS = MODELLED_SEGMENTS
SEARCH = 50_000
IPF_ITERATIONS = 1000


def allocate(total: int, weights: Sequence[float] | np.ndarray) -> np.ndarray:
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


def _meeting(pct: tuple[float, int, str], potential: int, target: float) -> list[int]:
    """Members meeting a published percentage of a potential, nearest target first."""
    value, decimals, qualifier = pct
    lo, hi = pct_interval(value, decimals, qualifier)
    found = [
        m
        for m in range(
            max(0, math.floor(lo * potential / 100) - 2), math.ceil(hi * potential / 100) + 3
        )
        if _meets(m, potential, pct)
    ]
    return sorted(found, key=lambda m: abs(m - target))


def _meets(members: int, potential: int, pct: tuple[float, int, str]) -> bool:
    """Whether members of a potential meet a published percentage (or bound)."""
    value, decimals, qualifier = pct
    if potential <= 0:
        return False
    if qualifier == "lower_bound":
        return 100 * members / potential >= value
    if qualifier == "upper_bound":
        return 100 * members / potential <= value
    return pct_matches(members, potential, value, decimals)


def split_segments(
    pattern: Pattern,
    kode: str,
    potential: int,
    members: int,
    rules: Mapping[str, Constraints],
    what: str,
) -> tuple[tuple[int, int, int], tuple[float, float, float]]:
    """Potential (wage, informal, construction) and members (the same) of a regency."""
    pcts = {s: r.pcts[0] for s, r in rules.items() if r.pcts}
    p_c = round(potential * pattern.construction_potential)
    m_c: float = members * pattern.construction(kode)
    if "construction" in pcts:
        found = _meeting(pcts["construction"], p_c, m_c)
        if not found:
            raise ModelError(f"no construction members meet the published coverage of {what}")
        m_c = found[0]
    p_rest, m_rest = potential - p_c, members - m_c
    if "wage" in pcts and "informal" in pcts:
        (p_w, p_i), (m_w, m_i) = _solve_both(
            pcts["wage"], pcts["informal"], p_rest, round(m_rest), what
        )
        return (p_w, p_i, p_c), (m_w, m_i, m_c)
    p_i = round(p_rest * pattern.informal_potential_share(kode))
    p_w = p_rest - p_i
    if "wage" in pcts or "informal" in pcts:
        segment = "wage" if "wage" in pcts else "informal"
        own = p_w if segment == "wage" else p_i
        other = p_i if segment == "wage" else p_w
        for m in _meeting(pcts[segment], own, m_rest * own / max(p_rest, 1)):
            if 0 <= round(m_rest) - m <= other:
                rest = round(m_rest) - m
                m_w, m_i = (m, rest) if segment == "wage" else (rest, m)
                return (p_w, p_i, p_c), (m_w, m_i, m_c)
        raise ModelError(f"no split of members meets the published {segment} coverage of {what}")
    denominator = p_w + pattern.ratio(kode) * p_i
    m_w = min(p_w, m_rest * p_w / denominator) if denominator else 0.0
    m_i = m_rest - m_w
    if m_i > p_i:
        m_i, m_w = p_i, m_rest - p_i
    return (p_w, p_i, p_c), (m_w, m_i, m_c)


def _solve_both(wage, informal, potential: int, members: int, what: str):
    """((wage potential, informal potential), (wage members, informal members)) meeting both
    published coverages, the wage potential nearest what the two percentages imply."""
    c_w, c_i = wage[0] / 100, informal[0] / 100
    guess = (members - c_i * potential) / (c_w - c_i) if c_w != c_i else potential / 2
    start = min(max(round(guess), 0), potential)
    for step in range(SEARCH):
        for p_w in (start - step, start + step) if step else (start,):
            if not 0 < p_w < potential:
                continue
            p_i = potential - p_w
            for m_w in _meeting(wage, p_w, c_w * p_w)[:5]:
                m_i = members - m_w
                if 0 <= m_i <= p_i and _meets(m_i, p_i, informal):
                    return (p_w, p_i), (m_w, m_i)
    raise ModelError(f"no split meets both the published wage and informal coverage of {what}")


def fit_segments(
    totals: Sequence[int],
    seed: np.ndarray,
    fixed: Mapping[tuple[int, int], int],
    column_totals: Mapping[int, int],
    what: str,
) -> np.ndarray:
    """Whole members per (regency, segment): rows sum to totals, fixed cells and column totals
    are met, the rest follows the seed (iterative proportional fitting, then exact rounding)."""
    n, k = seed.shape
    free = np.ones((n, k), dtype=bool)
    out = np.zeros((n, k), dtype="int64")
    for (i, j), v in fixed.items():
        free[i, j], out[i, j] = False, v
    rows = np.asarray(totals, dtype="int64") - out.sum(axis=1)
    cols = {j: t - int(out[:, j].sum()) for j, t in column_totals.items()}
    if (rows < 0).any() or any(v < 0 for v in cols.values()):
        raise ModelError(f"published segment members exceed the members of {what}")
    x = np.where(free, np.maximum(seed, 1e-9), 0.0)
    for _ in range(IPF_ITERATIONS):
        sums = x.sum(axis=1)
        x *= np.divide(rows, sums, out=np.zeros(n), where=sums > 0)[:, None]
        if not cols:
            break
        for j, t in cols.items():
            s = x[:, j].sum()
            x[:, j] *= t / s if s > 0 else 0.0
        if np.abs(x.sum(axis=1) - rows).max() < 1e-6:
            break
    open_cols = [j for j in range(k) if j not in cols]
    residual = open_cols or [max(cols)]
    for j, t in cols.items():
        if j in residual:
            continue
        if x[:, j].sum() > 0:
            out[:, j] += allocate(t, x[:, j])
        elif t:
            raise ModelError(f"no regency of {what} can take the published segment members")
    for i in range(n):
        left = int(totals[i] - out[i].sum())
        if left < 0:
            raise ModelError(f"the segment members of {what} cannot be split exactly")
        weights = x[i, residual] * free[i, residual]
        if weights.sum() <= 0:
            if left:
                raise ModelError(f"the segment members of {what} cannot be split exactly")
            continue
        out[i, residual] += allocate(left, weights)
    return out
