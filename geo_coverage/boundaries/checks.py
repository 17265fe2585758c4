"""Checks every build runs on its layers; each failure names the areas and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np
import shapely

from geo_coverage.boundaries.gaps import GAP_WIDTH_DEG, KM_PER_DEG, find_holes
from geo_coverage.boundaries.geometry import areas_km2, overlapping_pairs
from geo_coverage.boundaries.layers import AREA_TOLERANCE, EXPECTED_COUNTS, NESTING_MIN_SHARE, Layer
from geo_coverage.region import province_of
from geo_coverage.sources.reference import Reference


def _result(name: str, level: str, failures: list[str], **detail) -> dict:
    """One check's outcome as stored in the build report."""
    return {"check": name, "level": level, "passed": not failures, "failures": failures, **detail}


def check_layer(layer: Layer, reference: Reference) -> list[dict]:
    """Counts, codes, validity, coverage, overlaps and official areas of one layer."""
    out = []
    expected = EXPECTED_COUNTS[layer.level]
    out.append(
        _result(
            "count",
            layer.level,
            []
            if len(layer.codes) == expected
            else [f"{layer.level}: {len(layer.codes)} areas, expected {expected}"],
            count=len(layer.codes),
        )
    )
    dupes = [k for k, n in Counter(layer.codes).items() if n > 1]
    out.append(
        _result(
            "unique_codes",
            layer.level,
            [f"{layer.level} {k}: code appears more than once" for k in dupes],
        )
    )
    valid = shapely.is_valid(layer.geoms)
    out.append(
        _result(
            "valid",
            layer.level,
            [
                f"{layer.level} {layer.codes[i]} {layer.names[i]}: invalid geometry "
                f"({shapely.is_valid_reason(layer.geoms[i])})"
                for i in np.flatnonzero(~valid)
            ],
            invalid=int((~valid).sum()),
        )
    )
    covered = bool(shapely.coverage_is_valid(layer.geoms))
    out.append(
        _result(
            "coverage_valid",
            layer.level,
            []
            if covered
            else [
                f"{layer.level}: polygons do not form a valid coverage (edges not shared exactly)"
            ],
        )
    )
    pairs = overlapping_pairs(layer.codes, layer.geoms)
    out.append(
        _result(
            "no_overlaps",
            layer.level,
            [f"{layer.level} {a} and {b} overlap by {km2:.6f} km²" for a, b, km2 in pairs],
            pairs=len(pairs),
            overlap_km2=round(sum(x for *_, x in pairs), 6),
        )
    )
    out.append(check_gaps(layer))
    if layer.level in AREA_TOLERANCE:
        out.append(_official_area_check(layer, reference))
    return out


def check_gaps(layer: Layer) -> dict:
    """No gap between neighbours: every hole of the layer's union lies inside one area.

    Holes inside one area (a lake) are kept and listed; each gap fails, naming its neighbours.
    """
    holes = find_holes(layer.geoms)
    gaps = [h for h in holes if h.is_gap]
    failures = []
    for hole in gaps:
        d = hole.describe(layer.codes, layer.names)
        around = ", ".join(
            f"{k} {n}" for k, n in zip(d["neighbours"], d["neighbour_names"], strict=True)
        )
        wide = (
            f", wider than the {GAP_WIDTH_DEG * KM_PER_DEG:.1f} km the build closes"
            if hole.width_deg > GAP_WIDTH_DEG
            else ""
        )
        failures.append(
            f"{layer.level}: gap of {d['area_km2']:.4f} km² ({d['width_km']:.3f} km wide{wide}) "
            f"at lon {d['point'][0]}, lat {d['point'][1]}, between {around}"
        )
    inside = [h for h in holes if not h.is_gap]
    return _result(
        "gaps",
        layer.level,
        failures,
        gaps=len(gaps),
        gap_km2=round(sum(h.area_km2 for h in gaps), 4),
        holes_in_one_area=[h.describe(layer.codes, layer.names) for h in inside],
        holes_in_one_area_km2=round(sum(h.area_km2 for h in inside), 4),
    )


