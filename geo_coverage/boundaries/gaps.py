"""Holes in a polygon coverage: find them, tell gaps from real holes, and close the gaps.

A hole is an interior ring of the union of a layer. A hole bordered by two or more areas is a
gap (a sliver left between neighbours' borders: a point in it falls in no area); a hole bordered
by one area only (a lake, or land the source leaves out of that one area) is a real hole and is
kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from geo_coverage.boundaries.geometry import areas_km2, polygonal

# The widest gap closed, as the diameter of the largest circle inside it (in degrees, like the
# coordinates; 0.02° ≈ 2.2 km in this region). Chosen from the measured gaps: see shapes/README.md.
GAP_WIDTH_DEG = 0.02
KM_PER_DEG = 111.32  # one degree of latitude, or of longitude at the equator (≤ 1.5 % off here)
_WIDTH_TOLERANCE_DEG = 1e-5  # about a metre
_ON_BORDER_DEG = 1e-9  # a segment whose midpoint is this close to an area runs along its border


@dataclass(frozen=True)
class Hole:
    """An interior ring of a layer's union and the areas around it."""

    polygon: Polygon | MultiPolygon  # without the islands of other parts of the union inside it
    neighbours: tuple[int, ...]  # indexes of the areas along its outer ring, longest border first
    border_deg: tuple[float, ...]  # length of border shared with each of them
    width_deg: float  # diameter of the largest circle inside it
    area_km2: float

    @property
    def is_gap(self) -> bool:
        """A gap lies between two or more areas; a real hole lies inside one."""
        return len(self.neighbours) >= 2

    def point(self) -> tuple[float, float]:
        """A point inside the hole (lon, lat), rounded to 6 decimals."""
        p = shapely.point_on_surface(self.polygon)
        return (round(p.x, 6), round(p.y, 6))

    def describe(self, codes: Sequence[str], names: Sequence[str]) -> dict:
        """The hole as stored in the build report."""
        return {
            "area_km2": round(self.area_km2, 4),
            "width_km": round(self.width_deg * KM_PER_DEG, 3),
            "point": list(self.point()),
            "neighbours": [codes[i] for i in self.neighbours],
            "neighbour_names": [names[i] for i in self.neighbours],
        }


def inscribed_width_deg(geoms: np.ndarray) -> np.ndarray:
    """The width of each polygon: the diameter of the largest circle inside it, in degrees."""
    circles = shapely.maximum_inscribed_circle(
        np.asarray(geoms, dtype=object), _WIDTH_TOLERANCE_DEG
    )
    return 2 * shapely.length(circles)


def shared_borders(
    lines: np.ndarray, geoms: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which geometries each line runs along, and for how long (in degrees).

    Each segment of a line counts for every geometry whose boundary passes within
    _ON_BORDER_DEG of its midpoint; returns (line index, geometry index, length) per pair.
    """
    coords, which = shapely.get_coordinates(np.asarray(lines, dtype=object), return_index=True)
    same = which[1:] == which[:-1]
    start, end, line_of = coords[:-1][same], coords[1:][same], which[:-1][same]
    midpoints = shapely.points((start + end) / 2)
    seg_i, geom_i = shapely.STRtree(np.asarray(geoms, dtype=object)).query(
        midpoints, predicate="dwithin", distance=_ON_BORDER_DEG
    )
    lengths = np.hypot(*(end[seg_i] - start[seg_i]).T)
    pairs, inverse = np.unique(
        np.column_stack([line_of[seg_i], geom_i]), axis=0, return_inverse=True
    )
    totals = np.bincount(inverse.ravel(), weights=lengths, minlength=len(pairs))
    return pairs[:, 0], pairs[:, 1], totals


def find_holes(geoms: np.ndarray) -> list[Hole]:
    """Every interior ring of the union of the geometries, with its neighbours and width."""
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return []
    union = (
        shapely.coverage_union_all(geoms)
        if shapely.coverage_is_valid(geoms)
        else shapely.union_all(geoms)
    )
    parts = shapely.get_parts(polygonal(union))
    polygons = np.array([Polygon(ring) for part in parts for ring in part.interiors], dtype=object)
    if not len(polygons):
        return []
    rings = shapely.get_exterior_ring(polygons)
    ring_i, island_i = shapely.STRtree(parts).query(polygons, predicate="contains")
    for i in np.unique(ring_i):
        polygons[i] = polygonal(
            shapely.difference(polygons[i], shapely.union_all(parts[island_i[ring_i == i]]))
        )
    borders: list[list[tuple[float, int]]] = [[] for _ in polygons]
    for h, a, length in zip(*shared_borders(rings, geoms), strict=True):
        borders[h].append((float(length), int(a)))
    widths = inscribed_width_deg(polygons)
    sizes = areas_km2(polygons)
    holes = []
    for poly, around, width, km2 in zip(polygons, borders, widths, sizes, strict=True):
        around.sort(key=lambda la: (-la[0], la[1]))
        holes.append(
            Hole(
                poly,
                tuple(a for _, a in around),
                tuple(length for length, _ in around),
                float(width),
                float(km2),
            )
        )
    return holes


def close_gaps(
    geoms: np.ndarray, holes: Sequence[Hole], max_width_deg: float = GAP_WIDTH_DEG
) -> tuple[np.ndarray, list[Hole]]:
    """Merge each gap no wider than max_width_deg into the neighbour sharing most of its border.

    Real holes and wider gaps are left as they are. Returns the new geometries and the gaps
    closed.
    """
    closed = [h for h in holes if h.is_gap and h.width_deg <= max_width_deg]
    by_target: dict[int, list[Polygon | MultiPolygon]] = {}
    for hole in closed:
        by_target.setdefault(hole.neighbours[0], []).append(hole.polygon)
    out = np.asarray(geoms, dtype=object).copy()
    for target, polygons in by_target.items():
        out[target] = polygonal(shapely.union_all([out[target], *polygons]))
    return out, closed


def summarise(holes: Sequence[Hole], codes: Sequence[str], names: Sequence[str]) -> dict:
    """Count, area and width distribution of the gaps, and the holes inside one area."""
    gaps = [h for h in holes if h.is_gap]
    widths = np.array([h.width_deg * KM_PER_DEG for h in gaps])
    sizes = np.array([h.area_km2 for h in gaps])
    out: dict = {"gaps": len(gaps), "gap_km2": round(float(sizes.sum()), 4)}
    if gaps:
        quantiles = (0.5, 0.9, 0.99, 1.0)
        out["gap_width_km"] = {
            f"p{round(q * 100)}": round(float(np.quantile(widths, q)), 3) for q in quantiles
        }
        out["gap_area_km2"] = {
            f"p{round(q * 100)}": round(float(np.quantile(sizes, q)), 4) for q in quantiles
        }
        out["widest"] = [
            h.describe(codes, names) for h in sorted(gaps, key=lambda h: -h.width_deg)[:5]
        ]
    inside = [h for h in holes if not h.is_gap]
    out["holes_in_one_area"] = len(inside)
    out["holes_in_one_area_km2"] = round(sum(h.area_km2 for h in inside), 4)
    return out
