"""geo_coverage: maps of worker social-insurance coverage for a region of Indonesia (by default
the Sulawesi–Maluku regional office's)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from geo_coverage.config import Settings
from geo_coverage.package_files import templates_dir


def create_app(test_config: Mapping | None = None) -> Flask:
    """Build the Flask app; settings come from GEO_COVERAGE_* variables and test_config."""
    from geo_coverage.web import register

    app = Flask(__name__, template_folder=str(templates_dir()), static_folder=None)
    settings = Settings.from_env(**dict(test_config or {}))
    app.config["SETTINGS"] = settings
    app.config["JSON_SORT_KEYS"] = False
    register(app)
    return app
