"""The view model: fills, legend, low-coverage outlines, priorities, tooltips, drill-down."""

import re

import numpy as np
import pandas as pd
import pytest
from branca.utilities import color_brewer

from geo_coverage.i18n import format_period, text
from geo_coverage.maps import classify
from geo_coverage.maps import view as map_view
from geo_coverage.maps.classify import NODATA_FILL
from geo_coverage.maps.state import ViewState
from geo_coverage.metrics import compute, dataset
from geo_coverage.metrics.registry import COLUMNS, DTYPES, FIELD, MAP_METRICS, TOOLTIP_FIELDS

CHANGE = FIELD["change_pp"]


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
            "target_shortfall_pct": 41.67,
            "priority_score": 45_333.3,
            "priority_rank_province": 1,
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
            "target_shortfall_pct": 0.0,
            "priority_rank_province": 2,
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
            "priority_rank_province": 1,
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
        "< 40,0 %",  # coverage shows one decimal everywhere (the registry's rule)
        "40,0 % – 50,0 %",
        "50,0 % – 60,0 %",
        "60,0 % – 70,0 %",
        "≥ 70,0 %",
        "Tidak ada data",
    ]
    assert [e.count for e in view.legend] == [1, 0, 1, 1, 0, 1]
    assert view.legend[-1].hatched and not any(e.hatched for e in view.legend[:-1])


def test_low_coverage_uses_each_target_or_the_threshold():
    view = map_view.build_view(AREAS, ViewState(period="2025-12", outline="target"), ANCHORS)
    assert view.low == ("73.01", "74.01")  # 55.5 is below Sulawesi Tenggara's 62.93
    strict = map_view.build_view(
        AREAS, ViewState(period="2025-12", threshold=50, outline="threshold"), ANCHORS
    )
    assert strict.low == ("73.01",)
    assert "50,0 %" in strict.outline_rule
    assert strict.low_title == "Di bawah 50,0 %" and view.low_title == "Di bawah target"
    none = map_view.build_view(AREAS, ViewState(period="2025-12", outline="none"), ANCHORS)
    assert none.low == () and none.outline_rule is None


def test_the_default_outline_marks_the_worst_fifth_of_the_metric_shown():
    view = map_view.build_view(AREAS, ViewState(period="2025-12"), ANCHORS)
    assert view.low == ("73.01",)  # three areas with coverage: ceil(3 / 5) = 1, the lowest
    assert view.outline_rule == (
        "garis tebal = seperlima terburuk: 1 dari 3 wilayah, dengan cakupan terendah"
    )
    assert view.low_title == "Seperlima terburuk: cakupan terendah"
    assert view.low_values == ("35,0 %",)
    gap = map_view.build_view(AREAS, ViewState(period="2025-12", metric="gap"), ANCHORS)
    assert gap.low == ("73.01",)  # the largest gap is the worst
    many = _frame(
        [
            {"kode": f"73.{i:02d}", "nama": f"K{i}", "prov_kode": "73", "coverage_pct": 30.0 + i}
            for i in range(1, 12)
        ]
    )
    worst = map_view.build_view(many, ViewState(period="2025-12"), {})
    assert worst.low == ("73.01", "73.02", "73.03")  # ceil(11 / 5) = 3, lowest first


def test_the_worst_fifth_never_splits_areas_with_the_same_figure():
    values = [30.0, 31.0, 31.0, 31.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0]
    tied = _frame(
        [
            {"kode": f"73.{i:02d}", "nama": f"K{i}", "prov_kode": "73", "coverage_pct": value}
            for i, value in enumerate(values, start=1)
        ]
    )
    view = map_view.build_view(tied, ViewState(period="2025-12", lang="en"), {})
    assert view.low == ("73.01", "73.02", "73.03", "73.04")  # ceil(11 / 5) = 3, and the tie
    assert view.outline_rule == (
        "bold outline = the worst fifth: 4 of 11 areas, with the lowest coverage; "
        "3 areas share 31.0 %, and all of them are outlined"
    )
    # taking in all 11 would be further from a fifth (3) than leaving them all out
    same = map_view.build_view(tied.assign(coverage_pct=43.59), ViewState(period="2025-12"), {})
    assert same.low == () and same.outline_rule == (
        "garis tebal = seperlima terburuk: 0 dari 11 wilayah, dengan cakupan terendah; 11 "
        "wilayah sama-sama 43,6 % di batas seperlima, jadi tidak satu pun ditandai"
    )
    mostly = tied.assign(coverage_pct=[30.0, *[40.0] * 10])
    assert map_view.build_view(mostly, ViewState(period="2025-12"), {}).low == ("73.01",)


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
        "province_name": "Sulawesi Selatan",
        "label": "Kab <b>Satu</b>",
        "table": [["35.0 %", 35.0], ["35,000", 35000.0], ["100,000", 100000.0]],
        "data_source": "modelled",
        "evidence": {"figures": [], "note": None, "more": 0},
        "figures_of": None,  # a regency: its own figures, no note
    }
    assert data["table"]["columns"] == ["Coverage (UCJ)", "Active members", "Potential workers"]
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


