"""Boundary layers for the region: parse, repair, check and write them as shapefiles."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_coverage.boundaries.gaps import (
    GAP_WIDTH_DEG,
    KM_PER_DEG,
    close_gaps,
    find_holes,
    summarise,
)
from geo_coverage.boundaries.geometry import (
    areas_km2,
    overlapping_pairs,
    parse_latlng_multipolygon,
    polygonal,
    polygonal_all,
)
from geo_coverage.boundaries.nesting import nest_in_parents
from geo_coverage.boundaries.review import Reassignment
from geo_coverage.region import Region, level_of, province_of
from geo_coverage.sources.dumps import read_rows
from geo_coverage.sources.pinned import region_files
from geo_coverage.sources.reference import Reference

LOGGER = logging.getLogger(__name__)

AREA_TOLERANCE = {"province": 0.01, "regency": 0.06}
NESTING_MIN_SHARE = 0.995
NESTING_REPORT_CHANGE = 0.01  # nesting repairs are listed for areas whose size changes more
DUMP_FOLDERS = {"province": "prov", "regency": "kab", "district": "kec"}


@dataclass
class Layer:
    """One level's areas (kode, nama, geometry in lon/lat) and the repairs made to them."""

    level: str
    codes: list[str]
    names: list[str]
    geoms: np.ndarray
    repairs: list[dict] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    def frame(self) -> gpd.GeoDataFrame:
        """The layer as a GeoDataFrame with the shapefile's fields."""
        df = gpd.GeoDataFrame(
            {
                "kode": self.codes,
                "nama": self.names,
                "prov_kode": [province_of(k) for k in self.codes],
                "level": self.level,
            },
            geometry=list(self.geoms),
            crs="EPSG:4326",
        )
        if self.level == "district":
            df["kab_kode"] = [".".join(k.split(".")[:2]) for k in self.codes]
        df["area_km2"] = np.round(areas_km2(self.geoms), 3)
        return df


def dump_files(level: str, region: Region) -> list[str]:
    """Keys (dataset/path) of the dump files holding one level for the region."""
    folder = f"db/{DUMP_FOLDERS[level]}/"
    return [
        pin.key
        for pin in region_files(region)
        if pin.dataset == "wilayah_boundaries" and pin.path.startswith(folder)
    ]


def parse_dump_layer(paths: Mapping[str, Path], level: str, region: Region) -> Layer:
    """Read one level for the region from the boundary dumps, closing unclosed rings."""
    codes, names, geoms, repairs = [], [], [], []
    problems = []
    for key in dump_files(level, region):
        for row in read_rows(paths[key], "wilayah_boundaries"):
            kode = str(row.values["kode"])
            if level_of(kode) != level or not region.contains(kode):
                continue
            try:
                geom, closed = parse_latlng_multipolygon(str(row.values["path"]))
            except (ValueError, TypeError, IndexError) as exc:
                problems.append(f"{paths[key]}, line {row.line}, {kode}: unreadable path ({exc})")
                continue
            if closed:
                repairs.append(
                    {
                        "repair": "closed_ring",
                        "kode": kode,
                        "rings": closed,
                        "file": key,
                        "line": row.line,
                    }
                )
            codes.append(kode)
            names.append(str(row.values["nama"]))
            geoms.append(geom)
    if problems:
        raise ValueError("\n".join(problems))
    return Layer(level, codes, names, np.array(geoms, dtype=object), repairs)


