"""Importing an enrollment file: validate it against the store, then store a new version."""

from __future__ import annotations

import logging
from pathlib import Path

from geo_coverage.config import Settings
from geo_coverage.enrollment import store
from geo_coverage.enrollment.areas import area_infos, check_region
from geo_coverage.enrollment.table import TableRejected, ValidationReport, read_file

LOGGER = logging.getLogger(__name__)


def validate_file(settings: Settings, path: Path) -> ValidationReport:
    """Validate a file against the store's areas and active data; nothing is written."""
    check_region(settings.store_path, settings.region)
    areas = store.read_areas(settings.store_path)
    existing = store.active_keys(settings.store_path)
    return read_file(Path(path), area_infos(areas), existing)


def import_file(settings: Settings, path: Path) -> tuple[ValidationReport, store.Version]:
    """Validate a file and, if it has no errors, store it as the new active version.

    The new version replaces the active rows for every (kode, period, segment) the file
    contains and keeps the others. Raises TableRejected, with every problem, leaving the
    store untouched.
    """
    report = validate_file(settings, path)
    if not report.ok:
        raise TableRejected(report)
    version = store.write_version(
        settings.store_path,
        report.rows,
        kind="import",
        file_name=Path(path).name,
        sha256=report.sha256,
        file_rows=len(report.rows),
        warnings=report.lines("warnings"),
    )
    return report, version
