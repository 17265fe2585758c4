"""The current view as one HTML file that works without the server or a network: a folium map
with Leaflet's script and style (from the XStatic package), our few lines of style and the
simplified geometry inlined, so that it opens from disk or an e-mail attachment. Choropleth,
legend, tooltips, the modelled-data banner and the source line, in the view's language; no
basemap. No Flask.
"""

from __future__ import annotations

import base64
import html
import logging
import re
from functools import cache
from pathlib import Path

import branca
import folium
import numpy as np
import shapely
import xstatic.pkg.leaflet
from branca.element import Element, Figure
from jinja2 import Template
from jinja2.utils import htmlsafe_json_dumps

from geo_coverage.config import Settings
from geo_coverage.gis import features
from geo_coverage.i18n import text
from geo_coverage.maps.classify import AREA_EDGE, NODATA_FILL, NODATA_HATCH, OUTLINE, SEA
from geo_coverage.maps.state import ViewState
from geo_coverage.maps.view import MapView, short_name
from geo_coverage.metrics.registry import FIELD

LOGGER = logging.getLogger(__name__)

LEAFLET = Path(xstatic.pkg.leaflet.BASE_DIR)
# The templates that write the file are part of its key (Leaflet's version is in the code's).
RENDERER = f"folium {folium.__version__}, branca {branca.__version__}"
DECIMALS = 3  # about 110 m: half the display geometry's simplification tolerance
FILL_OPACITY = 0.85  # as on the interactive map
EDGE_WIDTH = 0.8
OUTLINE_WIDTH = 2.6
ZOOM_SNAP = 0.25  # fit the areas to the frame closer than whole zoom levels do
PAGE = Template(
    """<!DOCTYPE html>
<html lang="{{ this.lang }}">
<head>
<title>{{ this.page_title }}</title>
{{ this.header.render(**kwargs) }}
</head>
<body>
{{ this.html.render(**kwargs) }}
</body>
<script>
{{ this.script.render(**kwargs) }}
</script>
</html>
"""
)
STYLE = """
html body { margin: 0; height: 100vh; }
html body { display: grid; font: 15px/1.4 system-ui, sans-serif; color: #1a1a1a;
  grid-template: "head head" auto "map side" 1fr "foot foot" auto
    / 1fr minmax(220px, min(32vw, 340px)); }
header { grid-area: head; padding: 8px 12px 6px; }
h1 { font-size: 20px; margin: 0 0 6px; }
.banner { margin: 0; padding: 6px 10px; font-weight: 700; color: #6b3400; background: #fff1d0;
  border: 1.5px solid #c77c02; border-radius: 6px; }
.folium-map { grid-area: map; min-height: 300px; }
.leaflet-container { background: SEA; font-size: 14px; }
aside { grid-area: side; overflow: auto; padding: 0 12px; }
footer { grid-area: foot; padding: 6px 12px; font-size: 14px; color: #333; }
@media (max-width: 720px) {
  html body { height: auto; grid-template: "head" auto "map" 65vh "side" auto "foot" auto / 1fr; }
  aside { overflow: visible; }
}
aside h2 { font-size: 15px; margin: 4px 0; }
aside p { margin: 2px 0 6px; color: #333; }
aside ul, aside ol { margin: 0 0 8px; padding: 0; list-style: none; }
aside li { display: flex; gap: 6px; align-items: center; margin: 3px 0; }
aside ol li { margin: 0; }
.key { display: flex; gap: 6px; align-items: center; width: 100%; min-height: 26px;
  padding: 2px 0; border: 0; background: none; font: inherit; color: inherit; text-align: left;
  cursor: pointer; }
.key:hover .name, .key:focus-visible .name { text-decoration: underline; }
.swatch { flex: none; width: 22px; height: 14px; border: 1px solid #777; }
.swatch.hatched { background: repeating-linear-gradient(45deg, NODATA_HATCH 0 1.5px,
  NODATA_FILL 1.5px 5px); }
.swatch.outlined { border: 2.5px solid OUTLINE; background: #fff; }
.rank { flex: none; box-sizing: border-box; min-width: 1.7em; padding: 0 4px; text-align: center;
  font-weight: 700; color: #fff; background: #111; border-radius: 1em; }
.value { margin-left: auto; padding-left: 8px; white-space: nowrap; }
.area-tooltip { font-size: 14px; }
""".replace("SEA", SEA)
STYLE = STYLE.replace("NODATA_HATCH", NODATA_HATCH).replace("NODATA_FILL", NODATA_FILL)
STYLE = STYLE.replace("OUTLINE", OUTLINE)
HATCH = f"""<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
<pattern id="nodata-hatch" width="6" height="6" patternUnits="userSpaceOnUse"
 patternTransform="rotate(45)"><rect width="6" height="6" fill="{NODATA_FILL}"/>
<line x1="0" y1="0" x2="0" y2="6" stroke="{NODATA_HATCH}" stroke-width="2"/></pattern>
</defs></svg>"""
# A key entry zooms the map to its area, highlights it and opens its tooltip (the layers exist
# by the time anyone chooses an entry).
KEY_SCRIPT = """
document.querySelector("aside").addEventListener("click", function (event) {
  var entry = event.target.closest("button[data-kode]");
  if (!entry) { return; }
  AREAS.eachLayer(function (layer) {
    if (layer.feature.properties.kode !== entry.dataset.kode) { return; }
    MAP.fitBounds(layer.getBounds(), {maxZoom: 10});
    // as if the pointer came over the area: its highlight and the group's tooltip
    layer.fire("mouseover", {latlng: layer.getBounds().getCenter()}, true);
  });
});
"""
MAP_DIV = '<div class="folium-map"'
NO_ZOOM = re.compile(r",\s*maximum-scale=[\d.]+,\s*user-scalable=no")
CSS_IMAGE = re.compile(r"url\(images/([\w.-]+)\)")


