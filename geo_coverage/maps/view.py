"""The view model of a choropleth: metric values, classes, colours, legend, low-coverage areas,
outreach priorities and tooltip texts, for the browser, the embed and the PNG; no Flask.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely

from geo_coverage.config import Settings
from geo_coverage.enrollment.targets import DEFAULT_TARGET_PCT
from geo_coverage.gis import features
from geo_coverage.i18n import format_int, format_number, format_pct, format_period, text
from geo_coverage.maps import classify
from geo_coverage.maps.state import ViewState
from geo_coverage.metrics import dataset
from geo_coverage.metrics.registry import (
    TABLE_FIELDS,
    TOOLTIP_FIELDS,
    MapSpec,
    map_metric,
    metric_title,
)
from geo_coverage.region import ALL_SEGMENTS, LAYER_NAMES

LOGGER = logging.getLogger(__name__)

TOP_PRIORITIES = {"regency": 10, "province": 3}


@dataclass(frozen=True)
class LegendEntry:
    """One legend row: colour (or the hatched no-data swatch), range label, area count."""

    color: str
    label: str
    count: int
    hatched: bool = False


@dataclass(frozen=True)
class Area:
    """One area as drawn: its class, outline, rank and tooltip values."""

    kode: str
    nama: str
    prov_kode: str
    cls: int
    fill: str
    low: bool
    rank: int | None
    source_note: str | None
    cells: tuple[str, ...]


@dataclass(frozen=True)
class MapView:
    """Everything needed to draw one view, in the view's language."""

    state: ViewState
    title: str
    period_label: str
    legend_title: str
    legend: tuple[LegendEntry, ...]
    notes: tuple[str, ...]
    illustrative: bool
    areas: tuple[Area, ...]
    priorities: tuple[tuple[int, str, float, float], ...]  # rank, kode, lon, lat
    low: tuple[str, ...]  # codes below the target or threshold, lowest coverage first
    fields: tuple[str, ...]
    provinces: tuple[str, ...]  # the region's, each a drill-down

    @property
    def low_title(self) -> str:
        """The heading of the low-coverage list: below target, or below the threshold."""
        lang = self.state.lang
        if self.state.threshold is None:
            return text("below_target", lang)
        return text("below_threshold", lang, value=format_pct(self.state.threshold, lang))

    @property
    def layer(self) -> str:
        """The TopoJSON object the areas come from."""
        return LAYER_NAMES[self.state.level]

    def by_rank(self) -> list[Area]:
        """The areas in priority order; areas without a rank last, by code."""
        return sorted(self.areas, key=lambda a: (a.rank is None, a.rank or 0, a.kode))

    def to_json(self, source_line: str) -> dict:
        """The JSON the browser draws from: one entry per area, tooltip values by field."""
        table_fields = [TOOLTIP_FIELDS.index(f) for f in TABLE_FIELDS]
        return {
            "lang": self.state.lang,
            "level": self.state.level,
            "layer": self.layer,
            "province": self.state.province,
            "title": self.title,
            "period": self.period_label,
            "source": source_line,
            "illustrative": self.illustrative,
            "legend": {
                "title": self.legend_title,
                "notes": list(self.notes),
                "entries": [
                    {"color": e.color, "label": e.label, "count": e.count, "hatched": e.hatched}
                    for e in self.legend
                ],
            },
            "fields": list(self.fields),
            "table_fields": table_fields,
            "state": {
                "level": self.state.level,
                "metric": self.state.metric,
                "segment": self.state.segment,
                "period": self.state.period,
                "scheme": self.state.scheme,
                "k": self.state.k,
                "threshold": self.state.threshold,
                "province": self.state.province,
            },
            "queries": _queries(self.state, self.provinces),
            "areas": {
                a.kode: {
                    "name": a.nama,
                    "province": a.prov_kode,
                    "fill": a.fill if a.cls >= 0 else None,
                    "low": a.low,
                    "rank": a.rank,
                    "source_note": a.source_note,
                    "values": list(a.cells),
                }
                for a in self.areas
            },
            "ranked": [a.kode for a in self.by_rank()],
            "priorities": [
                {"kode": k, "rank": r, "latlng": [round(lat, 5), round(lon, 5)]}
                for r, k, lon, lat in self.priorities
            ],
            "low_areas": list(self.low),
            "low_title": self.low_title,
        }