def repair_layer(layer: Layer, progress: Callable[[str], None] = LOGGER.info) -> Layer:
    """Make every geometry valid and remove overlaps so the layer is a valid coverage."""
    geoms = layer.geoms
    repairs = list(layer.repairs)
    invalid = ~shapely.is_valid(geoms)
    for i in np.flatnonzero(invalid):
        repairs.append(
            {
                "repair": "made_valid",
                "kode": layer.codes[i],
                "reason": shapely.is_valid_reason(geoms[i]),
            }
        )
    fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
    geoms = geoms.copy()
    geoms[invalid] = list(polygonal_all(fixed))
    progress(f"{layer.level}: {int(invalid.sum())} invalid geometries made valid")
    before = overlapping_pairs(layer.codes, geoms)
    for a, b, km2 in before:
        repairs.append({"repair": "overlap_removed", "kode": [a, b], "area_km2": round(km2, 4)})
    area_before = areas_km2(geoms)
    cleaned = polygonal_all(shapely.coverage_clean(geoms))  # type: ignore[attr-defined]  # shapely 2.2, newer than its stubs
    area_after = areas_km2(cleaned)
    progress(
        f"{layer.level}: {len(before)} overlapping pairs "
        f"({sum(x for *_, x in before):.2f} km²) resolved into a clean coverage"
    )
    stats = {
        "invalid_before": int(invalid.sum()),
        "overlapping_pairs_before": len(before),
        "overlap_km2_before": round(sum(x for *_, x in before), 4),
        "area_change_km2_max": round(float(np.max(np.abs(area_after - area_before))), 4),
    }
    return Layer(layer.level, layer.codes, layer.names, cleaned, repairs, stats)


def reassign_from_districts(
    regencies: Layer,
    districts: Layer,
    reassignments: Sequence[Reassignment],
    progress: Callable[[str], None] = LOGGER.info,
) -> Layer:
    """Move to a regency the part of another regency's polygon that its own districts cover
    (a reviewed list: where the regency polygons predate a transfer of districts).

    Works on the regencies as parsed (made valid here), before the repairs clean the coverage;
    reassignments naming a regency outside the layer are skipped.
    """
    index = {k: i for i, k in enumerate(regencies.codes)}
    geoms = regencies.geoms.copy()
    repairs = list(regencies.repairs)
    for move in reassignments:
        if move.kode not in index or move.from_kode not in index:
            continue
        to, source = index[move.kode], index[move.from_kode]
        mine = [
            g
            for k, g in zip(districts.codes, districts.geoms, strict=True)
            if k.startswith(move.kode + ".")
        ]
        cover = shapely.union_all(mine) if mine else shapely.Polygon()
        valid = [polygonal(shapely.make_valid(geoms[i], method="structure")) for i in (to, source)]
        part = polygonal(shapely.intersection(valid[1], cover))
        geoms[source] = polygonal(shapely.difference(valid[1], part))
        geoms[to] = polygonal(shapely.union(valid[0], part))
        km2 = float(areas_km2([part])[0])
        repairs.append(
            {
                "repair": "reassigned_from_districts",
                "kode": move.kode,
                "from": move.from_kode,
                "area_km2": round(km2, 3),
                "reason": move.reason,
            }
        )
        progress(
            f"regency: {km2:.1f} km² of {move.from_kode} covered by districts of "
            f"{move.kode} moved to {move.kode} (reviewed list)"
        )
    return Layer(regencies.level, regencies.codes, regencies.names, geoms, repairs, regencies.stats)


def close_layer_gaps(
    layer: Layer,
    max_width_deg: float = GAP_WIDTH_DEG,
    progress: Callable[[str], None] = LOGGER.info,
) -> Layer:
    """Close the gaps between neighbours, each into the neighbour sharing most of its border."""
    holes = find_holes(layer.geoms)
    geoms, closed = close_gaps(layer.geoms, holes, max_width_deg)
    repairs = list(layer.repairs)
    for hole in closed:
        repairs.append(
            {
                "repair": "gap_closed",
                "kode": layer.codes[hole.neighbours[0]],
                "neighbours": [layer.codes[i] for i in hole.neighbours],
                "area_km2": round(hole.area_km2, 4),
                "width_km": round(hole.width_deg * KM_PER_DEG, 3),
                "point": list(hole.point()),
            }
        )
    km2 = sum(h.area_km2 for h in closed)
    progress(f"{layer.level}: {len(closed)} gaps between neighbours ({km2:.2f} km²) closed")
    stats = {
        **layer.stats,
        "gap_width_max_km": round(max_width_deg * KM_PER_DEG, 3),
        "gaps_before": summarise(holes, layer.codes, layer.names),
        "gaps_closed": len(closed),
        "gap_km2_closed": round(km2, 4),
    }
    return Layer(layer.level, layer.codes, layer.names, geoms, repairs, stats)


