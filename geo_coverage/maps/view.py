"""The view model of a choropleth: metric values, classes, colours, legend, low-coverage areas,
outreach priorities and tooltip texts, for the browser, the embed and the PNG; no Flask.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import PurePath

import numpy as np
import pandas as pd
import shapely

from geo_coverage.boundaries.shape_source import shape_source
from geo_coverage.config import Settings
from geo_coverage.enrollment.targets import DEFAULT_TARGET_PCT
from geo_coverage.gis import features
from geo_coverage.i18n import (
    format_date,
    format_int,
    format_number,
    format_pct,
    format_period,
    text,
)
from geo_coverage.maps import classify
from geo_coverage.maps.evidence import AreaEvidence, area_evidence
from geo_coverage.maps.state import COMPARED_METRICS, WORST_SHARE, ViewState, sources_query
from geo_coverage.metrics import dataset
from geo_coverage.metrics.compute import REGENCY_RATES
from geo_coverage.metrics.registry import (
    FIELD,
    MAP_METRICS,
    TABLE_FIELDS,
    TOOLTIP_FIELDS,
    Field,
    MapSpec,
    map_metric,
    metric_title,
)
from geo_coverage.region import (
    ALL_SEGMENTS,
    LAYER_NAMES,
    REGENCY_PREFIX,
    SEARCH_LEVELS,
    SEGMENTS,
)

LOGGER = logging.getLogger(__name__)

TOP_PRIORITIES = {"regency": 10, "province": 3, "district": 10}  # of the areas with ranks
NAMED_PRIORITIES = 3  # the top-ranked areas that carry their name on the map
MAP_COLORS = {
    "sea": classify.SEA,
    "edge": classify.AREA_EDGE,
    "outline": classify.OUTLINE,
    "halo": classify.HALO,
}
PUBLISHED = "published"
# Fields an area's figures leave out at a level, where they are always null.
LEVEL_HIDDEN = {"province": ("priority_rank_province",)}
# The metrics about one segment, which the segment choice does not apply to.
METRIC_SEGMENTS = {m: f.spec.segment for m, f in MAP_METRICS.items() if f.spec.segment}


@dataclass(frozen=True)
class Context:
    """What a view needs beyond its metrics: the counts of the metric's own segment, the
    comparison with a baseline, and why segments have no data."""

    parts: pd.DataFrame | None = None  # kode, active_members, potential_workers of its segment
    base: str | None = None  # baseline period of a comparison
    comparison: pd.DataFrame | None = None  # kode, coverage_pct, base_coverage_pct, change_pp
    gaps: dict[str, str] = field(default_factory=dict)  # segment -> 'no_rows' | 'no_potential'
    evidence: pd.DataFrame | None = None  # the published figures (metrics.dataset.evidence)


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
    prov_nama: str = ""
    value: float | None = None  # the mapped metric
    table: tuple[tuple[str, float | None], ...] = ()  # data table cells: (text, number)
    data_source: str | None = None  # published, mixed or modelled; None without data
    evidence: AreaEvidence = AreaEvidence()  # published figures around the period shown
    figures_of: str | None = None  # a district's: its own figures, or its regency's rates


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
    low: tuple[str, ...]  # codes the bold outline marks, worst first
    fields: tuple[str, ...]
    provinces: tuple[str, ...]  # the region's, each a drill-down
    low_values: tuple[str, ...] = ()  # the figure each outlined area is listed with
    outline_rule: str | None = None  # legend key of the bold outline
    marker_rule: str | None = None  # legend key of the numbered markers
    nodata_reason: str | None = None
    table_caption: str = ""
    table_columns: tuple[str, ...] = ()  # after the area (and province) columns
    base_label: str | None = None  # the baseline period of a comparison, as people read it
    segment_hint: str | None = None  # why the segment cannot be chosen with this metric
    unavailable: tuple[tuple[str, str], ...] = ()  # (segment, why it has no data)
    field_keys: tuple[str, ...] = ()  # the registry keys of `fields`, in order
    rank_rule: str = ""  # which rank the priority table and the markers show
    priority_why: str | None = None  # why the first-ranked area is there although at target
    cuts: tuple[float, ...] = ()  # class i holds cuts[i-1] <= value < cuts[i] (legend order)

    @property
    def banner(self) -> str | None:
        """The short notice at the top of every map: how many of the areas shown have
        figures that are not (wholly) published; None when every figure shown is published."""
        modelled = sum(1 for a in self.areas if a.data_source not in (None, PUBLISHED))
        if not modelled:
            return None
        key = f"banner.modelled.{self.state.level}"
        return text(key, self.state.lang, modelled=modelled, total=len(self.areas))

    figures_note: str | None = None  # whose figures the areas carry when not their own

    @property
    def low_title(self) -> str:
        """The heading of the outlined areas' list: the worst fifth, below target or below the
        threshold (empty when nothing is outlined)."""
        lang = self.state.lang
        outline = self.state.outline
        if outline == "worst":
            worst = map_metric(self.state.metric).spec.worst.get(lang)
            return text("worst_title", lang, worst=worst)
        if outline == "target":
            return text("below_target", lang)
        if outline == "threshold":
            return text("below_threshold", lang, value=_threshold_text(self.state))
        return ""

    @property
    def layer(self) -> str:
        """The TopoJSON object the areas come from."""
        return LAYER_NAMES[self.state.level]

    def by_rank(self) -> list[Area]:
        """The areas in priority order; areas without a rank last, by code."""
        return sorted(self.areas, key=lambda a: (a.rank is None, a.rank or 0, a.kode))

    def to_json(self, source_line: str) -> dict:
        """The JSON the browser draws from: one entry per area, tooltip values by field."""
        table_fields = [self.field_keys.index(f.key) for f in TABLE_FIELDS]
        return {
            "lang": self.state.lang,
            "level": self.state.level,
            "layer": self.layer,
            "province": self.state.province,
            "title": self.title,
            "period": self.period_label,
            "source": source_line,
            "banner": self.banner,
            "sources_query": sources_query(self.state),
            "rank_rule": self.rank_rule,
            "priority_why": self.priority_why,
            "figures_note": self.figures_note,
            "legend": {
                "title": self.legend_title,
                "notes": list(self.notes),
                "outline": self.outline_rule,
                "markers": self.marker_rule,
                "priority_why": self.priority_why if self.marker_rule else None,
                "nodata_reason": self.nodata_reason,
                "entries": [
                    {"color": e.color, "label": e.label, "count": e.count, "hatched": e.hatched}
                    for e in self.legend
                ],
            },
            "base": self.base_label,
            "segment_hint": self.segment_hint,
            "unavailable": dict(self.unavailable),
            "table": {"caption": self.table_caption, "columns": list(self.table_columns)},
            "labels": [a.kode for a in self.named()],
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
                "base": self.state.base,
                "outline": self.state.outline,
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
                    "province_name": a.prov_nama,
                    "label": short_name(a.nama),
                    "table": [list(cell) for cell in a.table],
                    "data_source": a.data_source,
                    "figures_of": a.figures_of,
                    "evidence": {
                        "figures": [f.to_json() for f in a.evidence.figures],
                        "note": a.evidence.note,
                        "more": a.evidence.more,
                    },
                }
                for a in self.areas
            },
            "ranked": [a.kode for a in self.by_rank()],
            "priorities": [
                {"kode": k, "rank": r, "latlng": [round(lat, 5), round(lon, 5)]}
                for r, k, lon, lat in self.priorities
            ],
            "low_areas": list(self.low),
            "low_values": list(self.low_values),
            "low_title": self.low_title,
        }

    def named(self) -> list[Area]:
        """The top-ranked areas whose names are written on the map."""
        return [a for a in self.by_rank() if a.rank is not None][:NAMED_PRIORITIES]


def _band_cell(cell: str, low, high, lang: str) -> str:
    """A coverage with its likely range: '35,2 % (kemungkinan 28–41 %)'; as is without one."""
    if pd.isna(low) or pd.isna(high):
        return cell
    digits = 0 if high - low >= 2 else 1
    return text(
        "band",
        lang,
        value=cell,
        low=format_number(low, lang, digits),
        high=format_number(high, lang, digits),
    )


def tooltip_fields(level: str) -> tuple[Field, ...]:
    """The fields an area's figures list at a level (a province has no rank in a province)."""
    hidden = LEVEL_HIDDEN.get(level, ())
    return tuple(f for f in TOOLTIP_FIELDS if f.key not in hidden)


