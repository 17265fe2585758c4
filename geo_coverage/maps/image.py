"""The map as an image for slides and documents (PNG, SVG or PDF at 16:9, 4:3 or A4): same
classes, colours and notes as the interactive map, drawn with matplotlib on the display
geometry, with the legend and the numbered key beside the map; no Flask.
"""

from __future__ import annotations

import io
import logging
import math
from dataclasses import dataclass

import matplotlib
import numpy as np
import shapely
import shapely.affinity
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.patheffects import AbstractPathEffect, withStroke
from shapely.geometry.base import BaseGeometry

from geo_coverage.config import Settings
from geo_coverage.gis import features
from geo_coverage.maps import image_layout
from geo_coverage.maps.classify import AREA_EDGE, HALO, NODATA_FILL, NODATA_HATCH, OUTLINE, SEA
from geo_coverage.maps.image_text import MARKER_FILL, MARKER_INK, Writer, base_size
from geo_coverage.maps.placement import Placed, place_markers
from geo_coverage.maps.state import ImageSpec, ViewState
from geo_coverage.maps.view import MapView, load_view, source_line

LOGGER = logging.getLogger(__name__)

MIMETYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
RENDERER = f"matplotlib {matplotlib.__version__}"  # its drawing is part of the image's key
EDGE_WIDTH = 0.35
OUTLINE_WIDTH = 1.8
PROVINCE_EDGE = ("#404040", 0.8)
MARKER_RADIUS_EM = 0.9  # the numbered discs: "10" in bold at the base size fits inside
MARKER_ROOM = 2.4  # sea around the areas, in marker radii: room for the moved markers
LEADER = (MARKER_FILL, 1.2)


@dataclass
class Drawing:
    """A drawn page before it is saved: the figure, its texts, where the markers went and the
    shown areas in inches on the page (what the tests measure)."""

    fig: Figure
    writer: Writer
    page: image_layout.Page
    markers: list[Placed]
    marker_radius: float
    areas: dict[str, BaseGeometry]  # kode -> polygon in inches from the page's bottom left
    map_box: tuple[float, float, float, float]  # west, south, east, north in inches


def file_name(state: ViewState, spec: ImageSpec) -> str:
    """A download name saying what the image shows and its size."""
    return f"{state.file_stem()}-{spec.file_tag()}.{spec.format}"


def _path(geom) -> MplPath:
    """A matplotlib path of a (multi)polygon, holes included."""
    vertices, codes = [], []
    for polygon in getattr(geom, "geoms", [geom]):
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = np.asarray(ring.coords)
            vertices.append(coords)
            codes.append(
                [MplPath.MOVETO] + [MplPath.LINETO] * (len(coords) - 2) + [MplPath.CLOSEPOLY]
            )
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _shown(view: MapView, settings: Settings) -> dict[str, BaseGeometry]:
    """The display geometry of the view's areas, by code."""
    shapes = features.shapes(settings, view.state.level, simplified=True)
    position = shapes.index()
    return {a.kode: shapes.geoms[position[a.kode]] for a in view.areas if a.kode in position}


def _draw_areas(ax, view: MapView, geoms: dict[str, BaseGeometry]) -> None:
    """The choropleth, no-data hatching and the bold outlines (with a light halo)."""
    shown = [a for a in view.areas if a.kode in geoms]
    paths = {a.kode: _path(geoms[a.kode]) for a in shown}
    filled = [a for a in shown if a.cls >= 0]
    ax.add_collection(
        PatchCollection(
            [PathPatch(paths[a.kode]) for a in filled],
            facecolors=[a.fill for a in filled],
            edgecolors=AREA_EDGE,
            linewidths=EDGE_WIDTH,
            zorder=2,
        )
    )
    for area in (a for a in shown if a.cls < 0):
        ax.add_patch(
            PathPatch(
                paths[area.kode],
                facecolor=NODATA_FILL,
                hatch="///",
                edgecolor=NODATA_HATCH,
                linewidth=0,
                zorder=2,
            )
        )
        ax.add_patch(
            PathPatch(paths[area.kode], fill=False, edgecolor=AREA_EDGE, lw=EDGE_WIDTH, zorder=2)
        )
    low = [a for a in shown if a.low]
    if low:
        outline = PatchCollection(
            [PathPatch(paths[a.kode]) for a in low],
            facecolors="none",
            edgecolors=OUTLINE,
            linewidths=OUTLINE_WIDTH,
            zorder=4,
        )
        outline.set_path_effects([withStroke(linewidth=OUTLINE_WIDTH + 1.6, foreground=HALO)])
        ax.add_collection(outline)


def _draw_provinces(ax, settings: Settings) -> None:
    """Province borders over the areas."""
    provinces = features.shapes(settings, "province", simplified=True)
    color, width = PROVINCE_EDGE
    ax.add_collection(
        PatchCollection(
            [PathPatch(_path(g)) for g in provinces.geoms],
            facecolors="none",
            edgecolors=color,
            linewidths=width,
            zorder=3,
        )
    )


def _frame(ax, geoms: dict[str, BaseGeometry], inset: float) -> None:
    """Limits that fill the axes' box with the areas at the true ratio of the middle
    latitude, centred, with at least `inset` inches of sea on every side (room for moved
    markers)."""
    west, south, east, north = shapely.total_bounds(np.asarray(list(geoms.values()), dtype=object))
    stretch = 1 / math.cos(math.radians((south + north) / 2))
    box = ax.get_window_extent().transformed(ax.figure.dpi_scale_trans.inverted())
    scale = min(  # inches per degree of latitude
        (box.width - 2 * inset) * stretch / max(east - west, 1e-9),
        (box.height - 2 * inset) / max(north - south, 1e-9),
    )
    half_x, half_y = box.width * stretch / scale / 2, box.height / scale / 2
    middle_x, middle_y = (west + east) / 2, (south + north) / 2
    ax.set_xlim(middle_x - half_x, middle_x + half_x)
    ax.set_ylim(middle_y - half_y, middle_y + half_y)
    ax.set_aspect(stretch, adjustable="box")
    ax.apply_aspect()


