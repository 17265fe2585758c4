"""Download requests: what a /download URL asks for, its file name, version key and bytes.

The files themselves come from exports; this module checks the request, names the file and
bounds its size. Caching is the web side's (one body per version key). No Flask.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from geo_coverage.boundaries.shape_source import shape_source
from geo_coverage.config import Settings
from geo_coverage.errors import BadRequest, QueryProblems, invalid_choice
from geo_coverage.gis import exports, features, sheets
from geo_coverage.gis.query import choice, single_values
from geo_coverage.i18n import API_LANG, DEFAULT_LANG, LANGS, both, text
from geo_coverage.maps import styles
from geo_coverage.metrics import dataset
from geo_coverage.region import ALL_SEGMENTS, LAYER_NAMES, Region, check_level, check_segment

LOGGER = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# extension -> (media type, label): the data files
FORMATS = {
    "geojson": ("application/geo+json", "GeoJSON"),
    "gpkg": ("application/geopackage+sqlite3", "GeoPackage"),
    "shp.zip": ("application/zip", "Shapefile (zip)"),
    "csv": ("text/csv", "CSV"),
    "csv.zip": ("application/zip", "CSV + .csvt (zip, GIS)"),
    "xlsx": (XLSX, "Excel (.xlsx)"),
}
# extension -> (media type, label): the web map's style for GIS software
STYLES = {
    "qml": ("application/vnd.qgis.qml", "QGIS style (QML)"),
    "sld": ("application/vnd.ogc.se+xml", "SLD 1.1 style"),
}
FLAGS = ("0", "1")
GEOMETRY_CHOICES = ("none", "wkt")
COMMON_PARAMS = ("period", "segment", "simplified", "lang")
EXTRA_PARAMS = {"csv": ("geometry",), "csv.zip": ("geometry",)}
WORDED = ("gpkg", "xlsx", "qml", "sld")  # files whose texts follow lang
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
    lang: str = DEFAULT_LANG

    @property
    def mimetype(self) -> str:
        """The file's media type."""
        return {**FORMATS, **STYLES}[self.ext][0]


def parse_request(level: str, ext: str, args: Mapping[str, Sequence[str]]) -> DownloadRequest:
    """Check the level, extension and query parameters (given as lists) of a download URL."""
    check_level(level)
    if ext not in FORMATS and ext not in STYLES:
        raise invalid_choice("format", ext, (*FORMATS, *STYLES))
    params = single_values(args, COMMON_PARAMS + EXTRA_PARAMS.get(ext, ()), f".{ext}")
    problems = QueryProblems()
    period = params.get("period")
    if period == features.ALL_PERIODS and ext != "gpkg":
        problems.add(BadRequest(text("error.period_all_gpkg_only", API_LANG), "period"))
    segment = problems.check(
        ALL_SEGMENTS, partial(check_segment, params.get("segment", ALL_SEGMENTS))
    )
    simplified = problems.check("0", partial(choice, params, "simplified", FLAGS, "0"))
    geometry = problems.check("none", partial(choice, params, "geometry", GEOMETRY_CHOICES, "none"))
    lang = problems.check(DEFAULT_LANG, partial(choice, params, "lang", LANGS, DEFAULT_LANG))
    problems.raise_any()
    return DownloadRequest(
        level, ext, period or None, segment, simplified == "1", geometry == "wkt", lang
    )


def resolve(settings: Settings, req: DownloadRequest) -> DownloadRequest:
    """The request with its period checked against the store and None made the latest."""
    known = dataset.periods(settings)
    if req.period is None:
        return replace(req, period=known[-1] if known else NO_PERIOD)
    if req.period != features.ALL_PERIODS and req.period not in known:
        every = [text("error.all_periods", API_LANG)] if req.ext == "gpkg" else []
        raise invalid_choice("period", req.period, [*known, *every])
    return req


def file_name(req: DownloadRequest, region: Region) -> str:
    """The file name of a resolved request, starting with the region's slug, e.g.
    sulama_regency_2025-06.geojson."""
    parts = [region.slug, req.level, "all-periods" if req.period == "all" else str(req.period)]
    if req.segment != "all":
        parts.append(req.segment)
    if req.simplified:
        parts.append("simplified")
    return f"{'_'.join(parts)}.{req.ext}"


def canonical(req: DownloadRequest) -> tuple[str, ...]:
    """A resolved request as the part of a cache key that names the file."""
    return (
        req.level,
        req.ext,
        str(req.period),
        req.segment,
        str(int(req.simplified)),
        str(int(req.wkt)),
        req.lang if req.ext in WORDED else "",
    )


def check_size(settings: Settings, req: DownloadRequest) -> None:
    """Refuse a file of more features (areas × periods) than settings.max_features allows."""
    if req.period != features.ALL_PERIODS:
        return
    areas = len(dataset.load_metrics(settings, req.level))
    count = areas * max(1, len(dataset.periods(settings)))
    if count > settings.max_features:
        message = text(
            "error.too_many_features",
            API_LANG,
            count=f"{count:,}",
            level=text(f"level.{req.level}", API_LANG).lower(),
            limit=f"{settings.max_features:,}",
        )
        raise BadRequest(message, "period")


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


def _style(settings: Settings, req: DownloadRequest, lang: str) -> styles.Style:
    """The web map's default style for the request's level, period and segment."""
    period = None if req.period in (features.ALL_PERIODS, NO_PERIOD) else req.period
    return styles.default_style(settings, req.level, period, req.segment, lang)


def _layer_styles(settings: Settings, req: DownloadRequest) -> list[exports.LayerStyle]:
    """The GeoPackage's styles: the web map's in each language, the request's the default."""
    layer = LAYER_NAMES[req.level]
    out = []
    for lang in sorted(LANGS, key=lambda code: code != req.lang):
        style = _style(settings, req, lang)
        out.append(
            exports.LayerStyle(
                style.name,
                styles.to_qml(style),
                styles.to_sld(style, layer),
                lang == req.lang,
                style.title,
            )
        )
    return out


def produce(settings: Settings, req: DownloadRequest) -> bytes:
    """Join the data and write the file of a resolved request."""
    check_size(settings, req)
    if req.ext in STYLES:
        style = _style(settings, req, req.lang)
        text_ = (
            styles.to_qml(style)
            if req.ext == "qml"
            else styles.to_sld(style, LAYER_NAMES[req.level])
        )
        return text_.encode()
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
        build_report=shape_source(settings).report() or {},
    )
    if req.ext == "geojson":
        body = exports.to_geojson(data.frame, meta)
    elif req.ext == "gpkg":
        body = exports.to_gpkg(
            data.frame, meta, _layer_styles(settings, req), dataset.data_changed_at(settings)
        )
    elif req.ext == "shp.zip":
        body = exports.to_shapefile_zip(data.frame, meta)
    elif req.ext == "xlsx":
        body = sheets.to_xlsx(data.frame, meta, req.lang)
    elif req.ext == "csv.zip":
        body = sheets.to_csv_zip(data.frame, meta, req.wkt)
    else:
        body = exports.to_csv(data.frame, wkt=req.wkt)
    LOGGER.info(f"wrote {name}: {len(body):,} bytes")
    return body
