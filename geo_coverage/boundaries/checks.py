"""Checks every build runs on its layers; each failure names the areas and why.

What the reviewed lists (review.py) name is accepted and reported as such: areas whose size is
known to differ from the official table, gaps the source leaves open. Anything else outside the
tolerances fails, and so does a listed exception whose measurement has drifted from the one
reviewed or that is no longer needed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np
import shapely

from geo_coverage.boundaries.gaps import GAP_WIDTH_DEG, KM_PER_DEG, Hole, find_holes
from geo_coverage.boundaries.geometry import areas_km2, overlapping_pairs
from geo_coverage.boundaries.layers import AREA_TOLERANCE, NESTING_MIN_SHARE, Layer
from geo_coverage.boundaries.review import Review
from geo_coverage.region import province_of
from geo_coverage.sources.reference import Reference

# How far a listed exception's measurement may drift before it must be reviewed again.
EXCEPTION_DRIFT_PP = 1.0  # area difference, percentage points
KNOWN_GAP_DRIFT = 0.05  # gap area, share of the listed area
PARENT_HOLE_KM2 = 0.001  # a hole overlapping the parents by no more lies outside them


def _result(name: str, level: str, failures: list[str], **detail) -> dict:
    """One check's outcome as stored in the build report."""
    return {"check": name, "level": level, "passed": not failures, "failures": failures, **detail}


def _count_check(layer: Layer, reference: Reference, review: Review) -> dict:
    """As many areas as the reference tables hold for the region, with the same codes
    (districts, which the tables do not list: the reviewed count of each province)."""
    provinces = [a.kode for a in reference.provinces()]
    failures = []
    if layer.level == "district":
        expected = sum(review.district_counts.get(p, 0) for p in provinces)
        failures += [
            f"district: no reviewed district count for province {p}"
            for p in provinces
            if p not in review.district_counts
        ]
    else:
        known = {
            a.kode
            for a in (reference.provinces() if layer.level == "province" else reference.regencies())
        }
        expected = len(known)
        found = set(layer.codes)
        if missing := sorted(known - found):
            failures.append(f"{layer.level}: missing {', '.join(missing)}")
        if unknown := sorted(found - known):
            failures.append(
                f"{layer.level}: {', '.join(unknown)} not in the reference tables of the region"
            )
    if len(layer.codes) != expected:
        failures.insert(0, f"{layer.level}: {len(layer.codes)} areas, expected {expected}")
    return _result("count", layer.level, failures, count=len(layer.codes), expected=expected)


def check_layer(
    layer: Layer, reference: Reference, review: Review, parents: Layer | None = None
) -> list[dict]:
    """Counts, codes, validity, coverage, overlaps, gaps and official areas of one layer
    (`parents`: the layer it was nested in, whose own holes are judged there)."""
    out = [_count_check(layer, reference, review)]
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
    out.append(check_gaps(layer, review, parents))
    if layer.level in AREA_TOLERANCE:
        out.append(_official_area_check(layer, reference, review))
    return out


def _known(hole: Hole, level: str, review: Review) -> int | None:
    """The index of the reviewed gap at this hole (its listed point lies in it), or None."""
    for i, gap in enumerate(review.known_gaps):
        if gap.level == level and shapely.intersects(hole.polygon, shapely.Point(gap.lon, gap.lat)):
            return i
    return None


def _outside(hole: Hole, parents: Layer) -> bool:
    """Whether a hole lies outside every area of the parent layer (it is the parents' hole or
    gap: a layer nested in its parents cannot cover it)."""
    tree = shapely.STRtree(parents.geoms)
    near = parents.geoms[tree.query(hole.polygon, predicate="intersects")]
    inside = areas_km2(shapely.intersection(hole.polygon, near)).sum() if len(near) else 0.0
    return bool(inside <= PARENT_HOLE_KM2)


