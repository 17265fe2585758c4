"""Display geometry for the web: simplified with shared borders kept, encoded as TopoJSON."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import MultiPolygon

from geo_coverage.boundaries.geometry import areas_km2, polygonal_all

SIMPLIFY_TOLERANCE_DEG = 0.002  # about 220 m: below a pixel at the zooms the maps open on
GRID_DEG = 1e-5  # coordinates at 5 decimals (about 1 m)
MIN_ISLET_KM2 = 0.1
# The overview of a whole region keeps a sixth of a pixel of a 1000-pixel-wide map of it: its
# tolerance grows with the region's extent (never below the detail's), its smallest islet
# with the square of the tolerance.
OVERVIEW_PIXELS = 6000


def overview_tolerance(bounds: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """The simplification tolerance (degrees) and smallest islet kept (km²) of the overview
    of a region with these bounds (west, south, east, north)."""
    west, south, east, north = bounds
    tolerance = max(SIMPLIFY_TOLERANCE_DEG, max(east - west, north - south) / OVERVIEW_PIXELS)
    return tolerance, MIN_ISLET_KM2 * (tolerance / SIMPLIFY_TOLERANCE_DEG) ** 2


def simplify_coverage(
    geoms: np.ndarray,
    tolerance: float = SIMPLIFY_TOLERANCE_DEG,
    min_islet_km2: float = MIN_ISLET_KM2,
) -> tuple[np.ndarray, int]:
    """Simplify a valid coverage keeping shared borders, drop islets, snap to the grid.

    Returns the new geometries and the number of islets dropped. An islet is a small part
    touching no other area: enclaves stay, so dropping leaves no hole. An area never loses its
    largest part, however small.
    """
    simple = polygonal_all(shapely.coverage_simplify(np.asarray(geoms, dtype=object), tolerance))
    parts, owner = shapely.get_parts(simple, return_index=True)
    sizes = areas_km2(parts)
    largest = np.zeros(len(parts), dtype=bool)
    if len(parts):
        order = np.lexsort((-sizes, owner))  # by area, largest part first, then its first part
        largest[order[np.unique(owner[order], return_index=True)[1]]] = True
    small = np.flatnonzero((sizes < min_islet_km2) & ~largest)
    hit, other = shapely.STRtree(simple).query(parts[small], predicate="intersects")
    touching = np.unique(hit[owner[small[hit]] != other])
    drop = np.ones(len(small), dtype=bool)
    drop[touching] = False
    keep = np.ones(len(parts), dtype=bool)
    keep[small[drop]] = False
    out = np.array([MultiPolygon() for _ in simple], dtype=object)
    if keep.any():
        shapely.multipolygons(parts[keep], indices=owner[keep], out=out)
    snapped = shapely.set_precision(out, GRID_DEG)
    return polygonal_all(snapped), int(drop.sum())


def _rings(geom: MultiPolygon, translate: np.ndarray) -> list[list[list[tuple[int, int]]]]:
    """Each polygon's rings as closed lists of integer grid points, repeats removed."""
    polygons = []
    for poly in geom.geoms:
        rings = []
        for ring in [poly.exterior, *poly.interiors]:
            pts = np.round(np.asarray(ring.coords) / GRID_DEG).astype(np.int64) - translate
            keep = np.ones(len(pts), dtype=bool)
            keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
            pts = [tuple(map(int, p)) for p in pts[keep]]
            if len(pts) >= 4:
                rings.append(pts)
        if rings:
            polygons.append(rings)
    return polygons


class _ArcIndex:
    """Splits rings into arcs at topology nodes so that shared borders are stored once."""

    def __init__(self, all_rings: list[list[tuple[int, int]]]):
        neighbours: dict[tuple[int, int], set] = defaultdict(set)
        for ring in all_rings:
            for a, b in zip(ring[:-1], ring[1:], strict=True):
                neighbours[a].add(b)
                neighbours[b].add(a)
        self.nodes = {p for p, n in neighbours.items() if len(n) != 2}
        self.arcs: list[tuple] = []
        self.index: dict[tuple, int] = {}

    def _arc(self, chain: tuple) -> int:
        """The arc number of a chain: ~n when the stored arc runs the other way."""
        if chain in self.index:
            return self.index[chain]
        if chain[::-1] in self.index:
            return ~self.index[chain[::-1]]
        self.index[chain] = len(self.arcs)
        self.arcs.append(chain)
        return self.index[chain]

    def ring(self, ring: list[tuple[int, int]]) -> list[int]:
        """A ring as the list of arc numbers it is made of."""
        body = ring[:-1]
        starts = [i for i, p in enumerate(body) if p in self.nodes]
        if not starts:
            start = body.index(min(body))
            rotated = body[start:] + body[:start]
            return [self._arc(tuple(rotated + rotated[:1]))]
        rotated = body[starts[0] :] + body[: starts[0]]
        rotated.append(rotated[0])
        cuts = [i for i, p in enumerate(rotated) if p in self.nodes]
        return [
            self._arc(tuple(rotated[a : b + 1])) for a, b in zip(cuts[:-1], cuts[1:], strict=True)
        ]


def to_topojson(objects: dict[str, list[tuple[str, dict, MultiPolygon]]]) -> dict:
    """Encode named layers of (id, properties, geometry) as a quantized, delta-encoded TopoJSON."""
    geoms = [g for features in objects.values() for _, _, g in features]
    bounds = shapely.total_bounds(np.array(geoms, dtype=object))
    translate = np.floor(bounds[:2] / GRID_DEG).astype(np.int64)
    rings = {
        name: [(fid, props, _rings(g, translate)) for fid, props, g in features]
        for name, features in objects.items()
    }
    index = _ArcIndex(
        [r for feats in rings.values() for *_, polys in feats for poly in polys for r in poly]
    )
    out_objects = {}
    for name, feats in rings.items():
        out_objects[name] = {
            "type": "GeometryCollection",
            "geometries": [
                {
                    "type": "MultiPolygon",
                    "id": fid,
                    "properties": props,
                    "arcs": [[index.ring(r) for r in poly] for poly in polys],
                }
                for fid, props, polys in feats
            ],
        }
    arcs = []
    for chain in index.arcs:
        pts = np.asarray(chain, dtype=np.int64)
        deltas = np.vstack([pts[:1], np.diff(pts, axis=0)])
        arcs.append(deltas.tolist())
    return {
        "type": "Topology",
        "bbox": [round(float(b), 5) for b in bounds],
        "transform": {
            "scale": [GRID_DEG, GRID_DEG],
            "translate": [float(translate[0] * GRID_DEG), float(translate[1] * GRID_DEG)],
        },
        "objects": out_objects,
        "arcs": arcs,
    }


def encoded_sizes(topology: dict) -> tuple[bytes, int, int]:
    """The compact JSON bytes of a topology, their size and their gzipped size."""
    raw = json.dumps(topology, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return raw, len(raw), len(gzip.compress(raw, 9))
