"""Area geometry joined with the coverage metrics: the features downloads and the OGC API serve.

Geometry is full resolution (shapes/regencies.shp, provinces.shp) or the display geometry
(display.gpkg), rounded to 6 decimals and oriented as RFC 7946 asks, and cached per process
for as long as the shapes' build key stays the same. Every join reports the codes that did
not match.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_coverage.boundaries.shape_source import check_region, shape_source
from geo_coverage.config import Settings
from geo_coverage.gis import exports
from geo_coverage.metrics import dataset
from geo_coverage.region import LAYER_NAMES, SEGMENT_CHOICES, check_level

LOGGER = logging.getLogger(__name__)

ALL_PERIODS = "all"


@dataclass(frozen=True)
class Shapes:
    """The areas of one level at one resolution, ready to serve."""

    level: str
    simplified: bool
    build_key: str
    codes: tuple[str, ...]
    geoms: np.ndarray  # rounded and oriented, in the order of codes
    texts: dict[str, str]  # kode -> GeoJSON geometry text
    bounds: np.ndarray  # (n, 4): west, south, east, north

    def index(self) -> dict[str, int]:
        """Position of each code."""
        return {k: i for i, k in enumerate(self.codes)}


@dataclass(frozen=True)
class Joined:
    """Metrics of one level joined with its geometry, and what did not join."""

    frame: gpd.GeoDataFrame
    level: str
    period: str
    segment: str
    simplified: bool
    data_version: str
    build_key: str
    missing_geometry: tuple[str, ...]  # codes with figures but no shape
    missing_figures: tuple[str, ...]  # codes with a shape but no metrics row


_CACHE: OrderedDict[tuple, Shapes] = OrderedDict()
_LOCK = threading.Lock()
SHAPES_KEPT = 8  # (shapes folder, level, resolution) kept in memory


def clear_cache() -> None:
    """Forget the loaded geometry and build keys (read again when asked)."""
    with _LOCK:
        _CACHE.clear()


def build_key(settings: Settings) -> str:
    """The build key of the shapes in use (read again only when it can have changed);
    GeoCoverageError when they were built for another region than the setting's."""
    source = shape_source(settings)
    check_region(source, settings.region)
    return source.build_key()


def shapes(settings: Settings, level: str, simplified: bool = False) -> Shapes:
    """The (cached) geometry of a level, full resolution unless simplified."""
    source = shape_source(settings)
    key = (source.where, check_level(level), simplified, source.build_key())
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    layer = LAYER_NAMES[level]
    frame = source.read_layer(level, simplified)
    geoms = exports.round_coordinates(frame.geometry.values)
    codes = tuple(str(k) for k in frame["kode"])
    result = Shapes(
        level,
        simplified,
        key[-1],
        codes,
        geoms,
        {k: exports.geometry_text(g) for k, g in zip(codes, geoms, strict=True)},
        np.array([g.bounds for g in geoms], dtype=float).reshape(-1, 4),
    )
    LOGGER.info(
        f"loaded {len(codes)} {layer} ({'simplified' if simplified else 'full'}) "
        f"from {source.where}"
    )
    with _LOCK:
        for old in [k for k in _CACHE if k[:3] == key[:3]]:
            del _CACHE[old]
        _CACHE[key] = result
        while len(_CACHE) > SHAPES_KEPT:
            _CACHE.popitem(last=False)
    return result


def join(metrics: pd.DataFrame, geometry: Shapes) -> tuple[gpd.GeoDataFrame, tuple, tuple]:
    """Metrics rows with their geometry; rows without a shape are dropped and reported."""
    position = geometry.index()
    codes = metrics["kode"].astype(str)
    matched = codes.isin(position)
    missing_geometry = tuple(sorted(set(codes[~matched])))
    missing_figures = tuple(sorted(set(geometry.codes) - set(codes)))
    rows = metrics[matched.to_numpy()].reset_index(drop=True)
    geoms = geometry.geoms[[position[k] for k in rows["kode"].astype(str)]]
    if missing_geometry or missing_figures:
        LOGGER.warning(
            f"{geometry.level}: {len(missing_geometry)} codes without a shape "
            f"{list(missing_geometry)[:10]}, {len(missing_figures)} shapes without "
            f"figures {list(missing_figures)[:10]}"
        )
    frame = gpd.GeoDataFrame(rows, geometry=list(geoms), crs="EPSG:4326")
    return frame, missing_geometry, missing_figures


def joined(
    settings: Settings,
    level: str,
    period: str | None = None,
    segment: str | None = None,
    simplified: bool = False,
) -> Joined:
    """One level's metrics for a period (default latest) or every period ('all'), with geometry."""
    geometry = shapes(settings, level, simplified)
    known = dataset.periods(settings)
    if period == ALL_PERIODS:
        every: list[str | None] = list(known) or [None]
        metrics = pd.concat(
            [dataset.load_metrics(settings, level, p, segment) for p in every],
            ignore_index=True,
        )
    else:
        metrics = dataset.load_metrics(settings, level, period, segment)
        period = period or (known[-1] if known else "none")
    frame, missing_geometry, missing_figures = join(metrics, geometry)
    return Joined(
        frame,
        level,
        period,
        segment or "all",
        simplified,
        dataset.data_version(settings),
        geometry.build_key,
        missing_geometry,
        missing_figures,
    )


def history(settings: Settings, level: str) -> Joined:
    """One level's metrics for every period and every segment (and all), with geometry."""
    geometry = shapes(settings, level)
    metrics = pd.concat(
        [dataset.load_all_metrics(settings, level, segment) for segment in SEGMENT_CHOICES],
        ignore_index=True,
    )
    frame, missing_geometry, missing_figures = join(metrics, geometry)
    return Joined(
        frame,
        level,
        ALL_PERIODS,
        ALL_PERIODS,
        False,
        dataset.data_version(settings),
        geometry.build_key,
        missing_geometry,
        missing_figures,
    )
