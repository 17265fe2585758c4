"""Metrics: invariants under random data (hypothesis) and worked examples."""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo_coverage.enrollment.targets import target_workers
from geo_coverage.metrics.compute import COLUMNS, compute_metrics


def pct2(num: int, den: int) -> float:
    """100 × num ÷ den rounded half up to 2 decimals, in exact rational arithmetic."""
    return math.floor(Fraction(10_000 * num, den) + Fraction(1, 2)) / 100


AREAS = pd.DataFrame.from_records(
    [
        ("71", "Sulawesi Utara", "71", "province"),
        ("71.01", "Kab A", "71", "regency"),
        ("71.02", "Kab B", "71", "regency"),
        ("71.71", "Kota C", "71", "regency"),
        ("73", "Sulawesi Selatan", "73", "province"),
        ("73.01", "Kab D", "73", "regency"),
        ("73.02", "Kab E", "73", "regency"),
        ("73.71", "Kota F", "73", "regency"),
        ("73.72", "Kota G", "73", "regency"),
    ],
    columns=["kode", "nama", "prov_kode", "level"],
)
REGENCIES = [k for k in AREAS["kode"] if "." in k]
TARGETS = pd.DataFrame(
    {"prov_kode": ["73"], "year": [2025], "target_pct": [62.93], "source": ["test"]}
)
PERIODS = ("2024-08", "2025-06")
NO_PROVENANCE = pd.DataFrame(
    columns=[
        "kode",
        "period",
        "segment",
        "members",
        "potential",
        "coverage",
        "coverage_low",
        "coverage_high",
        "model",
    ]
)


def frame(records) -> pd.DataFrame:
    """Rows from (kode, period, segment, potential, members[, data_source]) tuples."""
    records = [r if len(r) == 6 else (*r, "modelled") for r in records]
    return pd.DataFrame.from_records(
        records,
        columns=["kode", "period", "segment", "potential_workers", "active_members", "data_source"],
    ).astype(
        {
            "kode": "string",
            "period": "string",
            "segment": "string",
            "potential_workers": "Int64",
            "active_members": "Int64",
            "data_source": "string",
        }
    )


def metrics(rows, level, segment=None, provenance=NO_PROVENANCE, periods=None, bands=None):
    return compute_metrics(
        rows,
        AREAS,
        TARGETS,
        provenance,
        level=level,
        periods=periods,
        segment=segment,
        uncertainty=bands,
    )


row = st.tuples(
    st.sampled_from(REGENCIES),
    st.sampled_from(PERIODS),
    st.sampled_from(["wage", "informal", "construction"]),
    st.integers(0, 5_000_000),
    st.integers(0, 5_000_000),
    st.sampled_from(["published", "modelled"]),
)


@st.composite
def tables(draw):
    records = draw(st.lists(row, min_size=1, max_size=30, unique_by=lambda r: (r[0], r[1], r[2])))
    blank = draw(st.booleans())
    return frame(
        [
            (k, p, s, None if (s == "construction" and blank) else pot, m, ds)
            for k, p, s, pot, m, ds in records
        ]
    )


def expected_sums(rows: pd.DataFrame, key) -> pd.DataFrame:
    rows = rows.assign(prov_kode=rows["kode"].str.slice(0, 2), region="SULAMA")
    return rows.groupby([key, "period"])[["potential_workers", "active_members"]].sum(min_count=1)


