"""File writers for GIS users: GeoJSON (RFC 7946), GeoPackage, zipped Shapefile and CSV.

Each writer takes a GeoDataFrame holding the PROPERTIES columns and a lon/lat (EPSG:4326)
geometry, and returns the file's bytes. No Flask here.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import mapping

from geo_coverage.boundaries.geometry import polygonal
from geo_coverage.i18n import API_LANG, text
from geo_coverage.metrics.registry import EXPORTED, SHAPEFILE_NAMES
from geo_coverage.region import LAYER_NAMES
from geo_coverage.sources import provenance

LOGGER = logging.getLogger(__name__)

# Every feature of every format carries the registry's exported fields, in its order.
PROPERTIES = tuple(f.key for f in EXPORTED)
SHAPEFILE_FIELDS = SHAPEFILE_NAMES  # full name -> dBASE name (at most 10 characters)
_TEXTS = frozenset(f.key for f in EXPORTED if f.json_type == "string")
DECIMALS = 6  # RFC 7946 §11.2: about 10 cm, finer than the boundaries' accuracy
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
METADATA_TABLE = "metadata"
GPKG_VERSION = "1.2"  # read without warnings by older GDAL, QGIS and ArcGIS


@dataclass(frozen=True)
class Metadata:
    """What a file says about itself: its content, versions, sources and licences."""

    name: str
    title: str
    level: str
    period: str
    segment: str
    geometry: str
    data_version: str
    build_key: str
    build_report: dict = field(default_factory=dict, compare=False)

    def rows(self) -> list[tuple[str, str]]:
        """Key/value pairs for a metadata table or a README; the build report is apart. Built
        from an own boundary file, the file credits it, not the public boundaries."""
        own = provenance.own_boundaries(self.build_report, self.level)
        return [
            ("title", self.title),
            ("level", self.level),
            ("period", self.period),
            ("segment", self.segment),
            ("geometry", self.geometry),
            ("crs", text("download.crs", API_LANG)),
            ("data_version", self.data_version),
            ("build_key", self.build_key),
            *(("source", line) for line in provenance.sources(own)),
            ("note", provenance.MODELLED_NOTE),
            ("licence", provenance.licence_short(own)),
        ]


def round_coordinates(geoms) -> np.ndarray:
    """MultiPolygons on a grid of DECIMALS decimals, kept valid, oriented as RFC 7946 asks.

    Exterior rings turn counter-clockwise and holes clockwise.
    """
    snapped = shapely.set_precision(np.asarray(geoms, dtype=object), 10.0**-DECIMALS)
    multi = np.array([polygonal(g) for g in snapped], dtype=object)
    return shapely.orient_polygons(multi, exterior_cw=False)


def geometry_text(geom) -> str:
    """A geometry from round_coordinates as compact GeoJSON text."""
    return json.dumps(mapping(geom), separators=(",", ":"))


def json_value(value):
    """A cell as a JSON value: NA and NaN become null, numpy scalars plain numbers."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def properties_of(frame: pd.DataFrame) -> list[dict]:
    """The PROPERTIES of every row, every key present, missing values as null."""
    columns = [
        frame[name].tolist() if name in frame else [None] * len(frame) for name in PROPERTIES
    ]
    return [
        {name: json_value(v) for name, v in zip(PROPERTIES, values, strict=True)}
        for values in zip(*columns, strict=True)
    ]


def feature_text(properties: dict, geometry: str, links: list[dict] | None = None) -> str:
    """One GeoJSON Feature whose id is its kode, from its properties and geometry text."""
    extra = f',"links":{json.dumps(links)}' if links else ""
    return (
        f'{{"type":"Feature","id":{json.dumps(properties["kode"])},'
        f'"geometry":{geometry},"properties":{json.dumps(properties, ensure_ascii=False)}'
        f"{extra}}}"
    )


def bbox_of(geoms) -> list[float]:
    """[west, south, east, north] of geometries, at DECIMALS decimals, outward."""
    west, south, east, north = shapely.total_bounds(np.asarray(geoms, dtype=object))
    scale = 10**DECIMALS
    return [
        math.floor(west * scale) / scale,
        math.floor(south * scale) / scale,
        math.ceil(east * scale) / scale,
        math.ceil(north * scale) / scale,
    ]


def collection_text(features: list[str], members: dict) -> bytes:
    """A FeatureCollection from feature texts, with members (bbox, links, ...) before them."""
    head = json.dumps({"type": "FeatureCollection", **members}, ensure_ascii=False)[:-1]
    return f'{head},"features":[{",".join(features)}]}}'.encode()


def to_geojson(frame: gpd.GeoDataFrame, metadata: Metadata) -> bytes:
    """An RFC 7946 FeatureCollection: lon/lat, no crs member, bbox, ≤ 6 decimals."""
    geoms = round_coordinates(frame.geometry.values)
    features = [
        feature_text(props, geometry_text(geom))
        for props, geom in zip(properties_of(frame), geoms, strict=True)
    ]
    members = {
        "name": metadata.name,
        "description": metadata.title,
        "bbox": bbox_of(geoms),
        "metadata": dict(_grouped(metadata.rows())),
    }
    return collection_text(features, members)