def _rank_rule(state: ViewState, frame: pd.DataFrame, rank_column: str) -> str:
    """Which rank the priority table and the markers show, and among how many areas."""
    lang = state.lang
    count = int(frame[rank_column].notna().sum())
    if state.level == "province":
        return text("priority_rank_rule.provinces", lang, count=count)
    district = state.level == "district"
    if district and not count:  # districts carrying their regency's rates have no rank
        return text("priority_rank_rule.district_none", lang)
    prefix = "priority_rank_rule.district_" if district else "priority_rank_rule."
    if state.province:
        names = frame["prov_nama"].dropna()
        where = str(names.iloc[0]) if len(names) else state.province
        return text(f"{prefix}province", lang, province=where, count=count)
    return text(f"{prefix}region", lang, count=count)


def _priority_why(frame: pd.DataFrame, rank_column: str, lang: str) -> str | None:
    """Why the first-ranked area is first although it has reached its target (its shortfall
    is 0, so only its uncovered informal workers and their coverage count); None otherwise."""
    top = frame[frame[rank_column] == 1]
    if top.empty:
        return None
    row = top.iloc[0]
    shortfall = row["target_shortfall_pct"]
    if pd.isna(shortfall) or shortfall > 0:
        return None
    return text(
        "priority_first_at_target",
        lang,
        name=row["nama"],
        target=FIELD["target_pct"].format(row["target_pct"], lang),
        uncovered=FIELD["uncovered_informal"].format(row["uncovered_informal"], lang),
        informal=FIELD["informal_coverage_pct"].format(row["informal_coverage_pct"], lang),
    )


