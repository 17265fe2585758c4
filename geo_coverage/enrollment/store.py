"""The embedded enrollment store: a GeoPackage (SQLite) file with versioned enrollment rows.

Every import writes a complete new version (copy-on-write of the active rows it does not
replace) and activates it by updating one pointer in the same transaction. The file runs in
WAL mode, so readers keep a consistent snapshot and never see a half-written version.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from geo_coverage.enrollment.store_file import (
    StoreError,
    StoreState,
    connect,
    connect_reader,
    state,
    state_error,
    transaction,
    translated,
)

if TYPE_CHECKING:
    import pandas as pd

LOGGER = logging.getLogger(__name__)

SCHEMA_VERSION = "4"  # 2: evidence, provenance, uncertainty; 3: versioned targets; 4: districts
_MORE = re.compile(r"… and ([\d,]+) more warnings")
CHUNK_ROWS = 5000
REGENCY_CODE_CHARS = 5  # '73.71'; a district's code starts with its regency's ('73.71.01')
GPKG_APPLICATION_ID = 0x47504B47  # 'GPKG'
GPKG_USER_VERSION = 10400

_GPKG = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",'
   || '6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM['
   || '"Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY['
   || '"EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]',
   'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
"""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('sample', 'import')),
  file_name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  file_rows INTEGER NOT NULL,
  total_rows INTEGER NOT NULL,
  warnings TEXT NOT NULL,
  parent INTEGER REFERENCES versions(id));
CREATE TABLE IF NOT EXISTS enrollment (
  version INTEGER NOT NULL REFERENCES versions(id),
  kode TEXT NOT NULL,
  period TEXT NOT NULL,
  segment TEXT NOT NULL,
  potential_workers INTEGER CHECK (potential_workers >= 0),
  active_members INTEGER NOT NULL CHECK (active_members >= 0),
  source TEXT,
  data_source TEXT NOT NULL CHECK (data_source IN ('published', 'modelled')),
  PRIMARY KEY (version, kode, period, segment)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS activations (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  version INTEGER NOT NULL REFERENCES versions(id),
  previous INTEGER REFERENCES versions(id));
CREATE TABLE IF NOT EXISTS areas (
  kode TEXT PRIMARY KEY, nama TEXT NOT NULL, prov_kode TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('province', 'regency', 'district')), population INTEGER);
CREATE TABLE IF NOT EXISTS target_versions (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('builtin', 'import')),
  file_name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  file_rows INTEGER NOT NULL,
  total_rows INTEGER NOT NULL,
  warnings TEXT NOT NULL,
  parent INTEGER REFERENCES target_versions(id));
CREATE TABLE IF NOT EXISTS target_rows (
  version INTEGER NOT NULL REFERENCES target_versions(id),
  kode TEXT NOT NULL,
  year INTEGER NOT NULL,
  target_pct REAL NOT NULL CHECK (target_pct > 0 AND target_pct <= 100),
  source TEXT NOT NULL,
  PRIMARY KEY (version, kode, year)) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS targets AS
  SELECT substr(kode, 1, 2) AS prov_kode, kode, year, target_pct, source
  FROM target_rows WHERE version = (SELECT CAST(value AS INTEGER) FROM meta
                                    WHERE key = 'active_targets');