def _queries(state: ViewState, provinces: tuple[str, ...]) -> dict:
    """Query strings of this view, of the whole region, of each province and in the other
    language."""
    other = "id" if state.lang == "en" else "en"
    return {
        "self": state.query(),
        "region": state.query(province=None),
        "lang": state.query(lang=other),
        "provinces": {p: state.query(province=p) for p in provinces},
    }


def _number(value: float, spec: MapSpec, lang: str, digits: int) -> str:
    """A class bound formatted like the metric."""
    if spec.kind in ("count", "gap"):
        return format_int(value, lang)
    number = format_number(value, lang, digits, signed=spec.kind == "change")
    return f"{number} %" if spec.kind == "pct" else number


def class_labels(classes: classify.Classes, spec: MapSpec, lang: str) -> list[str]:
    """A range label for each class: '< a', 'a – b', '≥ b' (lower bounds belong to a class).

    Fixed bounds show the decimals they have (at most two); data-driven cuts one decimal.
    """
    cuts = classes.cuts
    digits = next((d for d in (0, 1, 2) if all(round(c, d) == c for c in cuts)), 1)
    if not cuts:
        if classes.minimum is None:
            return ["–"]
        low, high = (_number(v, spec, lang, 1) for v in (classes.minimum, classes.maximum))
        return [low if low == high else f"{low} – {high}"]
    labels = [f"< {_number(cuts[0], spec, lang, digits)}"]
    labels += [
        f"{_number(a, spec, lang, digits)} – {_number(b, spec, lang, digits)}"
        for a, b in zip(cuts[:-1], cuts[1:], strict=True)
    ]
    labels.append(f"≥ {_number(cuts[-1], spec, lang, digits)}")
    if spec.kind == "gap" and cuts[0] == 1:
        labels[0] = f"0 ({text('target_reached', lang)})"
    return labels


def reference_target(frame: pd.DataFrame) -> float:
    """The most common target of the areas shown (the fixed breaks are built around it)."""
    targets = [float(t) for t in frame["target_pct"].dropna()]
    return Counter(targets).most_common(1)[0][0] if targets else DEFAULT_TARGET_PCT


def fixed_cuts(spec: MapSpec, state: ViewState, target: float) -> list[float]:
    """The fixed breaks of a metric: around the target, or a ladder from the target (gap 0)."""
    start = spec.start[0] if state.level == "regency" else spec.start[1]
    if spec.kind == "pct":
        return classify.fixed_cuts_around(target, state.k)
    if spec.kind == "count":
        return classify.ladder(start, state.k - 1)
    if spec.kind == "gap":
        return [spec.centre, *classify.ladder(start, state.k - 2)]
    return classify.fixed_cuts_diverging(spec.centre, start, state.k)


def _floats(series: pd.Series) -> np.ndarray:
    """A nullable column as floats with NaN for missing."""
    return series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _low_mask(frame: pd.DataFrame, threshold: float | None) -> np.ndarray:
    """Areas whose coverage is below the threshold or, without one, below their target."""
    coverage = _floats(frame["coverage_pct"])
    limit = (
        np.full(len(frame), threshold) if threshold is not None else _floats(frame["target_pct"])
    )
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(coverage, nan=np.inf) < np.nan_to_num(limit, nan=-np.inf)


