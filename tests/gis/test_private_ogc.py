"""GDAL's ogrinfo against a private service: refused without a token, reads with one in an
Authorization header (as QGIS and GDAL send it)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from live_server import serve
from office_helpers import make_app

pytestmark = pytest.mark.gdal
pytest_plugins = ["enrollment_fixtures", "office_fixtures"]


def _ogrinfo(*args: str) -> subprocess.CompletedProcess:
    """ogrinfo, read-only, with its output captured."""
    path = shutil.which("ogrinfo")
    if path is None:
        pytest.fail("ogrinfo is missing: install Debian's gdal-bin (.ci/run does)", pytrace=False)
    env = {**os.environ, "GDAL_HTTP_TIMEOUT": "30", "NO_PROXY": "127.0.0.1"}
    return subprocess.run(
        [path, "-ro", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_ogrinfo_needs_the_token_header(office_settings, viewer_token):
    with serve(make_app(office_settings, private=True)) as url:
        refused = _ogrinfo(f"OAPIF:{url}/ogc")
        assert refused.returncode != 0 and "401" in refused.stderr
        header = f"Authorization: Bearer {viewer_token}"
        done = _ogrinfo(
            "--config",
            "GDAL_HTTP_HEADERS",
            header,
            f"OAPIF:{url}/ogc",
            "regencies",
            "-where",
            "kode = '73.71'",
        )
        assert done.returncode == 0, done.stderr
        assert "Kota Makassar" in done.stdout and "Feature Count: 1" in done.stdout


def test_ogrinfo_with_the_token_as_basic_password(office_settings, viewer_token):
    with serve(make_app(office_settings, private=True)) as url:
        done = _ogrinfo(
            "--config",
            "GDAL_HTTP_AUTH",
            "BASIC",
            "--config",
            "GDAL_HTTP_USERPWD",
            f"token:{viewer_token}",
            f"OAPIF:{url}/ogc",
            "provinces",
            "-so",
        )
        assert done.returncode == 0, done.stderr
        assert "Feature Count: 8" in done.stdout
        wrong = _ogrinfo(
            "--config",
            "GDAL_HTTP_AUTH",
            "BASIC",
            "--config",
            "GDAL_HTTP_USERPWD",
            "token:gct_no",
            f"OAPIF:{url}/ogc",
        )
        assert wrong.returncode != 0 and "401" in wrong.stderr
