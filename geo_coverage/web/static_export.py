"""The immutable files a reverse proxy may serve itself: every asset under its content hash,
and the region's overview and each province's detail geometry under their build key, each
compressible one with a gzip twin beside it (for nginx's gzip_static). The app answers the
same URLs, so a file not exported (or of an older version) falls back to it."""

from __future__ import annotations

import gzip
import logging
import os
from pathlib import Path

from geo_coverage.boundaries.shape_source import check_region, shape_source
from geo_coverage.config import Settings
from geo_coverage.web import assets

LOGGER = logging.getLogger(__name__)

ASSETS_DIR = "assets"  # folder/assets/<version>/<asset name>
GEOMETRY_DIR = "geometry"  # folder/geometry/<key>.topojson and <key>/<province>.topojson
VERSION_LENGTH = 16  # characters of a version in a URL's ?v=
COMPRESSIBLE = (".css", ".js", ".json", ".svg", ".map", ".txt", ".html", ".topojson")


def _write(path: Path, body: bytes, gz: bytes | None = None) -> None:
    """Write a file (and its .gz) atomically; an existing one holds the same bytes already."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for target, data in ((path, body), (path.with_name(path.name + ".gz"), gz)):
        if data is None:
            continue
        temporary = target.with_name(f".{target.name}.{os.getpid()}")
        temporary.write_bytes(data)
        os.replace(temporary, target)


def _asset_names() -> list[str]:
    """Every asset name the app answers: our static files and Leaflet's."""
    own = [p.relative_to(assets.OWN).as_posix() for p in assets.OWN.rglob("*") if p.is_file()]
    leaflet = [
        assets.LEAFLET_PREFIX + p.relative_to(assets.LEAFLET).as_posix()
        for p in assets.LEAFLET.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".py", ".pyc")
    ]
    return sorted(own + leaflet)


def export_static(settings: Settings, folder: Path) -> tuple[int, str]:
    """Write the assets and the display geometry under folder; returns how many assets and
    the geometry's version (the build key's first characters)."""
    count = 0
    for name in _asset_names():
        found = assets.find(name)
        if found is None:
            continue
        path = folder / ASSETS_DIR / found.version / name
        gz = gzip.compress(found.body, 9, mtime=0) if name.endswith(COMPRESSIBLE) else None
        _write(path, found.body, gz)
        count += 1
    source = shape_source(settings)
    check_region(source, settings.region)
    key = source.build_key()[:VERSION_LENGTH]
    geometry = folder / GEOMETRY_DIR
    _write(geometry / f"{key}.topojson", source.topojson(), source.topojson(gz=True))
    for province in settings.region.provinces:
        _write(
            geometry / key / f"{province}.topojson",
            source.topojson(province=province),
            source.topojson(gz=True, province=province),
        )
    LOGGER.info(
        f"wrote {count} assets and the geometry {key} (the overview and "
        f"{len(settings.region.provinces)} provinces' detail) under {folder}"
    )
    return count, key
