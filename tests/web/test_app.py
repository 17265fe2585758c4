"""The app factory and the health route."""

import importlib
import sys

from geo_coverage import create_app
from geo_coverage.config import Settings


def test_importing_configures_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("GEO_COVERAGE_INSTANCE", str(tmp_path / "a"))
    before = [m for m in sys.modules if m.startswith("geo_coverage")]
    for name in before:
        monkeypatch.delitem(sys.modules, name)  # restored after the test
    try:
        module = importlib.import_module("geo_coverage")
        assert not hasattr(module, "app")
        monkeypatch.setenv("GEO_COVERAGE_INSTANCE", str(tmp_path / "b"))
        app = module.create_app()
        assert app.config["SETTINGS"].instance == tmp_path / "b"
        assert not (tmp_path / "b").exists()
    finally:  # modules first imported here would mix with the restored ones
        for name in [m for m in sys.modules if m.startswith("geo_coverage")]:
            del sys.modules[name]


def test_test_config_overrides_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GEO_COVERAGE_SHAPES", str(tmp_path / "env"))
    app = create_app({"shapes": tmp_path / "cfg"})
    assert app.config["SETTINGS"].shapes == tmp_path / "cfg"


def test_settings_read_every_variable(tmp_path):
    env = {
        "GEO_COVERAGE_INSTANCE": str(tmp_path),
        "GEO_COVERAGE_MIRROR": str(tmp_path / "m"),
        "GEO_COVERAGE_TILES": "none",
        "GEO_COVERAGE_FRAME_ANCESTORS": "https://a.example",
    }
    s = Settings.from_env(environ=env)
    assert s.instance == tmp_path and s.mirror == tmp_path / "m"
    assert s.tiles == "none" and s.frame_ancestors == "https://a.example"
    assert s.store_path == tmp_path / "coverage.gpkg"


def test_healthz_reports_what_is_built(served_settings, tmp_path):
    built = create_app({"shapes": served_settings.shapes, "instance": served_settings.instance})
    resp = built.test_client().get("/healthz")
    assert resp.status_code == 200
    assert resp.json == {
        "status": "ok",
        "region": "sulawesi-maluku",
        "shapes_built": True,
        "store_built": True,
    }
    empty = create_app({"shapes": tmp_path / "none", "instance": tmp_path})
    degraded = empty.test_client().get("/healthz")
    assert degraded.status_code == 503
    assert degraded.json == {
        "status": "degraded",
        "region": "sulawesi-maluku",
        "shapes_built": False,
        "store_built": False,
    }
    other = create_app(
        {"shapes": served_settings.shapes, "instance": served_settings.instance, "region": "75"}
    )
    assert other.test_client().get("/healthz").json == {
        "status": "degraded",
        "region": "75",
        "shapes_built": False,  # built, but for another region
        "store_built": False,
    }
