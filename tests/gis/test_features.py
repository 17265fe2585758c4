"""Geometry joined with the metrics, on the real build and the sample store."""

import json
import shutil

import pandas as pd
import pytest
import shapely

from geo_coverage.errors import BadRequest
from geo_coverage.gis import features
from geo_coverage.metrics import dataset


def test_regencies_join_completely_for_the_latest_period(served_settings):
    data = features.joined(served_settings, "regency")
    assert len(data.frame) == 102 and data.frame["kode"].is_unique
    assert data.missing_geometry == () and data.missing_figures == ()
    assert data.period == dataset.periods(served_settings)[-1] and data.segment == "all"
    assert set(data.frame["period"]) == {data.period}
    assert data.frame.crs.to_epsg() == 4326
    makassar = data.frame.set_index("kode").loc["73.71"]
    assert makassar["nama"] == "Kota Makassar"
    assert shapely.contains_xy(makassar.geometry, 119.42, -5.14)  # a point in the city


def test_provinces_every_period_and_segment(served_settings):
    data = features.joined(served_settings, "province", features.ALL_PERIODS, "informal")
    known = dataset.periods(served_settings)
    assert len(data.frame) == 8 * len(known) and data.period == "all"
    assert sorted(set(data.frame["period"])) == known
    assert set(data.frame["segment"]) == {"informal"}


def test_geometry_is_rounded_oriented_and_cached(served_settings):
    full = features.shapes(served_settings, "regency")
    assert features.shapes(served_settings, "regency") is full
    exteriors = shapely.get_exterior_ring(shapely.get_parts(full.geoms))
    assert shapely.is_ccw(exteriors).all()
    coords = shapely.get_coordinates(full.geoms)
    assert (abs(coords * 1e6 - (coords * 1e6).round()) < 1e-6).all()
    assert shapely.is_valid(full.geoms).all()
    text = json.loads(full.texts["73.71"])
    assert shapely.geometry.shape(text).equals(full.geoms[full.index()["73.71"]])


def test_simplified_geometry_is_the_display_geometry(served_settings):
    full = features.shapes(served_settings, "regency")
    simple = features.shapes(served_settings, "regency", simplified=True)
    assert sorted(simple.codes) == sorted(full.codes)
    assert (
        shapely.get_num_coordinates(simple.geoms).sum()
        < shapely.get_num_coordinates(full.geoms).sum() / 2
    )


def test_cache_follows_the_build_key(served_settings, tmp_path):
    shapes = tmp_path / "shapes"
    shutil.copytree(served_settings.shapes, shapes)
    settings = served_settings.with_(shapes=shapes)
    first = features.shapes(settings, "province")
    report = json.loads((shapes / "build_report.json").read_text())
    report["build_key"] = "another build"
    (shapes / "build_report.json").write_text(json.dumps(report) + "\n")
    second = features.shapes(settings, "province")
    assert second is not first and second.build_key == "another build"


def test_join_reports_codes_that_did_not_match(served_settings):
    geometry = features.shapes(served_settings, "regency")
    metrics = dataset.load_metrics(served_settings, "regency")
    extra = metrics.iloc[[0]].assign(kode="73.99")
    frame, no_shape, no_figures = features.join(
        pd.concat([metrics.iloc[1:], extra], ignore_index=True), geometry
    )
    assert no_shape == ("73.99",) and no_figures == (metrics["kode"].iloc[0],)
    assert len(frame) == 101 and "73.99" not in set(frame["kode"])


@pytest.mark.parametrize(
    ("level", "period", "segment", "parameter"),
    [
        ("village", None, None, "level"),
        ("regency", "2019-01", None, "period"),
        ("regency", None, "farmers", "segment"),
        ("regency", "all", "farmers", "segment"),
    ],
)
def test_bad_choices_name_the_parameter(served_settings, level, period, segment, parameter):
    with pytest.raises(BadRequest) as info:
        features.joined(served_settings, level, period, segment)
    assert info.value.parameter == parameter and "valid" in str(info.value)
