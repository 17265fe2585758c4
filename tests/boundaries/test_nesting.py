"""Districts nested in their regencies, on small layers made here."""

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, box

from geo_coverage.boundaries import checks
from geo_coverage.boundaries.gaps import KM_PER_DEG
from geo_coverage.boundaries.geometry import areas_km2
from geo_coverage.boundaries.layers import Layer, nest_layer
from geo_coverage.boundaries.nesting import nest_in_parents

ISLAND = box(0.2, 3, 0.205, 3.005)  # part of 73.01 that no district draws, narrow
FAR_PART = box(0, 1.2, 1, 1.7)  # part of 73.01 that no district draws, 0.5° wide


def _coverage(*geoms):
    return shapely.coverage_clean(np.array(geoms, dtype=object))


@pytest.fixture
def regencies():
    geoms = _coverage(MultiPolygon([box(0, 0, 1, 1), FAR_PART, ISLAND]), box(1, 0, 2, 1))
    return Layer("regency", ["73.01", "73.02"], ["Satu", "Dua"], geoms)


@pytest.fixture
def districts():
    """73.01.02 reaches 0.015° into 73.02 and stops 0.01° short of the top of 73.01."""
    geoms = _coverage(box(0, 0, 0.5, 1), box(0.5, 0, 1.015, 0.99), box(1.015, 0, 2, 1))
    return Layer("district", ["73.01.01", "73.01.02", "73.02.01"], ["A", "B", "C"], geoms)


def _holder(layer, point):
    return [k for k, g in zip(layer.codes, layer.geoms, strict=True) if g.intersects(point)]


def test_districts_are_clipped_to_their_regency_and_fill_its_narrow_uncovered_parts(
    regencies, districts
):
    nested = nest_layer(districts, regencies, progress=lambda _m: None)
    assert shapely.coverage_is_valid(nested.geoms)
    parent = dict(zip(regencies.codes, regencies.geoms, strict=True))
    for kode, geom in zip(nested.codes, nested.geoms, strict=True):
        assert shapely.difference(geom, parent[kode[:5]]).area == pytest.approx(0, abs=1e-12)
    assert _holder(nested, Point(1.007, 0.5)) == ["73.02.01"]  # was 73.01.02's overshoot
    assert _holder(nested, Point(0.75, 0.995)) == ["73.01.02"]  # the strip it left
    assert _holder(nested, ISLAND.centroid) == ["73.01.01"]  # the nearest district
    assert _holder(nested, FAR_PART.centroid) == []  # too wide to give to anyone
    covered = shapely.union_all(nested.geoms)
    expected = shapely.difference(shapely.union_all(regencies.geoms), FAR_PART)
    assert shapely.symmetric_difference(covered, expected).area == pytest.approx(0, abs=1e-12)
    nesting = nested.stats["nesting"]
    assert nesting["parts_filled"] == 3
    (left,) = nesting["uncovered"]
    assert left["parent"] == "73.01"
    assert left["width_km"] == pytest.approx(0.5 * KM_PER_DEG, rel=1e-3)
    assert left["area_km2"] == pytest.approx(areas_km2([FAR_PART])[0], rel=1e-6)
    assert nesting["clipped_km2"] == pytest.approx(areas_km2([box(1, 0, 1.015, 0.99)])[0], rel=1e-3)
    assert nested.stats["nested_in"] == "regency"


def test_nest_in_parents_keeps_children_without_a_parent(regencies, districts):
    codes = ["73.01.01", "73.01.02", "79.01.01"]
    nested = nest_in_parents(codes, districts.geoms, regencies.codes, regencies.geoms)
    assert nested.geoms[2].equals(districts.geoms[2])


def test_district_nesting_is_required_once_the_build_nested_them(regencies, districts):
    provinces = Layer(
        "province", ["73"], ["Tujuh Tiga"], np.array([shapely.union_all(regencies.geoms)])
    )
    nested = nest_layer(districts, regencies, progress=lambda _m: None)
    layers = {"province": provinces, "regency": regencies, "district": nested}
    result = checks.check_nesting(layers)[1]
    assert result["passed"] and not result["informational"]
    assert result["min_share_pct"] == pytest.approx(100)
    unnested = {**layers, "district": districts}
    result = checks.check_nesting(unnested)[1]
    assert result["passed"] and result["informational"]
    assert result["below_required_share"] == ["73.01.02"]
    moved = Layer("district", nested.codes, nested.names, nested.geoms.copy(), stats=nested.stats)
    moved.geoms[1] = districts.geoms[1]
    result = checks.check_nesting({**layers, "district": moved})[1]
    assert not result["passed"]
    share = 0.5 / 0.515  # 73.01.02 as drawn, reaching 0.015° into 73.02
    assert result["failures"] == [
        f"district 73.01.02: only {share:.2%} of its area lies in regency 73.01 (required 99.5%)"
    ]