def test_a_change_against_the_previous_period_is_change_pp(served_settings):
    periods = dataset.periods(served_settings)
    latest, previous = periods[-1], periods[-2]
    compared = dataset.compare(served_settings, "regency", latest, previous)
    stored = dataset.load_metrics(served_settings, "regency", latest)
    merged = compared.merge(stored[["kode", "change_pp"]], on="kode", suffixes=("", "_stored"))
    assert len(merged) == 102
    assert (merged["change_pp"] == merged["change_pp_stored"]).all()
    assert dataset.previous_period(served_settings, latest) == previous
    assert dataset.previous_period(served_settings, periods[0]) is None


def test_the_change_map_names_its_baseline_and_shows_before_and_after(served_settings):
    periods = dataset.periods(served_settings)
    latest, first = periods[-1], periods[0]
    state = ViewState(metric="change", period=latest, base=first, lang="en")
    view = map_view.load_view(served_settings, state)
    base = format_period(first, "en")
    assert f"since {base}" in view.title and f"since {base}" in view.legend_title
    data = view.to_json("")
    assert f"since {base}" in data["fields"][data["fields"].index(view.legend_title)]
    assert data["table"]["columns"][1:] == [
        f"Coverage {format_period(latest, 'en')}",
        f"Coverage {base}",
    ]
    latest_metrics = dataset.load_metrics(served_settings, "regency", latest).set_index("kode")
    first_metrics = dataset.load_metrics(served_settings, "regency", first).set_index("kode")
    for kode, area in data["areas"].items():
        change, after, before = (cell[1] for cell in area["table"])
        assert after == latest_metrics.loc[kode, "coverage_pct"]
        assert before == first_metrics.loc[kode, "coverage_pct"]
        assert change == pytest.approx(after - before, abs=0.006)
    default = map_view.load_view(served_settings, ViewState(metric="change", period=latest))
    assert format_period(periods[-2], "id") in default.title  # the previous period, named


@pytest.mark.slow
def test_change_breaks_spread_a_province_over_classes(served_settings):
    periods = dataset.periods(served_settings)
    for base in periods[:-1]:
        for province in ("71", "72", "73", "74", "75", "76", "81", "82"):
            state = ViewState(metric="change", period=periods[-1], base=base, province=province)
            view = map_view.load_view(served_settings, state)
            shown = {a.cells[TOOLTIP_FIELDS.index(CHANGE)] for a in view.areas}
            classes = {a.cls for a in view.areas}
            assert len(classes) > 1 or len(shown) == 1, (base, province)


def test_no_data_says_why(served_settings):
    periods = dataset.periods(served_settings)
    first = map_view.load_view(served_settings, ViewState(metric="change", period=periods[0]))
    assert first.nodata_reason.startswith(format_period(periods[0], "id"))
    assert "periode pertama" in first.nodata_reason
    assert [e.hatched for e in first.legend] == [True]  # no empty classes without values
    gaps = dataset.segment_gaps(served_settings, periods[-1])
    for segment, why in gaps.items():
        view = map_view.load_view(served_settings, ViewState(segment=segment, period=periods[-1]))
        assert view.nodata_reason == text(
            f"nodata.{why}",
            "id",
            segment=text(f"segment.{segment}", "id"),
            period=format_period(periods[-1], "id"),
        )
        assert dict(view.unavailable)[segment] == text(f"unavailable.{why}", "id")
    whole = map_view.load_view(served_settings, ViewState(period=periods[-1]))
    assert whole.nodata_reason is None


def test_segment_gaps_tell_missing_rows_from_missing_potentials():
    rows = pd.DataFrame(
        {
            "kode": ["73.01", "73.01", "73.01"],
            "period": ["2025-12"] * 3,
            "segment": ["wage", "informal", "construction"],
            "potential_workers": pd.array([10, 5, pd.NA], dtype="Int64"),
            "active_members": pd.array([5, 1, 3], dtype="Int64"),
        }
    )
    assert compute.segment_gaps(
        rows, "2025-12", ("wage", "informal", "construction", "migrant")
    ) == {
        "construction": "no_potential",
        "migrant": "no_rows",
    }


