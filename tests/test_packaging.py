"""The package as pyproject.toml describes it: every package listed, and a wheel that carries its
templates, data tables and static files and serves from any working directory."""

import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import zipfile

import pytest
from repo import REPO_ROOT

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def test_the_package_list_matches_the_folders():
    mapped = SETUPTOOLS["package-dir"]
    found = {
        ".".join(init.parent.relative_to(REPO_ROOT).parts)
        for init in (REPO_ROOT / "geo_coverage").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    for package, folder in mapped.items():
        assert (REPO_ROOT / folder / "__init__.py").is_file(), f"{folder} is not a package"
        found.add(package)
    assert set(SETUPTOOLS["packages"]) == found
    assert len(SETUPTOOLS["packages"]) == len(found)  # no package listed twice


def _run(*args, **kwargs) -> subprocess.CompletedProcess:
    """Run a command; fail with its output when it fails."""
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    """Status and body of a GET."""
    with urllib.request.urlopen(url, timeout=60) as resp:
        return resp.status, resp.read()


def _wait_for_health(url: str, proc: subprocess.Popen, seconds: float) -> None:
    """Wait until /healthz answers 200, failing with the server's output if it exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited early:\n{proc.stderr.read()}")
        try:
            if _get(url)[0] == 200:
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {seconds} s")


@pytest.mark.slow
def test_a_wheel_installs_and_serves_from_another_directory(served_settings, tmp_path):
    dist = tmp_path / "dist"
    _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(dist), str(REPO_ROOT),
        timeout=600,
    )  # fmt: skip
    (wheel,) = dist.glob("geo_coverage-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "geo_coverage/web/templates/browse.html",
        "geo_coverage/web/templates/error.html",
        "geo_coverage/data/targets.csv",
        "geo_coverage/data/published_figures.csv",
        "geo_coverage/web/static/js/main.js",
        "geo_coverage/sources/upstream.tsv",
    ):
        assert needed in names, needed

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", str(venv), timeout=300)
    python = venv / "bin" / "python"
    _run(str(python), "-m", "pip", "install", "--quiet", str(wheel), timeout=1800)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(
        str(python), "-c", "import geo_coverage; print(geo_coverage.__file__)", cwd=elsewhere
    ).stdout.strip()
    assert where.startswith(str(venv)), where

    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GEO_COVERAGE_", "PYTHON", "VIRTUAL_ENV"))
    }
    env |= {
        "GEO_COVERAGE_SHAPES": str(served_settings.shapes),
        "GEO_COVERAGE_INSTANCE": str(served_settings.instance),
        "GEO_COVERAGE_TILES": "none",
    }
    base = f"http://127.0.0.1:{port}"
    with subprocess.Popen(
        [str(venv / "bin" / "geo-coverage"), "serve", "--port", str(port)],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            _wait_for_health(f"{base}/healthz", proc, 120)
            status, page = _get(f"{base}/")
            assert status == 200 and b'<html lang="id">' in page and b"/assets/js/main.js" in page
            status, table = _get(f"{base}/download/regency.csv")
            assert status == 200 and len(table.decode("utf-8-sig").strip().splitlines()) == 103
            status, script = _get(f"{base}/assets/js/main.js")
            assert script == (REPO_ROOT / "geo_coverage/web/static/js/main.js").read_bytes()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    assert not (elsewhere / "instance").exists() and not (elsewhere / "shapes").exists()
