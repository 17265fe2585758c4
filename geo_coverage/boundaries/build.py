"""The boundary build: fetch, parse, repair, check, write shapes/ and the build report."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from geo_coverage.boundaries import checks, display
from geo_coverage.boundaries.gaps import find_holes, summarise
from geo_coverage.boundaries.geometry import polygonal
from geo_coverage.boundaries.layers import (
    Layer,
    close_layer_gaps,
    compare_source_provinces,
    nest_layer,
    parse_dump_layer,
    provinces_from_regencies,
    reassign_from_districts,
    repair_layer,
)
from geo_coverage.boundaries.own import OwnBoundaries, dataset_files, read_own_layer
from geo_coverage.boundaries.review import Review, load_review
from geo_coverage.boundaries.shapes import (
    DETAIL_PREFIX,
    DISPLAY_GPKG,
    DISPLAY_TOPOJSON,
    FAILED_REPORT_NAME,
    REPORT_NAME,
    detail_topojson,
    is_built,
    read_report,
)
from geo_coverage.config import Settings
from geo_coverage.errors import BuildError
from geo_coverage.package_files import package_digest
from geo_coverage.region import BOUNDARY_LEVELS, LAYER_NAMES, Region, province_of
from geo_coverage.sources.pinned import fetch_all, input_digest, sha256_of
from geo_coverage.sources.reference import Reference, load_reference

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOutcome:
    """What a build did: whether it rebuilt, and the report it wrote or found."""

    rebuilt: bool
    report: dict


def build_key(region: Region, own: OwnBoundaries | None, review: Review) -> str:
    """A digest of everything the shapes depend on: the region, its inputs, an own file, the
    reviewed lists and the build's code."""
    digest = hashlib.sha256(f"{region.key}|{input_digest(region)}|{review!r}".encode())
    digest.update(package_digest("sources", "boundaries", "region.py").encode())
    if own is not None:
        for part in dataset_files(own.path):
            digest.update(sha256_of(part).encode())
        digest.update(f"{own.code_field}|{own.name_field}|{own.level}".encode())
    return digest.hexdigest()


def _layers(
    paths: Mapping[str, Path],
    reference: Reference,
    own: OwnBoundaries | None,
    region: Region,
    review: Review,
    progress: Callable[[str], None],
) -> tuple[dict[str, Layer], dict]:
    """Parse (or read the own file for one level), repair, close gaps, derive provinces from
    the regencies and nest the districts in them (an own district file is kept un-nested).

    The public regencies first get the reviewed reassignments from the districts."""
    raw: dict[str, Layer] = {}
    for level in BOUNDARY_LEVELS:
        if own is not None and own.level == level:
            progress(f"{level}: reading {own.path}")
            known = _known_codes(paths, reference, level, region)
            raw[level] = read_own_layer(own, known)
        else:
            progress(f"{level}: parsing the public boundary dumps")
            raw[level] = parse_dump_layer(paths, level, region)
    repaired = {"district": repair_layer(raw["district"], progress)}
    if own is None:
        raw["regency"] = reassign_from_districts(
            raw["regency"], repaired["district"], review.reassignments, progress
        )
    for level in BOUNDARY_LEVELS:
        if level not in repaired:
            repaired[level] = repair_layer(raw[level], progress)
    layers = dict(repaired)
    layers["regency"] = close_layer_gaps(repaired["regency"], progress=progress)
    extra: dict = {}
    if own is None or own.level != "province":
        before = provinces_from_regencies(repaired["regency"], reference)
        derived = provinces_from_regencies(layers["regency"], reference)
        extra["source_provinces_vs_regency_union"] = compare_source_provinces(
            derived, repaired["province"]
        )
        derived.stats = {
            **repaired["province"].stats,
            "derived_from": "regencies",
            "gaps_before": summarise(find_holes(before.geoms), before.codes, before.names),
        }
        layers["province"] = derived
    else:
        layers["province"] = close_layer_gaps(repaired["province"], progress=progress)
    if own is not None and own.level == "district":
        layers["district"] = close_layer_gaps(repaired["district"], progress=progress)
    else:
        layers["district"] = nest_layer(repaired["district"], layers["regency"], progress=progress)
    return {lv: layers[lv] for lv in BOUNDARY_LEVELS}, extra