def rank_is_permutation(values: pd.Series) -> bool:
    ranked = sorted(int(v) for v in values.dropna())
    return ranked == list(range(1, len(ranked) + 1))


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.sampled_from([None, "wage", "informal"]))
def test_invariants(rows, segment):
    selected = rows if segment is None else rows[rows["segment"] == segment]
    results = {lv: metrics(rows, lv, segment) for lv in ("regency", "province", "region")}
    for level, key in (("regency", "kode"), ("province", "prov_kode"), ("region", "region")):
        result = results[level].set_index(["kode", "period"])
        assert list(results[level].columns) == list(COLUMNS)
        assert len(result) == {"regency": 7, "province": 2, "region": 1}[level] * len(
            rows["period"].unique()
        )
        sums = expected_sums(selected, key)
        for (kode, period), got in result.iterrows():
            if (kode, period) not in sums.index:
                assert pd.isna(got["potential_workers"]) and pd.isna(got["active_members"])
                continue
            want = sums.loc[(kode, period)]
            # sums before ratios: counts are sums of regency rows, coverage is their quotient
            assert got["active_members"] == want["active_members"]
            p, m = want["potential_workers"], int(want["active_members"])
            if pd.isna(p) or p == 0:
                assert pd.isna(got["coverage_pct"])
                assert pd.isna(got["gap_to_target"]) or p == 0
                continue
            assert got["potential_workers"] == p
            assert got["coverage_pct"] == pct2(m, int(p))
            if level != "region":
                t = 62.93 if kode.startswith("73") and period.startswith("2025") else 60.0
                assert got["target_pct"] == t
                assert got["gap_to_target"] == max(0, target_workers(t, int(p)) - m)
        gaps = result["gap_to_target"].dropna()
        assert (gaps >= 0).all()
        assert (result["uncovered_informal"].dropna() >= 0).all()
    region = results["region"].set_index("period")
    provinces = results["province"]
    for period, got in region.iterrows():
        per = provinces[provinces["period"] == period]
        per = per[per["potential_workers"].notna()]
        if per.empty or pd.isna(got["potential_workers"]) or got["potential_workers"] == 0:
            continue
        scaled = sum(
            round(float(t) * 100) * int(p)
            for t, p in zip(per["target_pct"], per["potential_workers"], strict=True)
        )
        assert got["target_pct"] == pct2(scaled, 10_000 * int(got["potential_workers"]))
        assert per["target_pct"].min() <= got["target_pct"] <= per["target_pct"].max()
        needed = -(-scaled // 10_000)
        assert got["gap_to_target"] == max(0, needed - int(got["active_members"]))
    reg = results["regency"]
    for (_period, _prov), part in reg.groupby(["period", "prov_kode"]):
        assert rank_is_permutation(part["priority_rank_province"])
        by_region = part.dropna(subset=["priority_rank_region"]).sort_values(
            "priority_rank_region"
        )  # the province's order is the region's order restricted to the province
        assert list(by_region["priority_rank_province"]) == list(range(1, len(by_region) + 1))
    for level, key in (("regency", "kode"), ("province", "prov_kode")):
        informal = expected_sums(rows[rows["segment"] == "informal"], key)
        every = expected_sums(rows, key)
        for _period, part in results[level].groupby("period"):
            assert rank_is_permutation(part["priority_rank_region"])
            ranked = part.dropna(subset=["priority_rank_region"])
            ranked = ranked.sort_values("priority_rank_region")
            scores = []
            for r in ranked.itertuples():
                p, m = (int(v) for v in informal.loc[(r.kode, r.period)])
                all_p, all_m = (int(v) for v in every.loc[(r.kode, r.period)])
                target = Fraction(round(r.target_pct * 100), 10_000)
                short = max(Fraction(0), 1 - Fraction(all_m, all_p) / target)
                score = max(0, p - m) * (1 - min(Fraction(m, p), Fraction(1))) * (1 + short)
                scores.append((-score, r.kode))
                assert r.priority_score == pytest.approx(float(score), abs=0.051)
                assert r.target_shortfall_pct == pytest.approx(float(100 * short), abs=0.0051)
            assert scores == sorted(scores)  # highest score first, ties by code
    for _period, part in provinces.groupby("period"):
        assert rank_is_permutation(part["priority_rank_region"])
        assert part["priority_rank_province"].isna().all()
    assert results["region"]["priority_score"].isna().all()
    for result in results.values():
        by_area = result.sort_values("period").groupby("kode")
        for _kode, part in by_area:
            cov = part["coverage_pct"].tolist()
            if len(cov) == 2 and not pd.isna(cov[0]) and not pd.isna(cov[1]):
                assert part["change_pp"].iloc[1] == round(cov[1] - cov[0], 2)
            assert pd.isna(part["change_pp"].iloc[0])


def test_province_coverage_is_sums_divided_not_an_average_of_ratios():
    rows = frame([("71.01", "2025-06", "wage", 10, 1), ("71.02", "2025-06", "wage", 100, 90)])
    province = metrics(rows, "province").set_index("kode").loc["71"]
    assert province["coverage_pct"] == 82.73  # 91 / 110, not (10 % + 90 %) / 2 = 50 %
    assert (province["potential_workers"], province["active_members"]) == (110, 91)


def test_construction_members_count_in_ucj_without_potential():
    rows = frame(
        [("71.01", "2025-06", "wage", 100, 50), ("71.01", "2025-06", "construction", None, 10)]
    )
    got = metrics(rows, "regency").set_index("kode").loc["71.01"]
    assert (got["potential_workers"], got["active_members"], got["coverage_pct"]) == (100, 60, 60.0)
    only = metrics(rows, "regency", "construction").set_index("kode").loc["71.01"]
    assert pd.isna(only["potential_workers"]) and pd.isna(only["coverage_pct"])
    assert only["active_members"] == 10 and pd.isna(only["gap_to_target"])


def test_region_target_is_weighted_by_potential():
    rows = frame(
        [
            ("73.01", "2025-06", "wage", 2_801_936, 1_327_000),
            ("71.01", "2025-06", "wage", 780_666, 500_000),
        ]
    )
    region = metrics(rows, "region").iloc[0]
    weighted = (62.93 * 2_801_936 + 60 * 780_666) / (2_801_936 + 780_666)
    assert region["target_pct"] == round(weighted, 2) == 62.29  # not (62.93 + 60) / 2
    needed = math.ceil((6293 * 2_801_936 + 6000 * 780_666) / 10_000)
    assert region["gap_to_target"] == needed - 1_827_000 == 404_658
    province = metrics(rows, "province").set_index("kode")
    assert province.loc["73", "gap_to_target"] == 1_763_259 - 1_327_000
    assert province.loc["71", "gap_to_target"] == 0


def test_priority_formula_and_ties():
    rows = frame(
        [
            ("71.01", "2025-06", "informal", 1000, 0),  # 1000 x 1.0 x (1 + 1.0) = 2000
            ("71.02", "2025-06", "informal", 3000, 1500),  # 1500 x 0.5 x (1 + 1/6) = 875
            ("71.71", "2025-06", "informal", 100, 100),  # 0
            ("71.71", "2025-06", "wage", 100, 100),
            ("73.01", "2025-06", "informal", 3000, 1500),  # 875 at 60 % of 62.93 %: 848.05
            ("73.01", "2025-06", "wage", 1000, 1000),
            ("73.02", "2025-06", "wage", 1000, 10),  # no informal figures: no rank
        ]
    )
    got = metrics(rows, "regency").set_index("kode")
    assert got.loc["71.01", "uncovered_informal"] == 1000
    assert got.loc["71.71", "uncovered_informal"] == 0
    assert got.loc["71.01", "target_shortfall_pct"] == 100.0  # no member at all
    assert got.loc["71.02", "target_shortfall_pct"] == 16.67  # 50 % of a 60 % target
    assert got.loc["71.71", "target_shortfall_pct"] == 0.0  # above the target: no bonus
    assert got.loc["73.01", "target_shortfall_pct"] == round(100 * (1 - 0.625 / 0.6293), 2)
    assert got["priority_score"].dropna().to_dict() == {
        "71.01": 2000.0,
        "71.02": 875.0,
        "71.71": 0.0,
        "73.01": round(750 * (2 - 0.625 / 0.6293), 1),
    }
    assert got["priority_rank_province"].dropna().to_dict() == {
        "71.01": 1,
        "71.02": 2,
        "71.71": 3,
        "73.01": 1,
    }
    assert got["priority_rank_province"].isna().sum() == 3  # 73.02 (wage only), 73.71, 73.72
    assert got["priority_rank_region"].dropna().to_dict() == {
        "71.01": 1,
        "71.02": 2,
        "73.01": 3,
        "71.71": 4,
    }


def test_priority_ties_go_to_the_lower_code():
    rows = frame(
        [
            ("73.02", "2025-06", "informal", 3000, 1500),
            ("73.01", "2025-06", "informal", 3000, 1500),
        ]
    )
    got = metrics(rows, "regency").set_index("kode")
    assert got.loc["73.01", "priority_score"] == got.loc["73.02", "priority_score"]
    assert (got.loc["73.01", "priority_rank_region"], got.loc["73.02", "priority_rank_region"]) == (
        1,
        2,
    )


def test_members_above_potential_give_no_negative_figures():
    rows = frame([("71.01", "2025-06", "informal", 100, 150), ("71.01", "2025-06", "wage", 10, 50)])
    got = metrics(rows, "regency").set_index("kode").loc["71.01"]
    assert got["uncovered_informal"] == 0 and got["gap_to_target"] == 0
    assert got["informal_coverage_pct"] == 150.0 and got["coverage_pct"] == 181.82


def test_every_area_is_listed_even_without_data():
    rows = frame([("71.01", "2025-06", "wage", 10, 5)])
    for level, count in (("regency", 7), ("province", 2)):
        got = metrics(rows, level, periods=["2025-06"])
        assert len(got) == count
        empty = got[got["kode"] != ("71.01" if level == "regency" else "71")]
        assert empty["potential_workers"].isna().all() and empty["data_source"].isna().all()
        assert empty["target_pct"].notna().all()


def test_change_uses_the_previous_period_of_the_data():
    rows = frame(
        [
            ("71.01", "2021-12", "wage", 3, 1),
            ("71.01", "2024-08", "wage", 3, 2),
            ("71.01", "2025-06", "wage", 3, 3),
        ]
    )
    got = metrics(rows, "regency").set_index(["kode", "period"])
    assert got.loc[("71.01", "2024-08"), "change_pp"] == round(66.67 - 33.33, 2) == 33.34
    assert got.loc[("71.01", "2025-06"), "change_pp"] == 33.33
    one = metrics(rows, "regency", periods=["2025-06"]).set_index("kode")
    assert one.loc["71.01", "change_pp"] == 33.33


def provenance(records) -> pd.DataFrame:
    """Provenance records from (kode, members, potential, coverage[, low, high, model]) for
    2025-06, all segments."""
    full = [(*r, None, None, None)[:7] for r in records]
    return pd.DataFrame.from_records(
        [(k, "2025-06", "all", m, p, c, lo, hi, model) for k, m, p, c, lo, hi, model in full],
        columns=list(NO_PROVENANCE.columns),
    ).astype({"coverage_low": "Float64", "coverage_high": "Float64"})


LABEL_ROWS = [
    ("71.01", "2025-06", "wage", 10, 5, "published"),
    ("71.02", "2025-06", "wage", 100, 50, "modelled"),
    ("73.01", "2025-06", "wage", 40, 20),
    ("73.01", "2025-06", "informal", 60, 30),
    ("73.02", "2025-06", "wage", 10, 4),
]


def test_labels_combine_the_stored_rows_without_provenance():
    rows = frame(LABEL_ROWS)
    reg = metrics(rows, "regency").set_index("kode")["data_source"]
    prov = metrics(rows, "province").set_index("kode")["data_source"]
    assert reg["71.01"] == "published" and reg["71.02"] == "modelled"
    assert reg["73.01"] == "modelled" and pd.isna(reg["71.71"])
    assert prov["71"] == "mixed" and prov["73"] == "modelled"
    assert metrics(rows, "region").iloc[0]["data_source"] == "mixed"


def test_a_modelled_value_equal_to_a_published_one_stays_modelled():
    """Labels never compare values: only provenance turns modelled rows published."""
    rows = frame(LABEL_ROWS)
    # the sums of 73 are 74 of 110; without provenance they stay modelled whatever any
    # published figure says
    assert metrics(rows, "province").set_index("kode").loc["73", "data_source"] == "modelled"
    records = provenance([("73", "published", "published", "published")])
    got = metrics(rows, "province", provenance=records).set_index("kode")
    assert got.loc["73", "data_source"] == "published"


@pytest.mark.parametrize(
    ("record", "label"),
    [
        (("73", "published", "published", "published"), "published"),
        (("73", "constrained", "published", "published"), "mixed"),
        (("73", "modelled", "modelled", "constrained"), "mixed"),
        (("73", "modelled", "modelled", "modelled"), "modelled"),
        (("73.01", "modelled", "modelled", "published"), "mixed"),
    ],
)
def test_provenance_decides_the_label(record, label):
    rows = frame(LABEL_ROWS)
    level = "regency" if "." in record[0] else "province"
    got = metrics(rows, level, provenance=provenance([record])).set_index("kode")
    assert got.loc[record[0], "data_source"] == label
    # the province of a mixed regency is mixed; its region too
    if level == "regency" and label == "mixed":
        prov = metrics(rows, "province", provenance=provenance([record])).set_index("kode")
        assert prov.loc["73", "data_source"] == "mixed"
    # a single segment does not carry the all-segments provenance
    wage = metrics(rows, level, "wage", provenance=provenance([record])).set_index("kode")
    assert wage.loc[record[0], "data_source"] == "modelled"


BANDS = pd.DataFrame(
    {
        "model": ["regency", "province"],
        "logit_low": [-0.5, -0.2],
        "logit_high": [0.5, 0.3],
        "comparisons": [10, 10],
        "description": ["", ""],
    }
)


def band(share: float, q: float) -> float:
    x = math.log(share / (1 - share)) + q
    return round(100 / (1 + math.exp(-x)), 2)


def test_coverage_bands_of_modelled_figures():
    rows = frame(LABEL_ROWS)
    records = provenance(
        [
            ("73.01", "modelled", "modelled", "modelled", None, None, "regency"),
            ("73.02", "modelled", "modelled", "constrained", 39.5, 40.5, "regency"),
            ("71.01", "published", "published", "published", None, None, "regency"),
            ("73", "modelled", "modelled", "modelled", None, None, "province"),
            ("71", "modelled", "modelled", "modelled", None, None, "province"),
        ]
    )
    reg = metrics(rows, "regency", provenance=records, bands=BANDS).set_index("kode")
    assert (reg.loc["73.01", "coverage_pct_low"], reg.loc["73.01", "coverage_pct_high"]) == (
        band(0.5, -0.5),
        band(0.5, 0.5),
    )
    # narrowed to the published interval
    assert (reg.loc["73.02", "coverage_pct_low"], reg.loc["73.02", "coverage_pct_high"]) == (
        39.5,
        40.5,
    )
    assert pd.isna(reg.loc["71.01", "coverage_pct_low"])  # published
    assert pd.isna(reg.loc["71.02", "coverage_pct_low"])  # no provenance, no model
    prov = metrics(rows, "province", provenance=records, bands=BANDS).set_index("kode")
    assert prov.loc["73", "coverage_pct_low"] == band(54 / 110, -0.2)
    region = metrics(rows, "region", provenance=records, bands=BANDS).iloc[0]
    # potential-weighted bands of the provinces, 110 workers each
    low = (band(55 / 110, -0.2) * 110 + band(54 / 110, -0.2) * 110) / 220
    assert region["coverage_pct_low"] == round(low, 2)
    wage = metrics(rows, "regency", "wage", provenance=records, bands=BANDS)
    assert wage["coverage_pct_low"].isna().all()


def test_percentages_are_rounded_to_two_decimals_and_typed():
    rows = frame([("71.01", "2025-06", "wage", 3, 1), ("71.01", "2025-06", "informal", 7, 1)])
    got = metrics(rows, "regency")
    assert str(got["coverage_pct"].dtype) == "Float64"
    assert str(got["potential_workers"].dtype) == "Int64"
    first = got.set_index("kode").loc["71.01"]
    assert (first["coverage_pct"], first["wage_coverage_pct"], first["informal_coverage_pct"]) == (
        20.0,
        33.33,
        14.29,
    )