DROP TABLE IF EXISTS published;
CREATE TABLE IF NOT EXISTS evidence (
  line INTEGER PRIMARY KEY, kode TEXT NOT NULL, nama TEXT NOT NULL, level TEXT NOT NULL,
  period TEXT NOT NULL, metric TEXT NOT NULL, value TEXT NOT NULL, qualifier TEXT NOT NULL,
  consistency TEXT NOT NULL, basis TEXT NOT NULL, source TEXT NOT NULL, note TEXT NOT NULL,
  use TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS provenance (
  version INTEGER NOT NULL REFERENCES versions(id),
  kode TEXT NOT NULL, period TEXT NOT NULL, segment TEXT NOT NULL,
  members TEXT NOT NULL CHECK (members IN ('published', 'constrained', 'modelled')),
  potential TEXT NOT NULL CHECK (potential IN ('published', 'constrained', 'modelled')),
  coverage TEXT NOT NULL CHECK (coverage IN ('published', 'constrained', 'modelled')),
  coverage_low REAL, coverage_high REAL, model TEXT, evidence TEXT,
  PRIMARY KEY (version, kode, period, segment)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uncertainty (
  model TEXT PRIMARY KEY, logit_low REAL NOT NULL, logit_high REAL NOT NULL,
  comparisons INTEGER NOT NULL, description TEXT NOT NULL);
CREATE VIEW IF NOT EXISTS enrollment_active AS
  SELECT kode, period, segment, potential_workers, active_members, source, data_source
  FROM enrollment WHERE version = (SELECT CAST(value AS INTEGER) FROM meta
                                   WHERE key = 'active_version');
INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
  ('enrollment_active', 'attributes', 'enrollment_active', 'enrollment rows of the active version'),
  ('versions', 'attributes', 'versions', 'every stored version (imports and the sample)'),
  ('areas', 'attributes', 'areas', 'official provinces, regencies and districts of the region'),
  ('targets', 'attributes', 'targets',
   'coverage targets per province or regency and year (active version)'),
  ('evidence', 'attributes', 'evidence', 'published figures with their sources'),
  ('provenance', 'attributes', 'provenance',
   'per version: which figures are published, constrained by a published figure or modelled'),
  ('uncertainty', 'attributes', 'uncertainty',
   'how wrong a modelled coverage is likely to be, measured by leave-one-out');
"""

ROW_COLUMNS = (
    "kode",
    "period",
    "segment",
    "potential_workers",
    "active_members",
    "source",
    "data_source",
)


@dataclass(frozen=True)
class Version:
    """One stored version of the enrollment data."""

    id: int
    created_at: str
    kind: str
    file_name: str
    sha256: str
    file_rows: int
    total_rows: int
    warnings: list[str]
    parent: int | None

    @property
    def warning_count(self) -> int:
        """How many warnings the file had (a long list is stored cut, ending '… and N more')."""
        more = _MORE.search(self.warnings[-1]) if self.warnings else None
        return (
            len(self.warnings) - 1 + int(more.group(1).replace(",", ""))
            if more
            else len(self.warnings)
        )


@dataclass(frozen=True)
class Snapshot:
    """Everything the metrics need, read in one consistent transaction."""

    data_version: str
    active: int | None
    rows: pd.DataFrame
    areas: pd.DataFrame
    targets: pd.DataFrame
    provenance: pd.DataFrame
    uncertainty: pd.DataFrame


def utc_now() -> str:
    """UTC time as ISO 8601 with seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def initialise(path: Path) -> None:
    """Create the store file (a GeoPackage in WAL mode) and its tables if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    try:
        with translated(path):
            if conn.execute("PRAGMA application_id").fetchone()[0] == 0:
                conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
            conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    with transaction(path) as conn:
        # stores made before targets were versioned kept them in a table; the build re-imports
        # data/targets.csv as the first targets version
        if conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'targets' AND type = 'table'"
        ).fetchone():
            conn.execute("DROP TABLE targets")
        # stores made before districts were areas refuse them; the build writes the areas again
        if conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'areas' AND sql NOT LIKE '%district%'"
        ).fetchone():
            conn.execute("DROP TABLE areas")
        for statement in _statements(_GPKG + _SCHEMA):
            conn.execute(statement)
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('data_version', ?)", (new_tag(None),))
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('data_changed_at', ?)", (utc_now(),))


def _statements(script: str) -> list[str]:
    """Split a script of simple statements (no ';' inside literals at line ends)."""
    parts, current = [], []
    for line in script.splitlines():
        current.append(line)
        if line.rstrip().endswith(";") and sqlite3.complete_statement("\n".join(current)):
            parts.append("\n".join(current))
            current = []
    return [p for p in parts if p.strip()]


def new_tag(active: int | None) -> str:
    """A fresh data-version tag: the active version id and a random suffix."""
    return f"{active if active is not None else 0}-{uuid.uuid4().hex[:12]}"


def _new_data_version(conn: sqlite3.Connection, active: int | None) -> None:
    """Give the data a fresh version tag and record when it changed (inside a transaction)."""
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('data_version', ?)", (new_tag(active),))
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('data_changed_at', ?)", (utc_now(),))


def is_initialised(path: Path) -> bool:
    """Whether the store file exists and holds the store's tables and areas."""
    if not Path(path).is_file():
        return False
    try:
        conn = connect_reader(path)
        try:
            return conn.execute("SELECT count(*) FROM areas").fetchone()[0] > 0
        finally:
            conn.close()
    except (sqlite3.Error, StoreError):
        return False


def require(path: Path) -> None:
    """Raise a StoreError saying what is wrong (and how to build, update or restore the store)
    unless it can be read in this layout."""
    if not is_initialised(path):
        found = state(path)
        raise state_error(path, StoreState.NOT_BUILT) if found.readable else found.error()
    schema = get_meta(path, "schema_version")
    if schema != SCHEMA_VERSION:
        raise StoreError(
            f"the enrollment store {path} has the layout of an older geo_coverage (schema "
            f"{schema}, now {SCHEMA_VERSION}); run `geo-coverage build` to update it (its "
            "versions and imported data are kept)"
        )


def _active(conn: sqlite3.Connection) -> int | None:
    """The active version id inside a transaction."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'active_version'").fetchone()
    return int(row[0]) if row else None


def _set_active(conn: sqlite3.Connection, version: int, action: str, previous: int | None) -> None:
    """Point the store at a version and record the activation (inside a transaction)."""
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('active_version', ?)", (str(version),))
    _new_data_version(conn, version)
    conn.execute(
        "INSERT INTO activations (at, action, version, previous) VALUES (?, ?, ?, ?)",
        (utc_now(), action, version, previous),
    )


def get_meta(path: Path, key: str) -> str | None:
    """One value of the meta table, or None."""
    with transaction(path, write=False) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class DataVersion:
    """The active data's version tag and when it last changed (ISO 8601 UTC)."""

    tag: str
    changed_at: str


@dataclass
class _Watch:
    """A reader's open connection to one store file and what it last read there."""

    conn: sqlite3.Connection
    inode: tuple[int, int]
    stamp: tuple[int, int]
    counter: int
    version: DataVersion


_WATCHES = threading.local()
WATCHED_STORES_PER_THREAD = 8


def _read_version(conn: sqlite3.Connection, path: Path) -> DataVersion:
    """The tag and change time from the meta table (older stores: the last activation)."""
    meta = dict(
        conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('data_version', 'data_changed_at')"
        ).fetchall()
    )
    if "data_version" not in meta:
        raise StoreError(f"{path} is not an enrollment store")
    changed = meta.get("data_changed_at")
    if changed is None:
        row = conn.execute("SELECT max(at) FROM activations").fetchone()
        changed = (row and row[0]) or "1970-01-01T00:00:00Z"
    return DataVersion(meta["data_version"], changed)


def _open_watch(path: Path, inode: tuple[int, int], stamp: tuple[int, int]) -> _Watch:
    """A read-only connection to the store and its current version."""
    try:
        conn = connect_reader(path)
    except (sqlite3.DatabaseError, StoreError):
        require(path)
        raise
    try:
        counter = conn.execute("PRAGMA data_version").fetchone()[0]
        version = _read_version(conn, path)
    except (sqlite3.DatabaseError, StoreError):
        conn.close()
        require(path)
        raise StoreError(f"{path} is not an enrollment store") from None
    return _Watch(conn, inode, stamp, counter, version)


def current_version(path: Path) -> DataVersion:
    """The store's data version, re-read only when another connection has committed.

    Each thread keeps one read-only connection per store file; SQLite's `PRAGMA data_version`
    (a change counter, no file read) says whether anything was committed since the last look;
    the file's inode, size and time whether it was replaced or rewritten behind SQLite's back.
    """
    try:
        stat = path.stat()
    except OSError:
        require(path)
        raise
    inode, stamp = (stat.st_dev, stat.st_ino), (stat.st_mtime_ns, stat.st_size)
    watches: OrderedDict[Path, _Watch] = getattr(_WATCHES, "stores", None) or OrderedDict()
    _WATCHES.stores = watches
    watch = watches.get(path)
    if watch is not None and (watch.inode, watch.stamp) == (inode, stamp):
        counter = watch.conn.execute("PRAGMA data_version").fetchone()[0]
        if counter != watch.counter:
            watch.counter = counter
            watch.version = _read_version(watch.conn, path)
        watches.move_to_end(path)
        return watch.version
    if watch is not None:  # a new file, or written behind SQLite's back: read it afresh
        watch.conn.close()
    watches[path] = watch = _open_watch(path, inode, stamp)
    while len(watches) > WATCHED_STORES_PER_THREAD:
        watches.popitem(last=False)[1].conn.close()
    return watch.version


def data_version(path: Path) -> str:
    """The tag that changes whenever the active data or the reference tables change."""
    if not Path(path).is_file():
        require(path)
    return current_version(path).tag


def plain_value(value):
    """A Python value for SQLite: pandas NA to None, numpy ints to int."""
    import pandas as pd  # loaded on first use: the web app's health check needs none of it

    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def _write_chunk(conn: sqlite3.Connection, version: int, chunk: Sequence[tuple]) -> None:
    """Insert one chunk of rows of a version."""
    conn.executemany(
        "INSERT INTO enrollment VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(version, *row) for row in chunk]
    )


def row_tuples(rows: pd.DataFrame) -> list[tuple]:
    """Rows as tuples in ROW_COLUMNS order with plain Python values."""
    return [
        tuple(plain_value(v) for v in rec)
        for rec in rows.loc[:, list(ROW_COLUMNS)].itertuples(index=False, name=None)
    ]


class ChunkedDraft:
    """What both stores' drafts share: rows are buffered and written in chunks, and the
    (kode, period) pairs and the regencies given by their districts are noted as they come."""

    def __init__(self, version: int, active: int | None, kind: str):
        self.id, self._active, self._kind = version, active, kind
        self._chunk: list[tuple] = []
        self._touched: set[tuple[str, str]] = set()  # (kode, period): at most areas × periods
        self._summed: set[tuple[str, str, str]] = set()  # regencies given by their districts
        self.rows_written = 0
        self.created: Version | None = None

    def add(self, row: tuple) -> None:
        """Add one row (values in ROW_COLUMNS order); written with the next full chunk."""
        self._chunk.append(row)
        self._touched.add((row[0], row[1]))
        if len(row[0]) > REGENCY_CODE_CHARS:
            self._summed.add((row[0][:REGENCY_CODE_CHARS], row[1], row[2]))
        if len(self._chunk) >= CHUNK_ROWS:
            self._flush()

    def _flush(self) -> None:
        """Write the rows added since the last chunk."""
        if self._chunk:
            self._write(self._chunk)
            self.rows_written += len(self._chunk)
            self._chunk = []

    def _write(self, rows: list[tuple]) -> None:
        """Write some rows of this version (each store its own way)."""
        raise NotImplementedError


class Draft(ChunkedDraft):
    """A version being written inside an open transaction of the GeoPackage store."""

    def __init__(self, conn: sqlite3.Connection, version: int, active: int | None, kind: str):
        super().__init__(version, active, kind)
        self._conn = conn

    def _write(self, rows: list[tuple]) -> None:
        """Insert the rows."""
        _write_chunk(self._conn, self.id, rows)

    def finish(
        self,
        *,
        sha256: str,
        file_rows: int,
        warnings: Iterable[str],
        replace_all: bool = False,
        provenance: pd.DataFrame | None = None,
    ) -> Version:
        """Complete the version: keep the untouched active rows (none if replace_all) and their
        provenance (or store the given provenance), record the file's checksum, rows and
        warnings, and activate it (committed when the draft's block ends)."""
        self._flush()
        conn = self._conn
        if self._active is not None and not replace_all:
            conn.execute(
                "INSERT OR IGNORE INTO enrollment SELECT ?, kode, period, segment, "
                "potential_workers, active_members, source, data_source FROM enrollment "
                "WHERE version = ?",
                (self.id, self._active),
            )
            for statement, rows in replaced_by_rollup(self.id, self._summed, "?"):
                conn.executemany(statement, rows)
        if provenance is not None:
            _write_provenance(conn, self.id, provenance)
        elif self._active is not None and not replace_all:
            _carry_provenance(conn, self.id, self._active, self._touched)
        total = conn.execute(
            "SELECT count(*) FROM enrollment WHERE version = ?", (self.id,)
        ).fetchone()[0]
        conn.execute(
            "UPDATE versions SET sha256 = ?, file_rows = ?, total_rows = ?, warnings = ? "
            "WHERE id = ?",
            (sha256, file_rows, total, json.dumps(list(warnings), ensure_ascii=False), self.id),
        )
        _set_active(conn, self.id, self._kind, self._active)
        row = conn.execute("SELECT * FROM versions WHERE id = ?", (self.id,)).fetchone()
        self.created = version_from_row(row)
        return self.created


def replaced_by_rollup(
    version: int, summed: set[tuple[str, str, str]], mark: str
) -> list[tuple[str, list[tuple]]]:
    """The statements (with their parameter rows; `mark` is the driver's placeholder) that
    remove from a new version the copied rows a file's rows replace beyond their own key: a
    regency's row where the file gives its districts (`summed`: regency, period, segment), and
    its districts' rows where the file gives the regency's own row (enrollment.rollup)."""
    regency_rows = (
        f"DELETE FROM enrollment WHERE version = {mark} AND kode = {mark} AND period = {mark} "
        f"AND segment = {mark}",
        [(version, *key) for key in sorted(summed)],
    )
    district_rows = (
        f"DELETE FROM enrollment WHERE version = {mark} AND length(kode) > "
        f"{REGENCY_CODE_CHARS} AND EXISTS (SELECT 1 FROM enrollment r WHERE r.version = "
        f"enrollment.version AND r.kode = substr(enrollment.kode, 1, {REGENCY_CODE_CHARS}) "
        "AND r.period = enrollment.period AND r.segment = enrollment.segment)",
        [(version,)],
    )
    return [regency_rows, district_rows] if summed else [district_rows]


@contextmanager
def draft_version(path: Path, *, kind: str, file_name: str) -> Iterator[Draft]:
    """A new version written in one transaction: committed and active if the block calls
    `finish` and ends normally; rolled back, leaving the store as it was, on any error."""
    require(path)
    with transaction(path) as conn:
        active = _active(conn)
        cur = conn.execute(
            "INSERT INTO versions (created_at, kind, file_name, sha256, file_rows, total_rows, "
            "warnings, parent) VALUES (?, ?, ?, '', 0, 0, '[]', ?)",
            (utc_now(), kind, file_name, active),
        )
        draft = Draft(conn, int(cur.lastrowid or 0), active, kind)
        yield draft
        if draft.created is None:
            raise StoreError(f"version {draft.id} of {file_name} was not finished; not stored")
    LOGGER.debug(
        f"stored version {draft.id} ({file_name}): {draft.rows_written} rows from the file, "
        f"{draft.created.total_rows} rows in all"
    )


PROVENANCE_COLUMNS = (
    "kode",
    "period",
    "segment",
    "members",
    "potential",
    "coverage",
    "coverage_low",
    "coverage_high",
    "model",
    "evidence",
)


def _write_provenance(conn: sqlite3.Connection, version: int, frame: pd.DataFrame) -> None:
    """Insert a version's provenance records."""
    marks = ", ".join("?" * (len(PROVENANCE_COLUMNS) + 1))
    conn.executemany(
        f"INSERT INTO provenance (version, {', '.join(PROVENANCE_COLUMNS)}) VALUES ({marks})",
        [
            (version, *(plain_value(v) for v in rec))
            for rec in frame.loc[:, list(PROVENANCE_COLUMNS)].itertuples(index=False, name=None)
        ],
    )


def _carry_provenance(
    conn: sqlite3.Connection, version: int, parent: int, touched: set[tuple[str, str]]
) -> None:
    """Copy the parent's provenance of every area and period no new row falls in."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS touched (kode TEXT, period TEXT)")
    conn.execute("DELETE FROM touched")
    conn.executemany("INSERT INTO touched VALUES (?, ?)", sorted(touched))
    conn.execute(
        f"INSERT INTO provenance (version, {', '.join(PROVENANCE_COLUMNS)}) "
        f"SELECT ?, {', '.join('p.' + c for c in PROVENANCE_COLUMNS)} FROM provenance p "
        "WHERE p.version = ? AND NOT EXISTS (SELECT 1 FROM touched t WHERE "
        "t.period = p.period AND (t.kode = p.kode OR t.kode LIKE p.kode || '.%' "
        "OR p.kode NOT GLOB '[0-9]*'))",
        (version, parent),
    )
    conn.execute("DELETE FROM touched")


def version_from_row(row: tuple) -> Version:
    """A Version from a versions-table row."""
    vid, created, kind, name, sha, file_rows, total, warnings, parent = row
    return Version(vid, created, kind, name, sha, file_rows, total, json.loads(warnings), parent)


def activate(path: Path, version: int | None = None) -> tuple[int, Version]:
    """Re-activate a stored version (default: the parent of the active one); recorded.

    Returns the version that was active before and the one active now.
    """
    require(path)
    with transaction(path) as conn:
        active = _active(conn)
        if active is None:
            raise StoreError("the store holds no versions; nothing to roll back")
        if version is None:
            version = conn.execute(
                "SELECT parent FROM versions WHERE id = ?", (active,)
            ).fetchone()[0]
            if version is None:
                raise StoreError(
                    f"version {active} is the first version; there is no earlier "
                    "version to roll back to"
                )
        row = conn.execute("SELECT * FROM versions WHERE id = ?", (version,)).fetchone()
        if row is None:
            known = [r[0] for r in conn.execute("SELECT id FROM versions ORDER BY id")]
            raise StoreError(f"there is no version {version}; stored versions: {known}")
        _set_active(conn, version, "rollback", active)
    return active, version_from_row(row)


def versions(path: Path) -> tuple[list[Version], int | None]:
    """Every stored version (oldest first) and the active version id."""
    require(path)
    with transaction(path, write=False) as conn:
        rows = conn.execute("SELECT * FROM versions ORDER BY id").fetchall()
        active = _active(conn)
    return [version_from_row(r) for r in rows], active


def active_keys(path: Path) -> set[tuple[str, str]]:
    """The (kode, period) pairs with rows in the active version."""
    with transaction(path, write=False) as conn:
        return set(
            conn.execute(
                "SELECT DISTINCT kode, period FROM enrollment WHERE version = "
                "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'active_version')"
            )
        )


EVIDENCE_COLUMNS = (
    "line",
    "kode",
    "nama",
    "level",
    "period",
    "metric",
    "value",
    "qualifier",
    "consistency",
    "basis",
    "source",
    "note",
    "use",
)
UNCERTAINTY_COLUMNS = ("model", "logit_low", "logit_high", "comparisons", "description")


def write_reference(
    path: Path,
    areas: pd.DataFrame,
    evidence: pd.DataFrame,
    uncertainty: pd.DataFrame,
) -> None:
    """Replace the areas, evidence and uncertainty tables in one transaction; the
    data version changes."""
    tables = {
        "areas": (areas, ("kode", "nama", "prov_kode", "level", "population")),
        "evidence": (evidence, EVIDENCE_COLUMNS),
        "uncertainty": (uncertainty, UNCERTAINTY_COLUMNS),
    }
    with transaction(path) as conn:
        for table, (frame, cols) in tables.items():
            conn.execute(f"DELETE FROM {table}")
            marks = ", ".join("?" * len(cols))
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
                [
                    tuple(plain_value(v) for v in r)
                    for r in frame.loc[:, list(cols)].itertuples(index=False, name=None)
                ],
            )
        bump_data_version(conn)


def bump_data_version(conn: sqlite3.Connection) -> None:
    """Give the data a new version tag (inside a transaction), so every cache key changes."""
    _new_data_version(conn, _active(conn))


def set_meta(path: Path, key: str, value: str) -> None:
    """Set one value of the meta table."""
    with transaction(path) as conn:
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


FRAMES = {
    "rows": (
        "SELECT kode, period, segment, potential_workers, active_members, source, "
        "data_source FROM enrollment WHERE version = ? ORDER BY period, kode, segment",
        {
            "kode": "string",
            "period": "string",
            "segment": "string",
            "potential_workers": "Int64",
            "active_members": "Int64",
            "source": "string",
            "data_source": "string",
        },
    ),
    "areas": (
        "SELECT kode, nama, prov_kode, level, population FROM areas ORDER BY kode",
        {
            "kode": "string",
            "nama": "string",
            "prov_kode": "string",
            "level": "string",
            "population": "Int64",
        },
    ),
    "targets": (
        "SELECT prov_kode, kode, year, target_pct, source FROM targets ORDER BY kode, year",
        {
            "prov_kode": "string",
            "kode": "string",
            "year": "int64",
            "target_pct": "float64",
            "source": "string",
        },
    ),
    "provenance": (
        f"SELECT {', '.join(PROVENANCE_COLUMNS)} FROM provenance WHERE version = ? "
        "ORDER BY period, kode, segment",
        {
            "kode": "string",
            "period": "string",
            "segment": "string",
            "members": "string",
            "potential": "string",
            "coverage": "string",
            "coverage_low": "Float64",
            "coverage_high": "Float64",
            "model": "string",
            "evidence": "string",
        },
    ),
    "uncertainty": (
        f"SELECT {', '.join(UNCERTAINTY_COLUMNS)} FROM uncertainty ORDER BY model",
        {
            "model": "string",
            "logit_low": "float64",
            "logit_high": "float64",
            "comparisons": "int64",
            "description": "string",
        },
    ),
    "evidence": (
        f"SELECT {', '.join(EVIDENCE_COLUMNS)} FROM evidence ORDER BY line",
        {"line": "int64", **{c: "string" for c in EVIDENCE_COLUMNS[1:]}},
    ),
}


def _read(conn: sqlite3.Connection, name: str, params: tuple = ()) -> pd.DataFrame:
    """One of the snapshot's frames, typed."""
    import pandas as pd

    sql, dtypes = FRAMES[name]
    frame = pd.DataFrame(conn.execute(sql, params).fetchall(), columns=list(dtypes))
    return frame.astype(dtypes)


def read_areas(path: Path) -> pd.DataFrame:
    """The areas table (kode, nama, prov_kode, level, population)."""
    require(path)
    with transaction(path, write=False) as conn:
        return _read(conn, "areas")


def read_snapshot(path: Path) -> Snapshot:
    """The active rows and provenance with areas, targets and uncertainty, from one read
    transaction."""
    require(path)
    with transaction(path, write=False) as conn:
        tag = conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0]
        active = _active(conn)
        version = (active if active is not None else -1,)
        rows = _read(conn, "rows", version)
        provenance = _read(conn, "provenance", version)
        frames = {name: _read(conn, name) for name in ("areas", "targets", "uncertainty")}
    return Snapshot(tag, active, rows, provenance=provenance, **frames)


def read_evidence(path: Path) -> pd.DataFrame:
    """The published figures as stored, in file order, with how the sample uses each."""
    require(path)
    with transaction(path, write=False) as conn:
        return _read(conn, "evidence")


def is_store_built(path: Path) -> bool:
    """Whether the store exists in the current layout with its reference tables and at least
    one version (an older layout is rebuilt by the commands that build a missing store)."""
    return (
        is_initialised(path)
        and get_meta(path, "active_version") is not None
        and get_meta(path, "schema_version") == SCHEMA_VERSION
    )