def _evidence_of(
    context: Context, state: ViewState, frame: pd.DataFrame
) -> dict[str, AreaEvidence]:
    """Each area's published figures around the period shown, and its note."""
    periods = frame["period"].dropna()
    period = state.period or (str(periods.iloc[0]) if len(periods) else None)
    if context.evidence is None or period is None:
        return {}
    groups = dict(tuple(context.evidence.groupby("kode", sort=False)))
    found = {}
    for row in frame.itertuples(index=False):
        own = groups.get(row.kode)
        source = row.data_source if isinstance(row.data_source, str) else None
        if own is None:
            own = context.evidence.iloc[0:0]
        found[row.kode] = area_evidence(
            own, row.kode, period, row._asdict(), state.segment, source, state.lang
        )
    return found


def short_name(name: str) -> str:
    """An area's name as a map label: 'Kabupaten Gowa' -> 'Gowa', 'Kota Makassar' stays."""
    return name.removeprefix(REGENCY_PREFIX)  # "Kota" stays: it tells a city


def _lower_first(words: str) -> str:
    """A name to use inside a sentence: 'Pekerja informal (BPU)' -> 'pekerja informal (BPU)'."""
    return words[:1].lower() + words[1:]


def _threshold_text(state: ViewState) -> str:
    """The threshold as people read it, with coverage's decimals."""
    return format_pct(state.threshold, state.lang, FIELD["coverage_pct"].display_decimals)


def _queries(state: ViewState, provinces: tuple[str, ...]) -> dict:
    """Query strings of this view, of the whole region, of each province and in the other
    language."""
    other = "id" if state.lang == "en" else "en"
    return {
        "self": state.query(),
        "region": state.query(province=None),
        "lang": state.query(lang=other),
        "provinces": {p: state.query(province=p) for p in provinces},
        "districts": state.query(level="district"),
    }


def _number(value: float, spec: MapSpec, lang: str, digits: int) -> str:
    """A class bound formatted like the metric."""
    if spec.kind in ("count", "gap"):
        return format_int(value, lang)
    number = format_number(value, lang, digits, signed=spec.kind == "change")
    return f"{number} %" if spec.kind == "pct" else number


def class_labels(classes: classify.Classes, spec: MapSpec, lang: str, digits: int = 1) -> list[str]:
    """A range label for each class: '< a', 'a – b', '≥ b' (lower bounds belong to a class),
    with the metric's decimals (the registry's one rule for how a figure is shown)."""
    cuts = classes.cuts
    if not cuts:
        if classes.minimum is None:
            return ["–"]
        highest = classes.minimum if classes.maximum is None else classes.maximum
        low, high = (_number(v, spec, lang, digits) for v in (classes.minimum, highest))
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


