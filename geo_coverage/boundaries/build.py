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
    repair_layer,
)
from geo_coverage.boundaries.own import OwnBoundaries, dataset_files, read_own_layer
from geo_coverage.boundaries.shapes import (
    DISPLAY_GPKG,
    DISPLAY_TOPOJSON,
    FAILED_REPORT_NAME,
    REPORT_NAME,
    is_built,
    read_report,
)
from geo_coverage.config import Settings
from geo_coverage.errors import BuildError
from geo_coverage.package_files import package_digest
from geo_coverage.region import BOUNDARY_LEVELS, LAYER_NAMES
from geo_coverage.sources.pinned import fetch_all, input_digest, sha256_of
from geo_coverage.sources.reference import Reference, load_reference

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOutcome:
    """What a build did: whether it rebuilt, and the report it wrote or found."""

    rebuilt: bool
    report: dict


def build_key(own: OwnBoundaries | None) -> str:
    """A digest of everything the shapes depend on: inputs, own file, and the build's code."""
    digest = hashlib.sha256(input_digest().encode())
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
    progress: Callable[[str], None],
) -> tuple[dict[str, Layer], dict]:
    """Parse (or read the own file for one level), repair, close gaps, derive provinces from
    the regencies and nest the districts in them (an own district file is kept un-nested)."""
    raw: dict[str, Layer] = {}
    for level in BOUNDARY_LEVELS:
        if own is not None and own.level == level:
            progress(f"{level}: reading {own.path}")
            known = _known_codes(paths, reference, level)
            raw[level] = read_own_layer(own, known)
        else:
            progress(f"{level}: parsing the public boundary dumps")
            raw[level] = parse_dump_layer(paths, level)
    repaired = {lv: repair_layer(layer, progress) for lv, layer in raw.items()}
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


def _known_codes(paths: Mapping[str, Path], reference: Reference, level: str) -> set[str]:
    """The Kemendagri codes of the region at one level."""
    if level == "province":
        return {a.kode for a in reference.provinces()}
    if level == "regency":
        return {a.kode for a in reference.regencies()}
    return set(parse_dump_layer(paths, "district").codes)


def _display(layers: Mapping[str, Layer]) -> tuple[dict, dict[str, gpd.GeoDataFrame], dict]:
    """Simplified regencies, provinces merged from them, their TopoJSON and figures."""
    reg = layers["regency"]
    geoms, dropped = display.simplify_coverage(reg.geoms)
    prov_codes = layers["province"].codes
    prov_geoms = np.array(
        [
            polygonal(
                shapely.coverage_union_all(
                    geoms[[i for i, k in enumerate(reg.codes) if k.split(".")[0] == p]]
                )
            )
            for p in prov_codes
        ],
        dtype=object,
    )
    frames = {
        "regencies": gpd.GeoDataFrame(
            {"kode": reg.codes, "nama": reg.names}, geometry=list(geoms), crs="EPSG:4326"
        ),
        "provinces": gpd.GeoDataFrame(
            {"kode": prov_codes, "nama": layers["province"].names},
            geometry=list(prov_geoms),
            crs="EPSG:4326",
        ),
    }
    topology = display.to_topojson(
        {
            name: [
                (k, {"nama": n, "prov_kode": k.split(".")[0]}, g)
                for k, n, g in zip(df.kode, df.nama, df.geometry, strict=True)
            ]
            for name, df in frames.items()
        }
    )
    raw, size, gz = display.encoded_sizes(topology)
    figures = {
        "tolerance_deg": display.SIMPLIFY_TOLERANCE_DEG,
        "grid_deg": display.GRID_DEG,
        "islets_dropped": dropped,
        "min_islet_km2": display.MIN_ISLET_KM2,
        "regency_vertices": int(shapely.get_num_coordinates(geoms).sum()),
        "regency_vertices_full": int(shapely.get_num_coordinates(reg.geoms).sum()),
        "coverage_valid": bool(shapely.coverage_is_valid(geoms)),
        "gaps": sum(h.is_gap for h in find_holes(geoms)),
        "arcs": len(topology["arcs"]),
        "topojson_bytes": size,
        "topojson_gzip_bytes": gz,
    }
    return topology, frames, figures | {"_raw": raw}


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
    topology_raw: bytes,
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
    (tmp / DISPLAY_TOPOJSON).write_bytes(topology_raw)
    (tmp / f"{DISPLAY_TOPOJSON}.gz").write_bytes(gzip.compress(topology_raw, 9))
    for name, frame in frames.items():
        pyogrio.write_dataframe(frame, tmp / DISPLAY_GPKG, layer=name, driver="GPKG")
    return {p.name: p.stat().st_size for p in sorted(tmp.iterdir())}


def build_shapes(
    settings: Settings,
    own: OwnBoundaries | None = None,
    force: bool = False,
    progress: Callable[[str], None] = LOGGER.info,
) -> BuildOutcome:
    """Build shapes/ unless it is already built from the same inputs and code."""
    if own is not None and not own.path.is_file():
        raise BuildError([f"{own.path}: no such file (--boundaries)"])
    key = build_key(own)
    previous = read_report(settings.shapes)
    if not force and previous and previous.get("build_key") == key and is_built(settings.shapes):
        progress(
            f"shapes in {settings.shapes} are up to date (built {previous['built_at']}); "
            "nothing to do"
        )
        return BuildOutcome(False, previous)
    started = time.monotonic()
    paths = fetch_all(settings, progress)
    reference = load_reference(paths)
    layers, extra = _layers(paths, reference, own, progress)
    progress("checking validity, coverage, nesting and official areas")
    results = [r for layer in layers.values() for r in checks.check_layer(layer, reference)]
    results += checks.check_nesting(layers)
    report = {
        "build_key": key,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "source": _source_description(settings, own),
        "inputs": {
            k: {"sha256": sha256_of(p), "bytes": p.stat().st_size} for k, p in sorted(paths.items())
        },
        "official_area_code_repairs": dict(reference.repaired_codes),
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
    topology, frames, figures = _display(layers)
    raw = figures.pop("_raw")
    report["display"] = figures
    with tempfile.TemporaryDirectory(dir=settings.shapes, prefix=".build-") as tmp:
        report["files_bytes"] = _write(Path(tmp), layers, reference, raw, frames)
        report["seconds"] = round(time.monotonic() - started, 1)
        _dump_json(Path(tmp) / REPORT_NAME, report)
        for item in Path(tmp).iterdir():
            os.replace(item, settings.shapes / item.name)
    (settings.shapes / FAILED_REPORT_NAME).unlink(missing_ok=True)
    progress(
        f"wrote {len(report['files_bytes'])} files to {settings.shapes} in {report['seconds']} s"
    )
    return BuildOutcome(True, report)


def _source_description(settings: Settings, own: OwnBoundaries | None) -> dict:
    """Where the inputs came from, for the report."""
    out = {"public_data": str(settings.mirror) if settings.mirror else settings.upstream}
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
