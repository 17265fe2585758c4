"""Where the numbered priority markers of a static map go: on their area when the disc leaves
every area mostly visible and touches no other marker, otherwise moved to the nearest free
spot (preferring the sea) with a leader line back to the area. Plane geometry in any unit
(the image uses inches on the page); no drawing, no Flask.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

LOGGER = logging.getLogger(__name__)

MIN_VISIBLE = 0.5  # every area keeps at least this share of its surface out from under discs
DIRECTIONS = 24  # candidate directions around an anchor
START = 1.2  # the nearest candidates' distance from the anchor, in radii
RINGS = 14  # candidate distances, in steps of one radius from START
GAP = 0.15  # space between two discs, and between a disc and a leader, in radii
SIMPLIFY = 0.01  # outline tolerance, in radii
LAND_PENALTY = 3.0  # a spot whose disc lies wholly on land counts as this many radii farther
CROSSING_PENALTY = 1.0  # each radius of leader over other areas counts this many radii extra


@dataclass(frozen=True)
class Placed:
    """A marker's disc centre, the point inside its area it stands for, and whether it moved
    (then a leader line joins the two)."""

    x: float
    y: float
    anchor: tuple[float, float]
    moved: bool

    def leader(self, radius: float) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The leader line from the anchor to the disc's edge, or None when not moved."""
        if not self.moved:
            return None
        ax, ay = self.anchor
        dx, dy = self.x - ax, self.y - ay
        length = math.hypot(dx, dy)
        return (ax, ay), (self.x - dx / length * radius, self.y - dy / length * radius)


class _Board:
    """The areas, the discs and leaders placed so far, and the checks a new spot must pass."""

    def __init__(self, areas, frame, radius: float, anchors):
        # Outlines a hundredth of a radius apart are the same for this purpose, and much faster.
        self.areas = shapely.simplify(np.asarray(areas, dtype=object), radius * SIMPLIFY)
        self.sizes = shapely.area(self.areas)
        self.tree = shapely.STRtree(self.areas)
        self.frame = frame
        self.radius = radius
        self.anchors = anchors
        self.discs: list[Point] = []
        self.centres: list[tuple[float, float]] = []
        self.leaders: list[LineString] = []
        self.covered: dict[int, BaseGeometry] = {}  # area index -> its part under discs so far

    def disc(self, x: float, y: float):
        """A disc at a spot."""
        return Point(x, y).buffer(self.radius, quad_segs=8)

    def inside_frame(self, x: float, y: float) -> bool:
        """Whether the disc lies within the frame."""
        west, south, east, north = self.frame
        r = self.radius
        return west + r <= x <= east - r and south + r <= y <= north - r

    def clear_of_markers(self, x: float, y: float, own: int, leader) -> bool:
        """No overlap with placed discs and leaders, no other anchor under the disc, and the
        leader passes no placed disc."""
        space = self.radius * (2 + GAP)
        if any(math.hypot(x - cx, y - cy) < space for cx, cy in self.centres):
            return False
        reach = self.radius * (1 + GAP)
        for i, (px, py) in enumerate(self.anchors):
            if i != own and math.hypot(x - px, y - py) < reach:
                return False
        spot = Point(x, y)
        if any(line.distance(spot) < reach for line in self.leaders):
            return False
        if leader is not None:
            return all(leader.distance(Point(c)) >= reach for c in self.centres)
        return True

    def hidden(self, disc) -> bool:
        """Whether adding the disc leaves some area with less than MIN_VISIBLE of it showing."""
        for i in self.tree.query(disc, predicate="intersects"):
            under = shapely.intersection(self.areas[i], disc)
            if i in self.covered:
                under = shapely.union(under, self.covered[i])
            if shapely.area(under) > (1 - MIN_VISIBLE) * self.sizes[i]:
                return True
        return False

    def land_share(self, disc) -> float:
        """The share of a disc over land."""
        near = self.areas[self.tree.query(disc, predicate="intersects")]
        return float(shapely.area(shapely.intersection(near, disc)).sum() / shapely.area(disc))

    def land_crossed(self, leader, own: int) -> float:
        """How far a leader runs over other areas than its own."""
        anchor = Point(self.anchors[own])
        near = self.tree.query(leader, predicate="intersects")
        others = [i for i in near if not self.areas[i].covers(anchor)]
        return float(shapely.length(shapely.intersection(self.areas[others], leader)).sum())

    def crosses_leaders(self, leader) -> bool:
        """Whether a leader would cross a placed one."""
        return leader is not None and any(leader.crosses(line) for line in self.leaders)

    def add(self, x: float, y: float, leader) -> None:
        """Keep a placed disc and its leader."""
        disc = self.disc(x, y)
        self.discs.append(disc)
        self.centres.append((x, y))
        if leader is not None:
            self.leaders.append(leader)
        for i in self.tree.query(disc, predicate="intersects"):
            under = shapely.intersection(self.areas[i], disc)
            self.covered[i] = shapely.union(self.covered[i], under) if i in self.covered else under


