"""Every ETag follows the code: a copy of the package with one module or one template changed
answers the same URLs with other ETags (each copy imported in a fresh interpreter)."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from repo import REPO_ROOT

URLS = (
    "/api/map-data",
    "/download/regency.csv",
    "/ogc/collections/regencies/items/73.71",
    "/",
    "/map.png?province=75",
    "/download/map.html?province=75",
)
PROBE = """
import json, sys
import geo_coverage
from geo_coverage import create_app
assert geo_coverage.__file__.startswith(sys.argv[1]), geo_coverage.__file__
app = create_app({"instance": sys.argv[2], "shapes": sys.argv[3]})
client = app.test_client()
tags = {}
for url in json.loads(sys.argv[4]):
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    tags[url] = resp.headers["ETag"]
print(json.dumps(tags))
"""


def _copy_package(root):
    """The package laid out as a wheel installs it: templates/ and data/ inside."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO_ROOT / "geo_coverage", root / "geo_coverage", ignore=ignore)
    shutil.copytree(
        REPO_ROOT / "templates", root / "geo_coverage" / "web" / "templates", ignore=ignore
    )
    shutil.copytree(REPO_ROOT / "data", root / "geo_coverage" / "data", ignore=ignore)
    return root


def _etags(root, settings) -> dict[str, str]:
    """The ETags of URLS from the package copy in root."""
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            str(root),
            str(settings.instance),
            str(settings.shapes),
            json.dumps(URLS),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def original(served_settings, tmp_path_factory) -> dict[str, str]:
    """The ETags of an unchanged copy, checked to be the same from a second interpreter."""
    root = _copy_package(tmp_path_factory.mktemp("original"))
    tags = _etags(root, served_settings)
    assert _etags(root, served_settings) == tags
    return tags


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        ("geo_coverage/metrics/compute.py", "round(2)", "round(2)  # patched"),
        ("geo_coverage/gis/exports.py", '"""', '"""Patched. '),
        ("geo_coverage/web/templates/error.html", "</html>", "</html>\n<!-- patched -->"),
    ],
)
def test_a_changed_module_changes_every_etag(original, served_settings, tmp_path, path, old, new):
    patched = _copy_package(tmp_path)
    target = patched / path
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    after = _etags(patched, served_settings)
    for url in URLS:
        assert original[url] != after[url], url
