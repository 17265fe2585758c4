"""What every cached response depends on, read once per request: the data version, the shapes'
build key and the code version; from them the cache keys, ETags and Last-Modified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, g

from geo_coverage.boundaries.shape_source import check_region, shape_source
from geo_coverage.config import Settings
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


def read_versions(settings: Settings) -> Versions:
    """The versions of the data, shapes and code served now (no Flask: the fast path reads
    them before the app sees a request)."""
    from geo_coverage.enrollment.backend import open_store  # pandas: loaded on first use

    shapes = shape_source(settings)
    check_region(shapes, settings.region)  # shapes of another region: a clear error
    data = open_store(settings).current_version()
    return Versions(
        data.tag,
        shapes.build_key(),
        code_version(),
        max(_parse_time(data.changed_at), shapes.built_at(), code_modified()),
    )


def version_tags(settings: Settings) -> tuple[str, str, str]:
    """The data version, build key and code version served now, and nothing else: what the
    fast path compares with those an answer was made with (fewer file checks than
    read_versions; a region check passed with the same build key passes again)."""
    from geo_coverage.enrollment.backend import open_store

    return (
        open_store(settings).current_version().tag,
        shape_source(settings).build_key(),
        code_version(),
    )


def versions() -> Versions:
    """The versions for this request (read once, then kept in flask.g)."""
    found = g.get("versions")
    if found is None:
        found = g.versions = read_versions(current_app.config["SETTINGS"])
    return found


def key(kind: str, *query: str) -> tuple[str, ...]:
    """A cache key: kind, data version, build key, code version and the canonical query."""
    v = versions()
    return (kind, v.data, v.build_key, v.code, *query)