def _grouped(rows: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """Key/value rows as a dict; a key that repeats holds a list."""
    out: dict[str, str | list[str]] = {}
    for key, value in rows:
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


def _attributes(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The PROPERTIES columns (missing ones as nulls) and the geometry, in order."""
    out = gpd.GeoDataFrame(
        {
            name: frame[name]
            if name in frame
            else pd.Series([None] * len(frame), index=frame.index, dtype=object)
            for name in PROPERTIES
        },
        geometry=frame.geometry.values,
        crs="EPSG:4326",
        index=frame.index,
    )
    return out.reset_index(drop=True)


def to_gpkg(frame: gpd.GeoDataFrame, metadata: Metadata) -> bytes:
    """A GeoPackage with the level's layer and a metadata table (sources, licences, report)."""
    layer = LAYER_NAMES[metadata.level]
    rows = [
        *metadata.rows(),
        ("licence_text", provenance.LICENCE),
        ("build_report", json.dumps(metadata.build_report, ensure_ascii=False)),
    ]
    with tempfile.TemporaryDirectory(prefix="geo-coverage-") as tmp:
        path = Path(tmp) / "out.gpkg"
        pyogrio.write_dataframe(
            _attributes(frame),
            path,
            layer=layer,
            driver="GPKG",
            dataset_options={"VERSION": GPKG_VERSION},
            layer_options={"IDENTIFIER": metadata.title, "DESCRIPTION": provenance.MODELLED_NOTE},
        )
        table = pd.DataFrame(rows, columns=["key", "value"])
        pyogrio.write_dataframe(table, path, layer=METADATA_TABLE, driver="GPKG")
        _describe_columns(path, layer)
        _vacuum(path)
        return path.read_bytes()


# The GeoPackage schema extension: a label and a description per column, which GDAL reads as
# the field's alternative name and comment (QGIS shows the name as the field's alias).
_SCHEMA_TABLES = """
CREATE TABLE IF NOT EXISTS gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
CREATE TABLE IF NOT EXISTS gpkg_data_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT,
  description TEXT, mime_type TEXT, constraint_name TEXT,
  CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
  CONSTRAINT gdc_tn UNIQUE (table_name, name));
CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (
  constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT, min NUMERIC,
  min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, description TEXT,
  CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value));
"""
_SCHEMA_EXTENSION = "http://www.geopackage.org/spec/#extension_schema"


def _describe_columns(path: Path, layer: str) -> None:
    """Each column's label and description (English, like the field names) in the file."""
    with sqlite3.connect(path) as db:
        db.executescript(_SCHEMA_TABLES)
        db.executemany(
            "INSERT OR REPLACE INTO gpkg_data_columns "
            "(table_name, column_name, name, title, description) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    layer,
                    f.key,
                    f.label.get(API_LANG),
                    f.label.get(API_LANG),
                    f.description.get(API_LANG),
                )
                for f in EXPORTED
            ],
        )
        db.executemany(
            "INSERT OR IGNORE INTO gpkg_extensions VALUES (?, NULL, 'gpkg_schema', ?, ?)",
            [
                ("gpkg_data_columns", _SCHEMA_EXTENSION, "read-write"),
                ("gpkg_data_column_constraints", _SCHEMA_EXTENSION, "read-write"),
            ],
        )


def _vacuum(path: Path) -> None:
    """Compact a freshly written SQLite file."""
    with sqlite3.connect(path) as db:
        db.execute("VACUUM")


def shapefile_readme(metadata: Metadata) -> str:
    """README.txt of a Shapefile zip: field names, sources, licences."""
    width = max(map(len, SHAPEFILE_FIELDS.values()))
    fields = "\n".join(
        f"  {f.shapefile:<{width}}  {f.key}: {f.description.get(API_LANG)}" for f in EXPORTED
    )
    about = "\n".join(f"{key}: {value}" for key, value in metadata.rows())
    return (
        f"{metadata.title}\n\n{about}\n\n{text('download.readme.fields', API_LANG)}\n"
        f"{fields}\n\n{text('download.readme.encoding', API_LANG)}\n\n{provenance.LICENCE}"
    )


def to_shapefile_zip(frame: gpd.GeoDataFrame, metadata: Metadata) -> bytes:
    """A zip of .shp .shx .dbf .prj .cpg (UTF-8, short field names) and README.txt."""
    renamed = _attributes(frame).rename(columns=SHAPEFILE_FIELDS)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="geo-coverage-") as tmp:
        path = Path(tmp) / f"{metadata.name}.shp"
        pyogrio.write_dataframe(renamed, path, driver="ESRI Shapefile", encoding="UTF-8")
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                archive.write(path.with_suffix(ext), f"{metadata.name}{ext}")
            archive.writestr("README.txt", shapefile_readme(metadata))
    return buffer.getvalue()


def neutralise(text: str) -> str:
    """A text cell that a spreadsheet will show as text rather than run as a formula."""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def to_csv(frame: pd.DataFrame, wkt: bool = False) -> bytes:
    """UTF-8 CSV (with a byte-order mark for spreadsheets) of PROPERTIES, optionally WKT.

    Text cells that could start a spreadsheet formula are neutralised; numbers stay numbers.
    """
    header = [*PROPERTIES, "wkt"] if wkt else list(PROPERTIES)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    geoms = round_coordinates(frame.geometry.values) if wkt else None
    for i, props in enumerate(properties_of(frame)):
        row = [
            "" if props[k] is None else neutralise(str(props[k])) if k in _TEXTS else props[k]
            for k in PROPERTIES
        ]
        if geoms is not None:
            row.append(shapely.to_wkt(geoms[i], rounding_precision=DECIMALS, trim=True))
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")
