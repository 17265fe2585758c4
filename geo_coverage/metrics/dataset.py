"""The enrollment data as the web, downloads and the OGC API read it: metrics from the store.

Results are cached per store and data version, so repeated calls cost a small SQLite read
(the data version) and a copy of an already computed frame.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import pandas as pd

from geo_coverage.boundaries.shape_source import check_region as check_shapes_region
from geo_coverage.boundaries.shape_source import shape_source
from geo_coverage.config import Settings
from geo_coverage.enrollment import store
from geo_coverage.enrollment.areas import check_region
from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.store import REGENCY_CODE_CHARS
from geo_coverage.errors import invalid_choice
from geo_coverage.i18n import API_LANG, text
from geo_coverage.metrics.compute import (
    area_frame,
    compute_metrics,
    coverage_change,
    district_frame,
    district_metrics,
    without_figures,
)
from geo_coverage.metrics.compute import segment_gaps as compute_segment_gaps
from geo_coverage.region import (
    ALL_SEGMENTS,
    SEGMENTS,
    Region,
    check_level,
    check_period,
    check_segment,
)
from geo_coverage.sources.evidence import with_numbers

LOGGER = logging.getLogger(__name__)

ALL_PERIODS = "*"


@dataclass
class _Cached:
    """One snapshot of the store and the metrics computed from it."""

    snapshot: store.Snapshot
    periods: list[str]
    region: Region  # the region the store was built for (checked against the setting)
    imported: str | None  # when the active version was stored, YYYY-MM-DD
    results: dict[tuple, dict[str, pd.DataFrame]] = field(default_factory=dict)
    evidence: pd.DataFrame | None = None  # the published figures, read when first asked for


_CACHE: OrderedDict[str, _Cached] = OrderedDict()
_LOCK = threading.Lock()
STORES_KEPT = 4  # snapshots of this many store files stay in memory


def clear_cache() -> None:
    """Forget every snapshot and computed metric (they are read again when asked)."""
    with _LOCK:
        _CACHE.clear()


def data_version(settings: Settings) -> str:
    """An id of the active data that changes on every import, rollback or rebuild."""
    return open_store(settings).data_version()


def data_changed_at(settings: Settings) -> str:
    """When the active data last changed (import, rollback or rebuild), ISO 8601 UTC."""
    return open_store(settings).current_version().changed_at


def _cached(settings: Settings, tag: str | None = None) -> _Cached:
    """The cached snapshot for the store's current data version (`tag` when the caller has
    just read it), reading it if needed."""
    backend = open_store(settings)
    path = f"{backend.kind}:{backend.location}"
    tag = tag or backend.data_version()
    with _LOCK:
        entry = _CACHE.get(path)
        if entry is not None and entry.snapshot.data_version == tag:
            _CACHE.move_to_end(path)
    if entry is not None and entry.snapshot.data_version == tag:
        if entry.region != settings.region:
            check_region(backend, settings.region)
        return entry
    check_region(backend, settings.region)
    snapshot = backend.read_snapshot()
    history, _active = backend.versions()
    imported = next((v.created_at[:10] for v in history if v.id == snapshot.active), None)
    periods = sorted(snapshot.rows["period"].unique().tolist())
    entry = _Cached(snapshot, periods, settings.region, imported)
    with _LOCK:
        _CACHE[path] = entry
        _CACHE.move_to_end(path)
        while len(_CACHE) > STORES_KEPT:
            _CACHE.popitem(last=False)
    return entry


def periods(settings: Settings, tag: str | None = None) -> list[str]:
    """The periods of the active version, ascending (of data version `tag` when the caller has
    just read it: the store is not asked again)."""
    return list(_cached(settings, tag).periods)


def data_date(settings: Settings) -> str | None:
    """The day the active data was imported (YYYY-MM-DD): what people read instead of the
    version tag; None for a store without data."""
    return _cached(settings).imported


def previous_period(settings: Settings, period: str) -> str | None:
    """The stored period before `period`, or None for the first."""
    known = _cached(settings).periods
    index = known.index(period) if period in known else 0
    return known[index - 1] if index > 0 else None


def segment_gaps(settings: Settings, period: str | None) -> dict[str, str]:
    """The segments without coverage in a period and why ('no_rows' or 'no_potential')."""
    entry = _cached(settings)
    if period is None:
        return dict.fromkeys(SEGMENTS, "no_rows")
    return compute_segment_gaps(entry.snapshot.rows, period, SEGMENTS)


def compare(
    settings: Settings, level: str, period: str, base: str, segment: str | None = None
) -> pd.DataFrame:
    """Per area of the level: coverage in `period` and in `base`, and the change in points."""
    return coverage_change(
        load_metrics(settings, level, period, segment), load_metrics(settings, level, base, segment)
    )


def _check(
    entry: _Cached, level: str | None, period: str | None, segment: str | None
) -> tuple[str | None, str | None]:
    """Validated (period, segment): latest period for None, None for 'all'; BadRequest else."""
    if level is not None:
        check_level(level)
    if segment is not None:
        segment = None if check_segment(segment) == ALL_SEGMENTS else segment
    if period is None:
        return (entry.periods[-1] if entry.periods else None), segment
    if not entry.periods:
        raise invalid_choice("period", period, [text("error.no_periods", API_LANG)])
    return check_period(period, entry.periods), segment


def _compute(entry: _Cached, level: str, period: str | None, segment: str | None) -> pd.DataFrame:
    """Metrics of a level for one period (every period if None); computed once per segment."""
    key = (level, segment)
    parts = entry.results.get(key)
    if parts is None:
        snap = entry.snapshot
        frame = compute_metrics(
            snap.rows,
            snap.areas,
            snap.targets,
            snap.provenance,
            level=level,
            segment=segment,
            uncertainty=snap.uncertainty,
            region=entry.region,
        )
        parts = {ALL_PERIODS: frame}
        parts |= {
            str(p): part.reset_index(drop=True)
            for p, part in frame.groupby("period", sort=False, observed=True)
        }
        with _LOCK:
            entry.results[key] = parts
    return parts[ALL_PERIODS if period is None else period]


def _districts(settings: Settings, entry: _Cached) -> pd.DataFrame:
    """The built districts as areas (kode, nama, prov_kode, prov_nama, level): the reference
    tables hold none, so they come from the shapes (read once per build)."""
    source = shape_source(settings)
    key = ("district-areas", source.build_key())
    found = entry.results.get(key)
    if found is None:
        check_shapes_region(source, settings.region)
        layer = source.read_layer("district", simplified=True)
        districts = pd.DataFrame({c: layer[c].astype("string") for c in ("kode", "nama")})
        found = {ALL_PERIODS: district_frame(districts, entry.snapshot.areas)}
        with _LOCK:
            entry.results[key] = found
    return found[ALL_PERIODS]


def _level(
    settings: Settings, entry: _Cached, level: str, period: str | None, segment: str | None
) -> pd.DataFrame:
    """The metrics of any level: districts have figures of their own where rows were imported
    for them, else carry their regency's rates (district_metrics)."""
    if level != "district":
        return _compute(entry, level, period, segment)
    districts = _districts(settings, entry)
    key = ("district", segment, shape_source(settings).build_key())
    parts = entry.results.get(key)
    if parts is None:
        rows = entry.snapshot.rows
        imported = bool((rows["kode"].str.len() > REGENCY_CODE_CHARS).any())
        frame = district_metrics(
            _compute(entry, "regency", None, segment),
            districts,
            _compute(entry, "district", None, segment) if imported else None,
        )
        parts = {ALL_PERIODS: frame}
        parts |= {
            str(p): part.reset_index(drop=True)
            for p, part in frame.groupby("period", sort=False, observed=True)
        }
        with _LOCK:
            entry.results[key] = parts
    return parts[ALL_PERIODS if period is None else period]


