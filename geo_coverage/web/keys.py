"""What every cached response depends on, read once per request: the data version, the shapes'
build key and the code version; from them the cache keys, ETags and Last-Modified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, g

from geo_coverage.boundaries.shapes import REPORT_NAME, build_key, check_region
from geo_coverage.package_files import code_modified
from geo_coverage.web.assets import code_version


@dataclass(frozen=True)
class Versions:
    """The versions of this request's data, shapes and code, and when the newest changed."""

    data: str
    build_key: str
    code: str
    modified: datetime


def _parse_time(text: str) -> datetime:
    """An ISO 8601 UTC time as stored (2025-06-30T12:00:00Z)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def versions() -> Versions:
    """The versions for this request (read once, then kept in flask.g)."""
    found = g.get("versions")
    if found is not None:
        return found
    from geo_coverage.enrollment.store import current_version  # pandas: loaded on first use

    settings = current_app.config["SETTINGS"]
    check_region(settings.shapes, settings.region)  # shapes of another region: a clear error
    data = current_version(settings.store_path)
    key = build_key(settings.shapes)
    built = datetime.fromtimestamp(int((settings.shapes / REPORT_NAME).stat().st_mtime), UTC)
    g.versions = Versions(
        data.tag,
        key,
        code_version(),
        max(_parse_time(data.changed_at), built, code_modified()),
    )
    return g.versions


def key(kind: str, *query: str) -> tuple[str, ...]:
    """A cache key: kind, data version, build key, code version and the canonical query."""
    v = versions()
    return (kind, v.data, v.build_key, v.code, *query)