def map_aspect(geoms: dict[str, BaseGeometry]) -> float:
    """Width per unit of height of the areas' frame as drawn."""
    west, south, east, north = shapely.total_bounds(np.asarray(list(geoms.values()), dtype=object))
    middle = math.cos(math.radians((south + north) / 2))
    return ((east - west) * middle) / max(north - south, 1e-9)


def _to_inches(ax, fig: Figure) -> list[float]:
    """The affine map from lon/lat to inches on the page, as shapely takes it."""
    matrix = (ax.transData + fig.dpi_scale_trans.inverted()).get_affine().get_matrix()
    return [matrix[0, 0], matrix[0, 1], matrix[1, 0], matrix[1, 1], matrix[0, 2], matrix[1, 2]]


def _draw_markers(ax, fig: Figure, view: MapView, areas: dict, radius: float, writer: Writer):
    """The numbered priority markers, moved apart with leader lines where they would hide
    an area or each other; returns where they went."""
    affine = _to_inches(ax, fig)
    points = [
        shapely.affinity.affine_transform(shapely.Point(lon, lat), affine)
        for _rank, _kode, lon, lat in view.priorities
    ]
    anchors = [(p.x, p.y) for p in points]
    box = ax.get_window_extent().transformed(fig.dpi_scale_trans.inverted())
    frame = (box.x0, box.y0, box.x1, box.y1)
    placed = place_markers(anchors, list(areas.values()), frame, radius)
    inches = fig.dpi_scale_trans
    color, width = LEADER
    halo: list[AbstractPathEffect] = [withStroke(linewidth=width + 1.6, foreground=HALO)]
    for (rank, _kode, _lon, _lat), marker in zip(view.priorities, placed, strict=True):
        leader = marker.leader(radius)
        if leader is not None:
            (x0, y0), (x1, y1) = leader
            line = Line2D([x0, x1], [y0, y1], color=color, lw=width, transform=inches, zorder=6)
            line.set_path_effects(halo)
            ax.add_line(line)
            ax.add_patch(
                Circle(marker.anchor, radius * 0.16, color=color, transform=inches, zorder=6)
            )
        ax.add_patch(
            Circle(
                (marker.x, marker.y),
                radius,
                facecolor=MARKER_FILL,
                edgecolor=MARKER_INK,
                linewidth=1.2,
                transform=inches,
                zorder=7,
            )
        )
        writer.artists.append(
            ax.text(
                marker.x,
                marker.y,
                str(rank),
                color=MARKER_INK,
                fontsize=writer.base,
                fontweight="bold",
                ha="center",
                va="center_baseline",
                transform=inches,
                zorder=8,
                parse_math=False,
            )
        )
    return placed


def draw(view: MapView, settings: Settings, source: str, spec: ImageSpec) -> Drawing:
    """The page of a view at a size: map, title, banner, legend, key and source line."""
    inches = spec.page.inches
    fig = Figure(figsize=inches, dpi=spec.dpi)
    canvas = FigureCanvasAgg(fig)
    writer = Writer(fig, canvas.get_renderer(), base_size(inches), inches[1])
    geoms = _shown(view, settings)
    radius = writer.em(MARKER_RADIUS_EM)
    inset = radius * MARKER_ROOM
    aspect = map_aspect(geoms)
    page = image_layout.plan(
        writer, view, source, inches, lambda height: aspect * (height - 2 * inset) + 2 * inset
    )
    cell = page.map_cell
    width, height = inches
    ax = fig.add_axes(
        (
            cell.left / width,
            1 - cell.bottom / height,
            cell.width / width,
            cell.height / height,
        )
    )
    ax.set_facecolor(SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#9aa5ad")
    _draw_areas(ax, view, geoms)
    _draw_provinces(ax, settings)
    _frame(ax, geoms, inset)
    affine = _to_inches(ax, fig)
    areas = {k: shapely.affinity.affine_transform(g, affine) for k, g in geoms.items()}
    placed = _draw_markers(ax, fig, view, areas, radius, writer)
    image_layout.draw_page(writer, page)
    box = ax.get_window_extent().transformed(fig.dpi_scale_trans.inverted())
    return Drawing(fig, writer, page, placed, radius, areas, (box.x0, box.y0, box.x1, box.y1))


def render(view: MapView, settings: Settings, source: str, spec: ImageSpec) -> bytes:
    """The image bytes of a view in the spec's format and size."""
    drawing = draw(view, settings, source, spec)
    metadata: dict[str, str | None] = {"Title": view.title}
    if spec.format == "svg":
        metadata["Date"] = None
    if spec.format == "pdf":
        metadata["CreationDate"] = None
    buffer = io.BytesIO()
    # Text as outlines in SVG (no font needed to view it), fonts embedded in PDF (searchable
    # text), and SVG ids from a fixed salt: the same view gives the same bytes.
    with matplotlib.rc_context(
        {"svg.fonttype": "path", "svg.hashsalt": "geo-coverage", "pdf.fonttype": 42}
    ):
        drawing.fig.savefig(buffer, format=spec.format, dpi=spec.dpi, metadata=metadata)
    return buffer.getvalue()


def render_view(settings: Settings, state: ViewState, spec: ImageSpec) -> bytes:
    """Load a view and draw it: what a drawing worker process runs (web/render_workers.py)."""
    return render(load_view(settings, state), settings, source_line(settings, state.lang), spec)
