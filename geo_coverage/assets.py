"""The files the pages load: our own CSS/JS and Leaflet's from the XStatic package; no Flask."""

from __future__ import annotations

import gzip
import hashlib
import logging
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import xstatic.pkg.leaflet

from .config import PROJECT_ROOT

LOGGER = logging.getLogger(__name__)

OWN = Path(__file__).parent / "static"
LEAFLET = Path(xstatic.pkg.leaflet.BASE_DIR)
LEAFLET_PREFIX = "leaflet/"
# Files whose changes change what a map page or its JSON says (part of their ETags).
_VIEW_CODE = ("maps.py", "classify.py", "i18n.py", "view_params.py", "static_map.py")
_TEMPLATES = ("browse.html", "embed.html", "_map_head.html", "_map_common.html")
_TEXT_TYPES = (".js", ".css", ".svg", ".json", ".map")


@dataclass(frozen=True)
class Asset:
    """One servable file: its bytes, a gzipped copy for text, its type and a content hash."""

    body: bytes
    gzipped: bytes | None
    mimetype: str
    version: str


def _resolve(filename: str) -> Path | None:
    """The file behind an asset name, never outside the two asset folders."""
    root, name = (LEAFLET, filename[len(LEAFLET_PREFIX):]) \
        if filename.startswith(LEAFLET_PREFIX) else (OWN, filename)
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    return path


@cache
def find(filename: str) -> Asset | None:
    """The asset of that name (Leaflet's under 'leaflet/'), or None."""
    path = _resolve(filename)
    if path is None:
        return None
    body = path.read_bytes()
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    text = path.suffix in _TEXT_TYPES
    return Asset(body, gzip.compress(body, 9) if text else None, mimetype,
                 hashlib.sha256(body).hexdigest()[:16])


@cache
def code_version() -> str:
    """A digest of the code, templates and assets that shape a map page."""
    digest = hashlib.sha256(xstatic.pkg.leaflet.VERSION.encode())
    here = Path(__file__).parent
    files = [here / n for n in _VIEW_CODE] + [PROJECT_ROOT / "templates" / n for n in _TEMPLATES]
    for path in sorted(OWN.rglob("*")) + files:
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
