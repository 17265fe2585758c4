"""The file writers on small frames made here: RFC 7946, GeoPackage, Shapefile zip, CSV."""

import csv
import io
import json
import sqlite3
import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from repo import REPO_ROOT
from shapely.geometry import MultiPolygon, Polygon

from geo_coverage.gis import exports
from geo_coverage.sources import provenance

# A clockwise exterior with a counter-clockwise hole (both wrong for RFC 7946), 9 decimals.
SQUARE_CW = [
    (120.123456789, -5.0),
    (120.123456789, -4.0),
    (121.0, -4.0),
    (121.0, -5.0),
    (120.123456789, -5.0),
]
HOLE_CCW = [(120.4, -4.6), (120.6, -4.6), (120.6, -4.4), (120.4, -4.4), (120.4, -4.6)]
FORMULAS = ['=HYPERLINK("http://x")', "+1+2", "-3", "@SUM(A1)", "\tx"]


@pytest.fixture(scope="module")
def frame() -> gpd.GeoDataFrame:
    """Three areas: a polygon with a hole, a plain one, and one with formula-like names."""
    geoms = [
        MultiPolygon([Polygon(SQUARE_CW, [HOLE_CCW])]),
        Polygon([(122, -3), (123, -3), (123, -2), (122, -3)]),
        shapely.box(124.0, 1.0, 124.5, 1.5),
    ]
    return gpd.GeoDataFrame(
        {
            "kode": ["73.71", "73.72", "82.01"],
            "nama": ["Kota Makassar", FORMULAS[0], "Kepulauan Sula – Sanana ü"],
            "prov_kode": ["73", "73", "82"],
            "prov_nama": ["Sulawesi Selatan", FORMULAS[1], "@Maluku Utara"],
            "period": ["2025-06"] * 3,
            "segment": ["all"] * 3,
            "potential_workers": pd.array([1000, None, 30], dtype="Int64"),
            "active_members": pd.array([400, None, 10], dtype="Int64"),
            "coverage_pct": pd.array([40.0, None, 33.33], dtype="Float64"),
            "informal_coverage_pct": [12.5, float("nan"), 5.0],
            "target_pct": [62.93, 62.93, 60.0],
            "gap_to_target": pd.array([-3, None, 8], dtype="Int64"),
            "uncovered_informal": pd.array([500, None, 20], dtype="Int64"),
            "priority_score": pd.array([312.5, None, 19.4], dtype="Float64"),
            "priority_rank_region": pd.array([1, None, 2], dtype="Int64"),
            "priority_rank_province": pd.array([1, None, 1], dtype="Int64"),
            "data_source": ["published", "modelled", "-mixed"],
            "figure_level": ["regency"] * 3,
            "change_pp": [1.0, 2.0, 3.0],  # not exported
        },
        geometry=geoms,
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def metadata() -> exports.Metadata:
    """Metadata of a made-up file."""
    return exports.Metadata(
        name="sulama_regency_2025-06",
        title="test title",
        level="regency",
        period="2025-06",
        segment="all",
        geometry="full resolution",
        data_version="7-abc",
        build_key="k" * 64,
        build_report={"build_key": "k" * 64, "layers": {"regency": 3}},
    )


def test_round_coordinates_orients_and_rounds_without_breaking_validity(frame):
    out = exports.round_coordinates(frame.geometry.values)
    polygon = shapely.get_parts(out[0])[0]
    assert polygon.exterior.is_ccw and not polygon.interiors[0].is_ccw
    assert shapely.get_coordinates(out[0])[:, 0].min() == 120.123457
    assert shapely.is_valid(out).all()
    assert abs(shapely.area(out[0]) - shapely.area(frame.geometry.values[0])) < 1e-5


def test_geojson_follows_rfc7946(frame, metadata, assert_rfc7946):
    body = exports.to_geojson(frame, metadata)
    doc = assert_rfc7946(body)
    assert [f["id"] for f in doc["features"]] == ["73.71", "73.72", "82.01"]
    assert doc["bbox"] == [120.123457, -5.0, 124.5, 1.5]
    assert doc["name"] == metadata.name
    assert doc["metadata"]["data_version"] == "7-abc"
    assert any("wilayah_boundaries" in s for s in doc["metadata"]["source"])


def test_geojson_writes_null_for_every_missing_value(frame, metadata):
    doc = json.loads(exports.to_geojson(frame.drop(columns=["target_pct"]), metadata))
    empty = doc["features"][1]["properties"]
    assert [k for k, v in empty.items() if v is None] == [
        "potential_workers",
        "active_members",
        "coverage_pct",
        "coverage_pct_low",
        "coverage_pct_high",
        "informal_coverage_pct",
        "target_pct",
        "target_shortfall_pct",
        "gap_to_target",
        "uncovered_informal",
        "priority_score",
        "priority_rank_region",
        "priority_rank_province",
    ]
    assert "change_pp" not in empty
    first = doc["features"][0]["properties"]
    assert first["potential_workers"] == 1000 and isinstance(first["potential_workers"], int)
    assert first["gap_to_target"] == -3 and first["coverage_pct"] == 40.0


def test_csv_neutralises_formulas_in_text_only(frame):
    body = exports.to_csv(frame)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert list(rows[0]) == list(exports.PROPERTIES)
    assert rows[1]["nama"] == "'" + FORMULAS[0]
    assert rows[1]["prov_nama"] == "'+1+2"
    assert rows[2]["prov_nama"] == "'@Maluku Utara" and rows[2]["data_source"] == "'-mixed"
    assert rows[2]["nama"] == "Kepulauan Sula – Sanana ü"
    assert rows[0]["gap_to_target"] == "-3"  # a number, not free text: left as it is
    assert rows[1]["potential_workers"] == "" and rows[0]["coverage_pct"] == "40.0"
    for formula in FORMULAS:
        assert exports.neutralise(formula) == "'" + formula
    assert exports.neutralise("Kota Palu") == "Kota Palu"


def test_csv_adds_wkt_on_request(frame):
    rows = list(csv.DictReader(io.StringIO(exports.to_csv(frame, wkt=True).decode("utf-8-sig"))))
    geom = shapely.from_wkt(rows[0]["wkt"])
    assert "120.123457 " in rows[0]["wkt"] and "120.123456789" not in rows[0]["wkt"]
    assert geom.geom_type == "MultiPolygon" and len(shapely.get_parts(geom)[0].interiors) == 1
    assert "wkt" not in exports.to_csv(frame).decode("utf-8-sig").splitlines()[0]


def test_shapefile_zip_has_its_parts_short_fields_and_a_readme(frame, metadata, tmp_path):
    body = exports.to_shapefile_zip(frame, metadata)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = sorted(archive.namelist())
        readme = archive.read("README.txt").decode("utf-8")
        cpg = archive.read("sulama_regency_2025-06.cpg").decode()
    assert names == sorted(
        [f"sulama_regency_2025-06{e}" for e in (".shp", ".shx", ".dbf", ".prj", ".cpg")]
        + ["README.txt"]
    )
    assert cpg.strip().upper() in ("UTF-8", "UTF8")
    for full, short in exports.SHAPEFILE_FIELDS.items():
        assert len(short) <= 10 and f"{short}" in readme and f"{full}:" in readme
    assert "Permission is hereby granted" in readme and "Cahya DSN" in readme
    assert provenance.MODELLED_NOTE in readme
    (tmp_path / "a.zip").write_bytes(body)
    back = pyogrio.read_dataframe(f"/vsizip/{tmp_path / 'a.zip'}")
    assert list(back.columns[:-1]) == list(exports.SHAPEFILE_FIELDS.values())
    assert back["nama"].tolist()[2] == "Kepulauan Sula – Sanana ü"
    assert back["potential"].isna().tolist() == [False, True, False]


def test_gpkg_has_the_layer_and_a_metadata_table(frame, metadata, tmp_path):
    path = tmp_path / "a.gpkg"
    path.write_bytes(exports.to_gpkg(frame, metadata))
    layers = dict(pyogrio.list_layers(path))
    assert layers == {"regencies": "MultiPolygon", "metadata": None}
    back = pyogrio.read_dataframe(path, layer="regencies")
    assert list(back.columns[:-1]) == list(exports.PROPERTIES) and len(back) == 3
    table = pyogrio.read_dataframe(path, layer="metadata")
    rows = list(zip(table["key"], table["value"], strict=True))
    keys = [k for k, _ in rows]
    assert {
        "data_version",
        "build_key",
        "source",
        "licence",
        "licence_text",
        "note",
        "build_report",
    } <= set(keys)
    report = json.loads(dict(rows)["build_report"])
    assert report["layers"] == {"regency": 3}
    assert "Permission is hereby granted" in dict(rows)["licence_text"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200


def test_licence_is_the_notice_kept_in_shapes_readme():
    readme = (REPO_ROOT / "shapes" / "README.md").read_text(encoding="utf-8")
    notice = provenance.LICENCE.split("    MIT License", 1)[1]
    assert notice.strip() in readme
