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
from geo_coverage.boundaries.layers import parse_dump_layer, repair_layer
from geo_coverage.boundaries.shapes import DISPLAY_TOPOJSON, REPORT_NAME, outputs
from geo_coverage.sources.pinned import fetch_all

COUNTS = {"provinces": 8, "regencies": 102, "districts": 1265}
LEVEL_OF = {"provinces": "province", "regencies": "regency", "districts": "district"}


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
    for shown in (geoms, np.array(list(provinces.values()), dtype=object)):
        tree = shapely.STRtree(shown)
        holes = _union_holes(shown)
        assert all(len(_areas_along(h, shown, tree)) == 1 for h in holes), "a gap on the map"


def test_second_build_does_no_work(built_settings):
    before = {p: p.stat().st_mtime_ns for p in outputs(built_settings.shapes)}
    messages = []
    outcome = build_shapes(built_settings, progress=messages.append)
    assert not outcome.rebuilt
    assert "nothing to do" in messages[-1]
    assert {p: p.stat().st_mtime_ns for p in outputs(built_settings.shapes)} == before


def _union_holes(geoms):
    """The interior rings of the union of a coverage, as polygons."""
    union = shapely.coverage_union_all(np.asarray(geoms, dtype=object))
    rings = [Polygon(r) for part in shapely.get_parts(union) for r in part.interiors]
    return np.array(rings, dtype=object)


def _areas_along(ring, geoms, tree):
    """The indexes of the geometries sharing a stretch of border with a ring."""
    near = tree.query(ring, predicate="intersects")
    shared = shapely.length(shapely.intersection(ring.exterior, shapely.boundary(geoms[near])))
    return set(near[shared > 0])


@pytest.fixture(scope="module")
def former_gaps(built_settings):
    """A point in each hole of the regency and district unions as the source draws them (after
    the overlap repair only), found here without the build's gap finder."""
    paths = fetch_all(built_settings, progress=lambda _m: None)
    out = {}
    for level in ("regency", "district"):
        layer = repair_layer(
            parse_dump_layer(paths, level, built_settings.region), progress=lambda _m: None
        )
        holes = _union_holes(layer.geoms)
        points = shapely.point_on_surface(holes)
        covered, _ = shapely.STRtree(layer.geoms).query(points, predicate="intersects")
        out[level] = (len(holes), np.delete(points, covered))  # a point on an island is no gap
    return out


@pytest.mark.parametrize("name", COUNTS)
def test_every_layer_has_no_gaps_and_no_overlaps(layers, report, name):
    level = LEVEL_OF[name]
    found = {r["check"]: r for r in report["checks"] if r["level"] == level}
    assert found["gaps"]["passed"] and found["gaps"]["gaps"] == 0
    assert found["no_overlaps"]["passed"] and found["no_overlaps"]["overlap_km2"] == 0
    after = report["coverage_repairs"][level]
    assert after["gaps"]["after"]["gaps"] == 0 and after["overlaps"]["after"]["pairs"] == 0
    geoms = layers[name].geometry.values
    tree = shapely.STRtree(geoms)
    holes = _union_holes(geoms)
    assert all(len(_areas_along(h, geoms, tree)) == 1 for h in holes), "a hole between areas"
    assert len(holes) == after["gaps"]["after"]["holes_in_one_area"]


@pytest.mark.parametrize("level", ["regency", "district"])
def test_report_counts_the_gaps_before_the_repair(report, former_gaps, level):
    before = report["coverage_repairs"][level]["gaps"]["before"]
    assert former_gaps[level][0] == before["gaps"] + before["holes_in_one_area"]
    assert before["gaps"] > 0


def test_a_point_in_each_former_regency_gap_falls_in_exactly_one_regency(layers, former_gaps):
    _, points = former_gaps["regency"]
    hits, _ = shapely.STRtree(layers["regencies"].geometry.values).query(
        points, predicate="intersects"
    )
    assert len(points) and (np.bincount(hits, minlength=len(points)) == 1).all()


def test_a_point_in_each_former_district_gap_falls_in_one_district_of_its_regency(
    layers, former_gaps
):
    _, points = former_gaps["district"]
    districts, regencies = layers["districts"], layers["regencies"]
    d_hit, d_area = shapely.STRtree(districts.geometry.values).query(points, "intersects")
    r_hit, r_area = shapely.STRtree(regencies.geometry.values).query(points, "intersects")
    assert (np.bincount(r_hit, minlength=len(points)) <= 1).all()
    # outside every regency (where the source's districts reach beyond the regencies' coast)
    # a point is in no district; inside one, in exactly one district of that regency
    regency_of = dict(zip(r_hit, regencies.kode.values[r_area], strict=True))
    district_of = dict(zip(d_hit, districts.kab_kode.values[d_area], strict=True))
    assert np.bincount(d_hit, minlength=len(points)).max() == 1
    assert district_of == regency_of
    assert len(regency_of) > 0.99 * len(points)


@pytest.mark.slow
def test_districts_nest_in_their_regency_and_fill_it(layers, report):
    districts, regencies = layers["districts"], layers["regencies"]
    by_kode = dict(zip(regencies.kode, regencies.geometry, strict=True))
    parents = np.array([by_kode[k] for k in districts.kab_kode], dtype=object)
    inside = areas_km2(shapely.intersection(districts.geometry.values, parents))
    assert (inside / areas_km2(districts.geometry.values)).min() >= 0.9999
    uncovered = {}
    for part in report["layers"]["district"]["nesting"]["uncovered"]:
        uncovered[part["parent"]] = uncovered.get(part["parent"], 0) + part["area_km2"]
    for kode, geom in by_kode.items():
        mine = districts.geometry.values[districts.kab_kode.values == kode]
        missing = areas_km2([shapely.difference(geom, shapely.union_all(mine))])[0]
        assert missing == pytest.approx(uncovered.get(kode, 0), abs=0.05), kode