def fixed_cuts(
    spec: MapSpec, state: ViewState, target: float, values: np.ndarray, digits: int = 1
) -> list[float]:
    """The default breaks of a metric: around the target, a ladder from the target (gap 0),
    or, for a change, quantiles of the areas shown rounded to the metric's decimals, so that
    the areas of one province spread over classes whenever their shown values differ."""
    start = spec.start[1] if state.level == "province" else spec.start[0]
    if spec.kind == "pct":
        return classify.fixed_cuts_around(target, state.k)
    if spec.kind == "count":
        return classify.ladder(start, state.k - 1)
    if spec.kind == "gap":
        centre = 0.0 if spec.centre is None else spec.centre
        return [centre, *classify.ladder(start, state.k - 2)]
    return classify.rounded_quantile_cuts(values, state.k, digits)


def _floats(series: pd.Series) -> np.ndarray:
    """A nullable column as floats with NaN for missing."""
    return series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _below(frame: pd.DataFrame, threshold: float | None) -> np.ndarray:
    """Areas whose coverage is below the threshold or, without one, below their target."""
    coverage = _floats(frame["coverage_pct"])
    limit = (
        np.full(len(frame), threshold) if threshold is not None else _floats(frame["target_pct"])
    )
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(coverage, nan=np.inf) < np.nan_to_num(limit, nan=-np.inf)


def worst_order(values: np.ndarray, codes: list[str], lower_is_worse: bool) -> list[int]:
    """Indexes of the areas with a value, worst first (ties by code)."""
    found = [i for i in range(len(values)) if np.isfinite(values[i])]
    sign = 1 if lower_is_worse else -1
    return sorted(found, key=lambda i: (sign * values[i], codes[i]))


def worst_share_count(ordered: np.ndarray) -> int:
    """How many of the values (worst first) make the worst fifth without splitting equal
    figures: a fifth (rounded up) widened to take every value tied with its last one, or
    narrowed to leave them all out, whichever is nearer a fifth (widened when equally near)."""
    share = math.ceil(len(ordered) / WORST_SHARE)
    if not share:
        return 0
    edge = ordered[share - 1]
    worse = int(np.count_nonzero(ordered[:share] != edge))
    widened = share + int(np.count_nonzero(ordered[share:] == edge))
    return widened if widened - share <= share - worse else worse


def outlined(frame: pd.DataFrame, state: ViewState, values: np.ndarray, field_: Field) -> list[int]:
    """The areas the bold outline marks, worst first: the worst fifth on the metric shown
    (never splitting equal figures: worst_share_count), coverage below target or threshold,
    or none."""
    codes = list(frame["kode"])
    if state.outline == "none":
        return []
    if state.outline == "worst":
        order = worst_order(values, codes, bool(field_.lower_is_worse))
        return order[: worst_share_count(values[order])]
    below = _below(frame, state.threshold if state.outline == "threshold" else None)
    return worst_order(np.where(below, _floats(frame["coverage_pct"]), np.nan), codes, True)


def _metric_values(frame: pd.DataFrame, field_: Field, context: Context) -> np.ndarray:
    """The mapped figure of each area; a comparison takes the context's baseline."""
    if field_.spec.compared is not None and context.comparison is not None:
        change = frame[["kode"]].merge(context.comparison, on="kode", how="left")
        return _floats(change[field_.key])
    if field_.spec.compared is not None:
        return np.full(len(frame), np.nan)  # nothing earlier to compare with
    return _floats(frame[field_.key])


