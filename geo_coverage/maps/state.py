"""The state of a map view: parsed and checked from a query string, and turned back into URLs.

This is the one place that builds map URLs and permalinks; no Flask.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from geo_coverage.errors import BadRequest, QueryProblems, invalid_choice
from geo_coverage.i18n import DEFAULT_LANG, LANGS, format_period, text
from geo_coverage.metrics.registry import MAP_METRICS, map_metric, metric_title
from geo_coverage.region import ALL_SEGMENTS, LEVELS, SEGMENT_CHOICES

LOGGER = logging.getLogger(__name__)

METRICS = tuple(MAP_METRICS)
SCHEMES = ("target", "quantiles", "equal_interval", "natural_breaks")
K_VALUES = (3, 4, 5, 6, 7)
THRESHOLD_RANGE = (0.0, 100.0)
# What the bold outline marks: the worst fifth on the metric shown (the default), coverage below
# each province's target, coverage below ?threshold=, or nothing.
OUTLINES = ("worst", "target", "threshold", "none")
WORST_SHARE = 5  # "worst" outlines one area in this many: the worst fifth
# The metric that compares two periods, and so takes ?base=.
COMPARED_METRICS = tuple(m for m, f in MAP_METRICS.items() if f.spec.compared is not None)
# Parameters in the order they appear in URLs.
PARAMS = (
    "level",
    "province",
    "metric",
    "segment",
    "period",
    "base",
    "scheme",
    "k",
    "outline",
    "threshold",
    "lang",
)


@dataclass(frozen=True)
class ImageSize:
    """A page size of the map images: pixels at scale 1 and the dots per inch they are drawn
    at (so the page's size in inches, the SVG's and the PDF's, is width / dpi)."""

    width: int
    height: int
    dpi: int

    @property
    def inches(self) -> tuple[float, float]:
        """The page in inches."""
        return self.width / self.dpi, self.height / self.dpi


# 16:9 and 4:3 are PowerPoint's slide sizes (13.33 × 7.5 and 10 × 7.5 inches) at 144 dpi; A4 is
# landscape (297 × 210 mm) at 150 dpi, 300 dpi with scale=2.
IMAGE_SIZES = {
    "16:9": ImageSize(1920, 1080, 144),
    "4:3": ImageSize(1440, 1080, 144),
    "a4": ImageSize(1754, 1240, 150),
}
SCALES = (1, 2)
IMAGE_FORMATS = ("png", "svg", "pdf")
VECTOR_FORMATS = ("svg", "pdf")


@dataclass(frozen=True)
class ImageSpec:
    """How a map image is drawn: its format, page size and (PNG only) pixel scale."""

    format: str = "png"
    size: str = "16:9"
    scale: int = 1

    @property
    def page(self) -> ImageSize:
        """The page size."""
        return IMAGE_SIZES[self.size]

    @property
    def pixels(self) -> tuple[int, int]:
        """The image's width and height in pixels (of a PNG; SVG and PDF are drawn at scale 1)."""
        return self.page.width * self.scale, self.page.height * self.scale

    @property
    def dpi(self) -> int:
        """Dots per inch the image is drawn at."""
        return self.page.dpi * self.scale

    def key(self) -> str:
        """The part of a cache key that tells images of one view apart."""
        return f"{self.format}:{self.size}:{self.scale}"

    def file_tag(self) -> str:
        """The size in a file name: '16x9', 'a4', '16x9@2x'."""
        tag = self.size.replace(":", "x")
        return f"{tag}@{self.scale}x" if self.scale != 1 else tag


@dataclass(frozen=True)
class ViewState:
    """Everything that defines one map view; period None means the latest."""

    level: str = "regency"
    metric: str = METRICS[0]  # the registry's first map metric: coverage
    segment: str = ALL_SEGMENTS
    period: str | None = None
    scheme: str = "target"
    k: int = 5
    threshold: float | None = None
    province: str | None = None
    lang: str = DEFAULT_LANG
    base: str | None = None  # the baseline period of a comparison; None: the previous one
    outline: str = OUTLINES[0]

    def with_(self, **changes) -> ViewState:
        """A copy with some fields changed; choosing a province means its regencies, unless
        its districts are asked for."""
        state = replace(self, **changes)
        if state.province and state.level == "province":
            return replace(state, level="regency")
        return state

    def file_stem(self) -> str:
        """The start of a download's name, saying what the map shows:
        'peta-coverage-all-regency-2025-06'."""
        where = f"prov{self.province}" if self.province else self.level
        return f"peta-{self.metric}-{self.segment}-{where}-{self.period or 'none'}"

    def query(self, **changes) -> str:
        """The canonical query string of this view (changes applied), defaults left out."""
        state = self.with_(**changes) if changes else self
        default = ViewState()
        pairs = []
        for name in PARAMS:
            value = getattr(state, name)
            if value is None or (value == getattr(default, name) and name != "period"):
                continue
            if name == "outline" and value == "threshold":
                continue  # a threshold says it
            pairs.append((name, _format_threshold(value) if name == "threshold" else value))
        return urlencode(pairs)


def _format_threshold(value: float) -> str:
    """A threshold without a needless '.0'."""
    return f"{value:g}"


def _choice(args: Mapping[str, str], name: str, valid: Sequence[str], default, lang: str):
    """The value of one parameter when it is one of the valid values, else BadRequest."""
    value = args.get(name)
    if value is None or value == "":
        return default
    if value not in valid:
        raise invalid_choice(name, value, valid, lang)
    return value


def _threshold(args: Mapping[str, str], lang: str) -> float | None:
    """The low-coverage threshold in percent, or None for each province's target."""
    value = args.get("threshold")
    if value is None or value.strip() == "":
        return None
    low, high = THRESHOLD_RANGE
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and low <= number <= high):
        raise BadRequest(
            text(
                "invalid_number",
                lang,
                name="threshold",
                value=value,
                low=f"{low:g}",
                high=f"{high:g}",
            ),
            parameter="threshold",
        )
    return round(number, 2)