def test_a_metric_about_one_segment_reads_that_segments_counts(served_settings):
    period = dataset.periods(served_settings)[-1]
    view = map_view.load_view(served_settings, ViewState(metric="informal_coverage", period=period))
    informal = dataset.load_metrics(served_settings, "regency", period, "informal").set_index(
        "kode"
    )
    for area in view.areas:
        value, members, potential = (cell[1] for cell in area.table)
        assert members == informal.loc[area.kode, "active_members"]
        assert potential == informal.loc[area.kode, "potential_workers"]
        assert value == pytest.approx(100 * members / potential, abs=0.006)
    assert "pekerja informal (BPU)" in view.segment_hint


def test_the_source_line_gives_a_date_not_a_version_tag(served_settings):
    line = map_view.source_line(served_settings, "en")
    assert dataset.data_version(served_settings) not in line
    assert re.search(r"as of \d{1,2} [A-Z][a-z]+ \d{4}", line)


def test_the_banner_counts_the_areas_whose_figures_are_not_published():
    region = map_view.build_view(AREAS, ViewState(period="2025-12", lang="en"), ANCHORS)
    # 73.01 modelled and 74.01 mixed of four areas; 73.02 is published, 73.03 has no data
    assert region.banner == text("banner.modelled.regency", "en", modelled=2, total=4)
    assert region.to_json("")["banner"] == region.banner
    drilled = map_view.build_view(AREAS, ViewState(period="2025-12", province="73"), ANCHORS)
    assert drilled.banner == "Angka ilustratif: 1 dari 3 kabupaten/kota dimodelkan"
    published = AREAS.assign(data_source="published")
    assert map_view.build_view(published, ViewState(period="2025-12"), ANCHORS).banner is None
    provinces = map_view.build_view(AREAS, ViewState(period="2025-12", level="province"), {})
    assert provinces.banner == text("banner.modelled.province", "id", modelled=2, total=4)


def test_the_banner_on_real_data_counts_every_area_not_published(served_settings):
    periods = dataset.periods(served_settings)
    for state in (
        ViewState(period=periods[-1]),
        ViewState(period="2021-12", level="province", lang="en"),
        ViewState(period="2025-08", province="71"),
    ):
        view = map_view.load_view(served_settings, state)
        metrics = dataset.load_metrics(served_settings, state.level, state.period)
        if state.province:
            metrics = metrics[metrics["prov_kode"] == state.province]
        labels = metrics["data_source"]
        modelled = int((labels.notna() & (labels != "published")).sum())
        assert modelled > 0  # the sample is modelled almost everywhere
        key = f"banner.modelled.{state.level}"
        assert view.banner == text(key, state.lang, modelled=modelled, total=len(metrics))


def test_a_modelled_coverage_shows_its_likely_range():
    banded = AREAS.assign(
        coverage_pct_low=pd.array([28.2, None, None, 55.0], dtype="Float64"),
        coverage_pct_high=pd.array([41.4, None, None, 56.1], dtype="Float64"),
    )
    view = map_view.build_view(banded, ViewState(period="2025-12"), ANCHORS)
    cells = {a.kode: a.cells[0] for a in view.areas}
    assert cells["73.01"] == "35,0 % (kemungkinan 28–41 %)"
    assert cells["73.02"] == "60,0 %"  # published: no range
    assert cells["74.01"] == "55,5 % (kemungkinan 55,0–56,1 %)"  # a narrow range keeps a decimal
    english = map_view.build_view(banded, ViewState(period="2025-12", lang="en"), ANCHORS)
    assert english.areas[0].cells[0] == "35.0 % (likely 28–41 %)"


def test_ranks_are_named_and_both_shown_and_a_first_at_target_is_explained():
    view = map_view.build_view(AREAS, ViewState(period="2025-12", lang="en"), ANCHORS)
    assert view.rank_rule == "# = rank in the region, among 3 regencies and cities."
    keys = list(view.field_keys)
    first = view.areas[0]
    assert first.cells[keys.index("priority_rank_region")] == "2"
    assert first.cells[keys.index("priority_rank_province")] == "1"
    assert first.cells[keys.index("priority_score")] == "45,333"
    assert view.priority_why is None  # 74.01 is first and below its target
    assert "rank in the region" in view.marker_rule
    drilled = map_view.build_view(AREAS, ViewState(period="2025-12", province="73"), ANCHORS)
    assert drilled.rank_rule.startswith("# = peringkat di provinsi Sulawesi Selatan")
    assert "peringkat prioritas di provinsi" in drilled.marker_rule
    at_target = AREAS.assign(
        priority_rank_province=pd.array([2, 1, None, 1], dtype="Int64"),
        uncovered_informal=pd.array([40_000, 12_000, None, None], dtype="Int64"),
        informal_coverage_pct=pd.array([20.0, 23.0, None, None], dtype="Float64"),
    )
    why = map_view.build_view(at_target, ViewState(period="2025-12", province="73"), ANCHORS)
    assert why.priority_why.startswith("Kab Dua ada di peringkat 1 walaupun cakupannya")
    assert "60,00 %" in why.priority_why and "12.000" in why.priority_why
    assert why.to_json("")["priority_why"] == why.priority_why
    assert why.to_json("")["legend"]["priority_why"] == why.priority_why  # the embed's legend
    provinces = map_view.build_view(AREAS, ViewState(period="2025-12", level="province"), {})
    assert "priority_rank_province" not in provinces.field_keys  # no rank within a province