def _table_parts(
    frame: pd.DataFrame, field_: Field, context: Context, state: ViewState, base_label
) -> tuple[list[str], list[list[tuple[str, float | None]]]]:
    """The data table's columns after the metric: its numerator and denominator (of the
    metric's own segment when it has one), or the coverage after and before a comparison."""
    lang = state.lang
    period = format_period(state.period, lang) if state.period else "–"
    coverage = FIELD["coverage_pct"]
    if field_.spec.compared is not None:
        before = None
        if context.comparison is None:
            after = _floats(frame["coverage_pct"])
        else:
            joined = frame[["kode"]].merge(context.comparison, on="kode", how="left")
            after, before = _floats(joined["coverage_pct"]), _floats(joined["base_coverage_pct"])
        columns = [f"{coverage.label.get(lang)} {period}"]
        cells = [[(coverage.format(v, lang), _plain(v))] for v in after]
        if before is not None and base_label is not None:
            columns.append(f"{coverage.label.get(lang)} {base_label}")
            for row, v in zip(cells, before, strict=True):
                row.append((coverage.format(v, lang), _plain(v)))
        return columns, cells
    names = [n for n in (field_.aggregation.numerator, field_.aggregation.denominator) if n]
    source = frame
    suffix = ""
    if field_.spec.segment is not None and context.parts is not None:
        source = frame[["kode"]].merge(context.parts, on="kode", how="left")
        suffix = f" — {text(f'segment.{field_.spec.segment}', lang)}"
    columns, cells = [], [[] for _ in range(len(frame))]
    for name in dict.fromkeys(names):
        part = FIELD[name]
        columns.append(part.label.get(lang) + suffix)
        for row, value in zip(cells, _floats(source[name]), strict=True):
            row.append((part.format(value, lang), _plain(value)))
    return columns, cells


def _plain(value: float) -> float | None:
    """A number for JSON: None for missing."""
    return None if value is None or not np.isfinite(value) else float(value)


def _nodata_reason(state: ViewState, context: Context, missing: int) -> str | None:
    """Why areas have no data: a segment without figures, nothing earlier to compare with, or
    figures not stored for them."""
    lang = state.lang
    period = format_period(state.period, lang) if state.period else "–"
    gap = context.gaps.get(state.segment)
    if gap is not None:
        return text(
            f"nodata.{gap}", lang, segment=text(f"segment.{state.segment}", lang), period=period
        )
    if state.metric in COMPARED_METRICS and context.base is None:
        return text("nodata.no_earlier", lang, period=period)
    if state.level == "district" and map_metric(state.metric).key not in REGENCY_RATES:
        return text("nodata.district_counts", lang)
    return text("nodata.missing", lang) if missing else None


