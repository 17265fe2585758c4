"""The view model: fills, legend, low-coverage outlines, priorities, tooltips, drill-down."""

import numpy as np
import pandas as pd
import pytest
from branca.utilities import color_brewer

from geo_coverage.maps import classify
from geo_coverage.maps import view as map_view
from geo_coverage.maps.classify import NODATA_FILL
from geo_coverage.maps.state import ViewState
from geo_coverage.metrics import dataset
from geo_coverage.metrics.registry import COLUMNS, DTYPES, MAP_METRICS


def _frame(rows: list[dict]) -> pd.DataFrame:
    """A metrics frame of the dataset's shape: given columns, NA elsewhere."""
    return pd.DataFrame(rows).reindex(columns=list(COLUMNS)).astype(DTYPES)


AREAS = _frame(
    [
        {
            "kode": "73.01",
            "nama": "Kab <b>Satu</b>",
            "prov_kode": "73",
            "prov_nama": "Sulawesi Selatan",
            "coverage_pct": 35.0,
            "target_pct": 60.0,
            "potential_workers": 100_000,
            "active_members": 35_000,
            "gap_to_target": 25_000,
            "uncovered_informal": 40_000,
            "informal_coverage_pct": 20.0,
            "priority_rank": 1,
            "priority_rank_region": 2,
            "data_source": "modelled",
        },
        {
            "kode": "73.02",
            "nama": "Kab Dua",
            "prov_kode": "73",
            "prov_nama": "Sulawesi Selatan",
            "coverage_pct": 60.0,
            "target_pct": 60.0,
            "gap_to_target": 0,
            "priority_rank": 2,
            "priority_rank_region": 3,
            "data_source": "published",
        },
        {
            "kode": "73.03",
            "nama": "Kab Tiga",
            "prov_kode": "73",
            "prov_nama": "Sulawesi Selatan",
            "target_pct": 60.0,
        },
        {
            "kode": "74.01",
            "nama": "Kab Empat",
            "prov_kode": "74",
            "prov_nama": "Sulawesi Tenggara",
            "coverage_pct": 55.5,
            "target_pct": 62.93,
            "gap_to_target": 7_430,
            "priority_rank": 1,
            "priority_rank_region": 1,
            "data_source": "mixed",
            "change_pp": -1.25,
        },
    ]
)
ANCHORS = {"73.01": (119.5, -5.1), "73.02": (119.9, -4.0), "74.01": (122.5, -4.0)}
YLGNBU5 = color_brewer("YlGnBu", 5)


def test_fills_follow_fixed_breaks_around_the_target():
    view = map_view.build_view(AREAS, ViewState(period="2025-12"), ANCHORS)
    fills = {a.kode: a.fill for a in view.areas}
    # Cuts 40, 50, 60, 70 around the most common target (60): 35 → class 0, 60 → class 3.
    assert fills == {
        "73.01": YLGNBU5[0],
        "73.02": YLGNBU5[3],
        "73.03": NODATA_FILL,
        "74.01": YLGNBU5[2],
    }
    assert [e.label for e in view.legend] == [
        "< 40 %",
        "40 % – 50 %",
        "50 % – 60 %",
        "60 % – 70 %",
        "≥ 70 %",
        "Tidak ada data",
    ]
    assert [e.count for e in view.legend] == [1, 0, 1, 1, 0, 1]
    assert view.legend[-1].hatched and not any(e.hatched for e in view.legend[:-1])


def test_low_coverage_uses_each_target_or_the_threshold():
    view = map_view.build_view(AREAS, ViewState(period="2025-12"), ANCHORS)
    assert view.low == ("73.01", "74.01")  # 55.5 is below Sulawesi Tenggara's 62.93
    strict = map_view.build_view(AREAS, ViewState(period="2025-12", threshold=50), ANCHORS)
    assert strict.low == ("73.01",)
    assert any("50,0 %" in note for note in strict.notes)
    assert strict.low_title == "Di bawah 50,0 %" and view.low_title == "Di bawah target"


