"""The map pages: browse (/), embed, the images (PNG, SVG, PDF), the offline map file, the
per-view JSON, the geometry and the assets.

The view model, the metrics and the image renderer load pandas, geopandas, mapclassify and
matplotlib: they are imported on first use, so that the app starts fast.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from flask import Blueprint, Response, current_app, render_template, request, url_for
from jinja2.utils import htmlsafe_json_dumps

from geo_coverage.boundaries.shape_source import shape_source
from geo_coverage.config import DEFAULT_TILES_ATTRIBUTION
from geo_coverage.errors import NotFound
from geo_coverage.i18n import API_LANG, strings, text
from geo_coverage.region import NAME_PREFIXES
from geo_coverage.web import assets, keys, security
from geo_coverage.web.download_routes import download_links
from geo_coverage.web.http import cached_response
from geo_coverage.web.http import state as app_state

if TYPE_CHECKING:
    from geo_coverage.maps.state import ViewState
    from geo_coverage.maps.view import MapView

LOGGER = logging.getLogger(__name__)

bp = Blueprint("pages", __name__)

VIEW_MAX_AGE = 60
IMPORT_MAPS_KEPT = 256  # the public pages' and the signed links' most recently used
_IMPORT_MAPS: OrderedDict[tuple[str, ...], tuple[dict, str]] = OrderedDict()
_IMPORT_MAPS_LOCK = threading.Lock()
YEAR = 365 * 24 * 3600
JS_STRINGS = (  # texts the script writes
    "copied",
    "copy_hint",
    "load_failed",
    "legend",
    "close",
    "selected",
    "sort_by",
    "search.none",
    "search.results",
    "area",
    "province",
    "leaflet.zoom_in",
    "leaflet.zoom_out",
    "leaflet.library",
    "map_label",
    "figure.heading",
    "figure.conflicting",
    "figure.more",
)


def _settings():
    """The app's settings."""
    return current_app.config["SETTINGS"]


def _state() -> ViewState:
    """The view state of this request's query string (400 on a bad parameter)."""
    from geo_coverage.maps.state import parse_view
    from geo_coverage.metrics import dataset

    settings = _settings()
    return parse_view(request.args, dataset.periods(settings), settings.region.provinces)


def _view_key(state: ViewState, kind: str) -> tuple[str, ...]:
    """The cache key of a view: versions, basemap and canonical query."""
    settings = _settings()
    return keys.key(
        kind, request.script_root, settings.tiles, settings.tiles_attribution, state.query()
    )


def _load_view(state: ViewState) -> MapView:
    """The view model of a state."""
    from geo_coverage.maps import view as map_view

    return map_view.load_view(_settings(), state)


def _paths() -> dict[str, str]:
    """The routes the browser script talks to."""
    return {
        "page": url_for("pages.browse"),
        "embed": url_for("pages.embed"),
        "png": url_for("pages.map_png"),
        "svg": url_for("pages.map_svg"),
        "pdf": url_for("pages.map_pdf"),
        "html": url_for("pages.map_html"),
        "api": url_for("pages.map_data"),
        "sources": url_for("sources.sources"),
    }


def asset_url(filename: str) -> str:
    """The versioned URL of an asset (cached for a year by browsers)."""
    found = assets.find(filename)
    if found is None:
        raise LookupError(f"missing asset {filename}")
    return url_for("pages.asset", filename=filename, v=found.version)


def _plain_asset_url(filename: str) -> str:
    """The unversioned URL of an asset (what the modules' relative imports resolve to)."""
    return url_for("pages.asset", filename=filename)


def _import_map(
    asset: Callable[[str], str] = asset_url, plain_asset: Callable[[str], str] = _plain_asset_url
) -> dict:
    """The page's import map: each module's plain URL to its content-hashed one.

    The modules import each other by relative paths ("./state.js"), which resolve to plain
    URLs; this map sends them to the versioned URLs, cached for a year. A change to a module
    changes its own hash, hence this map and the page's ETag (it covers the code digest); the
    other modules keep their URLs and stay cached.
    """
    return {"imports": {plain_asset(name): asset(name) for name in assets.modules()}}