def _segment(args: Mapping[str, str], metric: str, lang: str) -> str:
    """The segment, which a metric about one segment (informal coverage) does not take."""
    segment = _choice(args, "segment", SEGMENT_CHOICES, ViewState.segment, lang)
    own = map_metric(metric).spec.segment
    if own is not None and segment != ALL_SEGMENTS:
        raise BadRequest(
            text(
                "error.metric_segment",
                lang,
                metric=metric,
                segment=segment,
                own=text(f"segment.{own}", lang),
                all=ALL_SEGMENTS,
            ),
            parameter="segment",
        )
    return segment


def _base(args: Mapping[str, str], metric: str, period: str | None, periods: Sequence[str], lang):
    """The baseline period of a comparison: a stored period before the one shown."""
    value = args.get("base")
    if value is None or value == "":
        return None
    if metric not in COMPARED_METRICS:
        raise BadRequest(
            text("error.base_metric", lang, value=value, metrics=", ".join(COMPARED_METRICS)),
            parameter="base",
        )
    earlier = [p for p in periods if period is not None and p < period]
    if value not in earlier:
        raise invalid_choice("base", value, earlier or [text("error.no_earlier", lang)], lang)
    return value


def _outline(args: Mapping[str, str], threshold: float | None, lang: str) -> str:
    """What the bold outline marks; a threshold means 'below the threshold'."""
    outline = _choice(args, "outline", OUTLINES, None, lang)
    if threshold is not None:
        if outline not in (None, "threshold"):
            raise BadRequest(
                text("error.outline_threshold", lang, outline=outline), parameter="outline"
            )
        return "threshold"
    if outline == "threshold":
        raise BadRequest(text("error.threshold_missing", lang), parameter="threshold")
    return outline or ViewState.outline


def sources_query(state: ViewState) -> str:
    """The query string of the sources page that goes with a view: the province it shows
    (its figures and its regencies') and its language; defaults left out."""
    pairs = [("kode", state.province)] if state.province else []
    if state.lang != DEFAULT_LANG:
        pairs.append(("lang", state.lang))
    return urlencode(pairs)


