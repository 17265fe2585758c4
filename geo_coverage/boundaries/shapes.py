"""What a boundary build leaves in shapes/, and how the serving side reads it."""

from __future__ import annotations

import json
from pathlib import Path

from geo_coverage.errors import GeoCoverageError
from geo_coverage.region import BOUNDARY_LEVELS, LAYER_NAMES, REGION_SETTING, Region

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


def check_region(report: dict, shapes: Path, region: Region) -> None:
    """GeoCoverageError when the shapes were built for another region than the setting's."""
    built = report.get("region", {}).get("key")
    if built != region.key:
        raise GeoCoverageError(
            f"the shapes in {shapes} were built for the region '{built}', but {REGION_SETTING} "
            f"is '{region.key}': run geo-coverage build (or point GEO_COVERAGE_SHAPES at a "
            "build of that region)"
        )
