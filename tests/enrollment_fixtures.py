"""Fixtures for the enrollment tests: the reference areas and a built sample store.

Loaded by the enrollment test modules with `pytest_plugins`; they rely on `mirror_dir` from
conftest.py (which fails, never skips, when the mirror is missing).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from enrollment_helpers import copy_store, quiet, settings_for
from postgres import BACKENDS, postgis_copy

from geo_coverage.config import Settings
from geo_coverage.enrollment.areas import area_infos, areas_frame
from geo_coverage.enrollment.build import build_sample_store
from geo_coverage.sources.districts import load_districts
from geo_coverage.sources.pinned import fetch_all
from geo_coverage.sources.reference import load_reference


@pytest.fixture(scope="session")
def reference(mirror_dir):
    """The official names and populations of the region, from the mirror."""
    settings = Settings.from_env(environ={}, mirror=mirror_dir)
    return load_reference(fetch_all(settings, quiet), settings.region)


@pytest.fixture(scope="session")
def districts(mirror_dir) -> dict[str, str]:
    """The region's districts (kode to name), from the boundary dumps of the mirror."""
    settings = Settings.from_env(environ={}, mirror=mirror_dir)
    return load_districts(fetch_all(settings, quiet), settings.region)


@pytest.fixture(scope="session")
def area_index(reference, districts):
    """Provinces, regencies and districts as enrollment validation needs them."""
    return area_infos(areas_frame(reference, districts))


@pytest.fixture(scope="session")
def sample_store_template(tmp_path_factory, mirror_dir) -> Settings:
    """A store built once per session with the modelled sample; copy it, never change it."""
    settings = settings_for(tmp_path_factory.mktemp("enrollment-template"), mirror_dir)
    settings.instance.mkdir(parents=True)
    build_sample_store(settings, progress=quiet)
    return settings


@pytest.fixture
def enrollment_settings(tmp_path, mirror_dir, sample_store_template) -> Settings:
    """Settings whose instance folder holds a fresh copy of the built sample store."""
    settings = settings_for(tmp_path, mirror_dir)
    settings.instance.mkdir(parents=True)
    copy_store(sample_store_template.store_path, settings.store_path)
    return settings


@pytest.fixture(scope="session")
def postgis_sample_template(postgres_server, sample_store_template, built_settings) -> str:
    """A database built once per session with the modelled sample and the session's shapes
    (the template of each test's database); returns its name."""
    from geo_coverage.boundaries.shape_db import load_shapes
    from geo_coverage.enrollment.pg_store import PostgresStore

    name = postgres_server.create_database(name=f"sample_{uuid.uuid4().hex[:8]}")
    url = postgres_server.url(name)
    build_sample_store(sample_store_template.with_(database_url=url), progress=quiet)
    load_shapes(url, built_settings.shapes, progress=quiet)
    PostgresStore.forget(url)  # a template must have no open connection
    return name


@pytest.fixture(params=BACKENDS)
def backend_settings(request, tmp_path, mirror_dir, sample_store_template) -> Iterator[Settings]:
    """Settings over a fresh copy of the built sample store, once for each back end: the
    GeoPackage file, and a PostgreSQL database."""
    settings = settings_for(tmp_path, mirror_dir)
    settings.instance.mkdir(parents=True)
    if request.param == "file":
        copy_store(sample_store_template.store_path, settings.store_path)
        yield settings
        return
    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgis_sample_template")
    with postgis_copy(server, template, settings) as copied:
        yield copied
