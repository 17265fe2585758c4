"""/admin: the office's own data through the browser. Editors upload CSV or Excel files,
see every problem or a preview of the changes, activate or discard them, roll back, and make
signed links; admins read the audit log. Every form carries a CSRF token."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from geo_coverage.accounts import audit
from geo_coverage.enrollment import uploads
from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.store_file import StoreError, StoreLocked, StoreReadOnly
from geo_coverage.enrollment.table import MAX_LISTED, TableRejected
from geo_coverage.errors import BadRequest
from geo_coverage.i18n import format_number, format_pct, text
from geo_coverage.maps import change_map
from geo_coverage.metrics import changes
from geo_coverage.metrics.dataset import import_history
from geo_coverage.region import PROVINCES
from geo_coverage.web import auth, signed
from geo_coverage.web.api_imports import read_file

LOGGER = logging.getLogger(__name__)

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _settings():
    """The app's settings."""
    return current_app.config["SETTINGS"]


def _lang() -> str:
    """The page language: id, or en with ?lang=en (kept in every form and link)."""
    return "en" if request.values.get("lang") == "en" else "id"


def _render(template: str, status: int = 200, **context):
    """An admin page in the request's language."""
    lang = _lang()
    return (
        render_template(
            template,
            lang=lang,
            t=lambda key, **kw: text(key, lang, **kw),
            who=auth.principal(),
            pct=lambda value: format_pct(value, lang, 2),
            points=lambda value: format_number(value, lang, 2, signed=True),
            max_mb=_settings().max_upload_mb,
            link=lambda endpoint, **kw: _url(endpoint, **kw),
            provinces=[(code, PROVINCES[code]) for code in _settings().region.provinces],
            **context,
        ),
        status,
    )


def _names() -> dict[str, str]:
    """Area names by code."""
    areas = open_store(_settings()).read_areas()
    return dict(zip(areas["kode"], areas["nama"], strict=True))


def _preview(staged: uploads.Staged, checked: uploads.Checked) -> dict:
    """What the preview page shows for a checked upload."""
    settings = _settings()
    rows = checked.report.table
    if staged.kind == "targets":
        active = open_store(settings).active_targets()
        return {
            "target_changes": changes.target_changes(active, rows, _names()),
            "years": sorted(set(rows["year"].tolist())),
            "areas": rows["kode"].nunique(),
        }
    found = changes.enrollment_changes(open_store(settings).read_snapshot(), rows)
    lang = _lang()
    title = text("admin.change_map", lang, period=found.map_period or "")
    return {
        "changes": found,
        "svg": change_map.change_svg(settings, found.map_changes(), _names(), title),
        "legend": change_map.legend(),
        "new_color": change_map.NEW,
        "unchanged_color": change_map.UNCHANGED,
    }


@bp.get("/imports")
@auth.requires("editor")
def imports():
    """The upload form and the uploads waiting for activation."""
    return _render("admin_imports.html", pending=uploads.list_staged(_settings()))


@bp.post("/imports")
@auth.requires("editor")
def upload():
    """Check an uploaded file: every problem (422), or a preview to activate or discard."""
    settings = _settings()
    kind = request.form.get("kind", "enrollment")
    if kind not in uploads.KINDS:
        raise BadRequest(f"unknown kind '{kind}'; valid: {', '.join(uploads.KINDS)}", "kind")
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return _render(
            "admin_imports.html",
            400,
            pending=uploads.list_staged(settings),
            failure=text("admin.no_file", _lang()),
        )
    data = read_file(sent, settings.max_upload_bytes)
    who = auth.principal()
    actor = who.actor if who else "anonymous"  # the guard lets only editors here
    checked, staged = uploads.stage(settings, kind, data, sent.filename, actor)
    if staged is None:
        auth.record(
            "upload_rejected",
            kind,
            f"{checked.file_name}: {checked.problem_count()} problem(s)",
        )
        problems = checked.problems("errors")
        return _render(
            "admin_imports.html",
            422,
            pending=uploads.list_staged(settings),
            checked=checked,
            problems=problems[:MAX_LISTED],
            more=checked.problem_count() - len(problems[:MAX_LISTED]),
        )
    auth.record("upload", f"upload:{staged.id}", f"{kind} {staged.file_name}")
    return redirect(_url("admin.preview", upload_id=staged.id), 303)


def _url(endpoint: str, **values) -> str:
    """A URL that keeps the page language."""
    language: dict[str, Any] = {"lang": "en"} if _lang() == "en" else {}
    return url_for(endpoint, **values, **language)


@bp.get("/imports/<upload_id>")
@auth.requires("editor")
def preview(upload_id: str):
    """What activating the upload would change: rows, periods, areas, moves, a small map."""
    staged = uploads.load(_settings(), upload_id)
    checked = uploads.recheck(_settings(), staged)
    if not checked.report.ok:  # the store changed so that the file no longer fits
        problems = checked.problems("errors")
        return _render(
            "admin_imports.html",
            409,
            pending=uploads.list_staged(_settings()),
            checked=checked,
            problems=problems[:MAX_LISTED],
            more=checked.problem_count() - len(problems[:MAX_LISTED]),
        )
    current = uploads.active_base(_settings(), staged.kind)
    return _render(
        "admin_preview.html",
        staged=staged,
        checked=checked,
        warnings=checked.problems("warnings"),
        stale=current != staged.base,
        **_preview(staged, checked),
    )


