"""Settings with defaults, overridable by GEO_COVERAGE_* environment variables."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from geo_coverage.errors import ConfigError
from geo_coverage.region import DEFAULT_REGION, REGION_SETTING, Region, parse_region

_PARENT = Path(__file__).resolve().parent.parent
# A source checkout keeps its state beside the code; an installed package in the user's data
# folder (XDG_DATA_HOME, default ~/.local/share/geo-coverage).
CHECKOUT: Path | None = _PARENT if (_PARENT / "pyproject.toml").is_file() else None
STATE_HOME = (
    CHECKOUT
    or Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "geo-coverage"
)

# Every setting, its environment variable and what it means; the README documents these.
ENVIRONMENT = {
    "region": REGION_SETTING,
    "instance": "GEO_COVERAGE_INSTANCE",
    "mirror": "GEO_COVERAGE_MIRROR",
    "shapes": "GEO_COVERAGE_SHAPES",
    "upstream": "GEO_COVERAGE_UPSTREAM",
    "tiles": "GEO_COVERAGE_TILES",
    "tiles_attribution": "GEO_COVERAGE_TILES_ATTRIBUTION",
    "frame_ancestors": "GEO_COVERAGE_FRAME_ANCESTORS",
    "cache_mb": "GEO_COVERAGE_CACHE_MB",
    "render_slots": "GEO_COVERAGE_RENDER_SLOTS",
    "render_processes": "GEO_COVERAGE_RENDER_PROCESSES",
    "max_features": "GEO_COVERAGE_MAX_FEATURES",
    "private": "GEO_COVERAGE_PRIVATE",
    "max_upload_mb": "GEO_COVERAGE_MAX_UPLOAD_MB",
    "https": "GEO_COVERAGE_HTTPS",
    "public_url": "GEO_COVERAGE_PUBLIC_URL",
    "trusted_proxy": "GEO_COVERAGE_TRUSTED_PROXY",
    "database_url": "GEO_COVERAGE_DATABASE_URL",
}
NUMBERS = {"cache_mb": int, "render_slots": int, "max_features": int}
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")

SIBLING_MIRROR = CHECKOUT.parent / "shared" / "data" if CHECKOUT else None
DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILES_ATTRIBUTION = "&copy; OpenStreetMap contributors"


@dataclass(frozen=True)
class Settings:
    """The region served, where the service keeps its files and what it talks to."""

    region: Region = DEFAULT_REGION
    instance: Path = field(default_factory=lambda: STATE_HOME / "instance")
    mirror: Path | None = None
    shapes: Path = field(default_factory=lambda: STATE_HOME / "shapes")
    upstream: str = "https://raw.githubusercontent.com"
    tiles: str = DEFAULT_TILES
    tiles_attribution: str = DEFAULT_TILES_ATTRIBUTION
    frame_ancestors: str = "*"
    cache_mb: int = 256
    render_slots: int = 2
    render_processes: bool | None = None  # draw in worker processes; None: only under `serve`
    max_features: int = 50_000
    private: bool = False
    max_upload_mb: float = 10.0
    https: bool = False
    public_url: str = ""  # the URLs the service answers as, space-separated; "" for any host
    trusted_proxy: str = ""  # the reverse proxy's address, whose X-Forwarded-For/-Proto count
    database_url: str | None = None

    @property
    def store_path(self) -> Path:
        """The embedded enrollment store (a GeoPackage) inside the instance folder."""
        return self.instance / "coverage.gpkg"

    @property
    def accounts_db(self) -> Path | str:
        """Where users, tokens, the audit log and signed links are kept: the PostgreSQL
        database when one is configured (every instance must share them), else a SQLite file
        inside the instance folder."""
        return self.database_url or self.instance / "accounts.sqlite"

    @property
    def max_upload_bytes(self) -> int:
        """The largest file an upload may carry, in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def public_urls(self) -> tuple[tuple[str, str], ...]:
        """The configured public URLs as (scheme, host[:port]) pairs, lower case."""
        return tuple(_public_url(url) for url in self.public_url.replace(",", " ").split())

    @property
    def download_cache(self) -> Path:
        """Where files fetched from upstream are cached."""
        return self.instance / "upstream"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Read settings from the environment; keyword overrides win."""
        env: Mapping[str, str] = os.environ if environ is None else environ
        values: dict = {}
        for name, var in ENVIRONMENT.items():
            if env.get(var):
                values[name] = env[var]
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "mirror" not in values and SIBLING_MIRROR and _is_mirror(SIBLING_MIRROR):
            values["mirror"] = SIBLING_MIRROR
        if str(values.get("mirror", "")).lower() == "none":
            values["mirror"] = None
        if isinstance(values.get("region"), str):
            values["region"] = parse_region(values["region"])
        for f in fields(cls):
            if f.name in ("instance", "mirror", "shapes") and values.get(f.name) is not None:
                values[f.name] = Path(values[f.name]).expanduser().resolve()
        for name, kind in NUMBERS.items():
            if name in values:
                values[name] = _number(name, values[name], kind)
        for name in ("private", "https", "render_processes"):
            if name in values:
                values[name] = _flag(ENVIRONMENT[name], values[name])
        if "public_url" in values:
            for url in str(values["public_url"]).replace(",", " ").split():
                _public_url(url)
        if values.get("trusted_proxy"):
            values["trusted_proxy"] = _address(values["trusted_proxy"])
        if values.get("database_url"):
            values["database_url"] = _database_url(values["database_url"])
        if "max_upload_mb" in values:
            values["max_upload_mb"] = _megabytes(values["max_upload_mb"])
        return cls(**values)

    def with_(self, **changes) -> Settings:
        """A copy with some settings changed."""
        return replace(self, **changes)


def _number(name: str, value, kind: type) -> int:
    """A positive whole-number setting; a clear error naming the variable otherwise."""
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ConfigError(
            f"{ENVIRONMENT[name]} must be a whole number of at least 1, not {value!r}"
        )
    return number


def _flag(variable: str, value: object) -> bool:
    """A yes/no setting from 1/0, true/false, yes/no or on/off; a ConfigError names the variable."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ConfigError(f"{variable}={value!r}: use 1 or 0")


