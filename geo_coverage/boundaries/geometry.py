"""Geometry helpers shared by the build and the views: parsing, areas, overlaps."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

EQUAL_AREA_CRS = "EPSG:6933"  # WGS 84 / NSIDC EASE-Grid 2.0 Global: cylindrical equal-area
_TO_EQUAL_AREA = Transformer.from_crs("EPSG:4326", EQUAL_AREA_CRS, always_xy=True)


def parse_latlng_multipolygon(text: str) -> tuple[MultiPolygon, int]:
    """A MultiPolygon from the dumps' nested [lat, lng] arrays, and how many rings were closed.

    Accepts a Polygon (rings of points) or a MultiPolygon (polygons of rings); swaps each
    point to (lng, lat) and closes rings whose last point differs from the first.
    """
    data = json.loads(text)
    if not data or not isinstance(data[0], list):
        raise ValueError("empty geometry")
    polygons = data if isinstance(data[0][0][0], list) else [data]
    closed = 0
    built = []
    for rings in polygons:
        coords = []
        for ring in rings:
            pts = np.asarray(ring, dtype=float)
            if pts.ndim != 2 or pts.shape[1] != 2:
                raise ValueError("a point is not a [lat, lng] pair")
            pts = pts[:, ::-1]
            if not np.array_equal(pts[0], pts[-1]):
                pts = np.vstack([pts, pts[:1]])
                closed += 1
            coords.append(pts)
        built.append(Polygon(coords[0], coords[1:]))
    return MultiPolygon(built), closed


def to_equal_area(geoms: np.ndarray) -> np.ndarray:
    """Project lon/lat geometries to the equal-area CRS (metres)."""
    return shapely.transform(
        geoms, lambda xy: np.column_stack(_TO_EQUAL_AREA.transform(xy[:, 0], xy[:, 1]))
    )


def areas_km2(geoms: Sequence[BaseGeometry] | np.ndarray) -> np.ndarray:
    """Area in km² of each lon/lat geometry, computed on the equal-area projection."""
    return shapely.area(to_equal_area(np.asarray(geoms, dtype=object))) / 1e6


def polygonal(geom):
    """Only the polygonal parts of a geometry, as a MultiPolygon."""
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon | MultiPolygon)]
    flat = [q for p in parts for q in (p.geoms if isinstance(p, MultiPolygon) else [p])]
    return MultiPolygon([q for q in flat if not q.is_empty])


def polygonal_all(geoms) -> np.ndarray:
    """polygonal() of each geometry of an array, vectorised for the (multi)polygons."""
    geoms = np.asarray(geoms, dtype=object)
    types = shapely.get_type_id(geoms)
    simple = (types == shapely.GeometryType.POLYGON) | (types == shapely.GeometryType.MULTIPOLYGON)
    out = np.empty(len(geoms), dtype=object)
    parts, index = shapely.get_parts(geoms[simple], return_index=True)
    keep = ~shapely.is_empty(parts)
    made = np.array([MultiPolygon() for _ in range(int(simple.sum()))], dtype=object)
    if keep.any():
        shapely.multipolygons(parts[keep], indices=index[keep], out=made)
    out[simple] = made
    out[~simple] = [polygonal(g) for g in geoms[~simple]]
    return out


def overlapping_pairs(codes: list[str], geoms: np.ndarray) -> list[tuple[str, str, float]]:
    """Every pair of geometries whose interiors overlap, with the overlap area in km²."""
    geoms = np.asarray(geoms, dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return []
    inter = shapely.intersection(geoms[left], geoms[right])
    area = shapely.area(to_equal_area(inter)) / 1e6
    return [
        (codes[a], codes[b], float(x)) for a, b, x in zip(left, right, area, strict=True) if x > 0
    ]
