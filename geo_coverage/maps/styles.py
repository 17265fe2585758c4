"""The web map's classes, colours and legend labels as styles GIS software reads: a QGIS style
(QML, rule-based) and an SLD 1.1 / Symbology Encoding style; no Flask.

The classes come from the map's own view model (maps/view.py, maps/classify.py) for a view
state, so a layer styled with them looks like the web map: the same cuts (a value at a cut is
in the upper class), colours, edges and the hatched "no data" class, labelled in the view's
language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from geo_coverage.config import Settings
from geo_coverage.i18n import text
from geo_coverage.maps import classify
from geo_coverage.maps.state import ViewState
from geo_coverage.maps.view import MapView, load_view
from geo_coverage.metrics.registry import map_metric, metric_title

LOGGER = logging.getLogger(__name__)

EDGE_WIDTH_MM = 0.26
HATCH_SPACING_MM = 1.5
QGIS_VERSION = "3.22.0"  # the oldest QGIS these styles are written for (Debian 12's)


@dataclass(frozen=True)
class StyleClass:
    """One class: lower <= value < upper (None: open), its colour and legend label."""

    lower: float | None
    upper: float | None
    color: str
    label: str


@dataclass(frozen=True)
class Style:
    """A layer's style: the property classified, its classes and the no-data class."""

    name: str
    title: str
    field: str
    classes: tuple[StyleClass, ...]
    nodata_label: str
    edge: str = classify.AREA_EDGE
    nodata_fill: str = classify.NODATA_FILL
    hatch: str = classify.NODATA_HATCH


def style_of(view: MapView) -> Style:
    """The style of a map view: its metric's field, classes, colours and labels."""
    state = view.state
    key = map_metric(state.metric).key
    coloured = [e for e in view.legend if not e.hatched]
    bounds = [None, *view.cuts, None]
    classes = tuple(
        StyleClass(bounds[i], bounds[i + 1], entry.color, entry.label)
        for i, entry in enumerate(coloured)
    )
    nodata = next((e.label for e in view.legend if e.hatched), text("no_data", state.lang))
    return Style(
        name=f"{state.metric} ({state.lang})",
        title=metric_title(state.metric, state.lang),
        field=key,
        classes=classes,
        nodata_label=nodata,
    )


def default_style(
    settings: Settings, level: str, period: str | None, segment: str, lang: str
) -> Style:
    """The style of the web map's default view of a level, period, segment and language."""
    state = ViewState(level=level, period=period, segment=segment, lang=lang)
    return style_of(load_view(settings, state))


def _rgba(color: str) -> str:
    """#rrggbb as QGIS writes colours: r,g,b,a."""
    value = color.lstrip("#")
    return ",".join(str(int(value[i : i + 2], 16)) for i in (0, 2, 4)) + ",255"


def _number(value: float) -> str:
    """A cut as a literal."""
    return repr(float(value))


def _qgis_filter(field: str, cls: StyleClass) -> str:
    """A QGIS expression selecting a class."""
    parts = []
    if cls.lower is not None:
        parts.append(f'"{field}" >= {_number(cls.lower)}')
    if cls.upper is not None:
        parts.append(f'"{field}" < {_number(cls.upper)}')
    return " AND ".join(parts) or f'"{field}" IS NOT NULL'


def _props(values: dict[str, str]) -> str:
    """Symbol layer properties as QML <prop> elements."""
    return "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in values.items())


def _fill_layer(fill: str, edge: str) -> str:
    """A simple fill with a thin edge."""
    return (
        '<layer class="SimpleFill" enabled="1" locked="0" pass="0">'
        + _props(
            {
                "color": _rgba(fill),
                "outline_color": _rgba(edge),
                "outline_style": "solid",
                "outline_width": str(EDGE_WIDTH_MM),
                "outline_width_unit": "MM",
                "style": "solid",
                "joinstyle": "bevel",
            }
        )
        + "</layer>"
    )


def _hatch_layer(color: str, name: str) -> str:
    """Diagonal lines over a fill: how the web map shows an area without data."""
    line = (
        f'<symbol type="line" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
        '<layer class="SimpleLine" enabled="1" locked="0" pass="0">'
        + _props(
            {
                "line_color": _rgba(color),
                "line_width": str(EDGE_WIDTH_MM),
                "line_width_unit": "MM",
                "line_style": "solid",
            }
        )
        + "</layer></symbol>"
    )
    return (
        '<layer class="LinePatternFill" enabled="1" locked="0" pass="0">'
        + _props(
            {
                "angle": "45",
                "color": _rgba(color),
                "distance": str(HATCH_SPACING_MM),
                "distance_unit": "MM",
                "line_width": str(EDGE_WIDTH_MM),
                "line_width_unit": "MM",
                "offset": "0",
                "offset_unit": "MM",
            }
        )
        + line
        + "</layer>"
    )


