"""What a boundary build leaves in shapes/, and how the serving side reads it."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path

from geo_coverage.errors import GeoCoverageError
from geo_coverage.region import BOUNDARY_LEVELS, LAYER_NAMES

REPORT_NAME = "build_report.json"
FAILED_REPORT_NAME = "build_report.failed.json"
DISPLAY_TOPOJSON = "display.topojson"
DISPLAY_GPKG = "display.gpkg"
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def outputs(shapes: Path) -> list[Path]:
    """Every file a complete build leaves in shapes/."""
    files = [
        shapes / f"{LAYER_NAMES[lv]}{ext}" for lv in BOUNDARY_LEVELS for ext in SHAPEFILE_PARTS
    ]
    return files + [
        shapes / DISPLAY_TOPOJSON,
        shapes / f"{DISPLAY_TOPOJSON}.gz",
        shapes / DISPLAY_GPKG,
        shapes / REPORT_NAME,
    ]


def read_report(shapes: Path) -> dict | None:
    """The last successful build report, or None."""
    try:
        return json.loads((shapes / REPORT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_built(shapes: Path) -> bool:
    """Whether shapes/ holds every output of a successful build."""
    return read_report(shapes) is not None and all(p.exists() for p in outputs(shapes))


_KEYS: OrderedDict[Path, tuple[tuple[int, int], str, dict | None]] = OrderedDict()
_KEYS_LOCK = threading.Lock()
KEYS_KEPT = 16


def _summary(shapes: Path) -> tuple[str, dict | None]:
    """The build key and the own boundary file (or None) of the shapes in a folder; the report
    is read again only when it changes."""
    path = shapes / REPORT_NAME
    try:
        stat = path.stat()
    except OSError as exc:
        raise GeoCoverageError(f"no shapes built in {shapes}: run geo-coverage build") from exc
    signature = (stat.st_mtime_ns, stat.st_size)
    with _KEYS_LOCK:
        known = _KEYS.get(path)
    if known is not None and known[0] == signature:
        return known[1], known[2]
    report = read_report(shapes)
    if report is None:
        raise GeoCoverageError(f"the build report in {shapes} cannot be read")
    own = (report.get("source") or {}).get("own_boundaries")
    with _KEYS_LOCK:
        _KEYS[path] = (signature, report["build_key"], own)
        while len(_KEYS) > KEYS_KEPT:
            _KEYS.popitem(last=False)
    return report["build_key"], own


def build_key(shapes: Path) -> str:
    """The build key of the shapes in a folder (the report is read again only when it changes)."""
    return _summary(shapes)[0]


def own_boundaries(shapes: Path) -> dict | None:
    """The own boundary file (`build --boundaries`) the shapes were built from, or None."""
    return _summary(shapes)[1]


def clear_cache() -> None:
    """Forget the build keys read so far."""
    with _KEYS_LOCK:
        _KEYS.clear()
