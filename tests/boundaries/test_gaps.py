"""Gaps between neighbours are closed and real holes kept, on small coverages made here."""

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, box

from geo_coverage.boundaries import checks
from geo_coverage.boundaries.gaps import (
    GAP_WIDTH_DEG,
    close_gaps,
    find_holes,
    shared_borders,
)
from geo_coverage.boundaries.layers import Layer, close_layer_gaps


def _layer(*geoms, level="regency"):
    """The geometries noded into a valid coverage (as the repair leaves them), gaps kept."""
    codes = [f"73.{i + 1:02d}" for i in range(len(geoms))]
    names = [f"Kabupaten {chr(65 + i)}" for i in range(len(geoms))]
    coverage = shapely.coverage_clean(np.array(geoms, dtype=object))
    assert shapely.coverage_is_valid(coverage)
    return Layer(level, codes, names, coverage)


def _sliver_layer(width=0.01, level="regency"):
    """A sliver `width` wide between A (full border) and B, C (half each), closed by D and E."""
    return _layer(
        box(0, 0, 1, 1),
        box(1 + width, 0, 2, 0.5),
        box(1 + width, 0.5, 2, 1),
        box(0, 1, 2, 2),
        box(0, -1, 2, 0),
        level=level,
    )


def _quiet(_message):
    pass


def test_a_sliver_between_neighbours_is_a_gap_and_goes_to_the_longest_border():
    layer = _sliver_layer()
    holes = find_holes(layer.geoms)
    assert len(holes) == 1 and holes[0].is_gap
    hole = holes[0]
    assert [layer.codes[i] for i in hole.neighbours[:3]] == ["73.01", "73.02", "73.03"]
    assert hole.width_deg == pytest.approx(0.01, rel=1e-3)
    closed = close_layer_gaps(layer, progress=_quiet)
    assert find_holes(closed.geoms) == []
    assert shapely.coverage_is_valid(closed.geoms)
    assert closed.geoms[0].area == pytest.approx(1.01)
    assert [g.area for g in closed.geoms[1:]] == [g.area for g in layer.geoms[1:]]
    inside = shapely.Point(1.005, 0.7)
    assert [k for k, g in zip(closed.codes, closed.geoms, strict=True) if g.contains(inside)] == [
        "73.01"
    ]
    record = [r for r in closed.repairs if r["repair"] == "gap_closed"]
    assert len(record) == 1 and record[0]["kode"] == "73.01"
    assert closed.stats["gaps_before"]["gaps"] == 1 and closed.stats["gaps_closed"] == 1


def test_a_lake_inside_one_area_is_kept_however_narrow():
    lake = box(0.4, 0.2, 0.405, 0.8)
    layer = _layer(box(0, 0, 1, 1).difference(lake), box(1, 0, 2, 1))
    holes = find_holes(layer.geoms)
    assert len(holes) == 1 and not holes[0].is_gap
    assert holes[0].width_deg < GAP_WIDTH_DEG
    closed = close_layer_gaps(layer, progress=_quiet)
    assert closed.geoms[0].equals(layer.geoms[0])
    result = checks.check_gaps(closed)
    assert result["passed"] and result["gaps"] == 0
    assert [h["neighbours"] for h in result["holes_in_one_area"]] == [["73.01"]]


def test_a_gap_with_an_island_of_another_area_inside_is_closed_around_the_island():
    island = box(1.002, 0.4, 1.006, 0.45)
    layer = _layer(
        box(0, 0, 1, 1),
        box(1.01, 0, 2, 0.5),
        box(1.01, 0.5, 2, 1),
        box(0, 1, 2, 2),
        box(0, -1, 2, 0),
        island,
    )
    holes = find_holes(layer.geoms)
    assert len(holes) == 1
    assert holes[0].polygon.area == pytest.approx(0.01 - island.area)
    geoms, closed = close_gaps(layer.geoms, holes)
    assert len(closed) == 1 and geoms[-1].equals(layer.geoms[-1])
    assert shapely.coverage_is_valid(geoms)
    assert find_holes(geoms) == []


def test_a_gap_wider_than_the_limit_stays_and_fails_the_check_naming_its_neighbours():
    layer = _sliver_layer(width=GAP_WIDTH_DEG * 1.5)
    closed = close_layer_gaps(layer, progress=_quiet)
    assert closed.stats["gaps_closed"] == 0
    result = checks.check_gaps(closed)
    assert not result["passed"] and result["gaps"] == 1
    message = result["failures"][0]
    assert message.startswith("regency: gap of ")
    assert "wider than the" in message
    for area in ("73.01 Kabupaten A", "73.02 Kabupaten B", "73.03 Kabupaten C"):
        assert area in message


def test_the_gaps_check_fails_on_a_layer_with_a_sliver():
    result = checks.check_gaps(_sliver_layer())
    assert not result["passed"]
    assert result["gaps"] == 1 and result["gap_km2"] == pytest.approx(0.01 * 111.3 * 110.6, 0.02)
    (message,) = result["failures"]
    assert "between 73.01 Kabupaten A, 73.02 Kabupaten B, 73.03 Kabupaten C" in message
    assert "wider than" not in message and "lon 1.005" in message


def test_check_layer_runs_the_gaps_check():
    layer = _sliver_layer(level="district")
    results = {r["check"]: r for r in checks.check_layer(layer, reference=None)}
    assert results["no_overlaps"]["passed"] and results["coverage_valid"]["passed"]
    assert not results["gaps"]["passed"]


def test_shared_borders_measures_each_line_along_each_area():
    areas = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)], dtype=object)
    lines = np.array([LineString([(0.5, 0), (1, 0), (1, 1), (1.5, 1)])], dtype=object)
    line_i, area_i, lengths = shared_borders(lines, areas)
    got = {int(a): float(x) for a, x in zip(area_i, lengths, strict=True)}
    assert set(line_i) == {0}
    assert got == pytest.approx({0: 1.5, 1: 1.5})
