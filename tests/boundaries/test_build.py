"""The whole boundary build against the public-data mirror."""

import gzip
import json

import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from geo_coverage.boundaries.build import build_shapes
from geo_coverage.boundaries.geometry import areas_km2
from geo_coverage.boundaries.shapes import DISPLAY_TOPOJSON, REPORT_NAME, outputs

COUNTS = {"provinces": 8, "regencies": 102, "districts": 1265}


@pytest.fixture(scope="module")
def report(built_settings):
    return json.loads((built_settings.shapes / REPORT_NAME).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def layers(built_settings):
    return {name: pyogrio.read_dataframe(built_settings.shapes / f"{name}.shp") for name in COUNTS}


@pytest.mark.parametrize("name", COUNTS)
def test_layer_counts_codes_and_validity(layers, name):
    df = layers[name]
    assert len(df) == COUNTS[name]
    assert df.kode.is_unique
    assert all(isinstance(k, str) for k in df.kode)
    assert shapely.is_valid(df.geometry.values).all()
    assert shapely.coverage_is_valid(df.geometry.values)
    assert df.crs.to_epsg() == 4326
    assert set(df.prov_kode) == {"71", "72", "73", "74", "75", "76", "81", "82"}


def test_codes_keep_trailing_zeros_and_names_keep_quotes(layers):
    assert "71.10" in set(layers["regencies"].kode)
    names = set(layers["districts"].nama)
    assert {"Sangalla'", "Sa'Dan", "Tampan' Amma"} <= names


def test_shapefile_encoding_fields_and_projection(built_settings, layers):
    for name in COUNTS:
        assert (built_settings.shapes / f"{name}.cpg").read_text().strip() == "UTF-8"
        assert "WGS" in (built_settings.shapes / f"{name}.prj").read_text()
        assert {"kode", "nama", "prov_kode", "level"} <= set(layers[name].columns)
        assert all(len(c) <= 10 for c in layers[name].columns)


def test_regencies_nest_in_provinces(layers):
    provinces = dict(zip(layers["provinces"].kode, layers["provinces"].geometry, strict=True))
    reg = layers["regencies"]
    inside = [
        shapely.intersection(g, provinces[p])
        for g, p in zip(reg.geometry, reg.prov_kode, strict=True)
    ]
    share = areas_km2(np.array(inside)) / areas_km2(reg.geometry.values)
    assert share.min() >= 0.995


def test_areas_against_official(layers):
    reg = layers["regencies"]
    dev = areas_km2(reg.geometry.values) / reg.luas_km2.values - 1
    assert np.abs(dev).max() <= 0.06
    prov = layers["provinces"]
    assert np.abs(areas_km2(prov.geometry.values) / prov.luas_km2.values - 1).max() <= 0.01


def test_report_records_the_repairs_and_checks(report):
    assert all(c["passed"] for c in report["checks"])
    reg = report["layers"]["regency"]
    assert reg["invalid_before"] == 49
    assert reg["overlapping_pairs_before"] == 148
    closed = [r for r in report["layers"]["district"]["repairs"] if r["repair"] == "closed_ring"]
    assert [r["kode"] for r in closed] == ["81.05.16"]
    made_valid = [r for r in reg["repairs"] if r["repair"] == "made_valid"]
    assert len(made_valid) == 49 and all("Nested shells" in r["reason"] for r in made_valid)
    for check in report["checks"]:
        if check["check"] == "no_overlaps":
            assert check["overlap_km2"] == 0
    assert report["display"]["topojson_gzip_bytes"] <= 120_000
    assert set(report["files_bytes"]) >= {"regencies.shp", DISPLAY_TOPOJSON}


def _decode(topology, name):
    """Geometries of one TopoJSON object, decoded independently of the encoder."""
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        pts = np.cumsum(np.asarray(arc, dtype=float), axis=0)
        arcs.append(pts * scale + translate)

    def ring(ids):
        pts = []
        for i in ids:
            a = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.extend(a if not pts else a[1:])
        return pts

    return {
        g["id"]: MultiPolygon([Polygon(ring(p[0]), [ring(h) for h in p[1:]]) for p in g["arcs"]])
        for g in topology["objects"][name]["geometries"]
    }


def test_display_topology_keeps_shared_borders(built_settings, layers):
    raw = gzip.decompress((built_settings.shapes / f"{DISPLAY_TOPOJSON}.gz").read_bytes())
    topology = json.loads(raw)
    regencies = _decode(topology, "regencies")
    assert len(regencies) == 102
    geoms = np.array(list(regencies.values()), dtype=object)
    assert shapely.coverage_is_valid(geoms)
    full = dict(zip(layers["regencies"].kode, layers["regencies"].geometry, strict=True))
    for kode, geom in regencies.items():
        assert areas_km2(np.array([geom]))[0] == pytest.approx(
            areas_km2(np.array([full[kode]]))[0], rel=0.03
        ), kode
    coords = shapely.get_coordinates(geoms)
    assert np.allclose(coords, np.round(coords, 5), atol=1e-9)
    provinces = _decode(topology, "provinces")
    assert sorted(provinces) == ["71", "72", "73", "74", "75", "76", "81", "82"]


def test_second_build_does_no_work(built_settings):
    before = {p: p.stat().st_mtime_ns for p in outputs(built_settings.shapes)}
    messages = []
    outcome = build_shapes(built_settings, progress=messages.append)
    assert not outcome.rebuilt
    assert "nothing to do" in messages[-1]
    assert {p: p.stat().st_mtime_ns for p in outputs(built_settings.shapes)} == before