def _megabytes(value: object) -> float:
    """A positive size in megabytes; a ConfigError names the variable."""
    try:
        size = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        size = -1.0
    if not 0 < size <= 10_000:
        raise ConfigError(f"{ENVIRONMENT['max_upload_mb']}={value!r}: use megabytes, e.g. 10")
    return size


def _address(value: object) -> str:
    """One IPv4 or IPv6 address; a ConfigError names the variable otherwise."""
    text = str(value).strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ConfigError(
            f"{ENVIRONMENT['trusted_proxy']}={text!r}: give the one address the reverse proxy "
            "connects from, e.g. 127.0.0.1"
        ) from None


_DATABASE_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def _database_url(value: object) -> str:
    """A PostgreSQL URL for SQLAlchemy's psycopg 3 driver; a ConfigError names the variable."""
    text = str(value).strip()
    scheme = next((s for s in _DATABASE_SCHEMES if text.startswith(s)), None)
    if scheme is None:
        raise ConfigError(
            f"{ENVIRONMENT['database_url']} must be a PostgreSQL URL "
            "(postgresql://USER:PASSWORD@HOST:PORT/DATABASE), not "
            f"{text.split(':', 1)[0]!r}: …"
        )
    return "postgresql+psycopg://" + text[len(scheme) :]


def _public_url(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) of a public URL; a ConfigError names the variable otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ConfigError(
            f"{ENVIRONMENT['public_url']}: {url!r} is not a URL like https://coverage.example.org"
            " (scheme and host, no path; several separated by spaces)"
        )
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise ConfigError(f"{ENVIRONMENT['public_url']}: {url!r} has more than scheme and host")
    return parts.scheme, parts.netloc.lower()


def _is_mirror(path: Path) -> bool:
    """Whether a folder is laid out like shared/data (a local mirror of the public data)."""
    return (path / "wilayah_boundaries" / "MANIFEST.tsv").is_file()
