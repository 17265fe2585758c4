"""Shared fixtures: the public-data mirror, and one full build per test session."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from repo import REPO_ROOT

from geo_coverage.config import Settings
from geo_coverage.enrollment.backend import open_store

DEFAULT_MIRROR = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session", autouse=True)
def _default_region():
    """Apps the tests create serve the default region, whatever the shell's
    GEO_COVERAGE_REGION (tests of other regions say so)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GEO_COVERAGE_REGION", raising=False)
        yield


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    """The local mirror of the public data; fails (never skips) when it is missing."""
    path = Path(os.environ.get("GEO_COVERAGE_MIRROR") or DEFAULT_MIRROR)
    if not (path / "wilayah_boundaries" / "MANIFEST.tsv").is_file():
        pytest.fail(
            f"the public-data mirror is missing: no {path}/wilayah_boundaries/MANIFEST.tsv. "
            "Set GEO_COVERAGE_MIRROR to a folder laid out like shared/data.",
            pytrace=False,
        )
    return path


def _build_root(tmp_path_factory) -> Path:
    """Where the shared build lives: kept between runs in .test-cache/ (the builds are
    idempotent, keyed by their inputs and code), or a fresh folder with GEO_COVERAGE_TEST_CACHE=0.
    """
    if os.environ.get("GEO_COVERAGE_TEST_CACHE", "1") == "0":
        return tmp_path_factory.mktemp("built")
    root = REPO_ROOT / ".test-cache" / "built"
    root.mkdir(parents=True, exist_ok=True)
    return root