def _known_codes(
    paths: Mapping[str, Path], reference: Reference, level: str, region: Region
) -> set[str]:
    """The Kemendagri codes of the region at one level."""
    if level == "province":
        return {a.kode for a in reference.provinces()}
    if level == "regency":
        return {a.kode for a in reference.regencies()}
    return set(parse_dump_layer(paths, "district", region).codes)


def _by_province(codes: list[str]) -> dict[str, list[int]]:
    """The positions of the codes of each province, in code order of the provinces."""
    out: dict[str, list[int]] = {}
    for i, kode in enumerate(codes):
        out.setdefault(province_of(kode), []).append(i)
    return dict(sorted(out.items()))


def _features(layer: Layer, geoms: np.ndarray, keep: list[int] | None = None) -> list[tuple]:
    """(id, properties, geometry) of a layer's areas for TopoJSON, optionally some of them."""
    out = []
    for i in range(len(layer.codes)) if keep is None else keep:
        kode = layer.codes[i]
        props = {"nama": layer.names[i], "prov_kode": province_of(kode)}
        if layer.level == "district":
            props["kab_kode"] = kode.rsplit(".", 1)[0]
        out.append((kode, props, geoms[i]))
    return out


def _union_by_province(codes: list[str], geoms: np.ndarray, provinces: list[str]) -> np.ndarray:
    """Province polygons merged from their (simplified) regencies."""
    groups = _by_province(codes)
    return np.array(
        [polygonal(shapely.coverage_union_all(geoms[groups[p]])) for p in provinces],
        dtype=object,
    )


def _display(layers: Mapping[str, Layer]) -> tuple[dict, dict[str, gpd.GeoDataFrame], dict]:
    """The display geometry: the overview of the region (regencies and provinces simplified
    for its extent), each province's detail (regencies and districts), the detail regencies,
    provinces and districts as GeoDataFrames (display.gpkg), and their figures.

    Returns ({file name: TopoJSON bytes}, frames, figures)."""
    reg, prov, dis = layers["regency"], layers["province"], layers["district"]
    detail, dropped = display.simplify_coverage(reg.geoms)
    districts, districts_dropped = display.simplify_coverage(dis.geoms)
    tolerance, min_islet = display.overview_tolerance(shapely.total_bounds(reg.geoms))
    if tolerance == display.SIMPLIFY_TOLERANCE_DEG:
        overview, overview_dropped = detail, dropped
    else:
        overview, overview_dropped = display.simplify_coverage(reg.geoms, tolerance, min_islet)
    frames = {
        "regencies": gpd.GeoDataFrame(
            {"kode": reg.codes, "nama": reg.names}, geometry=list(detail), crs="EPSG:4326"
        ),
        "provinces": gpd.GeoDataFrame(
            {"kode": prov.codes, "nama": prov.names},
            geometry=list(_union_by_province(reg.codes, detail, prov.codes)),
            crs="EPSG:4326",
        ),
        "districts": gpd.GeoDataFrame(
            {"kode": dis.codes, "nama": dis.names}, geometry=list(districts), crs="EPSG:4326"
        ),
    }
    overview_provinces = _union_by_province(reg.codes, overview, prov.codes)
    topology = display.to_topojson(
        {
            "regencies": _features(reg, overview),
            "provinces": _features(prov, overview_provinces),
        }
    )
    raw, size, gz = display.encoded_sizes(topology)
    files = {DISPLAY_TOPOJSON: raw}
    per_province = {}
    district_groups = _by_province(dis.codes)
    for p, mine in _by_province(reg.codes).items():
        theirs = district_groups.get(p, [])
        detail_raw, detail_size, detail_gz = display.encoded_sizes(
            display.to_topojson(
                {
                    "regencies": _features(reg, detail, mine),
                    "districts": _features(dis, districts, theirs),
                }
            )
        )
        files[detail_topojson(p)] = detail_raw
        per_province[p] = {
            "regencies": len(mine),
            "districts": len(theirs),
            "topojson_bytes": detail_size,
            "topojson_gzip_bytes": detail_gz,
        }
    largest = max(per_province, key=lambda p: per_province[p]["topojson_gzip_bytes"])
    figures = {
        "tolerance_deg": tolerance,
        "grid_deg": display.GRID_DEG,
        "islets_dropped": overview_dropped,
        "min_islet_km2": round(min_islet, 4),
        "regency_vertices": int(shapely.get_num_coordinates(overview).sum()),
        "regency_vertices_full": int(shapely.get_num_coordinates(reg.geoms).sum()),
        "coverage_valid": bool(shapely.coverage_is_valid(overview)),
        "gaps": sum(h.is_gap for h in find_holes(overview)),
        "arcs": len(topology["arcs"]),
        "topojson_bytes": size,
        "topojson_gzip_bytes": gz,
        "detail": {
            "tolerance_deg": display.SIMPLIFY_TOLERANCE_DEG,
            "min_islet_km2": display.MIN_ISLET_KM2,
            "islets_dropped": {"regency": dropped, "district": districts_dropped},
            "regency_vertices": int(shapely.get_num_coordinates(detail).sum()),
            "district_vertices": int(shapely.get_num_coordinates(districts).sum()),
            "district_vertices_full": int(shapely.get_num_coordinates(dis.geoms).sum()),
            "largest": largest,
            "provinces": per_province,
        },
    }
    return files, frames, figures