def _import_map_and_text(
    asset: Callable[[str], str], plain_asset: Callable[[str], str], variant: str
) -> tuple[dict, str]:
    """The page's import map and its exact text (the CSP allows it by its hash), made once per
    code version, script root and variant (a signed link's token) rather than per request."""
    key = (variant, request.script_root, keys.versions().code)
    with _IMPORT_MAPS_LOCK:
        found = _IMPORT_MAPS.get(key)
        if found is not None:
            _IMPORT_MAPS.move_to_end(key)
            return found
    import_map = _import_map(asset, plain_asset)
    made = (import_map, htmlsafe_json_dumps(import_map))  # Markup: put in the page as it is
    with _IMPORT_MAPS_LOCK:
        _IMPORT_MAPS[key] = made
        while len(_IMPORT_MAPS) > IMPORT_MAPS_KEPT:
            _IMPORT_MAPS.popitem(last=False)
    return made


def _view_data(settings, state: ViewState, view: MapView) -> dict:
    """The per-view JSON with the view's download links."""
    from geo_coverage.maps.view import source_line

    data = view.to_json(source_line(settings, state.lang))
    data["downloads"] = download_links(state.level, state.period, state.segment, state.lang)
    data["data_link"] = next(d["url"] for d in data["downloads"] if d["format"] == "csv")
    return data


def _script_strings(lang: str) -> dict[str, str]:
    """The texts the browser script writes itself, from the catalogue."""
    return strings(JS_STRINGS, lang)


def _page(
    template: str,
    mode: str,
    state: ViewState | None = None,
    asset: Callable[[str], str] = asset_url,
    plain_asset: Callable[[str], str] = _plain_asset_url,
    geometry: str | None = None,
    variant: str = "",
    detail: Mapping[str, str] | None = None,
) -> Response:
    """A map page with its view inlined, so the first paint needs only the geometry.

    A signed link passes its own view state, asset and geometry URLs (the overview, and the
    detail of the provinces it may show), and a variant for the cache key.
    """
    from geo_coverage.maps import view as map_view
    from geo_coverage.maps.classify import NODATA_FILL, NODATA_HATCH
    from geo_coverage.maps.state import choices

    settings = _settings()
    view_state = state or _state()
    import_map, import_map_text = _import_map_and_text(asset, plain_asset, variant)
    security.allow_inline_script(import_map_text)

    def render() -> bytes:
        view = _load_view(view_state)
        version = keys.versions().build_key[:16]
        tiles = (
            None
            if settings.tiles.strip().lower() == "none"
            else {"url": settings.tiles, "attribution": settings.tiles_attribution}
        )
        if tiles and tiles["attribution"] == DEFAULT_TILES_ATTRIBUTION:
            tiles["attribution"] = text("leaflet.osm", view_state.lang)
        config = {
            "mode": mode,
            "data": _view_data(settings, view_state, view),
            "paths": _paths(),
            "geometry": geometry or url_for("pages.geometry", v=version),
            "detail": dict(detail)
            if detail is not None
            else {
                p: url_for("pages.province_geometry", province=p, v=version)
                for p in settings.region.provinces
            },
            "tiles": tiles,
            "strings": _script_strings(view_state.lang),
            "places": map_view.places(settings) if mode == "browse" else [],
            "name_prefixes": NAME_PREFIXES,
            "colors": map_view.MAP_COLORS,
            "metric_segments": map_view.METRIC_SEGMENTS,
        }
        lang = view_state.lang
        return render_template(
            template,
            view=view,
            config=config,
            state=view_state,
            lang=lang,
            t=lambda key, **kw: text(key, lang, **({"region": settings.region.name} | kw)),
            asset=asset,
            import_map=import_map,
            import_map_text=import_map_text,
            nodata_fill=NODATA_FILL,
            nodata_hatch=NODATA_HATCH,
            choices=choices(lang, _periods(), map_view.province_names(settings)),
        ).encode("utf-8")

    return _cached(_view_key(view_state, template + variant), render, "text/html")


def _periods() -> list[str]:
    """The periods of the active data."""
    from geo_coverage.metrics import dataset

    return dataset.periods(_settings(), keys.versions().data)


def _cached(key: tuple[str, ...], render, mimetype: str, **kwargs):
    """A view's body from the app's cache, revalidated before anything is computed."""
    return cached_response(
        key,
        render,
        mimetype,
        max_age=VIEW_MAX_AGE,
        last_modified=keys.versions().modified,
        **kwargs,
    )


@bp.get("/")
def browse():
    """The full-window map with its controls, legend and priority table."""
    return _page("browse.html", "browse")


@bp.get("/embed")
def embed():
    """The map alone (title, legend, period, source) for an iframe."""
    return _page("embed.html", "embed")