@contextmanager
def _one_builder(root: Path) -> Iterator[None]:
    """Hold the shared build folder alone: parallel test workers (`-n 2`) wait for the one
    building it, then find it built."""
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory, mirror_dir) -> Settings:
    """Settings of a complete build (shapes) shared by read-only tests, rebuilt only when the
    inputs or the code change."""
    from geo_coverage.boundaries.build import build_shapes

    root = _build_root(tmp_path_factory)
    settings = Settings.from_env(
        environ={}, instance=root / "instance", shapes=root / "shapes", mirror=mirror_dir
    )
    with _one_builder(root):
        build_shapes(settings, progress=lambda _msg: None)
    return settings


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server with PostGIS: GEO_COVERAGE_TEST_DATABASE_URL's, or a throw-away
    cluster started for this run (and stopped after it). Fails, never skips, without one."""
    from postgres import external_server, start_cluster

    from geo_coverage.database.engine import dispose_all

    given = os.environ.get("GEO_COVERAGE_TEST_DATABASE_URL")
    try:
        server = external_server(given) if given else start_cluster()
    except RuntimeError as exc:
        pytest.fail(f"no PostgreSQL for the PostGIS back end: {exc}", pytrace=False)
    yield server
    dispose_all()
    server.stop()


@pytest.fixture(scope="session")
def served_settings(built_settings) -> Settings:
    """built_settings with the sample enrollment store built too (a no-op when it is)."""
    from geo_coverage.enrollment.build import build_sample_store

    with _one_builder(built_settings.instance.parent):
        build_sample_store(built_settings, progress=lambda _msg: None)
    return built_settings


def _check_rings(polygons: list, where: str) -> None:
    """Closed rings, exterior counter-clockwise, holes clockwise, lon/lat in the region."""
    from shapely.geometry import LinearRing

    for polygon in polygons:
        for i, ring in enumerate(polygon):
            assert len(ring) >= 4 and ring[0] == ring[-1], f"{where}: ring not closed"
            lons, lats = [p[0] for p in ring], [p[1] for p in ring]
            assert min(lons) > 116 and max(lons) < 136, f"{where}: longitude out of the region"
            assert min(lats) > -10 and max(lats) < 7, f"{where}: latitude out of the region"
            ccw = LinearRing(ring).is_ccw
            assert ccw if i == 0 else not ccw, f"{where}: ring {i} wrongly oriented"


@pytest.fixture(scope="session")
def assert_rfc7946():
    """A checker of GeoJSON bytes against RFC 7946 and the features' property contract.

    Checks: no crs member, coordinates lon/lat in the region with at most 6 decimals, closed
    rings with exterior counter-clockwise and holes clockwise, a bbox enclosing every
    coordinate, each feature's id equal to its kode and exactly exports.PROPERTIES, in order.
    Returns the parsed document.
    """
    import json
    from decimal import Decimal

    from geo_coverage.gis.exports import PROPERTIES

    def check(body: bytes) -> dict:
        doc = json.loads(body)
        features = doc["features"] if doc["type"] == "FeatureCollection" else [doc]
        assert "crs" not in doc
        every = []
        for feature in features:
            kode = feature["id"]
            assert feature["type"] == "Feature" and "crs" not in feature
            assert list(feature["properties"]) == list(PROPERTIES), kode
            assert feature["properties"]["kode"] == kode
            geometry = feature["geometry"]
            polygons = (
                geometry["coordinates"]
                if geometry["type"] == "MultiPolygon"
                else [geometry["coordinates"]]
            )
            _check_rings(polygons, kode)
            points = [p for polygon in polygons for ring in polygon for p in ring]
            assert all(len(p) == 2 for p in points), kode
            worst = min(Decimal(repr(c)).as_tuple().exponent for p in points for c in p)
            assert worst >= -6, f"{kode}: a coordinate has more than 6 decimals"
            every += points
        if "bbox" in doc and every:
            west, south, east, north = doc["bbox"]
            lons, lats = [p[0] for p in every], [p[1] for p in every]
            assert west <= min(lons) and south <= min(lats)
            assert east >= max(lons) and north >= max(lats)
            assert (
                max(min(lons) - west, min(lats) - south, east - max(lons), north - max(lats))
                <= 1e-6
            )
        return doc

    return check


HOSTILE_NAME = 'Kota Makassar <img src=x onerror="alert(1)"> & "Co"'
HOSTILE_PROVINCE = "Sulawesi Selatan <b>&amp;</b> $x^{$"


@pytest.fixture(scope="session")
def hostile_settings(served_settings, tmp_path_factory) -> Settings:
    """A copy of the served store in which the names of 73.71 and 73 hold markup, for escaping."""
    import shutil

    instance = tmp_path_factory.mktemp("hostile") / "instance"
    instance.mkdir()
    settings = served_settings.with_(instance=instance)
    shutil.copy(served_settings.store_path, settings.store_path)
    snapshot = open_store(settings).read_snapshot()
    areas = snapshot.areas.copy()
    areas.loc[areas["kode"] == "73.71", "nama"] = HOSTILE_NAME
    areas.loc[areas["kode"] == "73", "nama"] = HOSTILE_PROVINCE
    evidence = open_store(settings).read_evidence()
    open_store(settings).write_reference(areas, evidence, snapshot.uncertainty)
    return settings


# What `--quick` leaves out: every marker of a test that drives a real client, server or database.
NOT_QUICK = ("browser", "gdal", "qgis", "postgis", "deploy", "slow")


def pytest_addoption(parser) -> None:
    """`--quick`: the inner loop's subset (see CONTRIBUTING.md)."""
    parser.addoption(
        "--quick",
        action="store_true",
        help=f"leave out the tests marked {', '.join(NOT_QUICK)}",
    )


def _uses_postgresql(item) -> bool:
    """Whether a test needs the PostgreSQL server: by its fixtures, or by a `postgis` parameter
    of a fixture parametrised over the store back ends."""
    callspec = getattr(item, "callspec", None)
    params = callspec.params.values() if callspec is not None else ()
    return "postgres_server" in item.fixturenames or "postgis" in params


def pytest_collection_modifyitems(config, items) -> None:
    """Tests under tests/browser/ carry the `browser` marker and tests on PostgreSQL the
    `postgis` marker without having to say so; `--quick` leaves out the slow kinds."""
    browser = REPO_ROOT / "tests" / "browser"
    for item in items:
        if Path(item.fspath).is_relative_to(browser):
            item.add_marker(pytest.mark.browser)
        if _uses_postgresql(item):
            item.add_marker(pytest.mark.postgis)
    if not config.getoption("--quick"):
        return
    left_out = [item for item in items if any(item.get_closest_marker(m) for m in NOT_QUICK)]
    config.hook.pytest_deselected(items=left_out)
    dropped = set(left_out)
    items[:] = [item for item in items if item not in dropped]
