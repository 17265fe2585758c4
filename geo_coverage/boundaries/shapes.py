"""What a boundary build leaves in shapes/, and how the serving side reads it."""

from __future__ import annotations

import json
from pathlib import Path

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