def parse_view(
    args: Mapping[str, str], periods: Sequence[str], provinces: Sequence[str]
) -> ViewState:
    """Check a query string's parameters against the valid values and build the view state.

    Messages are in the language the request asks for (Indonesian when lang itself is bad);
    the period defaults to the latest of `periods`; a province (one of `provinces`, the
    region's) shows its regencies, or its districts with level=district.
    Contradictions are refused: a segment with a metric about another segment, a baseline
    for a metric that compares nothing, an outline rule beside a threshold. Every bad
    parameter is reported at once (a bad one counts as its default for the checks after it).
    """
    lang = _choice(args, "lang", LANGS, DEFAULT_LANG, DEFAULT_LANG)
    problems = QueryProblems()
    default_period = periods[-1] if periods else None

    def choice(name: str, valid: Sequence[str], default):
        return problems.check(default, lambda: _choice(args, name, valid, default, lang))

    period = choice("period", list(periods), default_period)
    k_text = choice("k", [str(k) for k in K_VALUES], str(ViewState.k))
    metric = choice("metric", METRICS, ViewState.metric)
    threshold = problems.check(None, lambda: _threshold(args, lang))
    state = ViewState(
        level=choice("level", LEVELS, ViewState.level),
        metric=metric,
        segment=problems.check(ALL_SEGMENTS, lambda: _segment(args, metric, lang)),
        period=period,
        base=problems.check(None, lambda: _base(args, metric, period, periods, lang)),
        scheme=choice("scheme", SCHEMES, ViewState.scheme),
        k=int(k_text),
        outline=problems.check(ViewState.outline, lambda: _outline(args, threshold, lang)),
        threshold=threshold,
        province=choice("province", provinces, None),
        lang=lang,
    )
    problems.raise_any()
    return state.with_()


def parse_image(args: Mapping[str, str], image_format: str, lang: str) -> ImageSpec:
    """The size (`16:9`, `4:3`, `a4`) and scale (`1`, `2`) of a map image; scale 2 of an SVG
    or a PDF is refused, as they are vector images, sharp at any size."""
    if image_format not in IMAGE_FORMATS:
        raise invalid_choice("format", image_format, IMAGE_FORMATS, lang)
    size = _choice(args, "size", list(IMAGE_SIZES), ImageSpec.size, lang)
    scale = _choice(args, "scale", [str(s) for s in SCALES], str(ImageSpec.scale), lang)
    if image_format in VECTOR_FORMATS and scale != str(ImageSpec.scale):
        raise BadRequest(
            text("error.scale_vector", lang, value=args["scale"], format=image_format.upper()),
            parameter="scale",
        )
    return ImageSpec(image_format, size, int(scale))


def choices(
    lang: str, periods: Sequence[str], provinces: Sequence[tuple[str, str]] = ()
) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The browse page's selects: (parameter, label, [(value, option text)]), in lang; the
    empty value is the default where there is one (the whole region, the previous period)."""

    def labelled(name: str, values: Sequence[str]) -> list[tuple[str, str]]:
        return [(v, text(f"{name}.{v}", lang)) for v in values]

    levels = sorted(LEVELS, key=lambda v: v != ViewState.level)  # the default first
    metrics = [(m, metric_title(m, lang)) for m in METRICS]
    newest_first = [(p, format_period(p, lang)) for p in reversed(periods)]
    return [
        ("province", text("province", lang), [("", text("province.all", lang)), *provinces]),
        ("level", text("level", lang), labelled("level", levels)),
        ("metric", text("metric", lang), metrics),
        ("segment", text("segment", lang), labelled("segment", SEGMENT_CHOICES)),
        ("period", text("period", lang), newest_first),
        ("base", text("base", lang), [("", text("base.previous", lang)), *newest_first]),
        ("scheme", text("scheme", lang), labelled("scheme", SCHEMES)),
        ("k", text("k", lang), [(str(k), str(k)) for k in K_VALUES]),
        ("outline", text("outline", lang), labelled("outline", OUTLINES)),
    ]
