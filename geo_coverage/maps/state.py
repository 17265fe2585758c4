"""The state of a map view: parsed and checked from a query string, and turned back into URLs.

This is the one place that builds map URLs and permalinks; no Flask.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from geo_coverage.errors import BadRequest, invalid_choice
from geo_coverage.i18n import DEFAULT_LANG, LANGS, format_period, text
from geo_coverage.metrics.registry import MAP_METRICS, metric_title
from geo_coverage.region import ALL_SEGMENTS, LEVELS, SEGMENT_CHOICES

LOGGER = logging.getLogger(__name__)

METRICS = tuple(MAP_METRICS)
SCHEMES = ("target", "quantiles", "equal_interval", "natural_breaks")
K_VALUES = (3, 4, 5, 6, 7)
THRESHOLD_RANGE = (0.0, 100.0)
# Parameters in the order they appear in URLs.
PARAMS = ("level", "province", "metric", "segment", "period", "scheme", "k", "threshold", "lang")


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

    def with_(self, **changes) -> ViewState:
        """A copy with some fields changed; choosing a province means the regency level."""
        state = replace(self, **changes)
        return replace(state, level="regency") if state.province else state

    def query(self, **changes) -> str:
        """The canonical query string of this view (changes applied), defaults left out."""
        state = self.with_(**changes) if changes else self
        default = ViewState()
        pairs = []
        for name in PARAMS:
            value = getattr(state, name)
            if value is None or (value == getattr(default, name) and name != "period"):
                continue
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


def parse_view(
    args: Mapping[str, str], periods: Sequence[str], provinces: Sequence[str]
) -> ViewState:
    """Check a query string's parameters against the valid values and build the view state.

    Messages are in the language the request asks for (Indonesian when lang itself is bad);
    the period defaults to the latest of `periods`; a province (one of `provinces`, the
    region's) implies the regency level.
    """
    lang = _choice(args, "lang", LANGS, DEFAULT_LANG, DEFAULT_LANG)
    period = _choice(args, "period", list(periods), periods[-1] if periods else None, lang)
    k_text = _choice(args, "k", [str(k) for k in K_VALUES], str(ViewState.k), lang)
    state = ViewState(
        level=_choice(args, "level", LEVELS, ViewState.level, lang),
        metric=_choice(args, "metric", METRICS, ViewState.metric, lang),
        segment=_choice(args, "segment", SEGMENT_CHOICES, ViewState.segment, lang),
        period=period,
        scheme=_choice(args, "scheme", SCHEMES, ViewState.scheme, lang),
        k=int(k_text),
        threshold=_threshold(args, lang),
        province=_choice(args, "province", provinces, None, lang),
        lang=lang,
    )
    return state.with_()


def choices(lang: str, periods: Sequence[str]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The browse page's selects: (parameter, label, [(value, option text)]), in lang."""

    def labelled(name: str, values: Sequence[str]) -> list[tuple[str, str]]:
        return [(v, text(f"{name}.{v}", lang)) for v in values]

    levels = sorted(LEVELS, key=lambda v: v != ViewState.level)  # the default first
    metrics = [(m, metric_title(m, lang)) for m in METRICS]
    return [
        ("level", text("level", lang), labelled("level", levels)),
        ("metric", text("metric", lang), metrics),
        ("segment", text("segment", lang), labelled("segment", SEGMENT_CHOICES)),
        ("period", text("period", lang), [(p, format_period(p, lang)) for p in reversed(periods)]),
        ("scheme", text("scheme", lang), labelled("scheme", SCHEMES)),
        ("k", text("k", lang), [(str(k), str(k)) for k in K_VALUES]),
    ]