@cache
def _leaflet_style() -> str:
    """Leaflet's style sheet with its few images inlined as data URLs."""
    css = (LEAFLET / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        data = base64.b64encode((LEAFLET / "images" / match.group(1)).read_bytes()).decode()
        return f"url(data:image/png;base64,{data})"

    return CSS_IMAGE.sub(inline, css)


@cache
def _leaflet_script() -> str:
    """Leaflet's script, safe inside a <script> element."""
    return (LEAFLET / "leaflet.js").read_text(encoding="utf-8").replace("</", "<\\/")


class _Page(Figure):
    """folium's page with the document's language and title (and no CDN links)."""

    _template = PAGE

    def __init__(self, lang: str, page_title: str):
        super().__init__()
        self.lang = lang
        self.page_title = page_title


def file_name(state: ViewState) -> str:
    """A download name saying what the map shows."""
    return f"{state.file_stem()}.html"


def _geometry(view: MapView, settings: Settings) -> dict[str, dict]:
    """Each shown area's display geometry on a grid of DECIMALS decimals, as GeoJSON."""
    shapes = features.shapes(settings, view.state.level, simplified=True)
    position = shapes.index()
    codes = [a.kode for a in view.areas if a.kode in position]
    geoms = shapely.set_precision(
        np.asarray([shapes.geoms[position[k]] for k in codes], dtype=object), 10.0**-DECIMALS
    )
    return {
        k: shapely.geometry.mapping(g) for k, g in zip(codes, geoms, strict=True) if not g.is_empty
    }


def _collection(view: MapView, geometry: dict[str, dict]) -> tuple[dict, list[str], list[str]]:
    """The features with what their tooltips show (escaped: the tooltip writes HTML), and the
    tooltip's fields and labels."""
    lang = view.state.lang
    labels = [text("area", lang)]
    if view.state.level == "regency":
        labels.append(text("province", lang))
    labels += [*view.fields, FIELD["data_source"].label.get(lang)]
    names = [f"f{i}" for i in range(len(labels))]
    found = []
    for area in view.areas:
        if area.kode not in geometry:
            continue
        values = [area.nama]
        if view.state.level == "regency":
            values.append(area.prov_nama)
        values += [*area.cells, area.source_note or text("published", lang)]
        properties = {"kode": area.kode} | {
            n: html.escape(v) for n, v in zip(names, values, strict=True)
        }
        found.append({"type": "Feature", "properties": properties, "geometry": geometry[area.kode]})
    return {"type": "FeatureCollection", "features": found}, names, [html.escape(x) for x in labels]


def _legend(view: MapView) -> str:
    """The legend's HTML: title, notes, classes with counts, the outline rule, the priorities."""
    e = html.escape
    lang = view.state.lang
    parts = [f"<h2>{e(view.legend_title)}</h2>"]
    parts += [f"<p>{e(note)}</p>" for note in view.notes]
    rows = []
    for entry in view.legend:
        swatch = (
            '<span class="swatch hatched"></span>'
            if entry.hatched
            else f'<span class="swatch" style="background:{e(entry.color)}"></span>'
        )
        rows.append(f"<li>{swatch}{e(entry.label)} ({entry.count})</li>")
    if view.outline_rule:
        rows.append(f'<li><span class="swatch outlined"></span>{e(view.outline_rule)}</li>')
    parts.append("<ul>" + "".join(rows) + "</ul>")
    if view.nodata_reason:
        parts.append(f"<p>{e(view.nodata_reason)}</p>")
    by_kode = {a.kode: a for a in view.areas}
    ranked = [
        f'<li><button type="button" class="key" data-kode="{e(kode)}">'
        f'<span class="rank">{rank}</span><span class="name">'
        f"{e(short_name(by_kode[kode].nama))}</span>"
        f'<span class="value">{e(by_kode[kode].table[0][0])}</span></button></li>'
        for rank, kode, _lon, _lat in view.priorities
    ]
    if ranked:
        parts.append(
            f"<h2>{e(text('priorities', lang))}</h2><p>{e(text('offline.key_hint', lang))}</p>"
            f"<ol>{''.join(ranked)}</ol>"
        )
    return "".join(parts)


def _style(area_fill: str | None, low: bool) -> dict:
    """An area's Leaflet path style: class colour (hatched without data), dark edge, the bold
    outline."""
    return {
        "fillColor": area_fill or "url(#nodata-hatch)",
        "fillOpacity": FILL_OPACITY if area_fill else 1,
        "color": OUTLINE if low else AREA_EDGE,
        "weight": OUTLINE_WIDTH if low else EDGE_WIDTH,
    }


def render_html(view: MapView, settings: Settings, source: str) -> bytes:
    """The self-contained HTML file of a view."""
    lang = view.state.lang
    geometry = _geometry(view, settings)
    collection, fields, labels = _collection(view, geometry)
    areas = {a.kode: a for a in view.areas}
    figure = _Page(lang, html.escape(view.title))
    figure.header.add_child(Element(f"<style>{_leaflet_style()}</style>"), name="leaflet_css")
    figure.header.add_child(Element(f"<script>{_leaflet_script()}</script>"), name="leaflet_js")
    figure.header.add_child(Element(f"<style>{STYLE}</style>"), name="page_css")
    banner = f'<p class="banner">{html.escape(view.banner)}</p>' if view.banner else ""
    figure.html.add_child(
        Element(f"{HATCH}<header><h1>{html.escape(view.title)}</h1>{banner}</header>"),
        name="top",
    )
    legend = f'<aside aria-label="{html.escape(text("legend", lang))}">{_legend(view)}</aside>'
    figure.html.add_child(Element(legend), name="legend")
    figure.html.add_child(Element(f"<footer>{html.escape(source)}</footer>"), name="source")
    fmap = folium.Map(
        tiles=None, control_scale=True, zoom_control=True, prefer_canvas=False, zoom_snap=ZOOM_SNAP
    )
    fmap.default_js, fmap.default_css = [], []  # Leaflet is inlined above; nothing else is used
    figure.add_child(fmap, name="map")
    areas_layer = folium.GeoJson(
        collection,
        name="areas",
        style_function=lambda f: _style(
            areas[f["properties"]["kode"]].fill
            if areas[f["properties"]["kode"]].cls >= 0
            else None,
            areas[f["properties"]["kode"]].low,
        ),
        highlight_function=lambda _f: {"weight": 4, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=fields, aliases=labels, sticky=True, class_name="area-tooltip"
        ),
        smooth_factor=0.5,
    ).add_to(fmap)
    figure.script.add_child(
        Element(
            KEY_SCRIPT.replace("MAP", fmap.get_name()).replace("AREAS", areas_layer.get_name())
        ),
        name="key",
    )
    west, south, east, north = _bounds(geometry)
    fmap.fit_bounds([[south, west], [north, east]])
    page = _zoomable(_compact(figure.render(), collection))
    label = html.escape(text("offline.map_label", lang, title=view.title), quote=True)
    return _deterministic(_landmark(page, label)).encode("utf-8")


def _landmark(page: str, label: str) -> str:
    """The page with the map as its main landmark, named (Leaflet's controls inside it)."""
    return page.replace(MAP_DIV, f'{MAP_DIV} role="main" aria-label="{label}"', 1)


def _zoomable(page: str) -> str:
    """The page with folium's viewport line no longer forbidding zoom (people with low vision
    enlarge the legend and the source line)."""
    return NO_ZOOM.sub("", page, count=1)


def _compact(page: str, data: dict) -> str:
    """The page with the areas' data written without the spaces folium's JSON puts after
    every comma and colon (a tenth of the file)."""
    spaced = htmlsafe_json_dumps(data, sort_keys=True)
    if spaced not in page:
        LOGGER.warning("the embedded GeoJSON was not found; left as folium wrote it")
        return page
    return page.replace(spaced, htmlsafe_json_dumps(data, separators=(",", ":")), 1)


def _bounds(geometry: dict[str, dict]) -> tuple[float, float, float, float]:
    """West, south, east, north of the areas."""
    shapes = [shapely.geometry.shape(g) for g in geometry.values()]
    west, south, east, north = shapely.total_bounds(np.asarray(shapes, dtype=object))
    return float(west), float(south), float(east), float(north)


def _deterministic(page: str) -> str:
    """The page with folium's random element names numbered in order of appearance, so that
    the same view gives the same bytes."""
    names: dict[str, str] = {}

    def number(match: re.Match) -> str:
        return names.setdefault(match.group(0), f"{match.group(1)}_{len(names) + 1}")

    return re.sub(r"(?<![0-9a-z_])([a-z][a-z_]*?)_([0-9a-f]{32})(?![0-9a-f])", number, page)