_BEFORE_DERIVED = (
    "overlaps: the published province polygons; gaps: the union of the repaired regencies "
    "before their gaps were closed (holes in one area are gaps between regencies of one province)"
)
_BEFORE_NESTED = "as drawn, after make_valid (overlaps) and coverage_clean (gaps), before nesting"
_BEFORE = "as drawn, after make_valid (overlaps) and coverage_clean (gaps)"


def _before_is(stats: Mapping) -> str:
    """What a layer's 'before' figures describe."""
    if "derived_from" in stats:
        return _BEFORE_DERIVED
    return _BEFORE_NESTED if "nested_in" in stats else _BEFORE


def _coverage_figures(layers: Mapping[str, Layer], results: list[dict]) -> dict:
    """Overlaps and gaps of each layer before the repairs and after them (from the checks)."""
    out = {}
    for level, layer in layers.items():
        found = {r["check"]: r for r in results if r["level"] == level}
        before = layer.stats.get("gaps_before", {})
        gap_keys = ("gaps", "gap_km2", "holes_in_one_area", "holes_in_one_area_km2")
        out[level] = {
            "before_is": _before_is(layer.stats),
            "overlaps": {
                "before": {
                    "pairs": layer.stats.get("overlapping_pairs_before"),
                    "km2": layer.stats.get("overlap_km2_before"),
                },
                "after": {
                    "pairs": found["no_overlaps"]["pairs"],
                    "km2": found["no_overlaps"]["overlap_km2"],
                },
            },
            "gaps": {
                "before": {k: before.get(k) for k in gap_keys},
                "after": {
                    k: len(v) if isinstance(v, list) else v
                    for k, v in found["gaps"].items()
                    if k in gap_keys
                },
            },
        }
    return out


def _layer_figures(layer: Layer) -> dict:
    """Vertex and part counts of a layer."""
    return {
        "count": len(layer.codes),
        "vertices": int(shapely.get_num_coordinates(layer.geoms).sum()),
        "parts": int(sum(len(shapely.get_parts(g)) for g in layer.geoms)),
        **layer.stats,
        "repairs": layer.repairs,
    }


def _write(
    tmp: Path,
    layers: Mapping[str, Layer],
    reference: Reference,
    topologies: Mapping[str, bytes],
    frames: Mapping[str, gpd.GeoDataFrame],
) -> dict[str, int]:
    """Write every output into a temporary folder; return file sizes in bytes."""
    for level, layer in layers.items():
        frame = layer.frame()
        if level != "district":
            frame["luas_km2"] = [
                reference.areas[k].luas_km2 if k in reference.areas else None for k in layer.codes
            ]
        pyogrio.write_dataframe(
            frame, tmp / f"{LAYER_NAMES[level]}.shp", driver="ESRI Shapefile", encoding="UTF-8"
        )
    for name, raw in topologies.items():
        (tmp / name).write_bytes(raw)
        (tmp / f"{name}.gz").write_bytes(gzip.compress(raw, 9))
    for name, frame in frames.items():
        pyogrio.write_dataframe(frame, tmp / DISPLAY_GPKG, layer=name, driver="GPKG")
    return {p.name: p.stat().st_size for p in sorted(tmp.iterdir())}