def nest_layer(
    children: Layer,
    parents: Layer,
    max_width_deg: float = GAP_WIDTH_DEG,
    progress: Callable[[str], None] = LOGGER.info,
) -> Layer:
    """The children clipped to their parents, filling each parent's narrow uncovered parts."""
    before = summarise(find_holes(children.geoms), children.codes, children.names)
    nested = nest_in_parents(
        children.codes, children.geoms, parents.codes, parents.geoms, max_width_deg
    )
    area_before, area_after = areas_km2(children.geoms), areas_km2(nested.geoms)
    change = area_after / np.where(area_before > 0, area_before, np.nan) - 1
    repairs = list(children.repairs)
    for i in np.flatnonzero(np.abs(change) > NESTING_REPORT_CHANGE):
        repairs.append(
            {
                "repair": f"nested_in_{parents.level}",
                "kode": children.codes[i],
                "area_km2_before": round(float(area_before[i]), 3),
                "area_km2_after": round(float(area_after[i]), 3),
            }
        )
    uncovered_km2 = sum(u["area_km2"] for u in nested.uncovered)
    progress(
        f"{children.level}: clipped to their {parents.level}; {nested.filled} uncovered parts "
        f"({nested.received_km2.sum():.2f} km²) filled, {len(nested.uncovered)} wider ones "
        f"({uncovered_km2:.2f} km²) left in no {children.level}"
    )
    quantiles = np.nanquantile(change, (0.0, 0.01, 0.5, 0.99, 1.0)) * 100
    stats = {
        **children.stats,
        "gap_width_max_km": round(max_width_deg * KM_PER_DEG, 3),
        "gaps_before": before,
        "nested_in": parents.level,
        "nesting": {
            "clipped_km2": nested.clipped_km2,
            "parts_filled": nested.filled,
            "filled_km2": round(float(nested.received_km2.sum()), 4),
            "uncovered": nested.uncovered,
            "uncovered_km2": round(uncovered_km2, 4),
            "area_change_pct": dict(
                zip(
                    ("min", "p1", "p50", "p99", "max"), np.round(quantiles, 2).tolist(), strict=True
                )
            ),
        },
    }
    return Layer(children.level, children.codes, children.names, nested.geoms, repairs, stats)


def provinces_from_regencies(regencies: Layer, reference: Reference) -> Layer:
    """Province polygons as the union of their repaired regencies, so borders agree exactly."""
    codes = sorted({province_of(k) for k in regencies.codes})
    by_prov = pd.Series(list(regencies.geoms)).groupby([province_of(k) for k in regencies.codes])
    geoms = np.array(
        [
            polygonal(shapely.coverage_union_all(np.array(list(by_prov.get_group(p)))))
            for p in codes
        ],
        dtype=object,
    )
    names = [reference.areas[p].nama if p in reference.areas else p for p in codes]
    return Layer(
        "province", codes, names, geoms, [{"repair": "derived_from_regencies", "kode": codes}]
    )


def compare_source_provinces(derived: Layer, source: Layer) -> dict:
    """How the published province polygons differ from the union of their regencies."""
    src = dict(zip(source.codes, source.geoms, strict=True))
    rows: dict[str, dict[str, bool | float]] = {}
    for kode, geom in zip(derived.codes, derived.geoms, strict=True):
        if kode not in src:
            rows[kode] = {"missing_in_source": True}
            continue
        diff = shapely.symmetric_difference(geom, src[kode])
        rows[kode] = {
            "source_area_km2": round(float(areas_km2([src[kode]])[0]), 1),
            "derived_area_km2": round(float(areas_km2([geom])[0]), 1),
            "symmetric_difference_km2": round(float(areas_km2([diff])[0]), 1),
        }
    return rows
