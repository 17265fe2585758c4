"""The map as a PNG image for slides and documents: same classes, colours, legend and notes
as the interactive map, drawn with matplotlib (Agg) on the display geometry; no Flask.
"""

from __future__ import annotations

import io
import logging
import math
import textwrap

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from geo_coverage.config import Settings
from geo_coverage.gis import features
from geo_coverage.i18n import text
from geo_coverage.maps.classify import NODATA_FILL, NODATA_HATCH
from geo_coverage.maps.state import ViewState
from geo_coverage.maps.view import MapView

LOGGER = logging.getLogger(__name__)

SIZE_INCHES = (12.0, 8.0)
DPI = 120
LOW_EDGE = ("#1a1a1a", 1.8)
EDGE = ("#6b6b6b", 0.3)
FULL_BOX = (0.01, 0.09, 0.98, 0.80)  # the map's axes (left, bottom, width, height)
MAP_BOX = (0.01, 0.09, 0.74, 0.80)  # narrower, with the priority list on its right
LIST_LEFT = 0.765
LIST_WIDTH = 46  # characters per line of the priority list's prose
NOTES_WIDTH = 190  # characters per line of the notes under the title


def file_name(state: ViewState) -> str:
    """A download name saying what the image shows."""
    where = f"prov{state.province}" if state.province else state.level
    return f"peta-{state.metric}-{state.segment}-{where}-{state.period or 'none'}.png"


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


def _draw_areas(ax, view: MapView, settings: Settings) -> tuple[float, float, float, float]:
    """The choropleth, no-data hatching and low-coverage outlines; returns the areas' bounds."""
    shapes = features.shapes(settings, view.state.level, simplified=True)
    position = shapes.index()
    shown = [a for a in view.areas if a.kode in position]
    paths = {a.kode: _path(shapes.geoms[position[a.kode]]) for a in shown}
    for low in (False, True):  # low outlines last, so neighbours do not cover them
        group = [a for a in shown if a.low == low]
        edge, width = LOW_EDGE if low else EDGE
        filled = [a for a in group if a.cls >= 0]
        ax.add_collection(
            PatchCollection(
                [PathPatch(paths[a.kode]) for a in filled],
                facecolors=[a.fill for a in filled],
                edgecolors=edge,
                linewidths=width,
                zorder=3 if low else 2,
            )
        )
        for area in (a for a in group if a.cls < 0):
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
                PathPatch(
                    paths[area.kode],
                    fill=False,
                    edgecolor=edge,
                    linewidth=width,
                    zorder=3 if low else 2,
                )
            )
    bounds = shapes.bounds[[position[a.kode] for a in shown]]
    return (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())


def _draw_context(ax, settings: Settings) -> None:
    """Province borders over the areas."""
    provinces = features.shapes(settings, "province", simplified=True)
    ax.add_collection(
        PatchCollection(
            [PathPatch(_path(g)) for g in provinces.geoms],
            facecolors="none",
            edgecolors="#404040",
            linewidths=0.8,
            zorder=4,
        )
    )


def _draw_priorities(ax, view: MapView) -> None:
    """Numbered markers on the top outreach priorities."""
    for rank, _kode, lon, lat in view.priorities:
        ax.plot(lon, lat, "o", markersize=13, color="#111111", markeredgecolor="white", zorder=5)
        ax.text(
            lon,
            lat,
            str(rank),
            color="white",
            fontsize=7.5,
            fontweight="bold",
            ha="center",
            va="center",
            zorder=6,
            parse_math=False,
        )


def _draw_legend(ax, view: MapView) -> None:
    """The legend: one row per class with its count, the hatched no-data row, the notes."""
    handles = [
        Patch(
            facecolor=e.color,
            edgecolor="#777777",
            hatch="///" if e.hatched else None,
            label=f"{e.label} ({e.count})",
        )
        for e in view.legend
    ]
    legend = ax.legend(
        handles=handles,
        title=view.legend_title,
        loc="lower left",
        fontsize=8,
        title_fontsize=8.5,
        framealpha=0.95,
    )
    for patch in legend.get_patches():
        if patch.get_hatch():
            patch.set_edgecolor(NODATA_HATCH)
    legend.set_zorder(7)


def _draw_priority_list(fig, view: MapView) -> None:
    """The marked priorities with their scores and which rank they are, right of the map."""
    lines = view.priority_lines()
    if not lines:
        return
    heading, rule, *rest = lines  # then one line per area, and maybe why the first is first
    entries, why = rest[: len(view.priorities)], rest[len(view.priorities) :]
    wrapped = [heading, *textwrap.wrap(rule, LIST_WIDTH), *entries]
    for note in why:
        wrapped += ["", *textwrap.wrap(note, LIST_WIDTH)]
    fig.text(
        LIST_LEFT,
        MAP_BOX[1] + MAP_BOX[3],
        "\n".join(wrapped),
        va="top",
        fontsize=7.5,
        linespacing=1.35,
        parse_math=False,
    )


def draw(view: MapView, settings: Settings, source: str) -> Figure:
    """The figure of a view: banner, title, notes, map, legend, priorities, source line."""
    fig = Figure(figsize=SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes(MAP_BOX if view.priorities else FULL_BOX)
    west, south, east, north = _draw_areas(ax, view, settings)
    _draw_context(ax, settings)
    _draw_priorities(ax, view)
    pad_x, pad_y = (east - west) * 0.03, (north - south) * 0.03
    ax.set_xlim(west - pad_x, east + pad_x)
    ax.set_ylim(south - pad_y, north + pad_y)
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
    ax.set_facecolor("#dfe8ee")
    ax.set_xticks([])
    ax.set_yticks([])
    _draw_legend(ax, view)
    _draw_priority_list(fig, view)
    lang = view.state.lang
    if view.banner:  # how many areas shown are modelled, above everything else
        fig.text(
            0.01,
            0.98,
            view.banner,
            fontsize=9,
            fontweight="bold",
            va="center",
            color="#8a4b00",
            parse_math=False,
        )
    fig.text(0.01, 0.948, view.title, fontsize=14, fontweight="bold", va="center", parse_math=False)
    notes = f"{text('period', lang)}: {view.period_label} · " + " · ".join(view.all_notes)
    fig.text(
        0.01,
        0.93,
        "\n".join(textwrap.wrap(notes, NOTES_WIDTH)[:2]),
        fontsize=8.5,
        va="top",
        color="#333333",
        parse_math=False,
    )
    fig.text(0.01, 0.05, source, fontsize=8, va="center", color="#333333", parse_math=False)
    if view.figures_note:
        fig.text(
            0.01,
            0.075,
            view.figures_note,
            fontsize=8.5,
            va="center",
            color="#8a4b00",
            fontweight="bold",
            parse_math=False,
        )
    if view.illustrative:
        fig.text(
            0.01,
            0.02,
            text("illustrative_note", lang),
            fontsize=8.5,
            va="center",
            color="#8a4b00",
            fontweight="bold",
            parse_math=False,
        )
    return fig


def render_png(view: MapView, settings: Settings, source: str) -> bytes:
    """The PNG bytes of a view."""
    buffer = io.BytesIO()
    draw(view, settings, source).savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