def build_shapes(
    settings: Settings,
    own: OwnBoundaries | None = None,
    force: bool = False,
    progress: Callable[[str], None] = LOGGER.info,
    review: Review | None = None,
) -> BuildOutcome:
    """Build shapes/ for the settings' region unless it is already built from the same inputs
    and code; `review` replaces the reviewed lists shipped with the code (tests)."""
    if own is not None and not own.path.is_file():
        raise BuildError([f"{own.path}: no such file (--boundaries)"])
    region = settings.region
    review = load_review() if review is None else review
    key = build_key(region, own, review)
    previous = read_report(settings.shapes)
    if not force and previous and previous.get("build_key") == key and is_built(settings.shapes):
        progress(
            f"shapes in {settings.shapes} are up to date (built {previous['built_at']}); "
            "nothing to do"
        )
        return BuildOutcome(False, previous)
    started = time.monotonic()
    progress(f"building the shapes of {region.name} ({len(region.provinces)} provinces)")
    paths = fetch_all(settings, progress)
    reference = load_reference(paths, region)
    layers, extra = _layers(paths, reference, own, region, review, progress)
    progress("checking validity, coverage, nesting and official areas")
    results = [
        r
        for layer in layers.values()
        for r in checks.check_layer(
            layer, reference, review, layers["regency"] if "nested_in" in layer.stats else None
        )
    ]
    results += checks.check_nesting(layers)
    report = {
        "build_key": key,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": {
            "key": region.key,
            "code": region.code,
            "name": region.name,
            "slug": region.slug,
            "provinces": list(region.provinces),
        },
        "source": _source_description(settings, own),
        "inputs": {
            k: {"sha256": sha256_of(p), "bytes": p.stat().st_size} for k, p in sorted(paths.items())
        },
        "official_area_code_repairs": dict(reference.repaired_codes),
        "official_name_repairs": dict(reference.repaired_names),
        "layers": {lv: _layer_figures(layer) for lv, layer in layers.items()},
        "coverage_repairs": _coverage_figures(layers, results),
        "checks": results,
        **extra,
    }
    problems = [f for r in results for f in r["failures"]]
    settings.shapes.mkdir(parents=True, exist_ok=True)
    if problems:
        report["problems"] = problems
        _dump_json(settings.shapes / FAILED_REPORT_NAME, report)
        raise BuildError(problems + [f"full report: {settings.shapes / FAILED_REPORT_NAME}"])
    progress("simplifying the display geometry")
    topologies, frames, figures = _display(layers)
    report["display"] = figures
    with tempfile.TemporaryDirectory(dir=settings.shapes, prefix=".build-") as tmp:
        report["files_bytes"] = _write(Path(tmp), layers, reference, topologies, frames)
        report["seconds"] = round(time.monotonic() - started, 1)
        _dump_json(Path(tmp) / REPORT_NAME, report)
        for item in Path(tmp).iterdir():
            os.replace(item, settings.shapes / item.name)
    for stale in settings.shapes.glob(f"{DETAIL_PREFIX}*"):
        if stale.name not in report["files_bytes"]:
            stale.unlink()
    (settings.shapes / FAILED_REPORT_NAME).unlink(missing_ok=True)
    progress(
        f"wrote {len(report['files_bytes'])} files to {settings.shapes} in {report['seconds']} s"
    )
    return BuildOutcome(True, report)


def _source_description(settings: Settings, own: OwnBoundaries | None) -> dict:
    """Where the inputs came from, for the report."""
    out: dict = {"public_data": str(settings.mirror) if settings.mirror else settings.upstream}
    if own is not None:
        out["own_boundaries"] = {
            "file": str(own.path),
            "sha256": sha256_of(own.path),
            "code_field": own.code_field,
            "name_field": own.name_field,
            "level": own.level,
        }
    return out


def _dump_json(path: Path, data: dict) -> None:
    """Write JSON atomically, numpy numbers included."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=_plain), encoding="utf-8")
    os.replace(tmp, path)


def _plain(value):
    """JSON for numpy scalars."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value)}")
