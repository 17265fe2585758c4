"""The words of a static map, measured and wrapped in inches on the page: title, banner, the
legend and the numbered key beside the map, and the source line. No Flask.

Every text is at least `MIN_SLIDE_PX` pixels high when the image is fitted onto a 960×540
slide, whatever the page size: the base font size follows from the page (see `base_size`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.patches import FancyBboxPatch, Rectangle

LOGGER = logging.getLogger(__name__)

SLIDE = (960, 540)  # the slide the images must be legible on, in pixels
MIN_SLIDE_PX = 14.0  # the smallest text height on that slide
SIZE_MARGIN = 1.04  # text is drawn this much above the minimum
LEADING = 1.25  # line height ÷ font size
TITLE_SCALE = 1.4
BANNER_SCALE = 1.1
INK = "#1a1a1a"
SOFT_INK = "#333333"
BANNER_INK = "#6b3400"
BANNER_FILL = "#fff1d0"
BANNER_EDGE = "#c77c02"
MARKER_FILL = "#111111"
MARKER_INK = "#ffffff"


def base_size(page_inches: tuple[float, float]) -> float:
    """The base font size in points: at least MIN_SLIDE_PX high once the page is fitted onto
    the slide (a page shown at f slide pixels per inch draws a p-point text p·f/72 high)."""
    width, height = page_inches
    slide_px_per_inch = min(SLIDE[0] / width, SLIDE[1] / height)
    return round(MIN_SLIDE_PX * 72 / slide_px_per_inch * SIZE_MARGIN, 1)


@dataclass
class Writer:
    """Measures, wraps and places text on a figure, in inches from the page's top left."""

    fig: Figure
    renderer: Any  # the canvas' renderer, which measures drawn text
    base: float  # the base font size in points
    height: float  # the page height in inches
    artists: list = field(default_factory=list)
    _advances: dict = field(default_factory=dict)  # (scale, bold) -> {character: inches}

    def em(self, scale: float = 1.0) -> float:
        """A font size (base × scale) in inches."""
        return self.base * scale / 72

    def width(self, words: str, scale: float = 1.0, bold: bool = False) -> float:
        """The width of a one-line text in inches: the sum of its characters' advances, which
        is never less than the drawn text, as kerning only brings letters closer."""
        advances = self._advances.setdefault((scale, bold), {})
        missing = set(words) - advances.keys()
        if missing:
            props = FontProperties(size=self.base * scale, weight="bold" if bold else "normal")
            font = get_font(findfont(props))
            font.set_size(self.base * scale, self.fig.dpi)
            for character in missing:
                glyph = font.load_char(ord(character))
                advances[character] = glyph.linearHoriAdvance / 65536 / self.fig.dpi
        return sum(advances[c] for c in words)

    def wrap(self, words: str, width: float, scale: float = 1.0, bold: bool = False) -> list[str]:
        """Lines no wider than `width` inches, broken between words (a single word longer
        than the width gets a line of its own)."""
        lines: list[str] = []
        for paragraph in words.split("\n"):
            line = ""
            for word in paragraph.split():
                candidate = f"{line} {word}" if line else word
                if line and self.width(candidate, scale, bold) > width:
                    lines.append(line)
                    line = word
                else:
                    line = candidate
            lines.append(line)
        return lines

    def line_height(self, scale: float = 1.0) -> float:
        """The distance between two lines' tops, in inches."""
        return self.em(scale) * LEADING

    def text(self, x: float, top: float, words: str, scale: float = 1.0, **style) -> None:
        """One line of text with its top at `top` inches from the page's top."""
        style.setdefault("color", INK)
        style.setdefault("ha", "left")
        artist = self.fig.text(
            x,
            self.height - top - (self.line_height(scale) - self.em(scale)) / 2,
            words,
            fontsize=self.base * scale,
            va="top",
            transform=self.fig.dpi_scale_trans,
            parse_math=False,
            **style,
        )
        self.artists.append(artist)

    def lines(self, x: float, top: float, lines: list[str], scale: float = 1.0, **style) -> float:
        """Lines one under the other; returns the top of the next line."""
        for line in lines:
            self.text(x, top, line, scale, **style)
            top += self.line_height(scale)
        return top

    def box(self, x: float, top: float, width: float, height: float, **style) -> None:
        """A rectangle (a swatch), top left at (x, top)."""
        self.fig.add_artist(
            Rectangle(
                (x, self.height - top - height),
                width,
                height,
                transform=self.fig.dpi_scale_trans,
                **style,
            )
        )

    def banner_box(self, x: float, top: float, width: float, height: float) -> None:
        """The banner's rounded background."""
        self.fig.add_artist(
            FancyBboxPatch(
                (x, self.height - top - height),
                width,
                height,
                boxstyle=f"round,pad=0,rounding_size={self.em() / 3}",
                facecolor=BANNER_FILL,
                edgecolor=BANNER_EDGE,
                linewidth=1.5,
                transform=self.fig.dpi_scale_trans,
            )
        )

    def badge(self, left: float, top: float, number: str, width: float) -> None:
        """A numbered badge, dark like the map's markers, in a line starting at `top`."""
        height = self.em(1.1)
        bottom = self.height - top - (self.line_height() + height) / 2
        self.fig.add_artist(
            FancyBboxPatch(
                (left, bottom),
                width,
                height,
                boxstyle=f"round,pad=0,rounding_size={height / 2}",
                facecolor=MARKER_FILL,
                edgecolor="none",
                transform=self.fig.dpi_scale_trans,
            )
        )
        artist = self.fig.text(
            left + width / 2,
            bottom + height / 2,
            number,
            fontsize=self.base,
            fontweight="bold",
            color=MARKER_INK,
            ha="center",
            va="center_baseline",
            transform=self.fig.dpi_scale_trans,
            parse_math=False,
        )
        self.artists.append(artist)
