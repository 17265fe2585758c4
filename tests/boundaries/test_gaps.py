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
from geo_coverage.boundaries.review import KnownGap, Review
from geo_coverage.region import parse_region
from geo_coverage.sources.reference import Area, Reference

NO_REVIEW = Review({}, (), (), {})


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
    result = checks.check_gaps(closed, NO_REVIEW)
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
    result = checks.check_gaps(closed, NO_REVIEW)
    assert not result["passed"] and result["gaps"] == 1
    message = result["failures"][0]
    assert message.startswith("regency: gap of ")
    assert "wider than the" in message
    for area in ("73.01 Kabupaten A", "73.02 Kabupaten B", "73.03 Kabupaten C"):
        assert area in message


def test_the_gaps_check_fails_on_a_layer_with_a_sliver():
    result = checks.check_gaps(_sliver_layer(), NO_REVIEW)
    assert not result["passed"]
    assert result["gaps"] == 1 and result["gap_km2"] == pytest.approx(0.01 * 111.3 * 110.6, 0.02)
    (message,) = result["failures"]
    assert "between 73.01 Kabupaten A, 73.02 Kabupaten B, 73.03 Kabupaten C" in message
    assert "wider than" not in message and "lon 1.005" in message


def test_check_layer_runs_the_gaps_check():
    layer = _sliver_layer(level="district")
    reference = Reference({"73": Area("73", "P", 1.0, 1)}, {}, {})
    results = {r["check"]: r for r in checks.check_layer(layer, reference, NO_REVIEW)}
    assert results["no_overlaps"]["passed"] and results["coverage_valid"]["passed"]
    assert not results["gaps"]["passed"]


def _listed(layer, area_km2=None, level="regency", point=(1.005, 0.7)):
    """A review listing the layer's one gap (at a point inside it), with its measured area."""
    hole = find_holes(layer.geoms)[0]
    listed = KnownGap(
        level,
        *point,
        hole.area_km2 if area_km2 is None else area_km2,
        ("73.01", "73.02", "73.03"),
        "the source leaves it open",
    )
    return Review({}, (listed,), (), {})


def test_a_reviewed_gap_passes_and_is_reported_with_its_reason():
    layer = _sliver_layer(width=GAP_WIDTH_DEG * 1.5)
    result = checks.check_gaps(layer, _listed(layer))
    assert result["passed"] and result["gaps"] == 0
    (known,) = result["known_gaps"]
    assert known["reason"] == "the source leaves it open" and known["neighbours"][0] == "73.01"


def test_a_reviewed_gap_that_measures_otherwise_or_is_not_found_fails():
    layer = _sliver_layer(width=GAP_WIDTH_DEG * 1.5)
    hole = find_holes(layer.geoms)[0]
    drifted = checks.check_gaps(layer, _listed(layer, area_km2=hole.area_km2 * 0.8))
    assert not drifted["passed"] and "review it in known_gaps.csv" in drifted["failures"][0]
    elsewhere = checks.check_gaps(layer, _listed(layer, point=(5.0, 5.0)))
    assert not elsewhere["passed"] and elsewhere["gaps"] == 1
    assert any("is not found: remove it" in f for f in elsewhere["failures"])
    other_level = checks.check_gaps(layer, _listed(layer, level="district"))
    assert not other_level["passed"] and other_level["gaps"] == 1


def test_a_hole_outside_every_parent_is_judged_at_the_parents_level():
    children = _sliver_layer(width=GAP_WIDTH_DEG * 1.5, level="district")
    around = box(0, -1, 2, 2).difference(box(1, 0, 1 + GAP_WIDTH_DEG * 1.5, 1))
    parents = Layer("regency", ["73"], ["P"], np.array([around], dtype=object))
    result = checks.check_gaps(children, NO_REVIEW, parents)
    assert result["passed"] and len(result["holes_of_parent_layer"]) == 1
    inside = Layer("regency", ["73"], ["P"], np.array([box(0, -1, 2, 2)], dtype=object))
    assert not checks.check_gaps(children, NO_REVIEW, inside)["passed"]


def test_counts_come_from_the_reference_tables_and_the_reviewed_district_counts():
    layer = _sliver_layer()
    areas = {k: Area(k, k, 1.0, 1) for k in ["73", "73.01", "73.02", "73.03", "73.04", "73.05"]}
    areas["73.06"] = Area("73.06", "Kabupaten F", 1.0, 1)
    reference = Reference(areas, {}, {})
    (count,) = [r for r in checks.check_layer(layer, reference, NO_REVIEW) if r["check"] == "count"]
    assert not count["passed"] and count["expected"] == 6
    assert count["failures"] == ["regency: 5 areas, expected 6", "regency: missing 73.06"]
    districts = Layer("district", ["73.01.01"], ["D"], layer.geoms[:1])
    counted = Review({}, (), (), {"73": 1})
    (ok,) = [r for r in checks.check_layer(districts, reference, counted) if r["check"] == "count"]
    assert ok["passed"] and ok["expected"] == 1
    (missing,) = [
        r for r in checks.check_layer(districts, reference, NO_REVIEW) if r["check"] == "count"
    ]
    assert "no reviewed district count for province 73" in " ".join(missing["failures"])


def test_the_reviewed_lists_shipped_name_real_areas_with_reasons():
    from geo_coverage.boundaries.review import load_review
    from geo_coverage.region import PROVINCES

    review = load_review()
    assert sum(review.district_counts.values()) == 7285
    assert set(review.district_counts) == set(PROVINCES)
    assert sum(review.district_counts[p] for p in parse_region("sulawesi-maluku").provinces) == 1265
    for (level, kode), exception in review.area_exceptions.items():
        assert level in ("province", "regency") and kode.split(".")[0] in PROVINCES
        assert len(exception.reason) > 80
    assert all(len(gap.reason) > 80 for gap in review.known_gaps)
    assert [(m.kode, m.from_kode) for m in review.reassignments] == [("96.04", "96.01")]


def test_shared_borders_measures_each_line_along_each_area():
    areas = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)], dtype=object)
    lines = np.array([LineString([(0.5, 0), (1, 0), (1, 1), (1.5, 1)])], dtype=object)
    line_i, area_i, lengths = shared_borders(lines, areas)
    got = {int(a): float(x) for a, x in zip(area_i, lengths, strict=True)}
    assert set(line_i) == {0}
    assert got == pytest.approx({0: 1.5, 1: 1.5})
