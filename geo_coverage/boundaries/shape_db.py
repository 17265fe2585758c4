"""Loading a build's shapes into PostGIS (the build side of shape_source.DatabaseShapes): the
report, the overview and every province's detail TopoJSON and every level's full and display
geometry, under the build's key; the meta row then names that build, in the same transaction,
so instances switch at once.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from geo_coverage.boundaries.shape_source import ACTIVE_KEY, FolderShapes
from geo_coverage.boundaries.shapes import (
    DISPLAY_GPKG,
    DISPLAY_TOPOJSON,
    built_provinces,
    read_report,
)
from geo_coverage.database.engine import connection, shown
from geo_coverage.database.migrate import upgrade
from geo_coverage.errors import BuildError
from geo_coverage.region import BOUNDARY_LEVELS, LAYER_NAMES

LOGGER = logging.getLogger(__name__)


def _json_value(value):
    """A property as JSON: numpy scalars as Python numbers, missing values as null."""
    if value is None or value != value:  # NaN
        return None
    return value.item() if hasattr(value, "item") else value


def load_shapes(url: str, folder: Path, progress=LOGGER.info) -> bool:
    """Load the build in a shapes folder into the database unless its key is there already,
    and make it the one served. True if anything was written."""
    import pyogrio

    report = read_report(folder)
    if report is None:
        raise BuildError([f"no complete build in {folder} to load into {shown(url)}"])
    key = report["build_key"]
    upgrade(url)
    source = FolderShapes(folder)
    with connection(url) as conn:
        known = conn.exec_driver_sql(
            "SELECT 1 FROM shape_builds WHERE build_key = %s", (key,)
        ).first()
        active = conn.exec_driver_sql(
            "SELECT value FROM meta WHERE key = %s", (ACTIVE_KEY,)
        ).first()
        if known and active and active[0] == key:
            progress(f"shapes {key[:12]} are already served from {shown(url)}; nothing to do")
            return False
        if not known:
            conn.exec_driver_sql(
                "INSERT INTO shape_builds VALUES (%s, %s, %s, %s, %s)",
                (
                    key,
                    time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    json.dumps(report, ensure_ascii=False),
                    source.topojson(),
                    source.topojson(gz=True),
                ),
            )
            for province in built_provinces(report):
                conn.exec_driver_sql(
                    "INSERT INTO shape_detail VALUES (%s, %s, %s, %s)",
                    (
                        key,
                        province,
                        source.topojson(province=province),
                        source.topojson(gz=True, province=province),
                    ),
                )
            display = {name for name, _ in pyogrio.list_layers(folder / DISPLAY_GPKG)}
            count = 0
            for level in BOUNDARY_LEVELS:
                for simplified in (False, True):
                    if simplified and LAYER_NAMES[level] not in display:
                        continue
                    frame = source.read_layer(level, simplified)
                    props = frame.drop(columns=frame.geometry.name)
                    rows = [
                        (
                            key,
                            level,
                            int(simplified),
                            str(record["kode"]),
                            json.dumps(
                                {k: _json_value(v) for k, v in record.items()},
                                ensure_ascii=False,
                            ),
                            geom.wkb,
                        )
                        for record, geom in zip(
                            props.to_dict("records"), frame.geometry, strict=True
                        )
                    ]
                    conn.exec_driver_sql(
                        "INSERT INTO shape_areas VALUES (%s, %s, %s, %s, %s, "
                        "ST_GeomFromWKB(%s, 4326))",
                        rows,
                    )
                    count += len(rows)
            progress(f"loaded {count} areas of shapes {key[:12]} into {shown(url)}")
        conn.exec_driver_sql(
            "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
            "SET value = EXCLUDED.value",
            (ACTIVE_KEY, key),
        )
        # earlier builds are kept only while nothing names them
        conn.exec_driver_sql("DELETE FROM shape_builds WHERE build_key <> %s", (key,))
    progress(
        f"{shown(url)} serves shapes {key[:12]} ({DISPLAY_TOPOJSON}, the provinces' detail "
        "and every level)"
    )
    return True
