"""The page of a static map: title and modelled-data banner on top, the source line at the
bottom, the map on the left and, beside it, the legend and the numbered key of the top
priorities (one column, or two when that leaves the map more room). Inches from the page's
top left; no Flask.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from geo_coverage.i18n import text
from geo_coverage.maps.classify import NODATA_FILL, NODATA_HATCH, OUTLINE
from geo_coverage.maps.image_text import (
    BANNER_INK,
    BANNER_SCALE,
    SOFT_INK,
    TITLE_SCALE,
    Writer,
)
from geo_coverage.maps.view import MapView, short_name
from geo_coverage.metrics.registry import FIELD

LOGGER = logging.getLogger(__name__)

MARGIN_EM = 0.9  # page margin
GAP_EM = 0.8  # between the map and the panel, and between blocks
SWATCH_EM = (1.6, 0.95)  # legend swatch width and height
PANEL_MIN_EM = 16.0  # narrowest panel
COLUMN_MIN_EM = 12.5  # narrowest column when the panel has two
PANEL_MAX_SHARE = 0.62  # the panel never takes more of the page's width
BADGE_EM = 1.75  # the width of the key's numbered badges


@dataclass(frozen=True)
class Row:
    """One row of the panel: a heading, a note, a legend swatch or a key entry."""

    kind: str  # heading | note | swatch | key
    words: str
    color: str | None = None
    hatched: bool = False
    outlined: bool = False
    rank: int | None = None
    value: str = ""


@dataclass(frozen=True)
class Box:
    """A rectangle on the page: left, top, width, height in inches."""

    left: float
    top: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        """Its bottom, from the page's top."""
        return self.top + self.height


@dataclass(frozen=True)
class Page:
    """Where everything goes: the map's cell, the panel's columns and the texts' tops."""

    map_cell: Box
    columns: tuple[Box, ...]
    blocks: tuple[tuple[Row, ...], ...]
    title: tuple[str, ...]
    banner: tuple[str, ...]
    banner_box: Box | None
    source: tuple[str, ...]
    source_top: float


def legend_rows(view: MapView) -> tuple[Row, ...]:
    """The legend: its title, whose figures the areas carry when not their own (districts),
    the breaks note, a swatch per class (and no data), why areas have no data, and what the
    bold outline marks."""
    rows = [Row("heading", view.legend_title)]
    if view.figures_note:
        rows.append(Row("note", view.figures_note))
    rows += [Row("note", note) for note in view.notes]
    rows += [
        Row("swatch", f"{e.label} ({e.count})", color=e.color, hatched=e.hatched)
        for e in view.legend
    ]
    if view.nodata_reason:
        rows.append(Row("note", view.nodata_reason))
    if view.outline_rule:
        rows.append(Row("swatch", view.outline_rule, color="#ffffff", outlined=True))
    return tuple(rows)


def key_rows(view: MapView) -> tuple[Row, ...]:
    """The numbered key: a heading naming the score, which rank the numbers are, then each
    priority marker's rank, area name and score (the page's list, cut short), and why a first
    at its target is first."""
    if not view.priorities:
        return ()
    lang = view.state.lang
    score_at = view.field_keys.index("priority_score")
    by_kode = {a.kode: a for a in view.areas}
    rows = [
        Row("heading", text("priorities", lang), value=FIELD["priority_score"].label.get(lang)),
        Row("note", view.rank_rule),
    ]
    for rank, kode, _lon, _lat in view.priorities:
        area = by_kode[kode]
        rows.append(Row("key", short_name(area.nama), rank=rank, value=area.cells[score_at]))
    if view.priority_why:
        rows.append(Row("note", view.priority_why))
    return tuple(rows)


def _beside(writer: Writer, row: Row, width: float) -> bool:
    """Whether a heading's column label fits on its line."""
    room = width - writer.em(0.6)
    return writer.width(row.words, bold=True) + writer.width(row.value) <= room


def _row_lines(writer: Writer, row: Row, width: float) -> list[str]:
    """A row's words wrapped to the room it has."""
    bold = row.kind == "heading"
    if row.kind == "swatch":
        width -= writer.em(SWATCH_EM[0] + 0.5)
    if row.kind == "key":
        width -= writer.em(BADGE_EM + 0.5) + writer.width(row.value) + writer.em(0.6)
    return writer.wrap(row.words, max(width, writer.em(4)), bold=bold)


def _label_lines(writer: Writer, row: Row, width: float) -> list[str]:
    """A heading's column label on lines of its own when it does not fit beside it."""
    if row.kind != "heading" or not row.value or _beside(writer, row, width):
        return []
    return writer.wrap(row.value, width)


def block_height(writer: Writer, rows: tuple[Row, ...], width: float) -> float:
    """The height of a block of rows in a column `width` inches wide."""
    lines = sum(
        len(_row_lines(writer, row, width)) + len(_label_lines(writer, row, width)) for row in rows
    )
    spaced = sum(1 for row in rows if row.kind == "key")  # key rows breathe a little
    return lines * writer.line_height() + spaced * writer.em(0.25)


def _stack_height(writer: Writer, blocks, width: float, columns: int) -> float:
    """The panel's height with its blocks in one column or side by side in two."""
    gap = writer.em(GAP_EM)
    if columns == 1:
        heights = [block_height(writer, b, width) for b in blocks if b]
        return sum(heights) + gap * (len(heights) - 1)
    column = (width - gap) / 2
    return max(block_height(writer, b, column) for b in blocks if b)