def to_qml(style: Style) -> str:
    """The style as a QGIS layer style file (rule-based renderer)."""
    rules, symbols = [], []
    for i, cls in enumerate(style.classes):
        rules.append(
            f'<rule key="{{class-{i}}}" symbol="{i}" label={quoteattr(cls.label)} '
            f"filter={quoteattr(_qgis_filter(style.field, cls))}/>"
        )
        symbols.append(
            f'<symbol type="fill" name="{i}" alpha="1" clip_to_extent="1" force_rhr="0">'
            f"{_fill_layer(cls.color, style.edge)}</symbol>"
        )
    n = len(style.classes)
    missing = quoteattr(f'"{style.field}" IS NULL')
    rules.append(
        f'<rule key="{{nodata}}" symbol="{n}" label={quoteattr(style.nodata_label)} '
        f"filter={missing}/>"
    )
    symbols.append(
        f'<symbol type="fill" name="{n}" alpha="1" clip_to_extent="1" force_rhr="0">'
        f"{_fill_layer(style.nodata_fill, style.edge)}{_hatch_layer(style.hatch, f'@{n}@1')}"
        "</symbol>"
    )
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology">\n'
        '<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">\n'
        f'<rules key="{{root}}">{"".join(rules)}</rules>\n'
        f"<symbols>{''.join(symbols)}</symbols>\n"
        "</renderer-v2>\n"
        "<layerGeometryType>2</layerGeometryType>\n"
        "</qgis>\n"
    )


def _ogc_filter(field: str, cls: StyleClass) -> str:
    """An OGC filter selecting a class."""
    name = f"<ogc:PropertyName>{escape(field)}</ogc:PropertyName>"
    parts = []
    if cls.lower is not None:
        parts.append(
            f"<ogc:PropertyIsGreaterThanOrEqualTo>{name}<ogc:Literal>{_number(cls.lower)}"
            "</ogc:Literal></ogc:PropertyIsGreaterThanOrEqualTo>"
        )
    if cls.upper is not None:
        parts.append(
            f"<ogc:PropertyIsLessThan>{name}<ogc:Literal>{_number(cls.upper)}"
            "</ogc:Literal></ogc:PropertyIsLessThan>"
        )
    if not parts:
        parts.append(f"<ogc:Not><ogc:PropertyIsNull>{name}</ogc:PropertyIsNull></ogc:Not>")
    body = parts[0] if len(parts) == 1 else f"<ogc:And>{''.join(parts)}</ogc:And>"
    return f"<ogc:Filter>{body}</ogc:Filter>"


def _sld_polygon(fill: str, edge: str) -> str:
    """A filled polygon with a thin edge."""
    return (
        "<se:PolygonSymbolizer>"
        f'<se:Fill><se:SvgParameter name="fill">{fill}</se:SvgParameter></se:Fill>'
        f'<se:Stroke><se:SvgParameter name="stroke">{edge}</se:SvgParameter>'
        '<se:SvgParameter name="stroke-width">1</se:SvgParameter>'
        '<se:SvgParameter name="stroke-linejoin">bevel</se:SvgParameter></se:Stroke>'
        "</se:PolygonSymbolizer>"
    )


def _sld_rule(name: str, label: str, condition: str, symbolizers: str) -> str:
    """One SE rule."""
    return (
        f"<se:Rule><se:Name>{escape(name)}</se:Name>"
        f"<se:Description><se:Title>{escape(label)}</se:Title></se:Description>"
        f"{condition}{symbolizers}</se:Rule>"
    )


def to_sld(style: Style, layer: str) -> str:
    """The style as an SLD 1.1 document with Symbology Encoding rules for a named layer."""
    rules = [
        _sld_rule(
            cls.label,
            cls.label,
            _ogc_filter(style.field, cls),
            _sld_polygon(cls.color, style.edge),
        )
        for cls in style.classes
    ]
    name = f"<ogc:PropertyName>{escape(style.field)}</ogc:PropertyName>"
    hatch = (
        "<se:PolygonSymbolizer><se:Fill><se:GraphicFill><se:Graphic><se:Mark>"
        "<se:WellKnownName>horline</se:WellKnownName>"
        f'<se:Stroke><se:SvgParameter name="stroke">{style.hatch}</se:SvgParameter>'
        '<se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke>'
        "</se:Mark><se:Size>6</se:Size><se:Rotation>45</se:Rotation></se:Graphic>"
        "</se:GraphicFill></se:Fill></se:PolygonSymbolizer>"
    )
    rules.append(
        _sld_rule(
            style.nodata_label,
            style.nodata_label,
            f"<ogc:Filter><ogc:PropertyIsNull>{name}</ogc:PropertyIsNull></ogc:Filter>",
            _sld_polygon(style.nodata_fill, style.edge) + hatch,
        )
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" '
        'xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.opengis.net/sld '
        'http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">\n'
        f"<NamedLayer><se:Name>{escape(layer)}</se:Name>\n"
        f"<UserStyle><se:Name>{escape(style.name)}</se:Name>"
        f"<se:Description><se:Title>{escape(style.title)}</se:Title></se:Description>\n"
        f"<se:FeatureTypeStyle>{''.join(rules)}</se:FeatureTypeStyle>\n"
        "</UserStyle></NamedLayer>\n"
        "</StyledLayerDescriptor>\n"
    )