def _official_area_check(layer: Layer, reference: Reference) -> dict:
    """Each area within the level's tolerance of its official area (wilayah_luas)."""
    tol = AREA_TOLERANCE[layer.level]
    failures, deviations = [], {}
    for kode, nama, km2 in zip(layer.codes, layer.names, areas_km2(layer.geoms), strict=True):
        official = reference.areas.get(kode)
        if official is None or not official.luas_km2:
            failures.append(f"{layer.level} {kode} {nama}: no official area to compare with")
            continue
        dev = km2 / official.luas_km2 - 1
        deviations[kode] = round(dev * 100, 2)
        if abs(dev) > tol:
            failures.append(
                f"{layer.level} {kode} {nama}: area {km2:.1f} km² is {dev:+.1%} "
                f"from the official {official.luas_km2:.1f} km² "
                f"(allowed ±{tol:.0%})"
            )
    worst = max(deviations.items(), key=lambda kv: abs(kv[1]), default=(None, 0))
    return _result(
        "official_area",
        layer.level,
        failures,
        tolerance_pct=tol * 100,
        max_abs_deviation_pct=abs(worst[1]),
        worst=worst[0],
        deviation_pct=deviations,
    )


def nesting_share(children: Layer, parents: Layer, parent_of) -> dict[str, float | None]:
    """Share of each child's area inside the parent with its parent code (None: no parent)."""
    parent = dict(zip(parents.codes, parents.geoms, strict=True))
    shares = {}
    for kode, geom in zip(children.codes, children.geoms, strict=True):
        p = parent.get(parent_of(kode))
        if p is None:
            shares[kode] = None
            continue
        inside = areas_km2([shapely.intersection(geom, p)])[0]
        total = areas_km2([geom])[0]
        shares[kode] = float(inside / total) if total else 0.0
    return shares


def check_nesting(layers: Mapping[str, Layer]) -> list[dict]:
    """Regencies inside their province; districts inside their regency (required when nested)."""
    out = []
    shares = nesting_share(layers["regency"], layers["province"], province_of)
    failures = [
        f"regency {k}: no province {province_of(k)} in the province layer"
        if s is None
        else f"regency {k}: only {s:.2%} of its area lies in province {province_of(k)} "
        f"(required {NESTING_MIN_SHARE:.1%})"
        for k, s in shares.items()
        if s is None or s < NESTING_MIN_SHARE
    ]
    known = [s for s in shares.values() if s is not None]
    out.append(
        _result(
            "regency_in_province",
            "regency",
            failures,
            min_share_pct=round(min(known, default=0) * 100, 3),
        )
    )
    if "district" in layers:
        out.append(_district_nesting(layers["district"], layers["regency"]))
    return out


def _district_nesting(districts: Layer, regencies: Layer) -> dict:
    """Districts inside their regency: required when the build nested them, else reported."""
    d = nesting_share(districts, regencies, lambda k: ".".join(k.split(".")[:2]))
    known = {k: s for k, s in d.items() if s is not None}
    below = sorted(k for k, s in known.items() if s < NESTING_MIN_SHARE)
    without = sorted(k for k, s in d.items() if s is None)
    required = districts.stats.get("nested_in") == "regency"
    failures = (
        [f"district {k}: no regency {k.rsplit('.', 1)[0]} in the regency layer" for k in without]
        + [
            f"district {k}: only {known[k]:.2%} of its area lies in regency "
            f"{k.rsplit('.', 1)[0]} (required {NESTING_MIN_SHARE:.1%})"
            for k in below
        ]
        if required
        else []
    )
    return {
        "check": "district_in_regency",
        "level": "district",
        "passed": not failures,
        "informational": not required,
        "failures": failures,
        "min_share_pct": round(min(known.values(), default=0) * 100, 3),
        "below_required_share": below,
        "without_regency": without,
    }