def build_view(
    metrics: pd.DataFrame,
    state: ViewState,
    anchors: dict[str, tuple[float, float]],
    context: Context | None = None,
) -> MapView:
    """The view model of one map from the metrics of its level and period.

    `anchors` holds a point inside each area (lon, lat) for the priority markers; `context`
    the counts of the metric's own segment, the comparison and the segments without data.
    """
    context = context or Context()
    lang = state.lang
    field_ = map_metric(state.metric)
    spec = field_.spec
    digits = field_.display_decimals
    frame = metrics
    provinces = tuple(sorted(str(p) for p in metrics["prov_kode"].dropna().unique()))
    if state.province:
        frame = frame[frame["prov_kode"] == state.province]
    frame = frame.sort_values("kode").reset_index(drop=True)
    values = _metric_values(frame, field_, context)
    target = reference_target(frame)
    classes = classify.classify(
        values,
        state.scheme,
        state.k,
        ramp=spec.ramp,
        fixed=fixed_cuts(spec, state, target, values, digits),
        centre=spec.centre,
        reverse=field_.reverse_ramp,
    )
    index = classes.index(values)
    base_label = format_period(context.base, lang) if context.base else None
    rank_column = "priority_rank_province" if state.province else "priority_rank_region"
    shown_fields = tooltip_fields(state.level)
    keys = [f.key for f in shown_fields]
    fields = [f.label.get(lang) for f in shown_fields]
    if spec.compared is not None and base_label is not None:
        fields[keys.index(field_.key)] = metric_title(state.metric, lang, base_label)
    columns, parts = _table_parts(frame, field_, context, state, base_label)
    evidence = _evidence_of(context, state, frame)
    areas = []
    for i, row in enumerate(frame.itertuples(index=False)):
        source = row.data_source if isinstance(row.data_source, str) else None
        rank = getattr(row, rank_column)
        cells = [f.format(getattr(row, f.key), lang) for f in shown_fields]
        coverage = keys.index("coverage_pct")
        cells[coverage] = _band_cell(
            cells[coverage], row.coverage_pct_low, row.coverage_pct_high, lang
        )
        if spec.compared is not None:
            cells[keys.index(field_.key)] = field_.format(values[i], lang)
        value = (field_.format(values[i], lang), _plain(values[i]))
        areas.append(
            Area(
                kode=row.kode,
                nama=row.nama,
                prov_kode=row.prov_kode,
                cls=int(index[i]),
                fill=classes.colors[index[i]] if index[i] >= 0 else classify.NODATA_FILL,
                low=False,
                rank=None if pd.isna(rank) else int(rank),
                source_note=text(source, lang) if source in ("modelled", "mixed") else None,
                cells=tuple(cells),
                prov_nama="" if pd.isna(row.prov_nama) else str(row.prov_nama),
                value=_plain(values[i]),
                table=(value, *parts[i]),
                data_source=source,
                evidence=evidence.get(row.kode, AreaEvidence()),
                figures_of=_figures_of(row, lang),
            )
        )
    lows = outlined(frame, state, values, field_)
    marked = set(lows)
    areas = [replace(a, low=i in marked) for i, a in enumerate(areas)]
    listed = values if state.outline == "worst" else _floats(frame["coverage_pct"])
    listed_field = field_ if state.outline == "worst" else FIELD["coverage_pct"]
    legend = [
        LegendEntry(c, label, n)
        for c, label, n in zip(
            classes.colors, class_labels(classes, spec, lang, digits), classes.counts, strict=True
        )
        if classes.minimum is not None  # no classes without a single value
    ]
    legend.append(LegendEntry(classify.NODATA_FILL, text("no_data", lang), classes.nodata, True))
    ranked = sorted((a.rank, a.kode) for a in areas if a.rank is not None)
    top = ranked[: TOP_PRIORITIES[state.level]]
    priorities = tuple((rank, kode, *anchors[kode]) for rank, kode in top if kode in anchors)
    gaps = {s: g for s, g in context.gaps.items() if s in SEGMENTS}
    title = _title(state, frame, base_label)
    return MapView(
        state=state,
        title=title,
        period_label=format_period(state.period, lang) if state.period else "–",
        legend_title=metric_title(state.metric, lang, base_label),
        legend=tuple(legend),
        notes=_notes(state, spec, target),
        illustrative=any(a.source_note for a in areas),
        areas=tuple(areas),
        priorities=priorities,
        low=tuple(areas[i].kode for i in lows),
        fields=tuple(fields),
        low_values=tuple(listed_field.format(listed[i], lang) for i in lows),
        outline_rule=_outline_rule(state, field_, values, len(lows)),
        marker_rule=(
            text(
                "priority_marker",
                lang,
                count=len(priorities),
                rank=_lower_first(FIELD[rank_column].label.get(lang)),
            )
            if priorities
            else None
        ),
        nodata_reason=_nodata_reason(state, context, classes.nodata),
        table_caption=text("table_caption", lang, title=title),
        table_columns=(metric_title(state.metric, lang, base_label), *columns),
        base_label=base_label,
        segment_hint=(
            text("segment_fixed", lang, segment=_lower_first(text(f"segment.{spec.segment}", lang)))
            if spec.segment
            else None
        ),
        unavailable=tuple((s, text(f"unavailable.{g}", lang)) for s, g in sorted(gaps.items())),
        field_keys=tuple(keys),
        rank_rule=_rank_rule(state, frame, rank_column),
        priority_why=_priority_why(frame, rank_column, lang),
        cuts=classes.cuts,
        provinces=provinces,
        figures_note=_figures_note(frame, lang),
    )


def _figures_note(frame: pd.DataFrame, lang: str) -> str | None:
    """What the view says when some of its areas carry another level's figures (districts
    without figures of their own: their regency's rates), and how many have their own."""
    borrowed = (frame["figure_level"] != frame["level"]).fillna(False)
    if not bool(borrowed.any()):
        return None
    own = int((~borrowed).sum())
    if own == 0:
        return text("district_note", lang)
    return text("district_note.partial", lang, own=own, total=len(frame))


def _figures_of(row, lang: str) -> str | None:
    """Whose figures a district shows, as its tooltip says it; None for other levels."""
    if row.level is pd.NA or row.level != "district" or not isinstance(row.figure_level, str):
        return None
    return text(f"figures_of.{row.figure_level}", lang)


