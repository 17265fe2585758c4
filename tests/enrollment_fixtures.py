"""Fixtures for the enrollment tests: the reference areas and a built sample store.

Loaded by the enrollment test modules with `pytest_plugins`; they rely on `mirror_dir` from
conftest.py (which fails, never skips, when the mirror is missing).
"""

from __future__ import annotations

import pytest
from enrollment_helpers import copy_store, quiet, settings_for

from geo_coverage.config import Settings
from geo_coverage.enrollment.areas import area_infos, areas_frame
from geo_coverage.enrollment.build import build_sample_store
from geo_coverage.sources.pinned import fetch_all
from geo_coverage.sources.reference import load_reference


@pytest.fixture(scope="session")
def reference(mirror_dir):
    """The official names and populations of the region, from the mirror."""
    settings = Settings.from_env(environ={}, mirror=mirror_dir)
    return load_reference(fetch_all(settings, quiet), settings.region)


@pytest.fixture(scope="session")
def area_index(reference):
    """Provinces and regencies as enrollment validation needs them."""
    return area_infos(areas_frame(reference))


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