def build_view(
    metrics: pd.DataFrame, state: ViewState, anchors: dict[str, tuple[float, float]]
) -> MapView:
    """The view model of one map from the metrics of its level and period.

    `anchors` holds a point inside each area (lon, lat) for the priority markers.
    """
    lang = state.lang
    field = map_metric(state.metric)
    spec = field.map
    frame = metrics
    provinces = tuple(sorted(str(p) for p in metrics["prov_kode"].dropna().unique()))
    if state.province:
        frame = frame[frame["prov_kode"] == state.province]
    frame = frame.sort_values("kode").reset_index(drop=True)
    values = _floats(frame[field.key])
    target = reference_target(frame)
    classes = classify.classify(
        values,
        state.scheme,
        state.k,
        ramp=spec.ramp,
        fixed=fixed_cuts(spec, state, target),
        centre=spec.centre,
        reverse=field.reverse_ramp,
    )
    index = classes.index(values)
    low = _low_mask(frame, state.threshold)
    rank_column = "priority_rank" if state.province else "priority_rank_region"
    fields = tuple(f.label.get(lang) for f in TOOLTIP_FIELDS)
    areas = []
    for i, row in enumerate(frame.itertuples(index=False)):
        source = row.data_source if isinstance(row.data_source, str) else None
        rank = getattr(row, rank_column)
        areas.append(
            Area(
                kode=row.kode,
                nama=row.nama,
                prov_kode=row.prov_kode,
                cls=int(index[i]),
                fill=classes.colors[index[i]] if index[i] >= 0 else classify.NODATA_FILL,
                low=bool(low[i]),
                rank=None if pd.isna(rank) else int(rank),
                source_note=text(source, lang) if source in ("modelled", "mixed") else None,
                cells=tuple(f.format(getattr(row, f.key), lang) for f in TOOLTIP_FIELDS),
            )
        )
    legend = [
        LegendEntry(c, label, n)
        for c, label, n in zip(
            classes.colors, class_labels(classes, spec, lang), classes.counts, strict=True
        )
    ]
    legend.append(LegendEntry(classify.NODATA_FILL, text("no_data", lang), classes.nodata, True))
    ranked = sorted((a for a in areas if a.rank is not None), key=lambda a: a.rank)
    top = ranked[: TOP_PRIORITIES[state.level]]
    priorities = tuple((a.rank, a.kode, *anchors[a.kode]) for a in top if a.kode in anchors)
    coverage = _floats(frame["coverage_pct"])
    lows = sorted((i for i, a in enumerate(areas) if a.low), key=lambda i: coverage[i])
    return MapView(
        state=state,
        title=_title(state, frame),
        period_label=format_period(state.period, lang) if state.period else "–",
        legend_title=metric_title(state.metric, lang),
        legend=tuple(legend),
        notes=_notes(state, spec, target),
        illustrative=any(a.source_note for a in areas),
        areas=tuple(areas),
        priorities=priorities,
        low=tuple(areas[i].kode for i in lows),
        fields=fields,
        provinces=provinces,
    )


def _title(state: ViewState, frame: pd.DataFrame) -> str:
    """The map title: metric (and segment), where, when."""
    lang = state.lang
    metric = metric_title(state.metric, lang)
    if state.segment != ALL_SEGMENTS:
        metric = f"{metric} — {text(f'segment.{state.segment}', lang)}"
    period = format_period(state.period, lang) if state.period else "–"
    if state.province:
        names = frame["prov_nama"].dropna()
        where = str(names.iloc[0]) if len(names) else state.province
        return text("title_province", lang, metric=metric, province=where, period=period)
    return text(
        "title", lang, metric=metric, level=text(f"level.{state.level}", lang), period=period
    )


def _notes(state: ViewState, spec: MapSpec, target: float) -> tuple[str, ...]:
    """Legend notes: what the outline and the numbers mean, and the target the breaks use."""
    lang = state.lang
    notes = []
    if state.scheme == "target" and spec.kind == "pct":
        notes.append(text("breaks_target", lang, target=format_pct(target, lang, 2)))
    if state.threshold is None:
        notes.append(text("low_outline", lang))
    else:
        notes.append(text("low_outline_threshold", lang, value=format_pct(state.threshold, lang)))
    notes.append(text("priority_marker", lang))
    return tuple(notes)


def anchor_points(codes: tuple[str, ...], geoms: np.ndarray) -> dict[str, tuple[float, float]]:
    """A point inside each area (lon, lat), where its priority marker goes."""
    points = shapely.point_on_surface(np.asarray(geoms, dtype=object))
    return {k: (float(p.x), float(p.y)) for k, p in zip(codes, points, strict=True)}


@lru_cache(maxsize=8)
def _anchors(settings: Settings, level: str, build_key: str) -> dict[str, tuple[float, float]]:
    """The anchor points of a level's display geometry (kept per build)."""
    shapes = features.shapes(settings, level, simplified=True)
    return anchor_points(shapes.codes, shapes.geoms)


def clear_cache() -> None:
    """Forget the anchor points computed so far."""
    _anchors.cache_clear()


def load_view(settings: Settings, state: ViewState) -> MapView:
    """The view model of a state, from the store's metrics and the display geometry."""
    segment = None if state.segment == ALL_SEGMENTS else state.segment
    metrics = dataset.load_metrics(settings, state.level, state.period, segment)
    anchors = _anchors(settings, state.level, features.build_key(settings))
    return build_view(metrics, state, anchors)


def source_line(settings: Settings, lang: str) -> str:
    """Where the figures and boundaries come from, with the data version."""
    return text("source_line", lang, version=dataset.data_version(settings))
