"""Files that reach the store from outside the shell: enrollment figures or targets as CSV or
Excel, checked with the same validation as `geo-coverage import`, kept in the instance folder
for a preview, then activated (atomically, as the CLI does) or discarded; no Flask."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from geo_coverage.config import Settings
from geo_coverage.enrollment import store, target_store
from geo_coverage.enrollment.areas import area_infos
from geo_coverage.enrollment.importer import import_file
from geo_coverage.enrollment.spreadsheet import (
    MAX_UNPACKED_RATIO,
    NotAWorkbook,
    Sheet,
    looks_like_xlsx,
    merge_report,
    read_xlsx,
)
from geo_coverage.enrollment.table import Problem, TableRejected, ValidationReport, empty_rows
from geo_coverage.enrollment.targets import validate_targets
from geo_coverage.enrollment.validation import read_table
from geo_coverage.errors import Conflict, NotFound

LOGGER = logging.getLogger(__name__)

KINDS = ("enrollment", "targets")
UPLOADS_DIR = "uploads"
STALE_AFTER_S = 24 * 3600
_ID = re.compile(r"[A-Za-z0-9_-]{16,32}")
_UNSAFE = re.compile(r"[^\w.() -]+")


@dataclass(frozen=True)
class Checked:
    """A file checked for import: its validation report (rows as in the file: worksheet rows
    for Excel) and, for a workbook, the sheet it was read from."""

    kind: str
    file_name: str
    report: ValidationReport
    sheet: Sheet | None

    def problems(self, which: str = "errors") -> list[dict]:
        """Errors or warnings as records: row, column, cell (Excel), sheet and message."""
        return [
            {
                "row": p.row,
                "column": p.column,
                "cell": self.sheet.cell(p) if self.sheet else None,
                "sheet": self.sheet.sheet if self.sheet else None,
                "message": p.message,
            }
            for p in getattr(self.report, which)
        ]

    def problem_count(self) -> int:
        """Every error found, also those beyond the listed ones."""
        return max(self.report.error_count, len(self.report.errors))


@dataclass(frozen=True)
class Staged:
    """An uploaded file kept for its preview, and what it was checked against."""

    id: str
    kind: str
    file_name: str
    uploaded_by: str
    uploaded_at: str
    base: int | None  # the active version of its kind when it was checked
    sha256: str  # of the uploaded bytes

    def folder(self, settings: Settings) -> Path:
        """Where its files are kept."""
        return settings.instance / UPLOADS_DIR / self.id


def safe_name(file_name: str) -> str:
    """A file name without folders or unusual characters, for storing and showing."""
    base = re.split(r"[\\/]", file_name or "")[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")[:100]
    return cleaned or "upload.csv"


def _csv_form(kind: str, data: bytes, file_name: str, limit: int) -> tuple[bytes, Sheet | None]:
    """The bytes the table validation reads, and the sheet they came from for a workbook."""
    if not looks_like_xlsx(data, file_name):
        return data, None
    sheet = read_xlsx(data, file_name, limit * MAX_UNPACKED_RATIO)
    return sheet.csv, sheet


def active_base(settings: Settings, kind: str) -> int | None:
    """The active version of the enrollment figures or of the targets."""
    if kind == "targets":
        return target_store.target_versions(settings.store_path)[1]
    return store.versions(settings.store_path)[1]


def _validate(settings: Settings, kind: str, csv_path: Path) -> ValidationReport:
    """The validation `geo-coverage import` (or `targets import`) runs, on a CSV file; an upload
    is small (GEO_COVERAGE_MAX_UPLOAD_MB), so its rows are kept for the preview."""
    areas = area_infos(store.read_areas(settings.store_path))
    if kind == "targets":
        return validate_targets(csv_path.read_bytes(), csv_path.name, areas)
    existing = store.active_keys(settings.store_path)
    return read_table(csv_path.read_bytes(), csv_path.name, areas, existing)


def check(settings: Settings, kind: str, data: bytes, file_name: str, folder: Path) -> Checked:
    """Validate an upload, leaving its CSV form in folder under the file's own name."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind}")
    name = safe_name(file_name)
    try:
        csv_bytes, sheet = _csv_form(kind, data, name, settings.max_upload_bytes)
    except NotAWorkbook as exc:
        report = ValidationReport(name, "", empty_rows(), [Problem(None, None, str(exc))])
        return Checked(kind, name, report, None)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / name
    csv_path.write_bytes(csv_bytes)
    report = _validate(settings, kind, csv_path)
    if sheet is not None:
        report = merge_report(report, sheet)
    return Checked(kind, name, report, sheet)