def plan(
    writer: Writer,
    view: MapView,
    source: str,
    page: tuple[float, float],
    map_width: Callable[[float], float],
) -> Page:
    """The layout of a page `page` inches wide and high, for a map `map_width(height)` wide
    at a height: the map as large as the panel's words allow."""
    width, height = page
    em, margin, gap = writer.em(), writer.em(MARGIN_EM), writer.em(GAP_EM)
    inner = width - 2 * margin
    title = writer.wrap(view.title, inner, TITLE_SCALE, bold=True)
    top = margin + len(title) * writer.line_height(TITLE_SCALE)
    banner, banner_box = [], None
    if view.banner:
        pad = em * 0.5
        banner = writer.wrap(view.banner, inner - 2 * pad, BANNER_SCALE, bold=True)
        box_height = len(banner) * writer.line_height(BANNER_SCALE) + pad
        banner_box = Box(margin, top + em * 0.3, inner, box_height)
        top = banner_box.bottom
    source_lines = writer.wrap(source, inner)
    source_top = height - margin - len(source_lines) * writer.line_height()
    middle = Box(margin, top + gap, inner, source_top - gap - (top + gap))
    blocks = tuple(b for b in (legend_rows(view), key_rows(view)) if b)
    panel, columns = _panel_width(writer, blocks, middle, map_width, width)
    map_cell = Box(margin, middle.top, inner - gap - panel, middle.height)
    left = margin + inner - panel
    boxes: tuple[Box, ...]
    if columns == 1:
        boxes = (Box(left, middle.top, panel, middle.height),)
    else:
        column = (panel - gap) / 2
        boxes = tuple(
            Box(left + i * (column + gap), middle.top, column, middle.height) for i in range(2)
        )
    return Page(
        map_cell,
        boxes,
        blocks,
        tuple(title),
        tuple(banner),
        banner_box,
        tuple(source_lines),
        source_top,
    )


def _panel_width(writer: Writer, blocks, middle: Box, map_width, page_width: float):
    """The panel's width and number of columns: the narrowest that holds its words, starting
    from what a full-height map leaves."""
    gap = writer.em(GAP_EM)
    widest = page_width * PANEL_MAX_SHARE
    start = max(writer.em(PANEL_MIN_EM), middle.width - gap - map_width(middle.height))
    step = writer.em(1)
    panel = start
    while panel < widest:
        if _stack_height(writer, blocks, panel, 1) <= middle.height:
            return panel, 1
        two = len(blocks) == 2 and (panel - gap) / 2 >= writer.em(COLUMN_MIN_EM)
        if two and _stack_height(writer, blocks, panel, 2) <= middle.height:
            return panel, 2
        panel += step
    LOGGER.warning("the legend and key do not fit beside the map; drawn at the widest panel")
    return widest, 2 if len(blocks) == 2 else 1


def draw_page(writer: Writer, layout: Page) -> None:
    """The title, banner, panel and source line."""
    margin = layout.map_cell.left
    writer.lines(margin, margin, list(layout.title), TITLE_SCALE, fontweight="bold")
    if layout.banner_box is not None:
        box = layout.banner_box
        writer.banner_box(box.left, box.top, box.width, box.height)
        writer.lines(
            box.left + writer.em(0.5),
            box.top + writer.em(0.25),
            list(layout.banner),
            BANNER_SCALE,
            fontweight="bold",
            color=BANNER_INK,
        )
    writer.lines(margin, layout.source_top, list(layout.source), color=SOFT_INK)
    if len(layout.columns) == 1:
        top = layout.columns[0].top
        for block in layout.blocks:
            top = draw_block(writer, block, layout.columns[0], top) + writer.em(GAP_EM)
    else:
        for block, column in zip(layout.blocks, layout.columns, strict=True):
            draw_block(writer, block, column, column.top)


def draw_block(writer: Writer, rows: tuple[Row, ...], column: Box, top: float) -> float:
    """A block of rows from `top` down a column; returns the top below it."""
    em = writer.em()
    for row in rows:
        lines = _row_lines(writer, row, column.width)
        x = column.left
        if row.kind == "heading":
            right = column.left + column.width
            if row.value and _beside(writer, row, column.width):
                writer.text(right, top, row.value, color=SOFT_INK, ha="right")
            top = writer.lines(x, top, lines, fontweight="bold")
            labels = _label_lines(writer, row, column.width)
            top = writer.lines(right, top, labels, color=SOFT_INK, ha="right")
            continue
        elif row.kind == "note":
            writer.lines(x, top, lines, color=SOFT_INK)
        elif row.kind == "swatch":
            swatch_w, swatch_h = writer.em(SWATCH_EM[0]), writer.em(SWATCH_EM[1])
            offset = (writer.line_height() - swatch_h) / 2
            style = {"facecolor": row.color, "edgecolor": "#777777", "linewidth": 0.8}
            if row.hatched:
                style = {"facecolor": NODATA_FILL, "edgecolor": NODATA_HATCH, "hatch": "///"}
            if row.outlined:
                style = {"facecolor": "#ffffff", "edgecolor": OUTLINE, "linewidth": 2.2}
            writer.box(x, top + offset, swatch_w, swatch_h, **style)
            writer.lines(x + swatch_w + em * 0.5, top, lines)
        else:
            writer.badge(x, top, str(row.rank), writer.em(BADGE_EM))
            writer.lines(x + writer.em(BADGE_EM) + em * 0.5, top, lines)
            writer.text(column.left + column.width, top, row.value, ha="right")
            top += writer.em(0.25)
        top += len(lines) * writer.line_height()
    return top
