"""The map pages: browse (/), embed, PNG, the per-view JSON, the geometry and the assets."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, render_template, request, url_for

from geo_coverage.boundaries.shapes import DISPLAY_TOPOJSON, detail_topojson
from geo_coverage.errors import NotFound
from geo_coverage.gis.features import build_key
from geo_coverage.i18n import API_LANG, strings, text
from geo_coverage.maps import image
from geo_coverage.maps import view as map_view
from geo_coverage.maps.classify import NODATA_FILL, NODATA_HATCH
from geo_coverage.maps.state import ViewState, choices, parse_view
from geo_coverage.metrics import dataset
from geo_coverage.metrics.registry import FIELD
from geo_coverage.web import assets
from geo_coverage.web.download_routes import download_links
from geo_coverage.web.http import cached_response, etag_of

LOGGER = logging.getLogger(__name__)

bp = Blueprint("pages", __name__)

VIEW_MAX_AGE = 60
YEAR = 365 * 24 * 3600
JS_STRINGS = ("copied", "load_failed")  # texts the script writes, with JS_LABELS
JS_LABELS = {"field.priority_rank": "priority_rank"}  # script key -> registry field


def _settings():
    """The app's settings."""
    return current_app.config["SETTINGS"]


def _state() -> ViewState:
    """The view state of this request's query string (400 on a bad parameter)."""
    settings = _settings()
    return parse_view(request.args, dataset.periods(settings), settings.region.provinces)


def _view_etag(state: ViewState, kind: str) -> str:
    """An ETag for a view: data version, shapes, code, assets, basemap and canonical query."""
    settings = _settings()
    return etag_of(
        kind,
        dataset.data_version(settings),
        build_key(settings),
        assets.code_version(),
        settings.tiles,
        settings.tiles_attribution,
        state.query(),
    )


def _paths() -> dict[str, str]:
    """The routes the browser script talks to."""
    return {
        "page": url_for("pages.browse"),
        "embed": url_for("pages.embed"),
        "png": url_for("pages.map_png"),
        "api": url_for("pages.map_data"),
    }


def _asset_url(filename: str) -> str:
    """The versioned URL of an asset (cached for a year by browsers)."""
    found = assets.find(filename)
    if found is None:
        raise LookupError(f"missing asset {filename}")
    return url_for("pages.asset", filename=filename, v=found.version)


def _import_map() -> dict:
    """The page's import map: each module's plain URL to its content-hashed one.

    The modules import each other by relative paths ("./state.js"), which resolve to plain
    URLs; this map sends them to the versioned URLs, cached for a year. A change to a module
    changes its own hash, hence this map and the page's ETag (it covers the code digest); the
    other modules keep their URLs and stay cached.
    """
    return {
        "imports": {
            url_for("pages.asset", filename=name): _asset_url(name) for name in assets.modules()
        }
    }


def _view_data(settings, state: ViewState, view: map_view.MapView) -> dict:
    """The per-view JSON with the view's download links."""
    data = view.to_json(map_view.source_line(settings, state.lang))
    data["downloads"] = download_links(state.level, state.period, state.segment, state.lang)
    return data


def _script_strings(lang: str) -> dict[str, str]:
    """The texts the browser script writes itself: catalogue messages and field labels."""
    labels = {key: FIELD[name].label.get(lang) for key, name in JS_LABELS.items()}
    return strings(JS_STRINGS, lang) | labels