def _title(state: ViewState, frame: pd.DataFrame, base_label: str | None = None) -> str:
    """The map title: metric (and segment), where, when; a comparison names its baseline."""
    lang = state.lang
    metric = metric_title(state.metric, lang, base_label)
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
    """Legend notes: the target the breaks use, or how a change's breaks are chosen."""
    lang = state.lang
    notes = []
    if state.scheme == "target" and spec.kind == "pct":
        target_field = FIELD["target_pct"]
        notes.append(text("breaks_target", lang, target=target_field.format(target, lang)))
    if state.scheme == "target" and spec.kind == "change":
        notes.append(text("breaks_change", lang))
    return tuple(notes)


def _outline_rule(state: ViewState, field_: Field, values: np.ndarray, count: int) -> str | None:
    """What the bold outline marks, as the legend says it; count: the areas outlined. The worst
    fifth names the areas tied at its edge when it took them all in or left them all out."""
    lang = state.lang
    if state.outline == "worst":
        ordered = np.sort(values[np.isfinite(values)])
        ordered = ordered if field_.lower_is_worse else ordered[::-1]
        total = len(ordered)
        worst = field_.spec.worst.get(lang)
        rule = text("outline_worst_rule", lang, worst=worst, count=count, total=total)
        share = math.ceil(total / WORST_SHARE)
        if count != share:
            edge = ordered[share - 1]
            key = "outline_worst_tied" if count > share else "outline_worst_left_out"
            tied = int(np.count_nonzero(ordered == edge))
            rule += text(key, lang, tied=tied, value=field_.format(edge, lang))
        return rule
    if state.outline == "target":
        return text("low_outline", lang)
    if state.outline == "threshold":
        return text("low_outline_threshold", lang, value=_threshold_text(state))
    return None


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
    return build_view(metrics, state, anchors, load_context(settings, state))


def load_context(settings: Settings, state: ViewState) -> Context:
    """The counts of the metric's own segment, the comparison and the segments without data."""
    spec = map_metric(state.metric).spec
    segment = None if state.segment == ALL_SEGMENTS else state.segment
    parts = base = comparison = None
    if spec.segment is not None and state.period is not None:
        own = dataset.load_metrics(settings, state.level, state.period, spec.segment)
        parts = own.loc[:, ["kode", "active_members", "potential_workers"]]
    if spec.compared is not None and state.period is not None:
        base = state.base or dataset.previous_period(settings, state.period)
        if base is not None:
            comparison = dataset.compare(settings, state.level, state.period, base, segment)
    return Context(
        parts,
        base,
        comparison,
        dataset.segment_gaps(settings, state.period),
        dataset.evidence(settings),
    )


def places(settings: Settings) -> list[dict]:
    """Every province and regency by name, for the place search: kode, name, province."""
    found = []
    for level in SEARCH_LEVELS:
        frame = dataset.load_metrics(settings, level)
        for row in frame.loc[:, ["kode", "nama", "prov_kode", "prov_nama"]].itertuples():
            found.append(
                {
                    "kode": row.kode,
                    "name": row.nama,
                    "level": level,
                    "province": row.prov_kode if level == "regency" else row.kode,
                    "province_name": row.prov_nama if level == "regency" else None,
                }
            )
    return found


def province_names(settings: Settings) -> list[tuple[str, str]]:
    """(code, name) of the region's provinces, in code order."""
    frame = dataset.load_metrics(settings, "province")
    return list(zip(frame["kode"], frame["nama"], strict=True))


def source_line(settings: Settings, lang: str) -> str:
    """Where the figures and boundaries come from, with the day the data was imported; the
    own boundary file instead of the public boundaries when the shapes were built from one."""
    day = dataset.data_date(settings)
    date = format_date(day, lang) if day else "–"
    own = shape_source(settings).own_boundaries()
    if own is None or own["level"] == "district":  # the map draws regencies and provinces
        return text("source_line", lang, date=date)
    key = "source_line_own" if own["level"] == "regency" else "source_line_own_provinces"
    return text(key, lang, date=date, file=PurePath(own["file"]).name)
