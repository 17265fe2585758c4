"""POST /api/imports: scripts send a CSV or Excel file with an API token; it is checked as in
the browser and, with ?activate=1, imported at once. No cookies: only a bearer token opens it,
so no other site can make a browser post here."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from geo_coverage.enrollment import uploads
from geo_coverage.enrollment.spreadsheet import ZIP_MAGIC
from geo_coverage.enrollment.table import MAX_LISTED
from geo_coverage.errors import BadRequest, Unauthorized
from geo_coverage.web import auth

LOGGER = logging.getLogger(__name__)

bp = Blueprint("api_imports", __name__)
TRUE = ("1", "true", "yes")


def too_large(limit: int) -> RequestEntityTooLarge:
    """The 413 for a file over the upload limit, saying the limit."""
    return RequestEntityTooLarge(
        f"the file is larger than the {limit / 1048576:g} MB allowed (GEO_COVERAGE_MAX_UPLOAD_MB); "
        "nothing was changed"
    )


def read_file(sent, limit: int) -> bytes:
    """An uploaded file's bytes, reading at most one byte over the limit; 413 when over."""
    data = sent.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    return data


def _file() -> tuple[bytes, str]:
    """The uploaded bytes and a file name: a multipart 'file' field, or the raw body."""
    limit = current_app.config["SETTINGS"].max_upload_bytes
    if request.content_length is not None and request.content_length > limit + 65536:
        raise too_large(limit)
    # only a multipart form is parsed: curl --data-binary sends a file as a urlencoded body
    sent = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    if sent is not None:
        data, name = read_file(sent, limit), sent.filename or ""
    else:
        data, name = read_file(request.stream, limit), request.args.get("name", "")
    if not data:
        raise BadRequest("the request has no file: send it as the body or a 'file' field")
    if not name:
        name = "upload.xlsx" if data.startswith(ZIP_MAGIC) else "upload.csv"
    return data, name


@bp.post("/api/imports")
@auth.requires("editor")
def api_import():
    """Check a file and, with ?activate=1, import it: 200 with the version, 422 with problems."""
    who = auth.principal()
    if who is None or who.kind != "token":
        raise Unauthorized("send an API token: Authorization: Bearer <token>")
    kind = request.args.get("kind", "enrollment")
    if kind not in uploads.KINDS:
        raise BadRequest(f"unknown kind '{kind}'; valid: {', '.join(uploads.KINDS)}", "kind")
    activate = request.args.get("activate", "0").lower() in TRUE
    data, name = _file()
    checked, version = uploads.import_upload(
        current_app.config["SETTINGS"], kind, data, name, activate
    )
    problems = checked.problems("errors")
    body = {
        "kind": kind,
        "file_name": checked.file_name,
        "sheet": checked.sheet.sheet if checked.sheet else None,
        "rows": len(checked.report.table),
        "problem_count": checked.problem_count(),
        "problems": problems[:MAX_LISTED],
        "warnings": checked.problems("warnings")[:MAX_LISTED],
    }
    if not checked.report.ok:
        auth.record(
            "upload_rejected", kind, f"{checked.file_name}: {checked.problem_count()} problem(s)"
        )
        return jsonify(status="rejected", **body), 422
    if version is None:
        return jsonify(status="valid", version=None, **body), 200
    auth.record("import", f"{kind}:{version}", f"{checked.file_name} via the API")
    return jsonify(status="activated", version=version, **body), 200