def embed_page(
    state: ViewState,
    asset: Callable[[str], str],
    plain_asset: Callable[[str], str],
    geometry: str,
    variant: str,
    detail: Mapping[str, str],
) -> Response:
    """The embed page of a given view, loading its assets and geometry from given URLs."""
    return _page("embed.html", "embed", state, asset, plain_asset, geometry, variant, detail)


@bp.get("/api/map-data")
def map_data():
    """The per-view JSON: classes, colours, legend, tooltips, priorities."""
    settings = _settings()
    state = _state()

    def render() -> bytes:
        data = _view_data(settings, state, _load_view(state))
        return current_app.json.dumps(data).encode("utf-8")

    return _cached(_view_key(state, "json"), render, "application/json")


@bp.get("/map.png")
def map_png():
    """The same view drawn server-side as a PNG image (?size=16:9|4:3|a4, ?scale=1|2)."""
    return image_response(_state(), "png")


@bp.get("/map.svg")
def map_svg():
    """The same view as an SVG image (?size=16:9|4:3|a4)."""
    return image_response(_state(), "svg")


@bp.get("/map.pdf")
def map_pdf():
    """The same view as a one-page PDF (?size=16:9|4:3|a4)."""
    return image_response(_state(), "pdf")


def image_response(state: ViewState, image_format: str) -> Response:
    """A view drawn server-side as an image, a few at a time (see web/limits.py)."""
    from geo_coverage.maps import image
    from geo_coverage.maps.state import parse_image

    settings = _settings()
    spec = parse_image(request.args, image_format, state.lang)

    def render() -> bytes:
        drawing = app_state()
        with drawing.renders.hold(text("error.render_busy", state.lang)):
            return drawing.draws.run(image.render_view, settings, state, spec)

    return _cached(
        _view_key(state, f"{spec.key()} {image.RENDERER}"),
        render,
        image.MIMETYPES[image_format],
        headers={"Content-Disposition": f'inline; filename="{image.file_name(state, spec)}"'},
    )


@bp.get("/download/map.html")
def map_html():
    """The view as one HTML file that draws without the server or a network."""
    from geo_coverage.maps import offline
    from geo_coverage.maps.view import source_line

    settings = _settings()
    state = _state()

    def render() -> bytes:
        with app_state().renders.hold(text("error.render_busy", state.lang)):
            view = _load_view(state)
            return offline.render_html(view, settings, source_line(settings, state.lang))

    return _cached(
        _view_key(state, f"map.html {offline.RENDERER}"),
        render,
        "text/html",
        headers={"Content-Disposition": f'attachment; filename="{offline.file_name(state)}"'},
    )


@bp.get("/geometry.topojson")
def geometry():
    """The overview of the region (regencies and provinces, simplified for the whole region)
    as TopoJSON, precompressed by the build."""
    return geometry_response()


@bp.get("/geometry/<province>.topojson")
def province_geometry(province: str):
    """One province's detail (its regencies and districts) as TopoJSON, for the drill-down."""
    return geometry_response(province)


def geometry_response(province: str | None = None) -> Response:
    """The region's overview, or a province's detail (404 for a province not of the region);
    long-lived when the URL carries the build key."""
    settings = _settings()
    if province is not None and province not in settings.region.provinces:
        valid = ", ".join(settings.region.provinces)
        raise NotFound(text("error.no_geometry", API_LANG, province=province, valid=valid))
    source = shape_source(settings)
    build = keys.versions().build_key
    versioned = request.args.get("v") == build[:16]
    return cached_response(
        keys.key("geometry", province or "overview"),
        lambda: source.topojson(province=province),
        "application/json",
        max_age=YEAR if versioned else VIEW_MAX_AGE,
        last_modified=keys.versions().modified,
        ranges=True,
        precompressed=lambda: {"gzip": source.topojson(gz=True, province=province)},
    )


@bp.get("/assets/<path:filename>")
def asset(filename: str):
    """Our own CSS and ES modules and Leaflet's files, from the package; long-lived when
    versioned."""
    return asset_response(filename)


def asset_response(filename: str) -> Response:
    """One asset (404 if unknown), long-lived when the URL carries its version."""
    found = assets.find(filename)
    if found is None:
        raise NotFound(text("error.no_asset", API_LANG, filename=filename))
    versioned = request.args.get("v") == found.version
    return cached_response(
        ("asset", assets.code_version(), filename, found.version),
        lambda: found.body,
        found.mimetype,
        max_age=YEAR if versioned else VIEW_MAX_AGE,
    )