def check_gaps(layer: Layer, review: Review, parents: Layer | None = None) -> dict:
    """No gap between neighbours: every hole of the layer's union lies inside one area, or is a
    gap of the reviewed list (with about its listed area).

    Holes inside one area (a lake) are kept and listed; so are, for a layer nested in
    `parents`, holes outside every parent (a lake or gap of the parents, judged at their level).
    Every other gap fails, naming its neighbours, and so does a listed gap that is not found
    although its neighbours are all in the layer.
    """
    holes = find_holes(layer.geoms)
    failures, known, matched = [], [], set()
    gaps, of_parents = [], []
    for hole in (h for h in holes if h.is_gap):
        if parents is not None and _outside(hole, parents):
            of_parents.append(hole)
            continue
        listed = _known(hole, layer.level, review)
        if listed is None:
            gaps.append(hole)
            continue
        gap = review.known_gaps[listed]
        matched.add(listed)
        d = hole.describe(layer.codes, layer.names)
        known.append({**d, "reason": gap.reason})
        if abs(hole.area_km2 / gap.area_km2 - 1) > KNOWN_GAP_DRIFT:
            failures.append(
                f"{layer.level}: the reviewed gap at lon {gap.lon}, lat {gap.lat} measures "
                f"{hole.area_km2:.1f} km², listed as {gap.area_km2:.1f} km² "
                f"(more than {KNOWN_GAP_DRIFT:.0%} apart): review it in known_gaps.csv"
            )
    present = set(layer.codes)
    for i, gap in enumerate(review.known_gaps):
        if gap.level == layer.level and i not in matched and set(gap.neighbours) <= present:
            failures.append(
                f"{layer.level}: the reviewed gap at lon {gap.lon}, lat {gap.lat} between "
                f"{', '.join(gap.neighbours)} is not found: remove it from known_gaps.csv"
            )
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
        known_gaps=known,
        known_gap_km2=round(sum(g["area_km2"] for g in known), 4),
        holes_of_parent_layer=[h.describe(layer.codes, layer.names) for h in of_parents],
        holes_in_one_area=[h.describe(layer.codes, layer.names) for h in inside],
        holes_in_one_area_km2=round(sum(h.area_km2 for h in inside), 4),
    )


def _official_area_check(layer: Layer, reference: Reference, review: Review) -> dict:
    """Each area within the level's tolerance of its official area (wilayah_luas), or a
    reviewed exception measuring about what was reviewed."""
    tol = AREA_TOLERANCE[layer.level]
    failures, deviations, excepted = [], {}, {}
    for kode, nama, km2 in zip(layer.codes, layer.names, areas_km2(layer.geoms), strict=True):
        official = reference.areas.get(kode)
        if official is None or not official.luas_km2:
            failures.append(f"{layer.level} {kode} {nama}: no official area to compare with")
            continue
        dev = km2 / official.luas_km2 - 1
        deviations[kode] = round(dev * 100, 2)
        listed = review.area_exceptions.get((layer.level, kode))
        where = (
            f"{layer.level} {kode} {nama}: area {km2:.1f} km² is {dev:+.1%} "
            f"from the official {official.luas_km2:.1f} km²"
        )
        if listed is not None and abs(dev) <= tol:
            failures.append(
                f"{where}, within ±{tol:.0%}: remove it from the reviewed area_exceptions.csv"
            )
        elif listed is not None and abs(dev * 100 - listed.difference_pct) > EXCEPTION_DRIFT_PP:
            failures.append(
                f"{where}; area_exceptions.csv lists {listed.difference_pct:+.1f} %: review it"
            )
        elif listed is not None:
            excepted[kode] = {"difference_pct": round(dev * 100, 2), "reason": listed.reason}
        elif abs(dev) > tol:
            failures.append(f"{where} (allowed ±{tol:.0%})")
    judged = {k: v for k, v in deviations.items() if k not in excepted}
    worst = max(judged.items(), key=lambda kv: abs(kv[1]), default=(None, 0))
    return _result(
        "official_area",
        layer.level,
        failures,
        tolerance_pct=tol * 100,
        max_abs_deviation_pct=abs(worst[1]),
        worst=worst[0],
        excepted=excepted,
        deviation_pct=deviations,
    )


def nesting_share(children: Layer, parents: Layer, parent_of) -> dict[str, float | None]:
    """Share of each child's area inside the parent with its parent code (None: no parent)."""
    index = {k: i for i, k in enumerate(parents.codes)}
    where = np.array([index.get(parent_of(k), -1) for k in children.codes], dtype=int)
    has = where >= 0
    geoms = np.asarray(children.geoms, dtype=object)[has]
    inside = areas_km2(shapely.intersection(geoms, np.asarray(parents.geoms)[where[has]]))
    total = areas_km2(geoms)
    shares: dict[str, float | None] = dict.fromkeys(children.codes)
    for kode, part, whole in zip(np.asarray(children.codes)[has], inside, total, strict=True):
        shares[str(kode)] = float(part / whole) if whole else 0.0
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
