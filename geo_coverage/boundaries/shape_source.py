"""Where the serving side reads the built shapes: the shapes/ folder, or, with the PostgreSQL
back end, the PostGIS tables the build loaded them into (so that an app instance needs no
shapes folder of its own). Both give the build key, the build report, the display TopoJSON
and every level's geometry."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.exc import ProgrammingError

from geo_coverage.boundaries.shapes import (
    DISPLAY_GPKG,
    DISPLAY_TOPOJSON,
    REPORT_NAME,
    build_key,
    built_region,
    detail_topojson,
    is_built,
    own_boundaries,
    read_report,
)
from geo_coverage.config import Settings
from geo_coverage.database.engine import connection, shown
from geo_coverage.errors import GeoCoverageError
from geo_coverage.region import LAYER_NAMES, REGION_SETTING, Region

if TYPE_CHECKING:
    import geopandas as gpd

ACTIVE_KEY = "shapes_build_key"  # the meta row naming the build the instances serve
KEY_TTL_S = 0.5  # the active build key is read again after this long
UNDEFINED_TABLE = "42P01"


class ShapeSource(Protocol):
    """The built shapes, wherever they are kept."""

    @property
    def where(self) -> str:
        """Where they are kept, for messages."""
        ...

    def build_key(self) -> str:
        """The key of the build served now."""
        ...

    def report(self) -> dict | None:
        """The build report, or None when nothing is built."""

    def is_built(self) -> bool:
        """Whether a complete build is there."""
        ...

    def built_at(self) -> datetime:
        """When the build served now was made (whole seconds, UTC)."""
        ...

    def region(self) -> str | None:
        """The key of the region the served build is of."""
        ...

    def own_boundaries(self) -> dict | None:
        """The own boundary file (`build --boundaries`) the build was made from, or None."""
        ...

    def topojson(self, gz: bool = False, province: str | None = None) -> bytes:
        """The region's overview, or a province's detail, as TopoJSON (gzip if gz)."""
        ...

    def read_layer(self, level: str, simplified: bool) -> gpd.GeoDataFrame:
        """One level's areas with their properties, full resolution unless simplified."""
        ...


@dataclass
class FolderShapes:
    """The shapes a build left in a folder."""

    folder: Path

    @property
    def where(self) -> str:
        """The folder, for messages."""
        return str(self.folder)

    def build_key(self) -> str:
        """The key in the folder's build report (read again when the report changes)."""
        return build_key(self.folder)

    def report(self) -> dict | None:
        """The folder's build report."""
        return read_report(self.folder)

    def is_built(self) -> bool:
        """Whether the folder holds every output of a successful build."""
        return is_built(self.folder)

    def built_at(self) -> datetime:
        """The build report's modification time."""
        return datetime.fromtimestamp(int((self.folder / REPORT_NAME).stat().st_mtime), UTC)

    def region(self) -> str | None:
        """The region in the folder's build report."""
        return built_region(self.folder)

    def own_boundaries(self) -> dict | None:
        """The own boundary file in the folder's build report."""
        return own_boundaries(self.folder)

    def topojson(self, gz: bool = False, province: str | None = None) -> bytes:
        """display.topojson or a province's display_NN.topojson (or its .gz)."""
        name = DISPLAY_TOPOJSON if province is None else detail_topojson(province)
        return (self.folder / (name + (".gz" if gz else ""))).read_bytes()

    def read_layer(self, level: str, simplified: bool) -> gpd.GeoDataFrame:
        """The level's Shapefile, or its layer of display.gpkg."""
        import pyogrio

        layer = LAYER_NAMES[level]
        if simplified:
            return pyogrio.read_dataframe(self.folder / DISPLAY_GPKG, layer=layer)
        return pyogrio.read_dataframe(self.folder / f"{layer}.shp")


