"""Download requests: what a /download URL asks for, its file name, version key and bytes.

The files themselves come from exports; this module checks the request, names the file and
keeps the last few files in memory. No Flask.
"""

from __future__ import annotations

import gzip
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from geo_coverage.boundaries.shapes import REPORT_NAME, read_report
from geo_coverage.config import Settings
from geo_coverage.errors import BadRequest, invalid_choice
from geo_coverage.gis import exports, features
from geo_coverage.gis.query import choice, single_values
from geo_coverage.i18n import API_LANG, LANGS, both, text
from geo_coverage.metrics import dataset
from geo_coverage.region import ALL_SEGMENTS, Region, check_level, check_segment

LOGGER = logging.getLogger(__name__)

# extension -> (media type, label)
FORMATS = {
    "geojson": ("application/geo+json", "GeoJSON"),
    "gpkg": ("application/geopackage+sqlite3", "GeoPackage"),
    "shp.zip": ("application/zip", "Shapefile (zip)"),
    "csv": ("text/csv; charset=utf-8", "CSV"),
}
FLAGS = ("0", "1")
GEOMETRY_CHOICES = ("none", "wkt")
COMMON_PARAMS = ("period", "segment", "simplified")
EXTRA_PARAMS = {"csv": ("geometry",)}
CACHE_SIZE = 16
NO_PERIOD = "none"  # the period of a store without figures (the areas, with null figures)


@dataclass(frozen=True)
class DownloadRequest:
    """A checked download request; period None means the latest, 'all' every period."""

    level: str
    ext: str
    period: str | None = None
    segment: str = "all"
    simplified: bool = False
    wkt: bool = False

    @property
    def mimetype(self) -> str:
        """The file's media type."""
        return FORMATS[self.ext][0]


@dataclass(frozen=True)
class Download:
    """A produced file: bytes, gzipped copy, name and the key of what it was made from."""

    body: bytes
    gzipped: bytes
    filename: str
    key: str
    mimetype: str
    last_modified: datetime


def parse_request(level: str, ext: str, args: Mapping[str, Sequence[str]]) -> DownloadRequest:
    """Check the level, extension and query parameters (given as lists) of a download URL."""
    check_level(level)
    if ext not in FORMATS:
        raise invalid_choice("format", ext, tuple(FORMATS))
    params = single_values(args, COMMON_PARAMS + EXTRA_PARAMS.get(ext, ()), f".{ext}")
    period = params.get("period")
    if period == features.ALL_PERIODS and ext != "gpkg":
        raise BadRequest(text("error.period_all_gpkg_only", API_LANG), "period")
    segment = check_segment(params.get("segment", ALL_SEGMENTS))
    simplified = choice(params, "simplified", FLAGS, "0") == "1"
    wkt = choice(params, "geometry", GEOMETRY_CHOICES, "none") == "wkt"
    return DownloadRequest(level, ext, period or None, segment, simplified, wkt)


def resolve(settings: Settings, req: DownloadRequest) -> DownloadRequest:
    """The request with its period checked against the store and None made the latest."""
    known = dataset.periods(settings)
    if req.period is None:
        latest = known[-1] if known else NO_PERIOD
        return DownloadRequest(req.level, req.ext, latest, req.segment, req.simplified, req.wkt)
    if req.period != features.ALL_PERIODS and req.period not in known:
        every = [text("error.all_periods", API_LANG)] if req.ext == "gpkg" else []
        raise invalid_choice("period", req.period, [*known, *every])
    return req


def file_name(req: DownloadRequest, region: Region) -> str:
    """The file name of a resolved request, starting with the region's slug, e.g.
    sulama_regency_2025-06.geojson."""
    parts = [region.slug, req.level, "all-periods" if req.period == "all" else req.period]
    if req.segment != "all":
        parts.append(req.segment)
    if req.simplified:
        parts.append("simplified")
    return f"{'_'.join(parts)}.{req.ext}"


def version_key(settings: Settings, req: DownloadRequest) -> str:
    """What the file depends on: region, data version, shapes build key and the resolved
    request."""
    return "|".join(
        [
            settings.region.key,
            dataset.data_version(settings),
            features.build_key(settings),
            req.level,
            req.ext,
            str(req.period),
            req.segment,
            str(int(req.simplified)),
            str(int(req.wkt)),
        ]
    )


def last_modified(settings: Settings) -> datetime:
    """When the shapes or the store last changed on disk."""
    store = settings.store_path
    paths = [settings.shapes / REPORT_NAME, store, store.with_name(store.name + "-wal")]
    times = [p.stat().st_mtime for p in paths if p.exists()]
    return datetime.fromtimestamp(int(max(times)), UTC)


def title(req: DownloadRequest, region: Region) -> str:
    """A bilingual title for the file's metadata, naming the region."""
    period = both("download.all_periods") if req.period == "all" else req.period
    names = " / ".join(
        text(
            "download.title",
            lang,
            level=text(f"level.{req.level}", lang).lower(),
            region=region.name,
        )
        for lang in LANGS
    )
    return f"{names}: {period}, segment {req.segment}"


def _produce(settings: Settings, req: DownloadRequest, key: str) -> Download:
    """Join the data and write the file."""
    period = None if req.period == NO_PERIOD else req.period
    data = features.joined(settings, req.level, period, req.segment, req.simplified)
    name = file_name(req, settings.region)
    meta = exports.Metadata(
        name=name.removesuffix(f".{req.ext}"),
        title=title(req, settings.region),
        level=req.level,
        period=data.period,
        segment=data.segment,
        geometry=text(f"download.geometry.{'simplified' if req.simplified else 'full'}", API_LANG),
        data_version=data.data_version,
        build_key=data.build_key,
        build_report=read_report(settings.shapes) or {},
    )
    if req.ext == "geojson":
        body = exports.to_geojson(data.frame, meta)
    elif req.ext == "gpkg":
        body = exports.to_gpkg(data.frame, meta)
    elif req.ext == "shp.zip":
        body = exports.to_shapefile_zip(data.frame, meta)
    else:
        body = exports.to_csv(data.frame, wkt=req.wkt)
    LOGGER.info(f"wrote {name}: {len(body):,} bytes")
    return Download(body, gzip.compress(body, 6), name, key, req.mimetype, last_modified(settings))


_CACHE: OrderedDict[str, Download] = OrderedDict()
_LOCK = threading.Lock()


def produce(settings: Settings, req: DownloadRequest) -> Download:
    """The file of a resolved request, from the in-memory cache when nothing changed."""
    version = version_key(settings, req)
    key = f"{settings.shapes}|{settings.store_path}|{version}"
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    made = _produce(settings, req, version)
    with _LOCK:
        _CACHE[key] = made
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return made
