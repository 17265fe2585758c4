"""How far a modelled coverage may be from the truth: coverage_pct_low and coverage_pct_high.

The store's uncertainty table holds, per model (regency, province, neighbours), the 10th and
90th percentiles of the leave-one-out errors on the log-odds scale (data/README.md shows how
they were measured). A modelled coverage c gets the band expit(logit(c) + low) to
expit(logit(c) + high), narrowed to what its published figures allow (a percentage published
as "51" allows 50.5-51.5); a coverage that is itself published gets none (null). The region's
band adds its provinces' bands weighted by potential workers, as if their errors all went the
same way. A single segment gets none: the split into segments is not measured.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from geo_coverage.metrics.registry import FIELDS

LOGGER = logging.getLogger(__name__)

BAND_COLUMNS = tuple(f.key for f in FIELDS if f.aggregation.kind == "band")
_CLIP = 1e-6


def _logit(share: np.ndarray) -> np.ndarray:
    """Log-odds, clipped away from 0 and 1."""
    share = np.clip(share, _CLIP, 1 - _CLIP)
    return np.log(share / (1 - share))


def _expit(x: np.ndarray) -> np.ndarray:
    """Shares from log-odds."""
    return 1 / (1 + np.exp(-x))


def coverage_bands(
    frame: pd.DataFrame,
    provenance: pd.DataFrame | None,
    uncertainty: pd.DataFrame | None,
    segment: str | None,
    parts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """coverage_pct_low and coverage_pct_high for each row of frame (kode, period,
    potential_workers, active_members, data_source), aligned with it. parts: the provinces'
    figures with their bands, for the region's band (region_bands)."""
    out = pd.DataFrame(index=frame.index, columns=list(BAND_COLUMNS), dtype="Float64")
    if segment is not None or provenance is None or provenance.empty or uncertainty is None:
        return out
    records = provenance[provenance["segment"] == "all"].drop(columns="segment")
    merged = frame.loc[:, ["kode", "period"]].merge(records, on=["kode", "period"], how="left")
    merged.index = frame.index
    params = uncertainty.set_index("model")
    low_q = merged["model"].map(params["logit_low"]).astype("float64").to_numpy()
    high_q = merged["model"].map(params["logit_high"]).astype("float64").to_numpy()
    share = (
        frame["active_members"].astype("float64")
        / frame["potential_workers"].astype("float64").where(frame["potential_workers"] > 0)
    ).to_numpy(dtype="float64", na_value=np.nan)
    low = 100 * _expit(_logit(share) + low_q)
    high = 100 * _expit(_logit(share) + high_q)
    if parts is not None:
        summed = frame.loc[:, ["period"]].merge(region_bands(parts), on="period", how="left")
        low = summed["coverage_pct_low"].astype("float64").to_numpy(na_value=np.nan)
        high = summed["coverage_pct_high"].astype("float64").to_numpy(na_value=np.nan)
    bound_low = merged["coverage_low"].astype("float64").to_numpy(na_value=np.nan)
    bound_high = merged["coverage_high"].astype("float64").to_numpy(na_value=np.nan)
    low = np.where(np.isnan(low), bound_low, np.fmax(low, bound_low))
    high = np.where(np.isnan(high), bound_high, np.fmin(high, bound_high))
    disjoint = low > high
    low = np.where(disjoint, bound_low, low)
    high = np.where(disjoint, bound_high, high)
    known = (frame["data_source"] == "published").fillna(False).to_numpy() | (
        merged["coverage"] == "published"
    ).fillna(False).to_numpy()
    missing = known | np.isnan(share)
    out["coverage_pct_low"] = pd.array(np.where(missing, np.nan, np.round(low, 2)), "Float64")
    out["coverage_pct_high"] = pd.array(np.where(missing, np.nan, np.round(high, 2)), "Float64")
    return out


def region_bands(provinces: pd.DataFrame) -> pd.DataFrame:
    """The region's band per period from its provinces' (kode, period, potential_workers,
    active_members, coverage_pct_low, coverage_pct_high): potential-weighted, a province
    without a band counting at its coverage."""
    frame = provinces.dropna(subset=["potential_workers", "active_members"]).copy()
    potential = frame["potential_workers"].astype("float64")
    share = 100 * frame["active_members"].astype("float64") / potential
    frame["_w"] = potential
    frame["_low"] = frame["coverage_pct_low"].astype("float64").fillna(share) * potential
    frame["_high"] = frame["coverage_pct_high"].astype("float64").fillna(share) * potential
    frame["_banded"] = frame["coverage_pct_low"].notna()
    sums = frame.groupby("period", observed=True)[["_w", "_low", "_high", "_banded"]].sum()
    out = pd.DataFrame(
        {
            "period": sums.index.astype("string"),
            "coverage_pct_low": (sums["_low"] / sums["_w"]).round(2).to_numpy(),
            "coverage_pct_high": (sums["_high"] / sums["_w"]).round(2).to_numpy(),
        }
    )
    none = (sums["_banded"] == 0).to_numpy()
    for column in BAND_COLUMNS:
        out[column] = pd.array(np.where(none, np.nan, out[column]), "Float64")
    return out
