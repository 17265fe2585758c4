"""Nest a layer's areas in their parents: clip each to its parent and fill the parent's slivers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from geo_coverage.boundaries.gaps import (
    GAP_WIDTH_DEG,
    KM_PER_DEG,
    inscribed_width_deg,
    shared_borders,
)
from geo_coverage.boundaries.geometry import areas_km2, polygonal, polygonal_all


@dataclass(frozen=True)
class Nested:
    """Children clipped to their parents, and what was cut, filled and left uncovered."""

    geoms: np.ndarray
    clipped_km2: float  # children's area outside their own parent, cut away
    filled: int  # uncovered parts of a parent merged into one of its children
    received_km2: np.ndarray  # area each child received from them
    uncovered: list[dict]  # uncovered parts of a parent wider than the widest filled, left out


def parent_code(kode: str) -> str:
    """The code one level up ('73.71.01' -> '73.71')."""
    return kode.rsplit(".", 1)[0]


def nest_in_parents(
    codes: Sequence[str],
    geoms: np.ndarray,
    parent_codes: Sequence[str],
    parent_geoms: np.ndarray,
    max_width_deg: float = GAP_WIDTH_DEG,
) -> Nested:
    """Clip each child to its parent; merge each uncovered part of a parent no wider than
    max_width_deg into the child of that parent sharing most of its border (touching none: the
    nearest child of that parent).

    The children must form a valid coverage. Wider uncovered parts stay out of every child.
    Children whose parent is missing are kept as they are. The result is cleaned into a valid
    coverage.
    """
    geoms = np.asarray(geoms, dtype=object)
    where = {k: i for i, k in enumerate(parent_codes)}
    parent_of = np.array([where.get(parent_code(k), -1) for k in codes])
    has = parent_of >= 0
    parents = np.asarray(parent_geoms, dtype=object)
    clipped = geoms.copy()
    clipped[has] = list(polygonal_all(shapely.intersection(geoms[has], parents[parent_of[has]])))
    cut = float(areas_km2(geoms).sum() - areas_km2(clipped).sum())
    pieces, piece_parent = _uncovered(geoms, parent_of, parents)
    target = _receiver(pieces, piece_parent, clipped, parent_of)
    # a piece no wider than its bounding box: measure only those whose box is wider than the limit
    bounds = shapely.bounds(pieces)
    width = np.minimum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    wide = width > max_width_deg
    width[wide] = inscribed_width_deg(pieces[wide])
    sizes = areas_km2(pieces)
    fill = (target >= 0) & (width <= max_width_deg)
    out = clipped.copy()
    for t in np.unique(target[fill]):
        out[t] = polygonal(shapely.union_all([out[t], *pieces[fill & (target == t)]]))
    out = polygonal_all(shapely.coverage_clean(out))  # type: ignore[attr-defined]  # shapely 2.2, newer than its stubs

    received = np.zeros(len(geoms))
    np.add.at(received, target[fill], sizes[fill])
    uncovered = []
    for i in np.flatnonzero(~fill):
        p = shapely.point_on_surface(pieces[i])
        uncovered.append(
            {
                "parent": parent_codes[piece_parent[i]],
                "area_km2": round(float(sizes[i]), 4),
                "width_km": round(float(width[i]) * KM_PER_DEG, 3),
                "point": [round(p.x, 6), round(p.y, 6)],
                "next_to": codes[target[i]] if target[i] >= 0 else None,
            }
        )
    return Nested(out, round(cut, 4), int(fill.sum()), received, uncovered)


def _uncovered(
    children: np.ndarray, parent_of: np.ndarray, parents: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The connected parts of each parent that none of its children covers (the children being
    a valid coverage, as drawn: clipping them first would not change the parts)."""
    pieces, owner = [], []
    for p, parent in enumerate(parents):
        mine = children[parent_of == p]
        rest = shapely.difference(parent, shapely.coverage_union_all(mine)) if len(mine) else parent
        for part in shapely.get_parts(polygonal(rest)):
            pieces.append(part)
            owner.append(p)
    return np.array(pieces, dtype=object), np.array(owner, dtype=int)


def _receiver(
    pieces: np.ndarray, piece_parent: np.ndarray, clipped: np.ndarray, parent_of: np.ndarray
) -> np.ndarray:
    """For each piece, the child of the same parent sharing most of its border, or, sharing
    none, the nearest child of that parent (-1: the parent has no child)."""
    target = np.full(len(pieces), -1)
    if not len(pieces):
        return target
    rings, ring_piece = shapely.get_rings(pieces, return_index=True)
    ring_i, child_i, lengths = shared_borders(rings, clipped)
    piece_i = ring_piece[ring_i]
    same = parent_of[child_i] == piece_parent[piece_i]
    pairs, inverse = np.unique(
        np.column_stack([piece_i[same], child_i[same]]), axis=0, return_inverse=True
    )
    totals = np.bincount(inverse.ravel(), weights=lengths[same], minlength=len(pairs))
    order = np.lexsort((-totals, pairs[:, 0]))  # by piece, longest border first
    first = np.unique(pairs[order, 0], return_index=True)[1]
    target[pairs[order[first], 0]] = pairs[order[first], 1]
    for p in np.flatnonzero(target < 0):
        siblings = np.flatnonzero(parent_of == piece_parent[p])
        if len(siblings):
            target[p] = siblings[np.argmin(shapely.distance(pieces[p], clipped[siblings]))]
    return target