def _candidates(anchor: tuple[float, float], radius: float):
    """Spots around an anchor, nearest first: rings of directions, each ring turned a little."""
    ax, ay = anchor
    for ring in range(RINGS):
        distance = radius * (START + ring)
        turn = (ring % 2) * math.pi / DIRECTIONS
        for k in range(DIRECTIONS):
            angle = turn + 2 * math.pi * k / DIRECTIONS
            yield ring, ax + distance * math.cos(angle), ay + distance * math.sin(angle)


def _choose(board: _Board, own: int, strict: bool) -> tuple[float, float] | None:
    """The best free spot for one marker (None if there is none): the nearest spot whose
    disc hides no area, cheaper the more of it lies over the sea."""
    anchor = board.anchors[own]
    best, best_cost = None, math.inf
    for ring, x, y in _candidates(anchor, board.radius):
        if START + ring >= best_cost:
            break  # a farther ring cannot beat the best spot so far
        if not board.inside_frame(x, y):
            continue
        leader = LineString([anchor, (x, y)])
        if not board.clear_of_markers(x, y, own, leader):
            continue
        if strict and board.crosses_leaders(leader):
            continue
        disc = board.disc(x, y)
        if board.hidden(disc):
            continue
        crossed = board.land_crossed(leader, own) / board.radius
        cost = (START + ring) + LAND_PENALTY * board.land_share(disc) + CROSSING_PENALTY * crossed
        if cost < best_cost:
            best, best_cost = (x, y), cost
    return best


def place_markers(
    anchors: list[tuple[float, float]],
    areas: list,
    frame: tuple[float, float, float, float],
    radius: float,
) -> list[Placed]:
    """Discs of `radius` for markers standing for `anchors` (points inside their areas), in
    the given order (the first chooses first): no two discs overlap, every disc stays in the
    frame (west, south, east, north), and every area keeps at least half of its surface
    visible. A disc that cannot stay on its anchor moves with a leader line; one that finds
    no free spot at all stays on its anchor (logged)."""
    board = _Board(areas, frame, radius, anchors)
    placed = []
    for own, anchor in enumerate(anchors):
        x, y = anchor
        at_anchor = (
            board.inside_frame(x, y)
            and board.clear_of_markers(x, y, own, None)
            and not board.hidden(board.disc(x, y))
        )
        spot = (x, y) if at_anchor else _choose(board, own, strict=True)
        if spot is None:
            spot = _choose(board, own, strict=False)  # leaders may cross
        if spot is None:
            LOGGER.warning(f"no free spot for marker {own + 1}; left on its area")
            spot = (x, y)
        moved = spot != (x, y)
        leader = LineString([anchor, spot]) if moved else None
        board.add(*spot, leader)
        placed.append(Placed(spot[0], spot[1], (x, y), moved))
    return placed
