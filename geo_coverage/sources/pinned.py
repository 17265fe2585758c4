"""Public data: pinned upstream files from a local mirror or downloaded, sha256-checked."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from geo_coverage.config import Settings
from geo_coverage.errors import SourceError
from geo_coverage.region import Region

LOGGER = logging.getLogger(__name__)
DOWNLOAD_TIMEOUT_S = 60


@dataclass(frozen=True)
class PinnedFile:
    """One upstream file at a pinned commit with its expected sha256."""

    dataset: str
    repository: str
    commit: str
    path: str
    sha256: str
    size: int
    provinces: tuple[str, ...]  # the provinces it holds rows of; empty: every province

    def serves(self, region: Region) -> bool:
        """Whether the region needs this file (it holds rows of one of its provinces)."""
        return not self.provinces or any(p in self.provinces for p in region.provinces)

    @property
    def key(self) -> str:
        """dataset/path, the file's place in a mirror."""
        return f"{self.dataset}/{self.path}"

    def url(self, upstream: str) -> str:
        """The raw-file URL at the pinned commit."""
        return f"{upstream.rstrip('/')}/{self.repository}/{self.commit}/{self.path}"


def pinned_files() -> list[PinnedFile]:
    """Every file a build of any region may need, as pinned in upstream.tsv."""
    text = (
        resources.files("geo_coverage.sources").joinpath("upstream.tsv").read_text(encoding="utf-8")
    )
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return [
        PinnedFile(d, r, c, p, s, int(b), () if held == "*" else tuple(held.split()))
        for d, r, c, p, s, b, held in rows
    ]


def region_files(region: Region) -> list[PinnedFile]:
    """The pinned files a build of the region reads."""
    return [pin for pin in pinned_files() if pin.serves(region)]


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check(pin: PinnedFile, path: Path) -> str | None:
    """A problem with a local copy of a pinned file, or None if it is the pinned bytes."""
    if not path.is_file():
        return f"{path}: missing (expected {pin.key} at commit {pin.commit[:10]})"
    actual = sha256_of(path)
    if actual != pin.sha256:
        return (
            f"{path}: sha256 {actual} does not match the pinned {pin.sha256} "
            f"({pin.key}); the file was changed or is a different version"
        )
    return None


def _download(pin: PinnedFile, target: Path, upstream: str) -> None:
    """Fetch one pinned file into target atomically, or raise SourceError."""
    url = pin.url(upstream)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as resp:
            data = resp.read()
    except (urllib.error.URLError, OSError) as exc:
        raise SourceError(
            f"could not download {pin.key} from {url}: {getattr(exc, 'reason', exc)}.\n"
            "Check the network connection, or build from a local copy of the public data with "
            "--mirror DIR (or GEO_COVERAGE_MIRROR=DIR), a folder laid out like shared/data."
        ) from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != pin.sha256:
        raise SourceError(
            f"downloaded {pin.key} from {url} but its sha256 {actual} does not match the "
            f"pinned {pin.sha256}; nothing was saved. The upstream file may have been altered."
        )
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)


def fetch_all(settings: Settings, progress: Callable[[str], None] = LOGGER.info) -> dict[str, Path]:
    """Local, verified paths of every pinned file the settings' region needs, keyed by
    dataset/path.

    With a mirror, files are read from it and every problem is reported at once; without one,
    files are downloaded from upstream at the pinned commit into the instance cache.
    """
    pins = region_files(settings.region)
    if settings.mirror is not None:
        paths = {p.key: settings.mirror / p.dataset / p.path for p in pins}
        problems = [msg for p in pins if (msg := _check(p, paths[p.key]))]
        if problems:
            raise SourceError(
                f"the mirror {settings.mirror} does not hold the pinned public data:\n"
                + "\n".join(f"  - {m}" for m in problems)
                + "\nRestore these files from upstream (see geo_coverage/sources/upstream.tsv), "
                "or build "
                "without --mirror to download them."
            )
        progress(f"verified {len(pins)} files in the mirror {settings.mirror}")
        return paths
    paths = {}
    for i, pin in enumerate(pins, 1):
        target = settings.download_cache / pin.dataset / pin.commit / pin.path
        if _check(pin, target) is not None:
            progress(f"[{i}/{len(pins)}] downloading {pin.key}")
            _download(pin, target, settings.upstream)
        paths[pin.key] = target
    progress(f"verified {len(pins)} files from upstream (cached in {settings.download_cache})")
    return paths


def input_digest(region: Region) -> str:
    """One sha256 over the checksums of the region's files: changes when any input changes."""
    return hashlib.sha256("".join(p.sha256 for p in region_files(region)).encode()).hexdigest()
