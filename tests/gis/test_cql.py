"""CQL2-text filters: parsed by pygeofilter, evaluated over a small frame and through the API."""

import numpy as np
import pandas as pd
import pytest
import shapely

from geo_coverage import create_app
from geo_coverage.errors import BadRequest
from geo_coverage.gis import cql

TYPES = {"kode": "string", "nama": "string", "coverage_pct": "number", "target_pct": "number"}


@pytest.fixture()
def frame() -> pd.DataFrame:
    """Four areas, one without coverage."""
    return pd.DataFrame(
        {
            "kode": pd.array(["71.01", "71.02", "73.71", "73.72"], dtype="string"),
            "nama": pd.array(
                ["Kabupaten Bolaang", "Kota Manado", "Kota Makassar", "KOTA_X"], dtype="string"
            ),
            "coverage_pct": pd.array([30.0, 61.5, None, 70.0], dtype="Float64"),
            "target_pct": pd.array([60.0, 60.0, 62.93, 62.93], dtype="Float64"),
        }
    )


@pytest.fixture()
def geometries() -> np.ndarray:
    """A unit square per area, side by side along the equator."""
    return np.array([shapely.box(i, 0, i + 1, 1) for i in range(4)], dtype=object)


def kept(text: str, frame, geometries) -> list[str]:
    """The codes a filter keeps."""
    node = cql.parse(text, TYPES)
    return list(frame["kode"][cql.evaluate(node, frame, geometries, TYPES)])


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("coverage_pct < target_pct", ["71.01"]),
        ("NOT (coverage_pct < target_pct)", ["71.02", "73.72"]),
        ("coverage_pct >= 60 AND kode <> '73.72'", ["71.02"]),
        ("coverage_pct < 40 OR nama = 'KOTA_X'", ["71.01", "73.72"]),
        ("coverage_pct IS NULL", ["73.71"]),
        ("coverage_pct IS NOT NULL", ["71.01", "71.02", "73.72"]),
        ("coverage_pct BETWEEN 30 AND 61.5", ["71.01", "71.02"]),
        ("kode IN ('71.02', '73.71')", ["71.02", "73.71"]),
        ("kode NOT IN ('71.02', '73.71')", ["71.01", "73.72"]),
        ("nama LIKE 'Kota%'", ["71.02", "73.71"]),
        ("nama LIKE 'KOTA\\_%'", ["73.72"]),
        ("nama LIKE 'Kota M_na_o'", ["71.02"]),
        ("CASEI(nama) LIKE CASEI('kota%')", ["71.02", "73.71", "73.72"]),
        ("coverage_pct + 10 > target_pct", ["71.02", "73.72"]),
        ("coverage_pct / 0 > 1", []),
        ("'73.71' = kode", ["73.71"]),
        ("S_INTERSECTS(geometry, POINT(2.5 0.5))", ["73.71"]),
        ("S_INTERSECTS(geometry, BBOX(0.5, 0, 1.5, 1))", ["71.01", "71.02"]),
        ("S_WITHIN(geometry, POLYGON((0 -1, 2 -1, 2 2, 0 2, 0 -1)))", ["71.01", "71.02"]),
        ("S_CONTAINS(POLYGON((0 -1, 2 -1, 2 2, 0 2, 0 -1)), geometry)", ["71.01", "71.02"]),
        ("S_DISJOINT(geometry, POINT(2.5 0.5))", ["71.01", "71.02", "73.72"]),
    ],
)
def test_filters_keep_what_they_say(frame, geometries, text, codes):
    assert kept(text, frame, geometries) == codes


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("coverage_pct <", "invalid filter"),
        ("colour = 'red'", "colour"),
        ("coverage_pct = 'high'", "compares"),
        ("nama > 3", "compares"),
        ("upper(nama) = 'X'", "unknown function"),
        ("geometry = 'x'", "spatial functions"),
        ("kode T_INTERSECTS TIMESTAMP('2024-01-01T00:00:00Z')", "temporal"),
    ],
)
def test_bad_filters_are_400s_that_say_why(frame, geometries, text, words):
    with pytest.raises(BadRequest, match=words) as info:
        kept(text, frame, geometries)
    assert info.value.parameter == "filter"


def test_a_filter_requires_the_equalities_of_its_top_level_and():
    node = cql.parse(
        "period = '2024-08' AND (segment = 'x' OR kode = 'y')",
        {**TYPES, "period": "string", "segment": "string"},
    )
    assert cql.equalities(node, "period") == {"2024-08"}
    assert cql.equalities(node, "segment") is None


@pytest.fixture(scope="module")
def client(served_settings):
    """A test client over the session build and store."""
    return create_app(
        {"instance": served_settings.instance, "shapes": served_settings.shapes}
    ).test_client()


def _features(client, collection: str, **query) -> list[dict]:
    resp = client.get(
        f"/ogc/collections/{collection}/items", query_string={"skipGeometry": "true", **query}
    )
    assert resp.status_code == 200, resp.data[:300]
    return resp.json["features"]


def test_below_target_through_the_api_matches_the_figures(client):
    every = _features(client, "regencies")
    below = {
        f["id"]
        for f in every
        if None not in (f["properties"]["coverage_pct"], f["properties"]["target_pct"])
        and f["properties"]["coverage_pct"] < f["properties"]["target_pct"]
    }
    got = _features(client, "regencies", filter="coverage_pct < target_pct")
    assert {f["id"] for f in got} == below and 0 < len(below) < 102
    in_73 = _features(client, "regencies", filter="coverage_pct < target_pct", prov_kode="73")
    assert {f["id"] for f in in_73} == {k for k in below if k.startswith("73.")}


def test_a_filter_on_period_and_segment_chooses_what_a_snapshot_shows(client):
    chosen = _features(client, "regencies", filter="period = '2024-08' AND segment = 'informal'")
    assert len(chosen) == 102
    assert {(f["properties"]["period"], f["properties"]["segment"]) for f in chosen} == {
        ("2024-08", "informal")
    }
    history = _features(
        client, "regencies_history", filter="period >= '2025-01' AND segment = 'wage'"
    )
    assert history and all(
        f["properties"]["period"] >= "2025-01" and f["properties"]["segment"] == "wage"
        for f in history
    )
    assert _features(client, "regencies", filter="period = '2024-08'", period="2025-06") == []


def test_a_spatial_filter_through_the_api(client):
    box = _features(client, "regencies", bbox="119,-6,120,-5")
    spatial = _features(client, "regencies", filter="S_INTERSECTS(geometry, BBOX(119,-6,120,-5))")
    assert [f["id"] for f in spatial] == [f["id"] for f in box] and box


def test_a_bad_filter_through_the_api_is_a_400(client):
    resp = client.get("/ogc/collections/regencies/items?filter=colour%20%3D%201")
    assert resp.status_code == 400 and "colour" in resp.json["description"]