def _evidence(rows: list[tuple]) -> pd.DataFrame:
    """An evidence table as stored (with number and decimals) from (line, kode, period, metric,
    value, qualifier, consistency) tuples."""
    from geo_coverage.sources.evidence import with_numbers

    frame = pd.DataFrame(
        [
            {
                "line": line,
                "kode": kode,
                "nama": "x",
                "level": "regency",
                "period": period,
                "metric": metric,
                "value": value,
                "qualifier": qualifier,
                "consistency": consistency,
                "basis": "bpjs",
                "source": f"Outlet {line}, 1 Jan 2025: example.org/{line}",
                "note": "",
                "use": "",
            }
            for line, kode, period, metric, value, qualifier, consistency in rows
        ]
    ).astype({"line": "int64"})
    return with_numbers(frame.astype({c: "string" for c in frame.columns if c != "line"}))


def test_the_tooltip_lists_the_published_figures_around_the_period_and_says_when_they_differ():
    evidence = _evidence(
        [
            (2, "73.01", "2025-12", "coverage_pct", "35", "exact", ""),  # agrees at 0 decimals
            (3, "73.01", "2025-06", "active_members", "36000", "exact", ""),  # differs
            (4, "73.01", "2023-12", "coverage_pct", "10", "exact", ""),  # too long ago
            (5, "73.01", "2025", "bps_employed", "90000", "rounded", ""),
            (6, "74.01", "2025-12", "coverage_pct", "50.12", "exact", ""),  # differs, same month
            (7, "74.01", "2025-11", "coverage_pct", "55.5", "exact", "conflicting"),
            (8, "73.02", "2025-12", "coverage_pct", "59", "exact", ""),  # published: no note
        ]
    )
    context = map_view.Context(evidence=evidence)
    view = map_view.build_view(AREAS, ViewState(period="2025-12", lang="en"), ANCHORS, context)
    areas = {a.kode: a for a in view.areas}
    first = areas["73.01"].evidence
    assert [f.line for f in first.figures] == [2, 3, 5]  # nearest first, the shown metrics first
    assert first.figures[0].period == "December 2025" and first.figures[0].value == "35 %"
    assert (
        first.figures[0].qualifier == "exact" and first.figures[0].source == "Outlet 2, 1 Jan 2025"
    )
    assert first.figures[2].period == "2025" and first.figures[2].value == "90,000"
    assert first.more == 1  # the 2023 figure is on the sources page
    assert first.note == (
        "The figure on the map is modelled and differs from the nearest published one: "
        "Active members 35,000 on the map, 36,000 published (June 2025)."
    )
    mixed = areas["74.01"].evidence
    assert [f.conflicting for f in mixed.figures] == [False, True]
    assert mixed.note == (
        "The figure on the map is modelled and differs from the one published for the same "
        "month: Coverage 55.5 % on the map, 50.12 % published (December 2025)."
    )
    assert areas["73.02"].evidence.note is None  # published figures are what they are
    assert areas["73.03"].evidence.note is None  # no data, nothing modelled
    lonely = AREAS.assign(kode=AREAS["kode"].replace({"73.01": "73.09"}))
    alone = map_view.build_view(lonely, ViewState(period="2025-12"), {}, context)
    nothing = next(a for a in alone.areas if a.kode == "73.09").evidence
    assert nothing.figures == () and nothing.more == 0
    assert nothing.note.startswith("Tidak ada angka terbit untuk wilayah ini dalam 12 bulan")
    data = view.to_json("")["areas"]["73.01"]["evidence"]
    assert data["figures"][0]["value"] == "35 %" and data["more"] == 1


def test_real_tooltips_carry_the_published_figures_of_kota_makassar(served_settings):
    view = map_view.load_view(served_settings, ViewState(period="2025-06", province="73"))
    makassar = next(a for a in view.areas if a.kode == "73.71")
    june = [f for f in makassar.evidence.figures if f.period == "Juni 2025"]
    assert ("Cakupan (UCJ)", "51 %", "tepat") in {(f.metric, f.value, f.qualifier) for f in june}
    # the June 2025 coverage was met at its precision (51 %): no note says it differs
    assert makassar.evidence.note is None or "Cakupan " not in makassar.evidence.note
