"""Geometry parsing and measurement on hand-made shapes."""

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import box

from geo_coverage.boundaries.geometry import areas_km2, overlapping_pairs, parse_latlng_multipolygon


def test_points_are_lat_lng_and_become_lng_lat():
    geom, closed = parse_latlng_multipolygon("[[[-5,119],[-5,120],[-4,120],[-4,119],[-5,119]]]")
    assert closed == 0
    assert geom.bounds == (119.0, -5.0, 120.0, -4.0)


def test_unclosed_rings_are_closed_and_counted():
    text = (
        "[[[[0,0],[0,1],[1,1],[1,0]]],"
        "[[[5,5],[5,6],[6,6],[6,5],[5,5]],[[5.2,5.2],[5.2,5.4],[5.4,5.4]]]]"
    )
    geom, closed = parse_latlng_multipolygon(text)
    assert closed == 2
    assert len(geom.geoms) == 2
    assert len(geom.geoms[1].interiors) == 1
    assert geom.is_valid


def test_nested_shells_are_parsed_as_given_and_reported_invalid():
    outer = "[[0,0],[0,10],[10,10],[10,0],[0,0]]"
    inner = "[[2,2],[2,4],[4,4],[4,2],[2,2]]"
    geom, _ = parse_latlng_multipolygon(f"[[{outer}],[{inner}]]")
    assert not geom.is_valid
    assert "Nested shells" in shapely.is_valid_reason(geom)


@pytest.mark.parametrize("text", ["[]", "[[[1,2,3]]]", "not json"])
def test_unreadable_paths_raise(text):
    with pytest.raises(ValueError):
        parse_latlng_multipolygon(text)


@pytest.mark.parametrize("cell", [box(0, 0, 1, 1), box(120, -5, 121, -4), box(0, 60, 1, 61)])
def test_area_matches_the_geodesic_area(cell):
    geodesic = abs(Geod(ellps="WGS84").geometry_area_perimeter(cell)[0]) / 1e6
    assert areas_km2(np.array([cell]))[0] == pytest.approx(geodesic, rel=1e-4)


def test_overlapping_pairs_reports_area_and_ignores_touching():
    geoms = np.array([box(0, 0, 1, 1), box(0.5, 0, 1.5, 1), box(1.5, 0, 2, 1)])
    pairs = overlapping_pairs(["a", "b", "c"], geoms)
    assert [(a, b) for a, b, _ in pairs] == [("a", "b")]
    assert pairs[0][2] == pytest.approx(12308 / 2, rel=0.01)
