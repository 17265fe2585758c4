"""Coverage indicators per area and period, aggregating counts by sum before dividing.

Plain functions on pandas DataFrames; no Flask, no I/O.

Definitions (for one area, one period; sums over the area's regency rows):
- coverage_pct: UCJ = 100 × Σ active_members ÷ Σ potential_workers of the selected segments
  (all segments by default; blank potentials of construction/migrant rows add nothing).
- wage_coverage_pct, informal_coverage_pct: the same for segment wage (PU) / informal (BPU).
- target_pct: the area's target for the period's year (targets table; a regency without its own
  target has its province's, and a province without one the default 60 %);
  for the region Σ (target % × potential workers) ÷ Σ potential workers over its provinces
  (weighted by potential, never a plain average of percentages).
- gap_to_target: max(0, target workers − Σ active_members), target workers =
  ceil(target % × Σ potential_workers) (for the region, ceil of the provinces' exact sum).
- uncovered_informal: max(0, Σ informal potential − Σ informal members).
- change_pp: coverage_pct minus the area's coverage_pct in the previous period of the data,
  in percentage points (difference of the two rounded percentages). The maps compare with
  any stored period the same way (`coverage_change`).
- target_shortfall_pct: 100 × max(0, 1 − coverage ÷ target), coverage of all segments (exact
  counts) whatever segment is selected: the share of the target not yet reached, 0 at or above it.
- priority_score (outreach to informal workers, data/README.md explains the choice):
  uncovered_informal × (1 − informal coverage) × (1 + shortfall), informal coverage and the
  shortfall as shares (coverage capped at 1), from exact counts. Areas without informal
  potential get no score; the region none (it is not compared with anything).
  priority_rank_region: 1 = highest score among the level's areas of the whole region (the
  regencies, or the provinces); priority_rank_province: among the regencies of the same
  province, null for provinces. Ties go to the lower kode.
- coverage_pct_low, coverage_pct_high: the likely range of a modelled coverage (see
  metrics.uncertainty); null for published coverage and for a single segment.
- data_source: see `data_source_rule` (metrics.labels).
- districts (`district_metrics`): a district with imported rows of its own (for every selected
  segment of its regency in the period) gets its own figures, computed like a regency's, with
  figure_level 'district' (ranks among the districts with figures of their own); any other
  district carries its regency's rates and data_source, no counts and no ranks, with
  figure_level 'regency'. A regency's counts are its own row or the sum of its districts'
  rows (enrollment.rollup), so every level above sums districts first.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pandas as pd

from geo_coverage.enrollment.store import REGENCY_CODE_CHARS
from geo_coverage.enrollment.targets import DEFAULT_TARGET_PCT
from geo_coverage.metrics.labels import data_source_labels
from geo_coverage.metrics.registry import COLUMNS, COUNT_COLUMNS, DTYPES, FIELDS
from geo_coverage.metrics.uncertainty import BAND_COLUMNS, coverage_bands
from geo_coverage.region import DEFAULT_REGION, Region

LOGGER = logging.getLogger(__name__)

_COUNTS = COUNT_COLUMNS  # potential_workers, active_members: summed before any ratio
_ROUNDED = {  # percentages and scores, rounded once computed (bands round themselves)
    f.key: f.decimals
    for f in FIELDS
    if f.unit in ("percent", "score") and f.key not in BAND_COLUMNS
}


def _pct(num: pd.Series, den: pd.Series) -> pd.Series:
    """100 × num ÷ den as Float64, NA where den is NA or 0."""
    num, den = num.astype("Float64"), den.astype("Float64")
    return (100 * num / den.where(den > 0)).astype("Float64")


def _half_up_ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num ÷ den rounded half up to a whole number, exactly (integers); NA where den is NA or 0."""
    num, den = num.astype("Int64"), den.astype("Int64")
    den = den.where(den > 0)
    return ((2 * num + den) // (2 * den)).astype("Int64")


def _pct2(num: pd.Series, den: pd.Series) -> pd.Series:
    """100 × num ÷ den rounded half up to 2 decimals, computed exactly on the integer counts."""
    return (_half_up_ratio(10_000 * num.astype("Int64"), den).astype("Float64") / 100).round(2)


def _province(kode: pd.Series) -> pd.Series:
    """The province part of area codes ('73.71' -> '73')."""
    return kode.str.split(".", n=1).str[0]


def regency_codes(kode: pd.Series) -> pd.Series:
    """The regency of each row's code: a district's code cut to its regency's."""
    return kode.astype("string").str.slice(0, REGENCY_CODE_CHARS)


def own_district_rows(rows: pd.DataFrame, segment: str | None) -> pd.DataFrame:
    """The district rows of the selected segments (all if None) whose regency has no row of its
    own in the same period among them: the rows a district's own figures are summed from."""
    sel = rows if segment is None else rows[rows["segment"] == segment]
    district = sel["kode"].str.len() > REGENCY_CODE_CHARS
    regency = regency_codes(sel["kode"])
    own = set(zip(regency[~district], sel.loc[~district, "period"], strict=True))
    if not own:
        return sel[district]
    keys = pd.Series(list(zip(regency, sel["period"], strict=True)), index=sel.index)
    return sel[district & ~keys.isin(own)]


def _sums(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """Σ potential and Σ members per (key, period); NA when every value is NA."""
    if rows.empty:
        return pd.DataFrame(columns=[key, "period", *_COUNTS]).astype(
            {
                key: "string",
                "period": "string",
                "potential_workers": "Int64",
                "active_members": "Int64",
            }
        )
    return rows.groupby([key, "period"], as_index=False, observed=True)[list(_COUNTS)].sum(
        min_count=1
    )


def target_table(
    targets: pd.DataFrame, prov_kodes: Sequence[str], periods: Sequence[str]
) -> pd.DataFrame:
    """target_pct for every (prov_kode, period): the table's value or the default."""
    grid = pd.MultiIndex.from_product(
        [list(prov_kodes), list(periods)], names=["prov_kode", "period"]
    ).to_frame(index=False)
    grid = grid.astype({"prov_kode": "string", "period": "string"})
    grid["year"] = grid["period"].str.slice(0, 4).astype("int64")
    if "kode" in targets.columns:  # regency targets apply to their regency only
        targets = targets[targets["kode"] == targets["prov_kode"]]
    table = targets.loc[:, ["prov_kode", "year", "target_pct"]].astype(
        {"prov_kode": "string", "year": "int64", "target_pct": "float64"}
    )
    out = grid.merge(table, on=["prov_kode", "year"], how="left")
    out["target_pct"] = out["target_pct"].fillna(DEFAULT_TARGET_PCT)
    return out.drop(columns="year")


def with_regency_targets(
    frame: pd.DataFrame, targets: pd.DataFrame, key: str = "kode"
) -> pd.DataFrame:
    """target_pct of each regency row replaced by the regency's own target where one is set."""
    if "kode" not in targets.columns:
        return frame
    own = targets.loc[targets["kode"] != targets["prov_kode"], ["kode", "year", "target_pct"]]
    if own.empty:
        return frame
    own = own.astype({"kode": "string", "year": "int64", "target_pct": "float64"}).rename(
        columns={"kode": key, "target_pct": "_own_target"}
    )
    out = frame.assign(year=frame["period"].str.slice(0, 4).astype("int64"))
    out = out.merge(own, on=[key, "year"], how="left")
    out["target_pct"] = out["_own_target"].fillna(out["target_pct"])
    return out.drop(columns=["year", "_own_target"])


def _target_scaled(pct: pd.Series, potential: pd.Series) -> pd.Series:
    """Target workers × 10,000 (basis points × potential), exact; NA where potential is NA."""
    basis_points = (pct.astype("float64") * 100).round().astype("Int64")
    return basis_points * potential.astype("Int64")


def _ceil_div(numerator: pd.Series, denominator: int) -> pd.Series:
    """Integer division rounding up, keeping NA."""
    return -((-numerator) // denominator)


def coverage_change(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Per area of `now`: its coverage, its coverage in `before` (a baseline period's metrics
    of the same level and segment) and the change in points, as change_pp is computed."""
    base = before.loc[:, ["kode", "coverage_pct"]].rename(
        columns={"coverage_pct": "base_coverage_pct"}
    )
    out = now.loc[:, ["kode", "coverage_pct"]].merge(base, on="kode", how="left")
    out["change_pp"] = (out["coverage_pct"] - out["base_coverage_pct"]).astype("Float64").round(2)
    return out


def segment_gaps(rows: pd.DataFrame, period: str, segments: Sequence[str]) -> dict[str, str]:
    """Why a segment has no coverage in a period: 'no_rows' (nothing stored) or
    'no_potential' (members without potential workers); segments with coverage are left out."""
    here = rows[rows["period"] == period]
    gaps = {}
    for segment in segments:
        part = here[here["segment"] == segment]
        if part.empty:
            gaps[segment] = "no_rows"
        elif not (part["potential_workers"].fillna(0) > 0).any():
            gaps[segment] = "no_potential"
    return gaps


def _shortfall(members: pd.Series, potential: pd.Series, target_pct: pd.Series) -> pd.Series:
    """max(0, 1 − coverage ÷ target) from exact counts: the share of the target not reached."""
    coverage = members.astype("Float64") / potential.astype("Float64").where(potential > 0)
    target = target_pct.astype("Float64").where(target_pct > 0) / 100
    return (1 - coverage / target).clip(lower=0, upper=1)


def priority_scores(uncovered: pd.Series, informal_share: pd.Series, shortfall: pd.Series):
    """The outreach priority: uncovered informal workers × (1 − informal coverage) ×
    (1 + shortfall from the target), coverage and shortfall as shares (data/README.md)."""
    return uncovered.astype("Float64") * (1 - informal_share) * (1 + shortfall)


def _ranks(frame: pd.DataFrame, score: str, group: str | None) -> pd.Series:
    """1 = highest score within each group (or overall), ties by kode; NA without a score."""
    scored = frame[frame[score].notna()].sort_values([score, "kode"], ascending=[False, True])
    if group is None:
        ranks = scored.groupby("period", observed=True).cumcount() + 1
    else:
        ranks = scored.groupby(["period", group], observed=True).cumcount() + 1
    return ranks.reindex(frame.index).astype("Int64")


def area_frame(areas: pd.DataFrame, level: str, region: Region = DEFAULT_REGION) -> pd.DataFrame:
    """The areas of a level with their province names, in code order."""
    provinces = areas[areas["level"] == "province"]
    names = dict(zip(provinces["kode"], provinces["nama"], strict=True))
    if level == "region":
        frame = pd.DataFrame(
            {
                "kode": [region.code],
                "nama": [region.name],
                "prov_kode": [pd.NA],
                "prov_nama": [pd.NA],
            }
        )
    else:
        frame = areas[areas["level"] == level].loc[:, ["kode", "nama", "prov_kode"]].copy()
        frame["prov_nama"] = frame["prov_kode"].map(names)
    frame["level"] = level
    return (
        frame.sort_values("kode")
        .reset_index(drop=True)
        .astype({c: "string" for c in ("kode", "nama", "prov_kode", "prov_nama", "level")})
    )


def compute_metrics(
    rows: pd.DataFrame,
    areas: pd.DataFrame,
    targets: pd.DataFrame,
    provenance: pd.DataFrame | None = None,
    level: str = "regency",
    periods: Sequence[str] | None = None,
    segment: str | None = None,
    uncertainty: pd.DataFrame | None = None,
    region: Region = DEFAULT_REGION,
) -> pd.DataFrame:
    """Every metric for each area of a level ('district', 'regency', 'province' or 'region')
    and period.

    rows: regency and district rows (kode, period, segment, potential_workers, active_members,
    data_source), a regency's districts summed into it; for 'district', only the districts
    with rows of their own (own_district_rows) get figures; areas: kode, nama, prov_kode,
    level; targets: prov_kode, year, target_pct;
    provenance: the store's records of what is published (kode, period, segment, members,
    potential, coverage, coverage_low, coverage_high, model); uncertainty: the store's
    leave-one-out bands per model. Returns one row per area and period (areas without data
    get NA), columns COLUMNS; segment None means all segments.
    """
    all_periods = sorted(rows["period"].dropna().unique().tolist())
    wanted = list(all_periods if periods is None else periods)
    if periods is not None:
        index = {p: i for i, p in enumerate(all_periods)}
        needed = {
            q
            for p in wanted
            if p in index
            for q in all_periods[max(0, index[p] - 1) : index[p] + 1]
        }
        rows = rows[rows["period"].isin(needed)]
        all_periods = sorted(needed)
    rows = rows.loc[:, ["kode", "period", "segment", *_COUNTS, "data_source"]].copy()
    district_rows = rows["kode"].str.len() > REGENCY_CODE_CHARS
    if level == "district":
        rows = own_district_rows(rows, segment)
    elif district_rows.any():
        rows["kode"] = regency_codes(rows["kode"])
    rows["prov_kode"] = _province(rows["kode"])
    key = {"district": "kode", "regency": "kode", "province": "prov_kode", "region": "_region"}[
        level
    ]
    rows["_region"] = region.code
    sel = rows if segment is None else rows[rows["segment"] == segment]

    out = _sums(rows, key).rename(
        columns={key: "kode", "potential_workers": "_all_p", "active_members": "_all_m"}
    )
    out = out.merge(
        _sums(sel, key).rename(columns={key: "kode"}), on=["kode", "period"], how="left"
    )
    for seg in ("wage", "informal"):
        part = _sums(rows[rows["segment"] == seg], key).rename(
            columns={key: "kode", "potential_workers": f"_{seg}_p", "active_members": f"_{seg}_m"}
        )
        out = out.merge(part, on=["kode", "period"], how="left")

    unit = "kode" if level in ("regency", "district") else "prov_kode"
    units = _sums(sel, unit)
    units["_prov"] = _province(units[unit])
    tt = target_table(targets, sorted(set(units["_prov"])), all_periods)
    units = units.merge(
        tt.rename(columns={"prov_kode": "_prov"}), on=["_prov", "period"], how="left"
    )
    if level == "regency":
        units = with_regency_targets(units, targets)
    elif level == "district":  # a district's target is its regency's
        units = with_regency_targets(
            units.assign(_regency=regency_codes(units["kode"])), targets, key="_regency"
        )
    units["_tw"] = _target_scaled(units["target_pct"], units["potential_workers"])
    units["_tp"] = units["potential_workers"].where(units["_tw"].notna())
    units["_region"] = region.code
    ukey = {"district": "kode", "regency": "kode", "province": "prov_kode", "region": "_region"}[
        level
    ]
    tw = (
        units.groupby([ukey, "period"], as_index=False, observed=True)[["_tw", "_tp"]]
        .sum(min_count=1)
        .rename(columns={ukey: "kode"})
    )
    out = out.merge(tw, on=["kode", "period"], how="left")

    out["_cov"] = _pct(out["active_members"], out["potential_workers"])
    out["wage_coverage_pct"] = _pct2(out["_wage_m"], out["_wage_p"])
    out["informal_coverage_pct"] = _pct2(out["_informal_m"], out["_informal_p"])
    out["gap_to_target"] = (_ceil_div(out["_tw"], 10_000) - out["active_members"]).clip(lower=0)
    out["uncovered_informal"] = (out["_informal_p"] - out["_informal_m"].fillna(0)).clip(lower=0)
    out["_informal_share"] = (
        out["_informal_m"].astype("Float64")
        / out["_informal_p"].astype("Float64").where(out["_informal_p"] > 0)
    ).clip(upper=1)

    out["_covr"] = _pct2(out["active_members"], out["potential_workers"])
    order = {p: i for i, p in enumerate(all_periods)}
    out["_prev"] = out["period"].map(lambda p: all_periods[order[p] - 1] if order[p] else None)
    prev = out.loc[:, ["kode", "period", "_covr"]].rename(
        columns={"period": "_prev", "_covr": "_covr_prev"}
    )
    out = out.merge(prev, on=["kode", "_prev"], how="left")
    out["change_pp"] = (out["_covr"] - out["_covr_prev"]).round(2)

    label_level = "regency" if level == "district" else level  # a district's rows, labelled alike
    labels = data_source_labels(sel, provenance, label_level, segment, region.code)
    out = out.merge(labels, on=["kode", "period"], how="left")

    frame = area_frame(areas, level, region)
    grid = frame.merge(pd.DataFrame({"period": pd.array(wanted, dtype="string")}), how="cross")
    if level == "district":
        frame = frame[frame["kode"].isin(set(rows["kode"]))].reset_index(drop=True)
        grid = frame.merge(
            pd.DataFrame({"period": pd.array(wanted, dtype="string")}), how="cross"
        ).merge(out.loc[:, ["kode", "period"]], on=["kode", "period"])
    if level != "region":
        prov_tt = target_table(targets, sorted(set(frame["prov_kode"])), wanted)
        grid = grid.merge(prov_tt, on=["prov_kode", "period"], how="left")
        if level == "regency":
            grid = with_regency_targets(grid, targets)
        elif level == "district":
            grid = with_regency_targets(
                grid.assign(_regency=regency_codes(grid["kode"])), targets, key="_regency"
            ).drop(columns="_regency")
    result = grid.merge(out, on=["kode", "period"], how="left")
    if level == "region":
        # _tw is target basis points × potential, so _tw ÷ _tp is the target in basis points
        result["target_pct"] = (
            _half_up_ratio(result["_tw"], result["_tp"]).astype("Float64") / 100
        ).round(2)
    result["coverage_pct"] = result["_covr"]
    result["segment"] = segment or "all"
    result["figure_level"] = level
    shortfall = _shortfall(result["_all_m"], result["_all_p"], result["target_pct"])
    result["target_shortfall_pct"] = 100 * shortfall
    result["_score"] = priority_scores(
        result["uncovered_informal"], result["_informal_share"], shortfall
    )
    if level == "region":
        result["_score"] = pd.NA
    result["priority_score"] = result["_score"]
    result["priority_rank_region"] = _ranks(result, "_score", None)
    result["priority_rank_province"] = (
        _ranks(result, "_score", "prov_kode") if level in ("regency", "district") else pd.NA
    )
    for col, decimals in _ROUNDED.items():
        result[col] = result[col].astype("Float64").round(decimals)
    parts = None
    if level == "region" and segment is None:
        parts = compute_metrics(
            rows, areas, targets, provenance, "province", periods, segment, uncertainty, region
        )
    bands = coverage_bands(result, provenance, uncertainty, segment, parts)
    result[list(BAND_COLUMNS)] = bands
    result = result.loc[:, list(COLUMNS)].astype(DTYPES)
    return result.sort_values(["period", "kode"]).reset_index(drop=True)


# What a district carries of its regency's figures: the rates (which do not depend on the
# area's size) and their label; counts and ranks would need district figures.
REGENCY_RATES = tuple(
    f.key for f in FIELDS if f.unit in ("percent", "points") or f.key == "data_source"
)


def without_figures(frame: pd.DataFrame, segment: str, district: bool = False) -> pd.DataFrame:
    """Areas (area_frame or district_frame) with null figures, as a store without rows gives
    them; districts would carry their regency's figures."""
    out = frame.assign(segment=segment, figure_level="regency" if district else frame["level"])
    return out.reindex(columns=list(COLUMNS)).astype(DTYPES)


def district_frame(districts: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """The districts (kode, nama) with their province's code and name, in code order."""
    provinces = areas[areas["level"] == "province"]
    names = dict(zip(provinces["kode"], provinces["nama"], strict=True))
    frame = districts.loc[:, ["kode", "nama"]].copy()
    frame["prov_kode"] = _province(frame["kode"].astype("string"))
    frame["prov_nama"] = frame["prov_kode"].map(names)
    frame["level"] = "district"
    return (
        frame.sort_values("kode")
        .reset_index(drop=True)
        .astype({c: "string" for c in ("kode", "nama", "prov_kode", "prov_nama", "level")})
    )


def district_metrics(
    regency: pd.DataFrame, districts: pd.DataFrame, own: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Each district (district_frame) for every period and segment of `regency` (its metrics):
    a district with figures of its own in `own` (compute_metrics at level 'district') keeps
    them, with figure_level 'district'; any other carries its regency's rates, with no counts
    and no ranks (the public data holds no district weight to divide a regency's counts by)
    and figure_level 'regency'."""
    frame = districts.assign(_regency=districts["kode"].str.rsplit(".", n=1).str[0])
    rates = regency.loc[:, ["kode", "period", "segment", *REGENCY_RATES]].rename(
        columns={"kode": "_regency"}
    )
    unmatched = sorted(set(frame["_regency"]) - set(rates["_regency"]))
    if unmatched:
        LOGGER.warning(f"districts of regencies without metrics rows: {unmatched[:10]}")
    out = frame.merge(rates, on="_regency", how="inner")
    out["figure_level"] = "regency"
    out = out.reindex(columns=list(COLUMNS)).astype(DTYPES)
    if own is not None and not own.empty:
        own = own[own["kode"].isin(set(districts["kode"]))]
        names = districts.loc[:, ["kode", "nama", "prov_nama"]]
        own = own.drop(columns=["nama", "prov_nama"]).merge(names, on="kode", how="left")
        own = own.assign(level="district", figure_level="district")
        keys = pd.MultiIndex.from_frame(own.loc[:, ["kode", "period"]])
        carried = pd.MultiIndex.from_frame(out.loc[:, ["kode", "period"]])
        out = pd.concat(
            [out[~carried.isin(keys)], own.reindex(columns=list(COLUMNS)).astype(DTYPES)],
            ignore_index=True,
        )
    return out.sort_values(["period", "kode"]).reset_index(drop=True)