def test_priorities_tooltips_and_sources():
    view = map_view.build_view(AREAS, ViewState(period="2025-12", lang="en"), ANCHORS)
    assert [(r, k) for r, k, _, _ in view.priorities] == [(1, "74.01"), (2, "73.01"), (3, "73.02")]
    first = view.areas[0]
    assert first.nama == "Kab <b>Satu</b>"  # kept as text: the browser sets it as text
    assert first.cells[:4] == ("35.0 %", "35,000", "100,000", "20.0 %")
    assert first.source_note == "illustrative (modelled)"
    assert view.areas[1].source_note is None
    assert view.areas[3].source_note == "partly illustrative (modelled)"
    assert view.illustrative
    data = view.to_json("source")
    assert data["ranked"] == ["74.01", "73.01", "73.02", "73.03"]
    assert data["areas"]["73.03"]["fill"] is None and data["areas"]["73.01"]["low"] is True
    assert data["areas"]["73.01"] == {
        "name": "Kab <b>Satu</b>",
        "province": "73",
        "fill": view.areas[0].fill,
        "low": True,
        "rank": 2,
        "source_note": "illustrative (modelled)",
        "values": list(first.cells),
    }
    assert data["priorities"][0] == {"kode": "74.01", "rank": 1, "latlng": [-4.0, 122.5]}
    assert data["low_areas"] == list(view.low)
    table = [data["fields"][i] for i in data["table_fields"]]
    assert table == [field.label.en for field in map_view.TABLE_FIELDS]


def test_drill_down_keeps_the_province_and_ranks_within_it():
    view = map_view.build_view(AREAS, ViewState(period="2025-12", province="73"), ANCHORS)
    assert [a.kode for a in view.areas] == ["73.01", "73.02", "73.03"]
    assert [(r, k) for r, k, _, _ in view.priorities] == [(1, "73.01"), (2, "73.02")]
    assert "Sulawesi Selatan" in view.title
    queries = view.to_json("")["queries"]
    assert "province=73" in queries["self"] and "province" not in queries["region"]
    assert sorted(queries["provinces"]) == ["73", "74"]  # the provinces of the metrics
    assert "province=74" in queries["provinces"]["74"]


def test_gap_is_diverging_with_a_target_reached_class():
    view = map_view.build_view(AREAS, ViewState(period="2025-12", metric="gap"), ANCHORS)
    assert view.legend[0].label == "0 (target tercapai)"
    assert view.legend[0].count == 1
    fills = {a.kode: a.fill for a in view.areas}
    assert fills["73.02"] in color_brewer("RdBu", 10)[5:]  # blue side
    assert fills["73.01"] in color_brewer("RdBu", 10)[:5]  # red side


@pytest.fixture(scope="module")
def regency_view(served_settings):
    state = ViewState(period=dataset.periods(served_settings)[-1])
    return map_view.load_view(served_settings, state), served_settings


def test_real_regencies_all_classified(regency_view):
    view, settings = regency_view
    metrics = dataset.load_metrics(settings, "regency")
    assert len(view.areas) == 102 == sum(e.count for e in view.legend)
    assert len(view.priorities) == 10 and [p[0] for p in view.priorities] == list(range(1, 11))
    target = map_view.reference_target(metrics)
    cuts = [target - 20, target - 10, target, target + 10]
    coverage = dict(zip(metrics["kode"], metrics["coverage_pct"], strict=True))
    for area in view.areas:
        expected = YLGNBU5[int(np.searchsorted(cuts, coverage[area.kode], side="right"))]
        assert area.fill == expected, area.kode


def test_every_metric_and_scheme_renders_on_real_data(served_settings):
    period = dataset.periods(served_settings)[0]  # the first period has no change_pp
    for metric in MAP_METRICS:
        for scheme in ("target", "natural_breaks"):
            state = ViewState(level="province", metric=metric, scheme=scheme, period=period)
            view = map_view.load_view(served_settings, state)
            assert sum(e.count for e in view.legend) == 8
            assert len({e.color for e in view.legend}) == len(view.legend)


def test_every_metric_uses_a_colour_blind_safe_ramp_of_its_kind():
    for name, field in MAP_METRICS.items():
        spec = field.map
        ramps = {"diverging": classify.DIVERGING_RAMPS, "sequential": classify.SEQUENTIAL_RAMPS}
        assert spec.ramp in ramps[spec.ramp_kind], name
        assert (spec.centre is not None) == (spec.ramp_kind == "diverging"), name
