"""Shared fixtures: the public-data mirror, and one full build per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo_coverage.config import PROJECT_ROOT, Settings

DEFAULT_MIRROR = PROJECT_ROOT.parent / "shared" / "data"


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


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory, mirror_dir) -> Settings:
    """Settings of a complete build (shapes) in a session folder, shared by read-only tests."""
    from geo_coverage.build_shapes import build_shapes

    root = tmp_path_factory.mktemp("built")
    settings = Settings.from_env(environ={}, instance=root / "instance", shapes=root / "shapes",
                                 mirror=mirror_dir)
    build_shapes(settings, progress=lambda _msg: None)
    return settings
