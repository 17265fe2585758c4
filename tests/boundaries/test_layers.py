"""Parsing, repair and checks of boundary layers on small dumps made by the tests."""

import json

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import box

from geo_coverage.boundaries import checks, layers
from geo_coverage.boundaries.layers import Layer
from geo_coverage.boundaries.review import AreaException, Reassignment, Review
from geo_coverage.region import SULAWESI_MALUKU
from geo_coverage.sources.reference import Area, Reference

NO_REVIEW = Review({}, (), (), {})


def _latlng(geom_box, hole=None):
    """A polygon ring as the dumps write it: [lat, lng] points."""
    ring = [[y, x] for x, y in geom_box.exterior.coords]
    return [ring] + ([[[y, x] for x, y in hole.exterior.coords]] if hole else [])


def _dump(rows):
    values = ",\n".join(
        f"('{k}','{n.replace(chr(39), chr(39) * 2)}',0,0,'{json.dumps(p)}')" for k, n, p in rows
    )
    return (
        f"/* licence */\nINSERT INTO wilayah_boundaries(kode,nama,lat,lng,path) VALUES\n{values};\n"
    )


@pytest.fixture
def dump_paths(tmp_path):
    """Every dump key the regency level reads; only province 73 has rows."""
    paths = {}
    regencies = [
        # an overlap with 73.02, and nested shells (an island drawn inside a lake-less shell)
        (
            "73.01",
            "Kabupaten Satu",
            [_latlng(box(119, -5, 120, -4)), _latlng(box(119.2, -4.8, 119.4, -4.6))],
        ),
        ("73.02", "Kota Dua'na", [_latlng(box(119.9, -5, 121, -4))]),
    ]
    for key in layers.dump_files("regency", SULAWESI_MALUKU):
        path = tmp_path / key.replace("/", "_")
        path.write_text(
            _dump(regencies) if key.endswith("_73.sql") else "/* empty */\n", encoding="utf-8"
        )
        paths[key] = path
    unclosed = tmp_path / "kec.sql"
    ring = [[y, x] for x, y in box(119, -5, 120, -4).exterior.coords][:-1]
    unclosed.write_text(_dump([("73.01.01", "Sangalla'", [[ring]])]), encoding="utf-8")
    for key in layers.dump_files("district", SULAWESI_MALUKU):
        paths[key] = (
            unclosed
            if key.endswith("_73.sql")
            else paths[layers.dump_files("regency", SULAWESI_MALUKU)[0]]
        )
    return paths


def test_parse_reads_names_codes_and_axis_order(dump_paths):
    layer = layers.parse_dump_layer(dump_paths, "regency", SULAWESI_MALUKU)
    assert layer.codes == ["73.01", "73.02"]
    assert layer.names == ["Kabupaten Satu", "Kota Dua'na"]
    assert layer.geoms[1].bounds == (119.9, -5.0, 121.0, -4.0)


def test_parse_closes_rings_and_records_it(dump_paths):
    layer = layers.parse_dump_layer(dump_paths, "district", SULAWESI_MALUKU)
    assert layer.names == ["Sangalla'"]
    assert layer.geoms[0].is_valid
    assert layer.repairs[0]["repair"] == "closed_ring"
    assert layer.repairs[0]["kode"] == "73.01.01" and layer.repairs[0]["line"] == 3


def test_repair_makes_valid_coverage_and_records_each_repair(dump_paths):
    raw = layers.parse_dump_layer(dump_paths, "regency", SULAWESI_MALUKU)
    assert not raw.geoms[0].is_valid
    fixed = layers.repair_layer(raw, progress=lambda _m: None)
    assert shapely.is_valid(fixed.geoms).all()
    assert shapely.coverage_is_valid(fixed.geoms)
    kinds = {(r["repair"], str(r["kode"])) for r in fixed.repairs}
    assert ("made_valid", "73.01") in kinds
    assert ("overlap_removed", "['73.01', '73.02']") in kinds
    assert fixed.stats["invalid_before"] == 1 and fixed.stats["overlapping_pairs_before"] == 1
    assert fixed.stats["overlap_km2_before"] == pytest.approx(0.1 * 111.3 * 110.6, rel=0.02)
    # the nested shell's area is inside the outer shell, so the union keeps the outer area
    assert fixed.geoms[0].area == pytest.approx(1.0, abs=0.11)


def _reference(**luas):
    areas = {k: Area(k, f"Area {k}", v, 1000) for k, v in luas.items()}
    return Reference(areas, {}, {})


