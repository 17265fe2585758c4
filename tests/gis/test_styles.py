"""Styles that travel with the data: the web map's classes, colours and labels as QML and SLD,
in the GeoPackage's layer_styles and as downloads."""

import sqlite3
import xml.etree.ElementTree as ET

import pytest

from geo_coverage import create_app
from geo_coverage.maps import styles
from geo_coverage.maps.state import ViewState
from geo_coverage.maps.view import load_view
from geo_coverage.metrics import dataset

SE = "{http://www.opengis.net/se}"
OGC = "{http://www.opengis.net/ogc}"


@pytest.fixture(scope="module")
def client(served_settings):
    """A test client over the session build and store."""
    return create_app(
        {"instance": served_settings.instance, "shapes": served_settings.shapes}
    ).test_client()


def _legend(client, **query) -> list[dict]:
    """The web map's coloured legend entries for a view."""
    data = client.get("/api/map-data", query_string=query).json
    return [e for e in data["legend"]["entries"] if not e["hatched"]]


def test_a_style_is_the_map_views_classes(served_settings):
    view = load_view(served_settings, ViewState(level="regency", lang="en"))
    style = styles.style_of(view)
    coloured = [e for e in view.legend if not e.hatched]
    assert [c.color for c in style.classes] == [e.color for e in coloured]
    assert [c.label for c in style.classes] == [e.label for e in coloured]
    assert [c.upper for c in style.classes[:-1]] == list(view.cuts)
    assert style.classes[0].lower is None and style.classes[-1].upper is None
    assert style.field == "coverage_pct" and style.nodata_label == "No data"
    by_area = {a.kode: a for a in view.areas}
    for kode, area in by_area.items():
        if area.value is None:
            continue
        found = [c for c in style.classes if _holds(c, area.value)]
        assert [c.color for c in found] == [area.fill], kode  # exactly one class, the map's


def _holds(cls: styles.StyleClass, value: float) -> bool:
    """Whether a value falls in a class: lower <= value < upper."""
    return (cls.lower is None or value >= cls.lower) and (cls.upper is None or value < cls.upper)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_qml_download_carries_the_web_maps_legend(client, served_settings, lang):
    period = dataset.periods(served_settings)[-2]
    resp = client.get(f"/download/regency.qml?period={period}&segment=informal&lang={lang}")
    assert resp.status_code == 200
    root = ET.fromstring(resp.data.split(b"\n", 1)[1])  # after the DOCTYPE line
    rules = root.findall("./renderer-v2/rules/rule")
    legend = _legend(client, period=period, segment="informal", lang=lang)
    assert [r.get("label") for r in rules[:-1]] == [e["label"] for e in legend]
    symbols = {s.get("name"): s for s in root.findall("./renderer-v2/symbols/symbol")}
    for rule, entry in zip(rules, legend, strict=False):
        fill = symbols[rule.get("symbol")].find("./layer/prop[@k='color']").get("v")
        r, g, b = (int(x) for x in fill.split(",")[:3])
        assert f"#{r:02x}{g:02x}{b:02x}" == entry["color"]
    assert rules[-1].get("filter") == '"coverage_pct" IS NULL'
    hatch = symbols[rules[-1].get("symbol")].findall("./layer")
    assert [layer.get("class") for layer in hatch] == ["SimpleFill", "LinePatternFill"]


def test_the_sld_download_is_symbology_encoding_with_the_same_classes(client):
    qml = ET.fromstring(client.get("/download/province.qml?lang=en").data.split(b"\n", 1)[1])
    resp = client.get("/download/province.sld?lang=en")
    root = ET.fromstring(resp.data)
    assert root.tag == "{http://www.opengis.net/sld}StyledLayerDescriptor"
    assert root.get("version") == "1.1.0"
    assert root.find(f"./{{http://www.opengis.net/sld}}NamedLayer/{SE}Name").text == "provinces"
    rules = root.findall(f".//{SE}Rule")
    assert [r.find(f"./{SE}Description/{SE}Title").text for r in rules] == [
        r.get("label") for r in qml.findall("./renderer-v2/rules/rule")
    ]
    first = rules[0].find(f"./{OGC}Filter/{OGC}PropertyIsLessThan")
    assert first.find(f"./{OGC}PropertyName").text == "coverage_pct"
    assert rules[-1].find(f"./{OGC}Filter/{OGC}PropertyIsNull") is not None


def test_the_geopackage_carries_its_styles_as_qgis_keeps_them(client, tmp_path):
    path = tmp_path / "r.gpkg"
    path.write_bytes(client.get("/download/regency.gpkg?lang=en").data)
    with sqlite3.connect(path) as db:
        (column,) = db.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = 'regencies'"
        ).fetchone()
        rows = db.execute(
            "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName,"
            " styleQML, styleSLD, useAsDefault, update_time FROM layer_styles ORDER BY id"
        ).fetchall()
        registered = db.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
    assert registered == ("attributes",)
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [("", "", "regencies", column)] * 2
    assert [(r[4], r[7]) for r in rows] == [("coverage (en)", 1), ("coverage (id)", 0)]
    assert rows[0][5] == client.get("/download/regency.qml?lang=en").get_data(as_text=True)
    assert rows[1][6] == client.get("/download/regency.sld?lang=id").get_data(as_text=True)
    assert rows[0][8].startswith("20")
    default = client.get("/download/regency.gpkg").data
    assert default != path.read_bytes()  # the default language's style is the default