def _uploads(settings: Settings) -> Path:
    """The folder of kept uploads."""
    return settings.instance / UPLOADS_DIR


def stage(
    settings: Settings, kind: str, data: bytes, file_name: str, user: str
) -> tuple[Checked, Staged | None]:
    """Check an upload and keep it for a preview when it has no errors (nothing else changes)."""
    store.require(settings.store_path)
    discard_stale(settings)
    upload_id = secrets.token_urlsafe(18)
    folder = _uploads(settings) / upload_id
    checked = check(settings, kind, data, file_name, folder / "csv")
    if not checked.report.ok:
        shutil.rmtree(folder, ignore_errors=True)
        return checked, None
    staged = Staged(
        upload_id,
        kind,
        checked.file_name,
        user,
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        active_base(settings, kind),
        hashlib.sha256(data).hexdigest(),
    )
    (folder / "original").write_bytes(data)
    (folder / "meta.json").write_text(json.dumps(asdict(staged)), encoding="utf-8")
    return checked, staged


def load(settings: Settings, upload_id: str) -> Staged:
    """A kept upload; NotFound when there is none of that id (or it was activated or discarded)."""
    meta = _uploads(settings) / upload_id / "meta.json"
    if not _ID.fullmatch(upload_id) or not meta.is_file():
        raise NotFound(f"no upload {upload_id[:40]} waiting for activation")
    return Staged(**json.loads(meta.read_text(encoding="utf-8")))


def recheck(settings: Settings, staged: Staged) -> Checked:
    """The upload checked again against the store as it is now."""
    folder = staged.folder(settings)
    data = (folder / "original").read_bytes()
    return check(settings, staged.kind, data, staged.file_name, folder / "csv")


def list_staged(settings: Settings) -> list[Staged]:
    """Every kept upload, newest first."""
    root = _uploads(settings)
    found = []
    for meta in root.glob("*/meta.json") if root.is_dir() else []:
        try:
            found.append(Staged(**json.loads(meta.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError):
            LOGGER.warning(f"ignoring an unreadable upload record {meta}")
    return sorted(found, key=lambda s: s.uploaded_at, reverse=True)


def discard(settings: Settings, staged: Staged) -> None:
    """Forget a kept upload."""
    shutil.rmtree(staged.folder(settings), ignore_errors=True)


def discard_stale(settings: Settings, now: float | None = None) -> None:
    """Forget uploads kept longer than STALE_AFTER_S (and folders left by interrupted checks)."""
    root = _uploads(settings)
    now = time.time() if now is None else now
    for folder in root.iterdir() if root.is_dir() else []:
        if now - folder.stat().st_mtime > STALE_AFTER_S:
            shutil.rmtree(folder, ignore_errors=True)


def activate(settings: Settings, staged: Staged) -> tuple[Checked, int]:
    """Import a kept upload as the new active version; returns the check and the version id.

    Refused (Conflict) when the active version changed since the preview, so that nobody
    activates changes they did not see; TableRejected if the file no longer validates.
    """
    if active_base(settings, staged.kind) != staged.base:
        raise Conflict(
            f"the active {staged.kind} version changed since this preview was made; "
            "upload the file again to see what it changes now"
        )
    checked = recheck(settings, staged)
    if not checked.report.ok:
        raise TableRejected(checked.report)
    csv_path = staged.folder(settings) / "csv" / staged.file_name
    version = _store(settings, checked, csv_path, staged.sha256)
    discard(settings, staged)
    return checked, version


def _store(settings: Settings, checked: Checked, csv_path: Path, sha256: str) -> int:
    """Store a checked file as the new active version of its kind; returns the version id."""
    if checked.kind == "targets":
        return target_store.write_targets_version(
            settings.store_path,
            checked.report.table,
            kind="import",
            file_name=checked.file_name,
            sha256=sha256,
            warnings=checked.report.lines("warnings"),
        ).id
    return import_file(settings, csv_path)[1].id


def import_upload(
    settings: Settings, kind: str, data: bytes, file_name: str, activate: bool
) -> tuple[Checked, int | None]:
    """Check a file and, when it has no errors and activate is true, import it at once (the
    API's path: no preview). Returns the check and the new version id (None if not stored)."""
    store.require(settings.store_path)
    folder = _uploads(settings) / f"direct-{secrets.token_urlsafe(12)}"
    try:
        checked = check(settings, kind, data, file_name, folder / "csv")
        if not checked.report.ok or not activate:
            return checked, None
        sha = hashlib.sha256(data).hexdigest() if checked.sheet else checked.report.sha256
        return checked, _store(settings, checked, folder / "csv" / checked.file_name, sha)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
