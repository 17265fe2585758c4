"""Marker placement: discs apart, inside the frame, leaders into their areas, no area hidden."""

import math

import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from geo_coverage.maps.placement import place_markers

RADIUS = 0.5
VISIBLE = 0.5  # no more than half of an area under markers


def _grid(n: int, size: float, origin: float = 0.0) -> list:
    """n × n square areas of a given side, the first at (origin, origin)."""
    return [
        box(origin + i * size, origin + j * size, origin + (i + 1) * size, origin + (j + 1) * size)
        for i in range(n)
        for j in range(n)
    ]


def _check(placed, anchors, areas, frame, radius=RADIUS) -> None:
    """The placement's promises."""
    west, south, east, north = frame
    discs = [Point(m.x, m.y).buffer(radius, quad_segs=32) for m in placed]
    for i, marker in enumerate(placed):
        assert marker.anchor == anchors[i]
        assert west + radius - 1e-9 <= marker.x <= east - radius + 1e-9
        assert south + radius - 1e-9 <= marker.y <= north - radius + 1e-9
        for other in placed[i + 1 :]:
            assert math.hypot(marker.x - other.x, marker.y - other.y) >= 2 * radius
        own = next(a for a in areas if a.covers(Point(anchors[i])))
        leader = marker.leader(radius)
        if marker.moved:
            start, end = leader
            assert own.covers(Point(start)), "a leader ends inside its area"
            assert math.isclose(math.dist(end, (marker.x, marker.y)), radius)
            for j, other in enumerate(placed):
                if j != i:
                    assert shapely.LineString(leader).distance(Point(other.x, other.y)) >= radius
        else:
            assert leader is None and own.covers(Point(marker.x, marker.y))
    for i, anchor in enumerate(anchors):  # every leader's end and every anchor stays visible
        for j, marker in enumerate(placed):
            if i != j or marker.moved:
                assert math.dist(anchor, (marker.x, marker.y)) > radius
    under = shapely.union_all(discs)
    for area in areas:
        hidden = area.intersection(under).area / area.area
        assert hidden <= VISIBLE + 0.02, "an area is hidden under markers"


def test_a_marker_on_a_large_area_stays_put():
    areas = [box(0, 0, 10, 10)]
    placed = place_markers([(5.0, 5.0)], areas, (-3, -3, 13, 13), RADIUS)
    assert not placed[0].moved and (placed[0].x, placed[0].y) == (5.0, 5.0)


def test_a_marker_on_a_small_area_moves_off_with_a_leader_into_it():
    small = box(4.8, 4.8, 5.2, 5.2)  # far smaller than a disc
    areas = [small, box(0, 0, 4.8, 10), box(5.2, 0, 10, 10)]
    placed = place_markers([(5.0, 5.0)], areas, (-5, -5, 15, 15), RADIUS)
    assert placed[0].moved
    disc = Point(placed[0].x, placed[0].y).buffer(RADIUS)
    assert disc.intersection(small).area <= VISIBLE * small.area
    _check(placed, [(5.0, 5.0)], areas, (-5, -5, 15, 15))


def test_markers_on_one_spot_spread_apart_without_hiding_the_neighbours():
    areas = _grid(6, 1.0)  # small squares: a disc covers most of one
    anchors = [(2.5, 2.5), (2.55, 2.5), (3.5, 2.5), (2.5, 3.5), (3.5, 3.5)]
    frame = (-4, -4, 10, 10)
    placed = place_markers(anchors, areas, frame, RADIUS)
    _check(placed, anchors, areas, frame)


def test_the_sea_is_preferred_to_covering_land():
    land = [box(0, 0, 2, 2)]
    frame = (-6, -6, 8, 8)
    placed = place_markers([(1.0, 1.0), (1.1, 1.0)], land, frame, RADIUS * 1.8)
    assert placed[1].moved
    disc = Point(placed[1].x, placed[1].y).buffer(RADIUS * 1.8)
    assert disc.intersection(land[0]).area < 0.2 * disc.area
    _check(placed, [(1.0, 1.0), (1.1, 1.0)], land, frame, RADIUS * 1.8)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 7), st.floats(0.1, 0.9), st.floats(0.1, 0.9)),
        min_size=1,
        max_size=8,
        unique_by=lambda t: (t[0], t[1]),
    ),
    st.floats(0.25, 0.7),
)
def test_any_cluster_keeps_the_promises(cells, radius):
    areas = _grid(8, 1.0)  # discs from a fifth to one and a half of a square
    anchors = [(i + dx, j + dy) for i, j, dx, dy in cells]
    frame = (-5.0, -5.0, 13.0, 13.0)
    placed = place_markers(anchors, areas, frame, radius)
    _check(placed, anchors, areas, frame, radius)
