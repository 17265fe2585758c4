"""Opens layers in headless QGIS and prints what it sees as JSON; run by tests/gis/test_qgis.py
with the system Python that Debian's python3-qgis belongs to (not the project's venv).

Usage: /usr/bin/python3 qgis_probe.py SPEC_JSON, where the spec names the OAPIF layers
(landing page URL, collection, optional subset string), the GeoPackages (a path or a /vsicurl/
URL, layer name) and, for each GeoPackage, a PNG to render it to and lon/lat points whose pixel
colours to report, and tables (a GDAL source: CSV, workbook sheet).
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402  (the platform must be chosen before Qt loads)
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

RENDER_SIZE = 1600


def oapif(spec: dict) -> dict:
    """An OAPIF layer: validity, the features QGIS reads and their periods and segments."""
    uri = f"url='{spec['url']}' typename='{spec['collection']}'"
    layer = QgsVectorLayer(uri, spec["collection"], "OAPIF")
    if not layer.isValid():
        return {"valid": False}
    if spec.get("subset"):
        layer.setSubsetString(spec["subset"])
    features = list(layer.getFeatures())
    names = layer.fields().names()
    return {
        "valid": True,
        "feature_count": layer.featureCount(),
        "features": len(features),
        "codes": len({f["kode"] for f in features}),
        "periods": sorted({f["period"] for f in features}),
        "segments": sorted({f["segment"] for f in features}),
        "fields": names,
    }


def _rules(renderer) -> list[dict]:
    """A rule-based renderer's rules: label, filter and fill colour of each."""
    return [
        {
            "label": rule.label(),
            "filter": rule.filterExpression(),
            "color": rule.symbol().color().name() if rule.symbol() else None,
        }
        for rule in renderer.rootRule().children()
    ]


def _render(layer: QgsVectorLayer, path: str, points: list) -> list[str]:
    """Render the layer alone to a PNG; the colour of the pixel at each lon/lat point."""
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    extent = QgsRectangle(layer.extent())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(RENDER_SIZE, RENDER_SIZE))
    settings.setBackgroundColor(QColor(0, 0, 0, 0))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(path, "PNG")
    transform = settings.mapToPixel()
    colors = []
    for lon, lat in points:
        pixel = transform.transform(QgsPointXY(lon, lat))
        colors.append(QColor(image.pixel(int(pixel.x()), int(pixel.y()))).name())
    return colors


def geopackage(spec: dict) -> dict:
    """A GeoPackage layer as QGIS opens it: validity, count, its default style, a rendering."""
    layer = QgsVectorLayer(f"{spec['source']}|layername={spec['layer']}", spec["layer"], "ogr")
    if not layer.isValid():
        return {"valid": False}
    renderer = layer.renderer()
    out = {
        "valid": True,
        "feature_count": layer.featureCount(),
        "renderer": renderer.type(),
        "rules": _rules(renderer) if renderer.type() == "RuleRenderer" else [],
    }
    if spec.get("png"):
        out["colors"] = _render(layer, spec["png"], spec.get("points", []))
    return out


def table(spec: dict) -> dict:
    """A table (CSV with its .csvt, a workbook's sheet) as QGIS reads it: field types, codes."""
    layer = QgsVectorLayer(spec["source"], "table", "ogr")
    if not layer.isValid():
        return {"valid": False}
    return {
        "valid": True,
        "types": {f.name(): f.typeName() for f in layer.fields()},
        "codes": sorted(str(f["kode"]) for f in layer.getFeatures()),
        "coverage": [f["coverage_pct"] for f in layer.getFeatures()][:5],
    }


def main() -> None:
    """Open every layer of the spec and print the findings as one JSON document."""
    spec = json.loads(sys.argv[1])
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    found = {
        "qgis": __import__("qgis.core").core.Qgis.QGIS_VERSION,
        "oapif": [oapif(s) for s in spec.get("oapif", [])],
        "geopackages": [geopackage(s) for s in spec.get("geopackages", [])],
        "tables": [table(s) for s in spec.get("tables", [])],
    }
    print(json.dumps(found), flush=True)
    # QGIS 3.22's exitQgis() can crash on providers' late cleanup; the findings are out.
    os._exit(0)


if __name__ == "__main__":
    main()