def load_metrics(
    settings: Settings, level: str, period: str | None = None, segment: str | None = None
) -> pd.DataFrame:
    """One row per area of the level with every metric for one period (default: latest)."""
    entry = _cached(settings)
    period, segment = _check(entry, level, period, segment)
    if period is None:
        return _without_data(settings, entry, level, segment)
    return _level(settings, entry, level, period, segment).copy()


def _without_data(
    settings: Settings, entry: _Cached, level: str, segment: str | None
) -> pd.DataFrame:
    """Every area of the level with null figures, for a store that holds no rows."""
    if level == "district":
        return without_figures(_districts(settings, entry), segment or ALL_SEGMENTS, True)
    frame = area_frame(entry.snapshot.areas, level, entry.region)
    return without_figures(frame, segment or ALL_SEGMENTS)


def load_all_metrics(settings: Settings, level: str, segment: str | None = None) -> pd.DataFrame:
    """One row per area of the level and period, every period, for a segment (default all)."""
    entry = _cached(settings)
    _, segment = _check(entry, level, None, segment)
    if not entry.periods:
        return _without_data(settings, entry, level, segment).iloc[:0]
    return _level(settings, entry, level, None, segment).copy()


def _plain(value):
    """A JSON-friendly Python value: NA to None, numpy scalars to int/float."""
    if value is None or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def region_metrics(
    settings: Settings, period: str | None = None, segment: str | None = None
) -> dict:
    """The whole region's figures for one period (default: latest), same metric keys."""
    entry = _cached(settings)
    period, segment = _check(entry, None, period, segment)
    if period is None:
        frame = _without_data(settings, entry, "region", segment)
    else:
        frame = _compute(entry, "region", period, segment)
    return {c: _plain(v) for c, v in frame.iloc[0].items()}


def evidence(settings: Settings) -> pd.DataFrame:
    """Every published figure as stored (line, the file's columns, use) with its number and
    decimals as written; read once per data version."""
    entry = _cached(settings)
    if entry.evidence is None:
        frame = with_numbers(open_store(settings).read_evidence())
        with _LOCK:
            entry.evidence = frame
    return entry.evidence.copy()


def import_history(settings: Settings) -> list[dict]:
    """Every stored version, newest first, with its file, checksum, rows and warnings."""
    history, active = open_store(settings).versions()
    return [
        {
            "version": v.id,
            "time": v.created_at,
            "kind": v.kind,
            "file_name": v.file_name,
            "sha256": v.sha256,
            "rows": v.file_rows,
            "total_rows": v.total_rows,
            "warnings": v.warning_count,
            "warning_messages": list(v.warnings),
            "parent": v.parent,
            "active": v.id == active,
        }
        for v in reversed(history)
    ]
