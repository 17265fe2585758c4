"""A small map of what an upload changes: the regencies of the provinces it touches, each
coloured by its coverage change in percentage points, as inline SVG (no script, no request of
its own); no Flask."""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Mapping

import numpy as np

from geo_coverage.config import Settings
from geo_coverage.gis import features
from geo_coverage.maps.classify import diverging_colors

LOGGER = logging.getLogger(__name__)

WIDTH = 480
CUTS = (-5.0, -1.0, 0.0, 1.0, 5.0)  # classes in points: <−5, −5…−1, −1…0, 0…1, 1…5, ≥5
UNCHANGED = "#f2f2f2"
NEW = "#7b3294"  # figures where there were none
UNTOUCHED = "#ffffff"
EDGE = "#8c8c8c"


def change_colors() -> list[str]:
    """One colour per class of CUTS: red for falls, blue for rises (ColorBrewer RdBu)."""
    return diverging_colors("RdBu", 3, 3)


def color_of(change: float | None, touched: bool) -> str:
    """The fill of a regency: by class of its change, NEW without a before, white if untouched."""
    if not touched:
        return UNTOUCHED
    if change is None:
        return NEW
    if change == 0:
        return UNCHANGED
    return change_colors()[int(np.searchsorted(np.asarray(CUTS), change, side="right"))]


def legend() -> list[tuple[str, str]]:
    """(colour, label) of each class, for the page to show under the map."""
    labels = ["< −5", "−5 … −1", "−1 … 0", "0 … 1", "1 … 5", "≥ 5"]
    return list(zip(change_colors(), labels, strict=True))


def _ring_path(coords: np.ndarray, project) -> str:
    """One ring as an SVG path part."""
    points = [project(x, y) for x, y in coords]
    return "M" + "L".join(f"{px:.1f},{py:.1f}" for px, py in points) + "Z"


def change_svg(
    settings: Settings, changes: Mapping[str, float | None], names: Mapping[str, str], title: str
) -> str:
    """The regencies of the touched provinces (all when none is) drawn as SVG, each filled by
    its change (white where the file has none)."""
    shapes = features.shapes(settings, "regency", simplified=True)
    provinces = {kode.split(".")[0] for kode in changes}
    shown = [
        i for i, kode in enumerate(shapes.codes) if not provinces or kode.split(".")[0] in provinces
    ]
    bounds = shapes.bounds[shown]
    west, south = bounds[:, 0].min(), bounds[:, 1].min()
    east, north = bounds[:, 2].max(), bounds[:, 3].max()
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = WIDTH / ((east - west) * squeeze)
    height = (north - south) * scale

    def project(x: float, y: float) -> tuple[float, float]:
        return (x - west) * squeeze * scale, (north - y) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="change-map" role="img" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}">'
        f"<title>{html.escape(title)}</title>"
    ]
    for i in shown:
        kode, geom = shapes.codes[i], shapes.geoms[i]
        touched = kode in changes
        change = changes.get(kode)
        d = "".join(
            _ring_path(np.asarray(ring.coords), project)
            for polygon in getattr(geom, "geoms", [geom])
            for ring in [polygon.exterior, *polygon.interiors]
        )
        label = f"{kode} {names.get(kode, '')}: " + (
            "–" if not touched else "baru/new" if change is None else f"{change:+.2f}"
        )
        parts.append(
            f'<path data-kode="{html.escape(kode)}" fill="{color_of(change, touched)}" '
            f'stroke="{EDGE}" stroke-width="0.3" fill-rule="evenodd" d="{d}">'
            f"<title>{html.escape(label)}</title></path>"
        )
    parts.append("</svg>")
    return "".join(parts)
