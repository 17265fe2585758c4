"""Classes and colours for a choropleth: schemes, ColorBrewer ramps, legend counts; no Flask.

A value v falls in class i when cuts[i-1] <= v < cuts[i] (the first class is open below, the
last open above), so an area exactly at a cut, such as the target, is in the upper class.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from branca.utilities import color_brewer

LOGGER = logging.getLogger(__name__)

# The ColorBrewer ramps the maps use; colorbrewer2.org marks each as colour-blind safe.
SEQUENTIAL_RAMPS = ("YlGnBu", "YlOrRd")
DIVERGING_RAMPS = ("RdBu", "BrBG")
# "No data" is drawn hatched in this grey on white; no ramp above contains either colour.
NODATA_FILL = "#ffffff"
NODATA_HATCH = "#8c8c8c"
# The map's sea (no basemap) and lines. No single sea colour has 3:1 contrast with every class
# of every ramp, so each area is edged in a dark grey that has 3:1 with the sea and with every
# class colour close to the sea's (tests/maps/test_classify.py measures it); the bold outline
# has a white halo so that it shows on the darkest fill too.
SEA = "#dfe8ee"
AREA_EDGE = "#333333"
OUTLINE = "#1a1a1a"
HALO = "#ffffff"
# mapclassify's classifier of each data-driven scheme (mapclassify loads scipy: imported on use)
_MAPCLASSIFY = {
    "quantiles": "Quantiles",
    "equal_interval": "EqualInterval",
    "natural_breaks": "FisherJenks",
}


@dataclass(frozen=True)
class Classes:
    """Cut points, one colour and one count per class, and how many areas have no data."""

    cuts: tuple[float, ...]
    colors: tuple[str, ...]
    counts: tuple[int, ...]
    nodata: int
    minimum: float | None
    maximum: float | None

    def index(self, values: Sequence[float] | np.ndarray) -> np.ndarray:
        """The class of each value; -1 where the value is missing."""
        array = np.asarray(values, dtype=float)
        found = np.searchsorted(np.asarray(self.cuts, dtype=float), array, side="right")
        return np.where(np.isnan(array), -1, found)


def ramp_colors(ramp: str, n: int, reverse: bool = False) -> list[str]:
    """n colours of a ColorBrewer ramp, light to dark (dark to light when reversed)."""
    if n < 1:
        return []
    if n < 3:
        three = color_brewer(ramp, 3)
        colors = [three[1]] if n == 1 else [three[0], three[2]]
    else:
        colors = color_brewer(ramp, n)
    colors = [c.lower() for c in colors]
    return colors[::-1] if reverse else colors


def diverging_colors(ramp: str, n_low: int, n_high: int, reverse: bool = False) -> list[str]:
    """Colours for n_low classes below a centre and n_high above, symmetric in intensity."""
    side = max(n_low, n_high)
    full = ramp_colors(ramp, 2 * side + 1, reverse)
    del full[side]  # the neutral middle: no class straddles the centre
    return full[side - n_low : side + n_high]


def fixed_cuts_around(target: float, k: int, step: float = 10.0) -> list[float]:
    """k-1 cuts step apart with the target among them: more below it than above.

    The step shrinks when the lowest cut would not stay above 0.
    """
    below = (k + 1) // 2
    step = min(step, target / below)
    return [round(target + step * i, 2) for i in range(1 - below, k - below)]


def ladder(start: float, n: int) -> list[float]:
    """n rising 'nice' values: start × 1, 2.5, 5, 10, 25, 50, …."""
    steps = [1.0, 2.5, 5.0]
    return [start * steps[i % 3] * 10 ** (i // 3) for i in range(n)]


def fixed_cuts_diverging(centre: float, start: float, k: int) -> list[float]:
    """k-1 cuts: the centre, then a ladder of steps on each side (one more step above)."""
    below = (k - 2) // 2
    above = k - 2 - below
    return (
        [centre - v for v in reversed(ladder(start, below))]
        + [centre]
        + [centre + v for v in ladder(start, above)]
    )


def data_cuts(values: np.ndarray, scheme: str, k: int) -> list[float]:
    """k-1 cuts from the data by quantiles, equal intervals or Fisher–Jenks natural breaks."""
    finite = values[np.isfinite(values)]
    distinct = np.unique(finite)
    k = min(k, len(distinct))
    if k < 2:
        return []
    import mapclassify

    with warnings.catch_warnings():
        # Ties can leave fewer distinct quantiles than k; the legend then shows fewer classes.
        warnings.filterwarnings("ignore", "Not enough unique values", UserWarning)
        # Fisher–Jenks on about a hundred values is fast enough without numba.
        warnings.filterwarnings("ignore", "Numba not installed", UserWarning)
        bins = getattr(mapclassify, _MAPCLASSIFY[scheme])(finite, k=k).bins
    # mapclassify bins are upper bounds (v <= bin); a cut just above keeps that grouping.
    cuts = [float(np.nextafter(b, np.inf)) for b in bins[:-1]]
    return sorted(set(cuts))


def rounded_quantile_cuts(values: np.ndarray, k: int, digits: int) -> list[float]:
    """k-1 quantile cuts of the values as shown (rounded to `digits`), each moved up to the
    next shown value, so that a cut is a figure people read and no class is empty; values that
    differ as shown are never all in one class."""
    finite = np.asarray(values, dtype=float)
    rounded = np.round(finite[np.isfinite(finite)], digits)
    shown = np.unique(rounded)
    cuts = set()
    for cut in data_cuts(rounded, "quantiles", k) if shown.size > 1 else []:
        above = shown[shown >= cut]
        if above.size and above[0] > shown[0]:
            cuts.add(float(above[0]))
    if not cuts and shown.size > 1:
        # Ties defeat the quantiles (one area apart from all the others): split where the
        # counts come nearest to halves, so that differing figures never share one class.
        below = np.searchsorted(np.sort(rounded), shown[1:], side="left")
        cuts.add(float(shown[1:][np.argmin(np.abs(below - rounded.size / 2))]))
    return sorted(cuts)


def _without_empty_classes(
    cuts: list[float], finite: np.ndarray, keep: float | None
) -> list[float]:
    """Cuts with those that only open an empty class removed (never the cut `keep`)."""
    cuts = list(cuts)
    while True:
        counts = np.bincount(np.searchsorted(cuts, finite, side="right"), minlength=len(cuts) + 1)
        empty = np.flatnonzero(counts == 0)
        if not empty.size:
            return cuts
        i = int(empty[0])
        removable = [j for j in (i, i - 1) if 0 <= j < len(cuts) and cuts[j] != keep]
        if not removable:
            return cuts
        del cuts[removable[0]]


def classify(
    values: Sequence[float] | np.ndarray,
    scheme: str,
    k: int,
    *,
    ramp: str,
    fixed: Sequence[float] = (),
    centre: float | None = None,
    reverse: bool = False,
) -> Classes:
    """Classes of values by a scheme ('target' uses the fixed cuts), coloured from a ramp.

    With a centre the ramp is diverging: the centre is always a cut, classes below it take
    one side of the ramp and classes above it the other.
    """
    array = np.asarray(values, dtype=float)
    cuts = list(fixed) if scheme == "target" else data_cuts(array, scheme, k)
    finite = array[np.isfinite(array)]
    if (
        centre is not None
        and centre not in cuts
        and finite.size
        and finite.min() < centre <= finite.max()
    ):
        cuts = sorted([*cuts, centre])
    if scheme != "target":
        cuts = _without_empty_classes(cuts, finite, keep=centre)
    n = len(cuts) + 1
    if centre is None:
        colors = ramp_colors(ramp, n, reverse)
    else:
        below_max = finite.size > 0 and finite.max() < centre
        n_low = sum(1 for c in cuts if c <= centre) + int(below_max)
        colors = diverging_colors(ramp, n_low, n - n_low, reverse)
    found = np.searchsorted(np.asarray(cuts, dtype=float), finite, side="right")
    counts = np.bincount(found, minlength=n)
    return Classes(
        cuts=tuple(float(c) for c in cuts),
        colors=tuple(colors),
        counts=tuple(int(c) for c in counts),
        nodata=int(array.size - finite.size),
        minimum=float(finite.min()) if finite.size else None,
        maximum=float(finite.max()) if finite.size else None,
    )
