"""The files the pages load: our own CSS and ES modules, Leaflet's from the XStatic package;
no Flask."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import xstatic.pkg.leaflet

from geo_coverage.package_files import STATIC, code_digest

LOGGER = logging.getLogger(__name__)

OWN = STATIC
LEAFLET = Path(xstatic.pkg.leaflet.BASE_DIR)
LEAFLET_PREFIX = "leaflet/"
MODULES = "js"  # our ES modules, in OWN
# Not left to the system's mime.types: browsers run modules only when served as JavaScript.
_TYPES = {".js": "text/javascript"}
FILES_KEPT = 256  # more than both folders hold; misses are never kept
MAX_NAME_CHARS = 200  # longer than any asset's name, shorter than a file system allows


@dataclass(frozen=True)
class Asset:
    """One servable file: its bytes, its type and a content hash."""

    body: bytes
    mimetype: str
    version: str


def _resolve(filename: str) -> Path | None:
    """The file behind an asset name, never outside the two asset folders; None for a name
    no file system would take (too long, a NUL byte)."""
    if len(filename) > MAX_NAME_CHARS or "\0" in filename:
        return None
    root, name = (
        (LEAFLET, filename[len(LEAFLET_PREFIX) :])
        if filename.startswith(LEAFLET_PREFIX)
        else (OWN, filename)
    )
    try:
        path = (root / name).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            return None
    except (OSError, ValueError):
        return None
    return path


@lru_cache(maxsize=FILES_KEPT)
def _load(path: Path, signature: tuple[int, int]) -> Asset:
    """An existing file's bytes, type and hash (kept while its size and time stay the same)."""
    body = path.read_bytes()
    mimetype = (
        _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    return Asset(body, mimetype, hashlib.sha256(body).hexdigest()[:16])


def find(filename: str) -> Asset | None:
    """The asset of that name (Leaflet's under 'leaflet/'), or None."""
    path = _resolve(filename)
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:  # removed since it was found
        return None
    return _load(path, (stat.st_mtime_ns, stat.st_size))


def clear_cache() -> None:
    """Forget the files read so far."""
    _load.cache_clear()


@cache
def modules() -> tuple[str, ...]:
    """The asset names of our ES modules ('js/main.js', ...), in a stable order."""
    return tuple(path.relative_to(OWN).as_posix() for path in sorted((OWN / MODULES).rglob("*.js")))


def code_version() -> str:
    """A digest of the package's code, templates and static files, and of Leaflet's version."""
    return hashlib.sha256(f"{code_digest()}|{xstatic.pkg.leaflet.VERSION}".encode()).hexdigest()
