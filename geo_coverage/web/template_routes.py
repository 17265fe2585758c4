"""/download/template.xlsx and .csv: a blank enrollment table to fill in for a chosen month, per
regency or per district."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Blueprint, Response, current_app, request

from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.template import (
    TEMPLATE_LEVELS,
    template_csv,
    template_rows,
    template_xlsx,
)
from geo_coverage.errors import BadRequest, NotFound, QueryProblems, invalid_choice
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
    """The blank table for ?period=YYYY-MM (default last month) as Excel or CSV, per regency or
    (?level=district) per district, of the region or of one ?province=."""
    if ext not in FORMATS:
        raise NotFound(f"no template .{ext}; formats: {', '.join(FORMATS)}")
    settings = current_app.config["SETTINGS"]
    problems = QueryProblems()
    period = request.args.get("period") or last_month()
    if problem := period_problem(period):
        problems.add(BadRequest(problem, "period"))
    level = request.args.get("level") or "regency"
    if level not in TEMPLATE_LEVELS:
        problems.add(invalid_choice("level", level, TEMPLATE_LEVELS))
    province = request.args.get("province") or None
    if province is not None:
        problems.check(None, lambda: settings.region.check_province(province))
    problems.raise_any()
    mimetype, make = FORMATS[ext]
    areas = open_store(settings).read_areas()
    rows = template_rows(areas, period, level, province)
    if not rows:  # a build from the office's own boundaries may have no district layer
        where = f" in province {province}" if province else ""
        raise NotFound(f"this build has no {level} areas{where} to list")
    resp = Response(make(rows, period), mimetype=mimetype)
    scope = ([level] if level != "regency" else []) + ([province] if province else [])
    name = "_".join(["template_kepesertaan", period, *scope])
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp
