"""What a boundary build leaves in shapes/, and how the serving side reads it."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from geo_coverage.errors import GeoCoverageError
from geo_coverage.region import BOUNDARY_LEVELS, LAYER_NAMES

if TYPE_CHECKING:
    pass

REPORT_NAME = "build_report.json"
FAILED_REPORT_NAME = "build_report.failed.json"
DISPLAY_TOPOJSON = "display.topojson"  # the overview of the whole region
DETAIL_PREFIX = "display_"  # display_73.topojson: one province's regencies and districts
DISPLAY_GPKG = "display.gpkg"
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def detail_topojson(province: str) -> str:
    """The file name of a province's detail geometry (regencies and districts)."""
    return f"{DETAIL_PREFIX}{province}.topojson"


def outputs(shapes: Path, provinces: tuple[str, ...] | list[str] = ()) -> list[Path]:
    """Every file a complete build leaves in shapes/ (with the provinces' detail files)."""
    files = [
        shapes / f"{LAYER_NAMES[lv]}{ext}" for lv in BOUNDARY_LEVELS for ext in SHAPEFILE_PARTS
    ]
    for name in [DISPLAY_TOPOJSON, *(detail_topojson(p) for p in provinces)]:
        files += [shapes / name, shapes / f"{name}.gz"]
    return files + [shapes / DISPLAY_GPKG, shapes / REPORT_NAME]


def read_report(shapes: Path) -> dict | None:
    """The last successful build report, or None."""
    try:
        return json.loads((shapes / REPORT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def built_provinces(report: dict) -> list[str]:
    """The provinces a build report's shapes cover."""
    return list(report.get("region", {}).get("provinces", []))


def is_built(shapes: Path) -> bool:
    """Whether shapes/ holds every output of a successful build."""
    report = read_report(shapes)
    return report is not None and all(p.exists() for p in outputs(shapes, built_provinces(report)))


_KEYS: OrderedDict[Path, tuple[tuple[int, int], str, str | None, dict | None]] = OrderedDict()
_KEYS_LOCK = threading.Lock()
KEYS_KEPT = 16


def _summary(shapes: Path) -> tuple[str, str | None, dict | None]:
    """The build key, the region key and the own boundary file (or None) of the shapes in a
    folder (the report is read again only when it changes)."""
    path = shapes / REPORT_NAME
    try:
        stat = path.stat()
    except OSError as exc:
        raise GeoCoverageError(f"no shapes built in {shapes}: run geo-coverage build") from exc
    signature = (stat.st_mtime_ns, stat.st_size)
    with _KEYS_LOCK:
        known = _KEYS.get(path)
    if known is not None and known[0] == signature:
        return known[1], known[2], known[3]
    report = read_report(shapes)
    if report is None:
        raise GeoCoverageError(f"the build report in {shapes} cannot be read")
    region = report.get("region", {}).get("key")
    own = (report.get("source") or {}).get("own_boundaries")
    with _KEYS_LOCK:
        _KEYS[path] = (signature, report["build_key"], region, own)
        while len(_KEYS) > KEYS_KEPT:
            _KEYS.popitem(last=False)
    return report["build_key"], region, own


def build_key(shapes: Path) -> str:
    """The build key of the shapes in a folder (the report is read again only when it changes)."""
    return _summary(shapes)[0]


def own_boundaries(shapes: Path) -> dict | None:
    """The own boundary file (`build --boundaries`) the shapes were built from, or None."""
    return _summary(shapes)[2]


def built_region(shapes: Path) -> str | None:
    """The key of the region the shapes in a folder were built for."""
    return _summary(shapes)[1]


def clear_cache() -> None:
    """Forget the build keys read so far."""
    with _KEYS_LOCK:
        _KEYS.clear()
