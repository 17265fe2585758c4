"""/download/{level}.{ext}: the joined data as GeoJSON, GeoPackage, Shapefile zip or CSV."""

from __future__ import annotations

from flask import Blueprint, current_app, request, url_for
from werkzeug.routing import BaseConverter

from geo_coverage.i18n import DEFAULT_LANG, text
from geo_coverage.web import keys
from geo_coverage.web.http import cached_response

bp = Blueprint("downloads", __name__)
MAX_AGE_S = 300


class LevelConverter(BaseConverter):
    """A path part without dots, so that `regency.shp.zip` splits at the first dot."""

    regex = r"[^/.]+"


@bp.record_once
def _converters(state) -> None:
    """Register the converter before the routes are added."""
    state.app.url_map.converters["level"] = LevelConverter


@bp.get("/download/<level:level>.<ext>")
def download(level: str, ext: str):
    """One level for a period and segment, as a file to save; byte ranges for GIS clients that
    read a GeoPackage by URL (GDAL's /vsicurl/, QGIS)."""
    from geo_coverage.gis import downloads  # geopandas: loaded on first use

    settings = current_app.config["SETTINGS"]
    wanted = downloads.parse_request(level, ext, request.args.to_dict(flat=False))
    req = downloads.resolve(settings, wanted)
    name = downloads.file_name(req, settings.region)
    return cached_response(
        keys.key("download", *downloads.canonical(req)),
        lambda: downloads.produce(settings, req),
        req.mimetype,
        last_modified=keys.versions().modified,
        max_age=MAX_AGE_S,
        ranges=True,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def download_links(
    level: str, period: str | None = None, segment: str | None = None, lang: str = DEFAULT_LANG
) -> list[dict]:
    """The "Unduh data" links of a view: label, url and format of each file (request context)."""
    from geo_coverage.gis.downloads import FORMATS

    params = {"period": period, "segment": None if segment in (None, "all") else segment}
    links = [
        {
            "label": label,
            "format": ext,
            "url": url_for(
                "downloads.download", level=level, ext=ext, **{k: v for k, v in params.items() if v}
            ),
        }
        for ext, (_, label) in FORMATS.items()
    ]
    every = url_for(
        "downloads.download",
        level=level,
        ext="gpkg",
        period="all",
        **({"segment": params["segment"]} if params["segment"] else {}),
    )
    links.append(
        {
            "label": text("download.every_period", lang),
            "format": "gpkg",
            "url": every,
        }
    )
    return links
