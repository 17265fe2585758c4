"""How wrong a modelled coverage is likely to be, measured by leaving published figures out.

- regency: for each published regency coverage, the model is refitted without any figure of
  that regency and gives its coverage for the month: what a regency without a published
  figure (most of them) gets. A second run leaves out only that month's figures, for
  regencies published in other months.
- province: each published province coverage is left out of the province series and
  interpolated (or held) from the province's other figures.
- neighbours: each published province coverage against its neighbours' pooled coverage of
  the same month, the way Sulawesi Barat is modelled.

The 10th and 90th percentiles of the errors on the log-odds scale become the band every
modelled coverage of that kind carries (metrics.uncertainty); data/README.md reports them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo_coverage.enrollment.anchors import Figure
from geo_coverage.enrollment.pattern import logit, observations
from geo_coverage.enrollment.sample import Model, province_totals, regency_estimate
from geo_coverage.enrollment.store import UNCERTAINTY_COLUMNS

LOGGER = logging.getLogger(__name__)

BAND_QUANTILES = (0.10, 0.90)
MODELS = {
    "regency": "a regency without published figures (leave-one-regency-out)",
    "regency_other_months": "a regency published in other months (leave-one-month-out)",
    "province": "a province between or beyond its published figures (leave-one-out)",
    "neighbours": "a province from its neighbours (Sulawesi Barat)",
}
BANDED = tuple(MODELS)  # every model kind carries a band


@dataclass(frozen=True)
class Comparison:
    """A published coverage and what the model gives without it (shares)."""

    model: str
    kode: str
    month: str
    published: float
    modelled: float
    lines: tuple[int, ...]

    @property
    def error_pp(self) -> float:
        """Modelled minus published, in percentage points."""
        return 100 * (self.modelled - self.published)

    @property
    def logit_error(self) -> float:
        """logit(published) - logit(modelled): what the band adds to a modelled value."""
        return logit(self.published) - logit(self.modelled)


def _without(kode: str, month: str | None) -> Callable[[Figure], bool]:
    """A filter keeping every figure but the regency's (only those of one month, if given)."""

    def keep(f: Figure) -> bool:
        return not (f.kode == kode and (month is None or f.month == month))

    return keep


def regency_comparisons(model: Model, whole_regency: bool = True) -> list[Comparison]:
    """Every published regency coverage against the model refitted without it."""
    out, totals = [], {}
    for o in observations(model.figures, model.series):
        keep = _without(o.kode, None if whole_regency else o.month)
        if o.month not in totals:
            totals[o.month] = province_totals(model, o.month)
        potential, members = regency_estimate(model, o.kode, o.month, keep, totals[o.month])
        name = "regency" if whole_regency else "regency_other_months"
        out.append(Comparison(name, o.kode, o.month, o.coverage, members / potential, o.lines))
    if not whole_regency:
        published_elsewhere = {c.kode for c in out if sum(d.kode == c.kode for d in out) > 1}
        out = [c for c in out if c.kode in published_elsewhere]
    return out


def province_comparisons(model: Model) -> list[Comparison]:
    """Every published province coverage against the series without it, and against its
    neighbours."""
    out = []
    for kode, points in sorted(model.series.points.items()):
        for p in points:
            if not p.observed or p.coverage is None:
                continue
            alone = model.series.without(kode, p.month)
            if alone.points.get(kode):
                guess = alone.at(kode, p.month)[1]
                out.append(Comparison("province", kode, p.month, p.coverage, guess, p.lines))
            neighbours = model.series.from_neighbours(kode, p.month)[1]
            out.append(Comparison("neighbours", kode, p.month, p.coverage, neighbours, p.lines))
    return out


def all_comparisons(model: Model) -> list[Comparison]:
    """Every leave-one-out comparison of every model."""
    return (
        regency_comparisons(model, True)
        + regency_comparisons(model, False)
        + province_comparisons(model)
    )


def summary(comparisons: Sequence[Comparison]) -> dict[str, float]:
    """Count, median absolute error and 80/90 % intervals (pp), and the band (log-odds)."""
    errors = np.array([c.error_pp for c in comparisons])
    logits = np.array([c.logit_error for c in comparisons])
    return {
        "comparisons": len(errors),
        "median_abs_pp": float(np.median(np.abs(errors))),
        "p10_pp": float(np.quantile(errors, 0.10)),
        "p90_pp": float(np.quantile(errors, 0.90)),
        "p05_pp": float(np.quantile(errors, 0.05)),
        "p95_pp": float(np.quantile(errors, 0.95)),
        "logit_low": float(np.quantile(logits, BAND_QUANTILES[0])),
        "logit_high": float(np.quantile(logits, BAND_QUANTILES[1])),
    }


def uncertainty_table(comparisons: Sequence[Comparison]) -> pd.DataFrame:
    """The store's uncertainty table: the band of each model used for modelled figures."""
    records = []
    for name in BANDED:
        found = [c for c in comparisons if c.model == name]
        if not found:
            continue
        s = summary(found)
        records.append(
            {
                "model": name,
                "logit_low": s["logit_low"],
                "logit_high": s["logit_high"],
                "comparisons": s["comparisons"],
                "description": (
                    f"{MODELS[name]}: {s['comparisons']} comparisons, median absolute error "
                    f"{s['median_abs_pp']:.1f} points, 80 % of errors within "
                    f"{s['p10_pp']:+.1f} to {s['p90_pp']:+.1f} points"
                ),
            }
        )
    return pd.DataFrame.from_records(records, columns=list(UNCERTAINTY_COLUMNS))


def comparison_frame(comparisons: Sequence[Comparison]) -> pd.DataFrame:
    """The comparisons as a table (percentages), for reports."""
    return pd.DataFrame(
        {
            "model": [c.model for c in comparisons],
            "kode": [c.kode for c in comparisons],
            "month": [c.month for c in comparisons],
            "published_pct": [round(100 * c.published, 2) for c in comparisons],
            "modelled_pct": [round(100 * c.modelled, 2) for c in comparisons],
            "error_pp": [round(c.error_pp, 2) for c in comparisons],
            "lines": [" ".join(map(str, c.lines)) for c in comparisons],
        }
    )
