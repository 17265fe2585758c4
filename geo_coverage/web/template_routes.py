"""/download/template.xlsx and .csv: a blank enrollment table to fill in for a chosen month."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Blueprint, Response, current_app, request

from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.template import template_csv, template_xlsx
from geo_coverage.errors import BadRequest, NotFound
from geo_coverage.region import period_problem

bp = Blueprint("templates", __name__)
OFFICE_TZ = timezone(timedelta(hours=8))
FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", template_xlsx),
    "csv": ("text/csv", template_csv),  # Werkzeug adds charset=utf-8
}


def last_month() -> str:
    """The month before this one (WITA): the month a report usually covers."""
    first = datetime.now(OFFICE_TZ).date().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


@bp.get("/download/template.<ext>")
def template(ext: str):
    """The blank table for ?period=YYYY-MM (default last month) as Excel or CSV."""
    if ext not in FORMATS:
        raise NotFound(f"no template .{ext}; formats: {', '.join(FORMATS)}")
    period = request.args.get("period") or last_month()
    if problem := period_problem(period):
        raise BadRequest(problem, "period")
    mimetype, make = FORMATS[ext]
    areas = open_store(current_app.config["SETTINGS"]).read_areas()
    resp = Response(make(areas, period), mimetype=mimetype)
    resp.headers["Content-Disposition"] = (
        f'attachment; filename="template_kepesertaan_{period}.{ext}"'
    )
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp
