"""Which features of a collection a request selects, in which order; no Flask.

Filters combine with AND: property parameters, bbox, datetime and CQL2 filters. A snapshot
collection (provinces, regencies) first chooses the period and segment it shows from the
constraints on them (the latest period and all segments when there are none), so that
`period=2024-08`, `datetime=2024-08-15` and `filter=period='2024-08'` all show August 2024.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_coverage.config import Settings
from geo_coverage.gis import catalogue, cql, features
from geo_coverage.gis.catalogue import FIXED, HISTORY, Collection
from geo_coverage.gis.params import Query, touches
from geo_coverage.metrics import dataset
from geo_coverage.metrics.registry import EXPORTED
from geo_coverage.region import ALL_SEGMENTS, SEGMENT_CHOICES

LOGGER = logging.getLogger(__name__)

TYPES = {f.key: f.json_type for f in EXPORTED}
DEFAULT_ORDER = ("kode", "period", "segment")


@dataclass(frozen=True)
class Selection:
    """The features a request selects, sorted; ids and geometry texts beside them."""

    frame: gpd.GeoDataFrame
    ids: list[str]
    texts: dict[str, str]  # kode -> GeoJSON geometry text


def _constrained(query: Query, name: str, known: list[str], times: bool) -> set[str] | None:
    """The values of period or segment a request allows, or None when it does not say."""
    found: set[str] | None = None
    if name in query.equals:
        found = {str(v) for v in query.equals[name]}
    if times:
        for interval in query.times:
            touched = {p for p in known if touches(p, interval)}
            found = touched if found is None else found & touched
    for node in query.filters:
        values = cql.equalities(node, name)
        if values is not None:
            found = values if found is None else found & values
    return None if found is None else found & set(known)


def _snapshot(settings: Settings, level: str, query: Query) -> gpd.GeoDataFrame:
    """The areas of the one period and segment a request chooses (empty if none fits)."""
    known = dataset.periods(settings)
    periods = _constrained(query, "period", known, times=True)
    segments = _constrained(query, "segment", list(SEGMENT_CHOICES), times=False)
    if not known:
        return features.joined(settings, level).frame
    period = known[-1] if periods is None else max(periods, default=None)
    segment = ALL_SEGMENTS if segments is None else next(iter(sorted(segments)), None)
    if period is None or segment is None or (segments is not None and len(segments) > 1):
        return features.joined(settings, level).frame.iloc[:0]
    return features.joined(settings, level, period, segment).frame


def base_frame(settings: Settings, collection: Collection, query: Query) -> gpd.GeoDataFrame:
    """Every feature the collection holds for this request, before filtering."""
    if collection.kind == HISTORY:
        return features.history(settings, collection.level).frame
    if collection.kind == FIXED:
        data = features.joined(settings, collection.level, collection.period, collection.segment)
        return data.frame
    return _snapshot(settings, collection.level, query)


def _equal(column: pd.Series, allowed: frozenset) -> np.ndarray:
    """Where a column takes one of the allowed values."""
    if any(isinstance(v, float | int) for v in allowed):
        numbers = column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return np.isin(numbers, np.array(sorted(allowed), dtype=float))
    return column.astype("string").isin(allowed).to_numpy(dtype=bool, na_value=False)


def matches(frame: gpd.GeoDataFrame, query: Query) -> np.ndarray:
    """Where every filter of the request holds."""
    keep = np.ones(len(frame), dtype=bool)
    geoms = frame.geometry.values
    for key, allowed in query.equals.items():
        keep &= _equal(frame[key], allowed)
    for boxes in query.boxes:
        hit = np.zeros(len(frame), dtype=bool)
        for box in boxes:
            hit |= shapely.intersects(np.asarray(geoms, dtype=object), shapely.box(*box))
        keep &= hit
    for interval in query.times:
        keep &= np.array([touches(str(p), interval) for p in frame["period"]], dtype=bool)
    for node in query.filters:
        keep &= cql.evaluate(node, frame, np.asarray(geoms, dtype=object), TYPES)
    return keep


def _sorted(frame: gpd.GeoDataFrame, query: Query) -> gpd.GeoDataFrame:
    """In the default order (kode, period, segment), then by sortby (missing values last)."""
    order = {s: i for i, s in enumerate(SEGMENT_CHOICES)}
    frame = frame.assign(_segment_order=frame["segment"].map(order))
    frame = frame.sort_values(["kode", "period", "_segment_order"], kind="mergesort")
    if query.sortby:
        frame = frame.sort_values(
            [key for key, _ in query.sortby],
            ascending=[up for _, up in query.sortby],
            na_position="last",
            kind="mergesort",
        )
    return frame.drop(columns="_segment_order").reset_index(drop=True)


def feature_ids(frame: pd.DataFrame, collection: Collection) -> list[str]:
    """The id of each feature: its code, or code, period and segment in a history."""
    if collection.kind != HISTORY:
        return [str(k) for k in frame["kode"]]
    return [
        catalogue.history_id(str(k), str(p), str(s))
        for k, p, s in zip(frame["kode"], frame["period"], frame["segment"], strict=True)
    ]


def select(settings: Settings, collection: Collection, query: Query) -> Selection:
    """The features of a collection that a request selects, sorted."""
    frame = base_frame(settings, collection, query)
    frame = _sorted(frame[matches(frame, query)], query)
    texts = features.shapes(settings, collection.level).texts
    return Selection(frame, feature_ids(frame, collection), texts)


def one(settings: Settings, collection: Collection, feature_id: str, query: Query) -> Selection:
    """The feature of an id (empty when there is none)."""
    texts = features.shapes(settings, collection.level).texts
    frame = base_frame(settings, collection, query)
    parts = catalogue.split_history_id(feature_id) if collection.kind == HISTORY else None
    code = parts[0] if parts else feature_id
    # Known codes only: numpy compares text without its trailing NULs ('73.71\0' == '73.71').
    if code not in texts or (collection.kind == HISTORY and parts is None):
        frame = frame.iloc[:0]
    elif parts is not None:
        kode, period, segment = parts
        same = (frame["kode"] == kode) & (frame["period"] == period) & (frame["segment"] == segment)
        frame = frame[same.to_numpy(dtype=bool, na_value=False)]
    else:
        frame = frame[(frame["kode"] == feature_id).to_numpy(dtype=bool, na_value=False)]
    frame = frame.reset_index(drop=True)
    return Selection(frame, feature_ids(frame, collection), texts)
