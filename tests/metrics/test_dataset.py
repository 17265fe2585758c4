"""The dataset contract the web, downloads and OGC API read."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from enrollment_helpers import HEADER, settings_for

from geo_coverage.enrollment import store
from geo_coverage.enrollment.areas import areas_frame
from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.importer import import_file
from geo_coverage.enrollment.model_errors import uncertainty_table
from geo_coverage.enrollment.sample import PERIODS
from geo_coverage.errors import BadRequest
from geo_coverage.metrics import dataset
from geo_coverage.sources.evidence import read_evidence

pytest_plugins = ["enrollment_fixtures"]

CONTRACT_COLUMNS = [
    "kode",
    "nama",
    "prov_kode",
    "prov_nama",
    "level",
    "period",
    "segment",
    "potential_workers",
    "active_members",
    "coverage_pct",
    "coverage_pct_low",
    "coverage_pct_high",
    "wage_coverage_pct",
    "informal_coverage_pct",
    "target_pct",
    "target_shortfall_pct",
    "gap_to_target",
    "uncovered_informal",
    "change_pp",
    "priority_score",
    "priority_rank_region",
    "priority_rank_province",
    "data_source",
    "figure_level",
]


@pytest.mark.parametrize(("level", "count"), [("province", 8), ("regency", 102)])
def test_load_metrics_shape_and_types(sample_store_template, reference, level, count):
    frame = dataset.load_metrics(sample_store_template, level)
    assert list(frame.columns) == CONTRACT_COLUMNS
    assert len(frame) == count and frame["kode"].is_unique
    assert set(frame["period"]) == {"2025-12"}  # latest by default
    assert set(frame["segment"]) == {"all"} and set(frame["level"]) == {level}
    for col in (
        "potential_workers",
        "active_members",
        "gap_to_target",
        "uncovered_informal",
        "priority_rank_region",
        "priority_rank_province",
    ):
        assert str(frame[col].dtype) == "Int64", col
    for col in (
        "coverage_pct",
        "coverage_pct_low",
        "coverage_pct_high",
        "wage_coverage_pct",
        "informal_coverage_pct",
        "target_pct",
        "target_shortfall_pct",
        "change_pp",
        "priority_score",
    ):
        assert str(frame[col].dtype) == "Float64", col
        values = frame[col].dropna().astype(float)
        assert (values == values.round(2)).all()
    assert all(isinstance(k, str) for k in frame["kode"])
    names = {a.kode: a.nama for a in reference.areas.values()}
    assert frame["nama"].tolist() == [names[k] for k in frame["kode"]]
    assert frame["prov_nama"].tolist() == [names[k.split(".")[0]] for k in frame["kode"]]


def test_districts_carry_their_regencys_rates_and_no_counts(served_settings):
    for period, segment in ((None, None), ("2024-08", "informal")):
        districts = dataset.load_metrics(served_settings, "district", period, segment)
        regencies = dataset.load_metrics(served_settings, "regency", period, segment)
        assert list(districts.columns) == CONTRACT_COLUMNS
        assert len(districts) == 1265 and districts["kode"].is_unique
        assert set(districts["level"]) == {"district"}
        assert set(districts["figure_level"]) == {"regency"}
        assert set(regencies["figure_level"]) == {"regency"}
        # every regency has districts, and each district carries exactly its regency's rates
        regency_of = districts["kode"].str.rsplit(".", n=1).str[0]
        assert set(regency_of) == set(regencies["kode"])
        joined = districts.assign(_r=regency_of).merge(
            regencies, left_on="_r", right_on="kode", suffixes=("", "_reg")
        )
        for column in ("coverage_pct", "informal_coverage_pct", "target_pct", "change_pp",
                       "coverage_pct_low", "data_source", "period", "segment"):  # fmt: skip
            left, right = joined[column], joined[f"{column}_reg"]
            assert (left.isna() == right.isna()).all(), column
            assert (left[left.notna()] == right[right.notna()]).all(), column
        assert joined["coverage_pct"].notna().sum() > 1000
        # counts are never divided among districts, and districts are not ranked
        for column in ("potential_workers", "active_members", "gap_to_target",
                       "uncovered_informal", "priority_score", "priority_rank_region",
                       "priority_rank_province"):  # fmt: skip
            assert districts[column].isna().all(), column
        assert districts.loc[districts["kode"] == "73.71.01", "nama"].item() == "Mariso"
        assert set(districts.loc[regency_of == "73.71", "prov_nama"]) == {"Sulawesi Selatan"}


def test_segment_and_period_selection(sample_store_template):
    s = sample_store_template
    wage = dataset.load_metrics(s, "province", "2021-12", "wage").set_index("kode")
    informal = dataset.load_metrics(s, "province", "2021-12", "informal").set_index("kode")
    jakon = dataset.load_metrics(s, "province", "2021-12", "construction").set_index("kode")
    every = dataset.load_metrics(s, "province", "2021-12", "all").set_index("kode")
    parts = wage["active_members"] + informal["active_members"] + jakon["active_members"]
    assert parts.equals(every["active_members"])
    assert set(wage["segment"]) == {"wage"}
    assert (wage["coverage_pct"] == wage["wage_coverage_pct"]).all()
    assert wage["coverage_pct_low"].isna().all()  # bands are measured for all segments only
    assert every["coverage_pct_low"].notna().any()
    none = dataset.load_metrics(s, "province", "2021-12", "migrant")
    assert none["active_members"].isna().all() and none["data_source"].isna().all()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"level": "village"}, "'level': 'village'. Valid values: province, regency, district"),
        (
            {"level": "province", "period": "2020-01"},
            "'period': '2020-01'. Valid values: " + ", ".join(PERIODS),
        ),
        (
            {"level": "province", "segment": "BPU"},
            "'segment': 'BPU'. Valid values: all, wage, informal, construction, migrant",
        ),
    ],
)
def test_bad_requests_list_the_valid_values(sample_store_template, kwargs, words):
    with pytest.raises(BadRequest, match=words) as caught:
        dataset.load_metrics(sample_store_template, **kwargs)
    assert caught.value.status == 400


def test_periods_region_and_all_periods(sample_store_template):
    s = sample_store_template
    assert dataset.periods(s) == list(PERIODS)
    region = dataset.region_metrics(s, "2021-12")
    assert set(region) == set(CONTRACT_COLUMNS)
    # the region's published figures are rounded (2.9 million of 7.2 million): met within
    # their rounding, and the region is mixed (seven published provinces, one modelled)
    assert (region["kode"], region["level"], region["data_source"]) == ("SULAMA", "region", "mixed")
    assert 2_850_000 <= region["active_members"] < 2_950_000
    assert 7_150_000 <= region["potential_workers"] < 7_250_000
    assert region["coverage_pct_low"] == 39.5 and region["coverage_pct_high"] == 40.5
    assert isinstance(region["active_members"], int)
    assert isinstance(region["coverage_pct"], float) and region["priority_rank_region"] is None
    assert region["priority_score"] is None and region["priority_rank_province"] is None
    everything = dataset.load_all_metrics(s, "regency")
    assert list(everything.columns) == CONTRACT_COLUMNS and len(everything) == 102 * len(PERIODS)
    one = dataset.load_metrics(s, "regency", "2024-08")
    assert everything[everything["period"] == "2024-08"].reset_index(drop=True).equals(one)


def test_results_are_copies(sample_store_template):
    frame = dataset.load_metrics(sample_store_template, "province", "2021-12")
    frame.loc[0, "active_members"] = -1
    again = dataset.load_metrics(sample_store_template, "province", "2021-12")
    assert again.loc[0, "active_members"] == 623_409


def test_data_version_changes_on_import_and_rollback(enrollment_settings, tmp_path):
    s = enrollment_settings
    before = dataset.data_version(s)
    old = dataset.load_metrics(s, "regency", "2025-06").set_index("kode")
    file = tmp_path / "u.csv"
    file.write_text(f"{HEADER}\n73.71,2025-06,wage,400000,390000,\n", encoding="utf-8")
    import_file(s, file)
    after = dataset.data_version(s)
    assert after != before
    new = dataset.load_metrics(s, "regency", "2025-06").set_index("kode")
    assert new.loc["73.71", "wage_coverage_pct"] == 97.5
    assert new.loc["73.71", "data_source"] == "mixed"  # a published row and a modelled row
    assert pd.isna(new.loc["73.71", "coverage_pct_low"])  # its provenance no longer holds
    assert old.loc["73.72", "coverage_pct_low"] == new.loc["73.72", "coverage_pct_low"]
    assert old.loc["73.71", "wage_coverage_pct"] != 97.5
    history = dataset.import_history(s)
    assert [h["active"] for h in history] == [True, False]
    assert history[0]["file_name"] == "u.csv" and history[0]["rows"] == 1
    assert set(history[0]) >= {
        "version",
        "time",
        "file_name",
        "sha256",
        "rows",
        "warnings",
        "active",
    }
    open_store(s).activate()
    assert dataset.data_version(s) not in (before, after)
    assert dataset.load_metrics(s, "regency", "2025-06").equals(old.reset_index())


def test_store_without_versions_lists_every_area(tmp_path, mirror_dir, reference):
    s = settings_for(tmp_path, mirror_dir)
    open_store(s).initialise()
    open_store(s).write_reference(
        areas_frame(reference),
        read_evidence().assign(use=""),
        uncertainty_table([]),
    )
    assert dataset.periods(s) == []
    frame = dataset.load_metrics(s, "regency")
    assert len(frame) == 102 and frame["active_members"].isna().all()
    assert list(frame.columns) == CONTRACT_COLUMNS
    assert dataset.region_metrics(s)["active_members"] is None


def test_missing_store_says_how_to_build(tmp_path, mirror_dir):
    with pytest.raises(store.StoreError, match="geo-coverage build"):
        dataset.load_metrics(settings_for(tmp_path, mirror_dir), "province")


def test_cached_calls_are_cheap(sample_store_template):
    s = sample_store_template
    dataset.load_metrics(s, "regency", "2025-06")
    started = time.perf_counter()
    for _ in range(50):
        dataset.load_metrics(s, "regency", "2025-06")
    per_call = (time.perf_counter() - started) / 50
    assert per_call < 0.05, f"{per_call * 1000:.1f} ms per cached call"
    assert isinstance(dataset.load_metrics(s, "regency", "2025-06"), pd.DataFrame)