@bp.post("/imports/<upload_id>/activate")
@auth.requires("editor")
def activate(upload_id: str):
    """Import the previewed file as the new active version (all or nothing)."""
    settings = _settings()
    staged = uploads.load(settings, upload_id)
    try:
        with auth.acting():
            checked, version = uploads.activate(settings, staged)
    except TableRejected as exc:
        raise BadRequest(str(exc)) from exc
    auth.record(
        "import",
        f"{staged.kind}:{version}",
        f"{staged.file_name}, {len(checked.report.table)} rows, uploaded by {staged.uploaded_by}",
    )
    return redirect(_url("admin.history", activated=f"{staged.kind}:{version}"), 303)


@bp.post("/imports/<upload_id>/discard")
@auth.requires("editor")
def discard(upload_id: str):
    """Forget the previewed file; nothing changes."""
    staged = uploads.load(_settings(), upload_id)
    uploads.discard(_settings(), staged)
    auth.record("discard", f"upload:{staged.id}", f"{staged.kind} {staged.file_name}")
    return redirect(_url("admin.imports"), 303)


def _who(kind: str, ids: list[int]) -> dict[int, audit.Entry]:
    """The audit entry of the import of each version (who, when, from where)."""
    found = audit.by_subject(_settings().accounts_db, [f"{kind}:{i}" for i in ids], "import")
    return {int(s.split(":")[1]): e for s, e in found.items()}


@bp.get("/history")
@auth.requires("editor")
def history():
    """Every enrollment and targets version, who imported it, and rollback buttons."""
    settings = _settings()
    versions = import_history(settings)
    targets, active_targets = open_store(settings).target_versions()
    return _render(
        "admin_history.html",
        versions=versions,
        enrollment_who=_who("enrollment", [v["version"] for v in versions]),
        targets=list(reversed(targets)),
        active_targets=active_targets,
        targets_who=_who("targets", [v.id for v in targets]),
        activated=_activated(request.args.get("activated", "")),
    )


def _activated(value: str) -> tuple[str, str] | None:
    """(kind, version) from ?activated=kind:version, for the page's confirmation."""
    kind, _, version = value.partition(":")
    return (kind, version) if kind in uploads.KINDS and version.isdigit() else None


@bp.post("/history/rollback")
@auth.requires("editor")
def rollback():
    """Re-activate a stored version of the enrollment figures or of the targets."""
    settings = _settings()
    kind = request.form.get("kind", "")
    raw = request.form.get("version", "")
    if kind not in uploads.KINDS or not raw.isdigit():
        raise BadRequest("rollback needs kind (enrollment or targets) and a version number")
    try:
        with auth.acting():
            if kind == "targets":
                before, now = open_store(settings).activate_targets(int(raw))
                vid = now.id
            else:
                before, version = open_store(settings).activate(int(raw))
                vid = version.id
    except (StoreLocked, StoreReadOnly):
        raise
    except StoreError as exc:  # no such version
        raise BadRequest(str(exc), "version") from exc
    auth.record("rollback", f"{kind}:{vid}", f"from version {before}")
    return redirect(_url("admin.history", activated=f"{kind}:{vid}"), 303)


@bp.get("/audit")
@auth.requires("admin")
def audit_log():
    """The latest audit entries."""
    actor = request.args.get("actor") or None
    action = request.args.get("action") or None
    if action is not None and action not in audit.ACTIONS:
        raise BadRequest(f"unknown action '{action}'; valid: {', '.join(audit.ACTIONS)}")
    found = audit.entries(_settings().accounts_db, 500, actor, action)
    return _render("admin_audit.html", entries=found, actions=audit.ACTIONS, actor=actor or "")


@bp.route("/links", methods=["GET", "POST"])
@auth.requires("editor")
def links():
    """Make a signed link (embed and PNG) to a view that works without sign-in until a date."""
    made = None
    if request.method == "POST":
        who = auth.principal()
        made = signed.create_link(
            request.form.get("view", ""),
            request.form.get("expires", ""),
            who.actor if who else "anonymous",
        )
        auth.record("link_create", f"link:{made.id}", f"{made.query}, until {made.expires}")
    return _render(
        "admin_links.html",
        made=made,
        today=signed.today().isoformat(),
        default_expiry=signed.default_expiry().isoformat(),
        max_expiry=signed.max_expiry().isoformat(),
        links=signed.active_links(),
    )


@bp.post("/links/<int:link_id>/revoke")
@auth.requires("editor")
def revoke_link(link_id: int):
    """Withdraw a signed link: its embed page and PNG answer 403 from now on."""
    link = signed.revoke(link_id)
    auth.record("link_revoke", f"link:{link.id}", link.query)
    return redirect(_url("admin.links"), 303)
