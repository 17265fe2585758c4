"""geo_coverage: maps of worker social-insurance coverage in Sulawesi and Maluku."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from .config import PROJECT_ROOT, Settings


def create_app(test_config: Mapping | None = None) -> Flask:
    """Build the Flask app; settings come from GEO_COVERAGE_* variables and test_config."""
    from .web import register

    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"))
    settings = Settings.from_env(**dict(test_config or {}))
    app.config["SETTINGS"] = settings
    app.config["JSON_SORT_KEYS"] = False
    register(app)
    return app
