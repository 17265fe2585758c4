"""The package's own files (templates, data tables, static assets) wherever it is installed,
and one digest of its code, so that every cache key and ETag follows a code change."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
STATIC = PACKAGE / "web" / "static"
_SKIPPED_DIRS = {"__pycache__"}
_SKIPPED_SUFFIXES = {".pyc", ".pyo"}


def _resource_dir(package: str) -> Path:
    """The folder of a data-only package (mapped from the repository's top level)."""
    return Path(str(resources.files(package)))


@cache
def templates_dir() -> Path:
    """The Jinja templates (the repository's templates/)."""
    return _resource_dir("geo_coverage.web.templates")


@cache
def data_dir() -> Path:
    """The data tables shipped with the code (the repository's data/)."""
    return _resource_dir("geo_coverage.data")


def _files(root: Path) -> list[Path]:
    """Every file under root that is part of the package, in a stable order."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix not in _SKIPPED_SUFFIXES
        and not _SKIPPED_DIRS.intersection(p.relative_to(root).parts)
    )


def _package_files() -> list[tuple[Path, Path]]:
    """(root, file) of every module, template, data table and static file, each file once."""
    out: list[tuple[Path, Path]] = []
    seen: set[Path] = set()
    for root in (PACKAGE, templates_dir(), data_dir()):
        for path in _files(root):
            real = path.resolve()
            if real not in seen:
                seen.add(real)
                out.append((root, path))
    return out


@cache
def code_digest() -> str:
    """A digest of every module, template, data table and static file of the installed package."""
    digest = hashlib.sha256()
    for root, path in _package_files():
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def code_modified() -> datetime:
    """When the newest of those files was written (a Last-Modified that follows the code)."""
    newest = max(path.stat().st_mtime for _, path in _package_files())
    return datetime.fromtimestamp(int(newest), UTC)


def package_digest(*parts: str) -> str:
    """A digest of the files of some subpackages or modules ('boundaries', 'region.py'), for
    build keys."""
    digest = hashlib.sha256()
    for name in parts:
        root = PACKAGE / name
        for path in [root] if root.is_file() else _files(root):
            digest.update(f"{name}/{path.relative_to(root).as_posix()}".encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()
