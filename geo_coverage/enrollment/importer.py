"""Importing an enrollment file: validate it against the store, then store a new version."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from geo_coverage.config import Settings
from geo_coverage.enrollment import store
from geo_coverage.enrollment.areas import area_infos, check_region
from geo_coverage.enrollment.table import TableRejected, ValidationReport
from geo_coverage.enrollment.textfile import Progress, check_file, display_name
from geo_coverage.enrollment.validation import read_file

LOGGER = logging.getLogger(__name__)


def validate_file(
    settings: Settings,
    path: Path,
    *,
    allow_future: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
) -> ValidationReport:
    """Validate a file against the store's areas and active data; nothing is written and no
    row is kept in memory."""
    check_file(path)
    check_region(settings.store_path, settings.region)
    areas = store.read_areas(settings.store_path)
    existing = store.active_keys(settings.store_path)
    return read_file(
        Path(path),
        area_infos(areas),
        existing,
        sink=lambda _row: None,
        allow_future=allow_future,
        today=today,
        progress=progress,
    )


def import_file(
    settings: Settings,
    path: Path,
    *,
    allow_future: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
) -> tuple[ValidationReport, store.Version]:
    """Validate a file and, if it has no errors, store it as the new active version.

    The file is read once: its rows are written in chunks inside one transaction while they
    are checked, and the transaction is rolled back if any problem is found, if the file
    changes while it is read, or if the disk fills up. The new version replaces the active
    rows for every (kode, period, segment) the file contains and keeps the others. Periods
    more than 12 months after today are refused unless `allow_future`. Raises TableRejected,
    with every problem, leaving the store untouched.
    """
    check_file(path)
    check_region(settings.store_path, settings.region)
    areas = area_infos(store.read_areas(settings.store_path))
    existing = store.active_keys(settings.store_path)
    with store.draft_version(
        settings.store_path, kind="import", file_name=display_name(path)
    ) as draft:
        report = read_file(
            Path(path),
            areas,
            existing,
            sink=draft.add,
            allow_future=allow_future,
            today=today,
            progress=progress,
        )
        if not report.ok:
            raise TableRejected(report)
        version = draft.finish(
            sha256=report.sha256,
            file_rows=report.row_count,
            warnings=report.lines("warnings"),
        )
    return report, version