def _page(template: str, mode: str):
    """A map page with its view inlined, so the first paint needs only the geometry."""
    settings = _settings()
    state = _state()

    def render() -> bytes:
        view = map_view.load_view(settings, state)
        tiles = (
            None
            if settings.tiles.strip().lower() == "none"
            else {"url": settings.tiles, "attribution": settings.tiles_attribution}
        )
        version = build_key(settings)[:16]
        config = {
            "mode": mode,
            "data": _view_data(settings, state, view),
            "paths": _paths(),
            "geometry": url_for("pages.geometry", v=version),
            "detail": {
                p: url_for("pages.province_geometry", province=p, v=version)
                for p in settings.region.provinces
            },
            "tiles": tiles,
            "strings": _script_strings(state.lang),
        }
        lang = state.lang
        return render_template(
            template,
            view=view,
            config=config,
            state=state,
            lang=lang,
            t=lambda key, **kw: text(key, lang, **({"region": settings.region.name} | kw)),
            asset=_asset_url,
            import_map=_import_map(),
            nodata_fill=NODATA_FILL,
            nodata_hatch=NODATA_HATCH,
            choices=choices(lang, dataset.periods(settings)),
        ).encode("utf-8")

    return cached_response(render, "text/html", _view_etag(state, template), max_age=VIEW_MAX_AGE)


@bp.get("/")
def browse():
    """The full-window map with its controls, legend and priority table."""
    return _page("browse.html", "browse")


@bp.get("/embed")
def embed():
    """The map alone (title, legend, period, source) for an iframe."""
    return _page("embed.html", "embed")


@bp.get("/api/map-data")
def map_data():
    """The per-view JSON: classes, colours, legend, tooltips, priorities."""
    settings = _settings()
    state = _state()

    def render() -> bytes:
        data = _view_data(settings, state, map_view.load_view(settings, state))
        return current_app.json.dumps(data).encode("utf-8")

    return cached_response(
        render, "application/json", _view_etag(state, "json"), max_age=VIEW_MAX_AGE
    )


@bp.get("/map.png")
def map_png():
    """The same view drawn server-side as a PNG image."""
    settings = _settings()
    state = _state()
    resp = Response(mimetype="image/png")
    resp.set_etag(_view_etag(state, "png"))
    resp.headers["Cache-Control"] = f"public, max-age={VIEW_MAX_AGE}"
    resp.headers["Content-Disposition"] = f'inline; filename="{image.file_name(state)}"'
    if request.if_none_match.contains(resp.get_etag()[0]):
        resp.status_code = 304
        return resp
    view = map_view.load_view(settings, state)
    resp.set_data(image.render_png(view, settings, map_view.source_line(settings, state.lang)))
    return resp


def _topojson(name: str, tag: str):
    """A TopoJSON file of the display geometry, precompressed; cached for a year when asked
    for with the shapes' version (?v=), since that URL changes with every build."""
    settings = _settings()
    key = build_key(settings)
    path = settings.shapes / name
    versioned = request.args.get("v") == key[:16]
    return cached_response(
        path.read_bytes,
        "application/json",
        etag_of(key, tag),
        max_age=YEAR if versioned else VIEW_MAX_AGE,
        gzipped=path.with_name(path.name + ".gz").read_bytes,
    )


@bp.get("/geometry.topojson")
def geometry():
    """The overview of the region (regencies and provinces, simplified for the whole region)
    as TopoJSON."""
    return _topojson(DISPLAY_TOPOJSON, "overview")


@bp.get("/geometry/<province>.topojson")
def province_geometry(province: str):
    """One province's detail (its regencies and districts) as TopoJSON, for the drill-down."""
    provinces = _settings().region.provinces
    if province not in provinces:
        valid = ", ".join(provinces)
        raise NotFound(text("error.no_geometry", API_LANG, province=province, valid=valid))
    return _topojson(detail_topojson(province), province)


@bp.get("/assets/<path:filename>")
def asset(filename: str):
    """Our own CSS and ES modules and Leaflet's files, from the package; long-lived when
    versioned."""
    found = assets.find(filename)
    if found is None:
        raise NotFound(text("error.no_asset", API_LANG, filename=filename))
    versioned = request.args.get("v") == found.version
    return cached_response(
        found.body,
        found.mimetype,
        found.version,
        max_age=YEAR if versioned else VIEW_MAX_AGE,
        gzipped=found.gzipped,
    )