def test_nesting_check_names_the_regency_outside_its_province():
    regencies = Layer(
        "regency",
        ["73.01", "73.02"],
        ["A", "B"],
        np.array([box(0, 0, 1, 1), box(5, 5, 6, 6)], dtype=object),
    )
    provinces = Layer("province", ["73"], ["P"], np.array([box(0, 0, 2, 2)], dtype=object))
    result = checks.check_nesting({"regency": regencies, "province": provinces})[0]
    assert not result["passed"]
    assert len(result["failures"]) == 1
    assert "regency 73.02: only 0.00% of its area lies in province 73" in result["failures"][0]


def test_official_area_check_fails_outside_tolerance():
    cell = box(119, -5, 120, -4)
    km2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(cell)[0]) / 1e6
    layer = Layer(
        "regency",
        ["73.01", "73.02"],
        ["Near", "Far"],
        np.array([cell, box(121, -5, 122, -4)], dtype=object),
    )
    ref = _reference(**{"73.01": km2 * 1.05, "73.02": km2 * 1.10})
    result = _area_check(layer, ref, NO_REVIEW)
    assert not result["passed"]
    assert len(result["failures"]) == 1
    assert "73.02 Far" in result["failures"][0] and "allowed ±6%" in result["failures"][0]


def _area_check(layer, reference, review):
    """The official-area check's result."""
    return [
        r for r in checks.check_layer(layer, reference, review) if r["check"] == "official_area"
    ][0]


def _exception(kode, pct):
    return AreaException("regency", kode, "Far", pct, "the source draws the border elsewhere")


@pytest.fixture
def far_layer():
    """73.01 within tolerance (-4.8 %), 73.02 outside it (-9.1 %)."""
    cell = box(119, -5, 120, -4)
    km2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(cell)[0]) / 1e6
    layer = Layer(
        "regency",
        ["73.01", "73.02"],
        ["Near", "Far"],
        np.array([cell, box(121, -5, 122, -4)], dtype=object),
    )
    return layer, _reference(**{"73.01": km2 * 1.05, "73.02": km2 * 1.10})


def test_a_reviewed_area_exception_passes_and_is_reported(far_layer):
    layer, ref = far_layer
    review = Review({("regency", "73.02"): _exception("73.02", -9.1)}, (), (), {})
    result = _area_check(layer, ref, review)
    assert result["passed"] and result["worst"] == "73.01"
    assert result["excepted"] == {
        "73.02": {"difference_pct": -9.09, "reason": "the source draws the border elsewhere"}
    }


def test_an_exception_that_drifted_or_is_not_needed_fails(far_layer):
    layer, ref = far_layer
    drifted = Review({("regency", "73.02"): _exception("73.02", -12.0)}, (), (), {})
    (message,) = _area_check(layer, ref, drifted)["failures"]
    assert "73.02 Far" in message and "lists -12.0 %: review it" in message
    both = {
        ("regency", "73.02"): _exception("73.02", -9.1),
        ("regency", "73.01"): _exception("73.01", -4.8),
    }
    (message,) = _area_check(layer, ref, Review(both, (), (), {}))["failures"]
    assert "73.01 Near" in message and "remove it from the reviewed area_exceptions.csv" in message
    other_level = Review({("province", "73.02"): _exception("73.02", -9.1)}, (), (), {})
    assert not _area_check(layer, ref, other_level)["passed"]


def test_a_reviewed_reassignment_moves_the_part_covered_by_the_other_regencys_districts():
    regencies = Layer(
        "regency",
        ["96.01", "96.04"],
        ["Sorong", "Tambrauw"],
        np.array([box(0, 0, 2, 1), box(2, 0, 3, 1)], dtype=object),
    )
    districts = Layer(
        "district",
        ["96.01.01", "96.04.01", "96.04.02"],
        ["a", "b", "c"],
        np.array([box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)], dtype=object),
    )
    moves = [Reassignment("96.04", "96.01", "districts moved"), Reassignment("99.01", "96.01", "x")]
    moved = layers.reassign_from_districts(regencies, districts, moves, progress=lambda _m: None)
    assert moved.geoms[0].equals(box(0, 0, 1, 1)) and moved.geoms[1].equals(box(1, 0, 3, 1))
    (record,) = moved.repairs
    assert record["repair"] == "reassigned_from_districts" and record["from"] == "96.01"
    assert record["area_km2"] == pytest.approx(111.3 * 110.6, rel=0.02)


def test_count_and_coverage_checks_fail_on_overlaps():
    layer = Layer(
        "regency",
        ["73.01", "73.01"],
        ["A", "A"],
        np.array([box(0, 0, 1, 1), box(0.5, 0, 1.5, 1)], dtype=object),
    )
    results = {r["check"]: r for r in checks.check_layer(layer, _reference(), NO_REVIEW)}
    assert not results["count"]["passed"]
    assert not results["unique_codes"]["passed"]
    assert not results["coverage_valid"]["passed"]
    assert not results["no_overlaps"]["passed"]
    assert results["valid"]["passed"]