@dataclass
class DatabaseShapes:
    """The shapes a build loaded into PostGIS, keyed by build key; the meta row ACTIVE_KEY
    names the one served."""

    url: str
    _key: tuple[float, str | None] | None = None
    _builds: dict[str, dict] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def where(self) -> str:
        """The database, for messages."""
        return shown(self.url)

    def _active(self) -> str | None:
        """The active build key, read again at most every KEY_TTL_S."""
        with self._lock:
            known = self._key
        if known is not None and time.monotonic() - known[0] < KEY_TTL_S:
            return known[1]
        try:
            with connection(self.url, write=False) as conn:
                row = conn.exec_driver_sql(
                    "SELECT value FROM meta WHERE key = %s", (ACTIVE_KEY,)
                ).first()
        except ProgrammingError as exc:  # no tables yet: nothing is loaded
            if getattr(exc.orig, "sqlstate", None) != UNDEFINED_TABLE:
                raise
            row = None
        key = row[0] if row else None
        with self._lock:
            self._key = (time.monotonic(), key)
        return key

    def _build(self, key: str) -> dict:
        """One loaded build's report, load time and TopoJSON (kept in memory: a build never
        changes under its key)."""
        with self._lock:
            found = self._builds.get(key)
        if found is not None:
            return found
        with connection(self.url, write=False) as conn:
            row = conn.exec_driver_sql(
                "SELECT report, loaded_at, topojson, topojson_gz FROM shape_builds "
                "WHERE build_key = %s",
                (key,),
            ).one()
        found = {
            "report": json.loads(row[0]),
            "loaded_at": datetime.fromisoformat(row[1].replace("Z", "+00:00")),
            "topojson": bytes(row[2]),
            "topojson_gz": bytes(row[3]),
            "detail": {},  # province: (TopoJSON, gzip), read on first use
        }
        with self._lock:
            self._builds = {key: found}  # only the active build stays in memory
        return found

    def build_key(self) -> str:
        """The key of the build the database serves."""
        key = self._active()
        if key is None:
            raise GeoCoverageError(
                f"no shapes are loaded in the database {self.where}: run geo-coverage build"
            )
        return key

    def report(self) -> dict | None:
        """The served build's report."""
        key = self._active()
        return self._build(key)["report"] if key else None

    def is_built(self) -> bool:
        """Whether the database names a loaded build."""
        return self._active() is not None

    def built_at(self) -> datetime:
        """When the served build was loaded."""
        return self._build(self.build_key())["loaded_at"]

    def region(self) -> str | None:
        """The region in the served build's report."""
        report = self.report()
        return report.get("region", {}).get("key") if report else None

    def own_boundaries(self) -> dict | None:
        """The own boundary file in the served build's report."""
        report = self.report()
        return (report.get("source") or {}).get("own_boundaries") if report else None

    def topojson(self, gz: bool = False, province: str | None = None) -> bytes:
        """The served build's overview or a province's detail TopoJSON (or its gzip)."""
        build = self._build(self.build_key())
        if province is None:
            return build["topojson_gz" if gz else "topojson"]
        detail = build["detail"]
        if province not in detail:
            with connection(self.url, write=False) as conn:
                row = conn.exec_driver_sql(
                    "SELECT topojson, topojson_gz FROM shape_detail "
                    "WHERE build_key = %s AND province = %s",
                    (self.build_key(), province),
                ).first()
            if row is None:
                raise GeoCoverageError(
                    f"the shapes in {self.where} hold no detail of province {province}"
                )
            with self._lock:  # a build never changes under its key
                detail[province] = (bytes(row[0]), bytes(row[1]))
        return detail[province][1 if gz else 0]

    def read_layer(self, level: str, simplified: bool) -> gpd.GeoDataFrame:
        """One level's areas from PostGIS: their properties and geometry (WKB, exact)."""
        import geopandas as gpd
        import pandas as pd
        import shapely

        with connection(self.url, write=False) as conn:
            rows = conn.exec_driver_sql(
                "SELECT properties, ST_AsBinary(geom) FROM shape_areas WHERE build_key = %s "
                "AND level = %s AND simplified = %s ORDER BY kode",
                (self.build_key(), level, int(simplified)),
            ).all()
        frame = pd.DataFrame([json.loads(r[0]) for r in rows])
        geometry = shapely.from_wkb([bytes(r[1]) for r in rows])
        return gpd.GeoDataFrame(frame, geometry=list(geometry), crs="EPSG:4326")


def check_region(source: ShapeSource, region: Region) -> None:
    """GeoCoverageError when the shapes served were built for another region than the
    setting's."""
    built = source.region()
    if built != region.key:
        raise GeoCoverageError(
            f"the shapes in {source.where} were built for the region '{built}', but "
            f"{REGION_SETTING} is '{region.key}': run geo-coverage build (or point "
            "GEO_COVERAGE_SHAPES or GEO_COVERAGE_DATABASE_URL at a build of that region)"
        )


_DATABASES: dict[str, DatabaseShapes] = {}
_DATABASES_LOCK = threading.Lock()


def shape_source(settings: Settings) -> ShapeSource:
    """The shapes the settings name: the database's when GEO_COVERAGE_DATABASE_URL is set,
    else the shapes folder."""
    if not settings.database_url:
        return FolderShapes(settings.shapes)
    with _DATABASES_LOCK:
        found = _DATABASES.get(settings.database_url)
        if found is None:
            found = _DATABASES[settings.database_url] = DatabaseShapes(settings.database_url)
        return found
