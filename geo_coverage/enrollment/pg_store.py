"""The shared back end: the enrollment store in PostgreSQL (GEO_COVERAGE_DATABASE_URL), for
several app instances on one database.

The same tables as the GeoPackage, created by the Alembic migrations. A version (or a targets
version, or the reference tables) is written and activated in one transaction that changes the
pointer and the data version together; readers read in one REPEATABLE READ snapshot, so they
see one version whole. Writers take one advisory lock: a second import waits up to
LOCK_WAIT_S and is then told who holds the store and since when. Each process re-reads the
data version at most every VERSION_TTL_S, so another instance's import is served within that.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from geo_coverage.database import migrate
from geo_coverage.database.engine import DatabaseUnavailable, connection, dispose, shown
from geo_coverage.enrollment.backend import Store, actor
from geo_coverage.enrollment.store import (
    EVIDENCE_COLUMNS,
    FRAMES,
    PROVENANCE_COLUMNS,
    ROW_COLUMNS,
    UNCERTAINTY_COLUMNS,
    ChunkedDraft,
    DataVersion,
    Snapshot,
    Version,
    new_tag,
    plain_value,
    replaced_by_rollup,
    utc_now,
    version_from_row,
)
from geo_coverage.enrollment.store_file import (
    DiskFull,
    StoreError,
    StoreLocked,
    StoreReadOnly,
    StoreState,
    StoreStatus,
)
from geo_coverage.enrollment.target_store import ACTIVE_KEY, TargetVersion, target_from_row

if TYPE_CHECKING:
    import pandas as pd

LOGGER = logging.getLogger(__name__)

WRITE_LOCK = 0x67656F5F7374  # advisory lock every writer of the store takes
LOCK_WAIT_S = 10.0  # how long a second writer waits before it is told who holds the store
VERSION_TTL_S = 0.5  # at most this stale: the data version is re-read after it
_APP_NAME_BYTES = 63  # PostgreSQL keeps this much of application_name


class StoreUnreachable(StoreError):
    """The database cannot be reached."""

    status = 503


def _sql(text: str) -> str:
    """An SQLite statement of store.py with psycopg's placeholders."""
    return text.replace("?", "%s")


class PostgresStore(Store):
    """The enrollment store in a PostgreSQL database."""

    kind = "postgis"
    _instances: dict[str, PostgresStore] = {}
    _instances_lock = threading.Lock()

    def __init__(self, url: str):
        self.url = url
        self.location = shown(url)
        self.lock_wait = LOCK_WAIT_S
        self._seen: tuple[float, DataVersion] | None = None
        self._seen_lock = threading.Lock()
        self._schema_ok = False
        self._ready = False

    def __repr__(self) -> str:
        return f"PostgresStore({self.location})"

    @classmethod
    def for_url(cls, url: str) -> PostgresStore:
        """The process's store for a database URL (one per URL: it keeps the version cache)."""
        with cls._instances_lock:
            found = cls._instances.get(url)
            if found is None:
                found = cls._instances[url] = cls(url)
            return found

    @classmethod
    def forget(cls, url: str) -> None:
        """Drop the process's store and pooled connections for a URL (before the database is
        dropped)."""
        with cls._instances_lock:
            cls._instances.pop(url, None)
        dispose(url)

    # --- connections and errors -------------------------------------------------------------

    @contextmanager
    def _transaction(self, write: bool = True) -> Iterator[Connection]:
        """One transaction; PostgreSQL's errors become StoreErrors that say what happened."""
        try:
            with connection(self.url, write=write) as conn:
                yield conn
        except DatabaseUnavailable as exc:
            raise StoreUnreachable(str(exc)) from exc
        except DBAPIError as exc:
            error = self._error_for(exc)
            if error is None:
                raise
            raise error from exc
        if write:
            self._forget_version()

    def _error_for(self, exc: DBAPIError) -> StoreError | None:
        """The StoreError that explains a database error, or None."""
        code = getattr(exc.orig, "sqlstate", None) or ""
        where = f"the enrollment database {self.location}"
        if code in ("25006", "42501"):
            return StoreReadOnly(
                f"{where} is read-only ({str(exc.orig).strip().splitlines()[0]}): nothing was "
                "changed; imports and rollbacks need a read-write connection with INSERT and "
                "UPDATE rights"
            )
        if code in ("53100", "53200"):
            return DiskFull(
                f"the database server's disk is full: nothing was changed ({where}); free some "
                "space and try again"
            )
        if code == "42P01":
            return StoreError(
                f"{where} has no enrollment tables yet; run `geo-coverage build` (or "
                "`geo-coverage db upgrade`)"
            )
        return None

    def _lock(self, conn: Connection, what: str) -> None:
        """Take the store's write lock for this transaction, waiting up to lock_wait; then
        StoreLocked says who holds it and since when."""
        name = f"geo-coverage: {what} by {actor()}".encode()[:_APP_NAME_BYTES]
        conn.exec_driver_sql(
            "SELECT set_config('application_name', %s, true)",
            (name.decode("utf-8", "ignore"),),
        )
        deadline = time.monotonic() + self.lock_wait
        while True:
            got = conn.exec_driver_sql(
                "SELECT pg_try_advisory_xact_lock(%s)", (WRITE_LOCK,)
            ).scalar()
            if got:
                return
            if time.monotonic() >= deadline:
                raise StoreLocked(self._locked_message(conn))
            time.sleep(0.05)

    def _holder(self, conn: Connection) -> tuple[str, str] | None:
        """Who holds the write lock (their application name) and since when, or None."""
        row = conn.exec_driver_sql(
            "SELECT a.application_name, to_char(a.xact_start AT TIME ZONE 'UTC', "
            '\'YYYY-MM-DD"T"HH24:MI:SS"Z"\') FROM pg_locks l JOIN pg_stat_activity a '
            "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND "
            "l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND ((l.classid::bigint << 32) | l.objid::bigint) = %s",
            (WRITE_LOCK,),
        ).first()
        return (str(row[0]), str(row[1])) if row else None

    def _locked_message(self, conn: Connection) -> str:
        """Why a write could not start: another import is in progress, by whom, since when."""
        holder = self._holder(conn)
        who = (
            f" ({holder[0].removeprefix('geo-coverage: ')}, started at {holder[1]})"
            if holder
            else ""
        )
        return (
            f"another import is in progress{who} in {self.location}: nothing was changed; "
            "try again when it has finished"
        )

    # --- state ------------------------------------------------------------------------------

    def _check_schema(self) -> None:
        """Raise a StoreError unless the database has this code's schema."""
        if self._schema_ok:
            return
        try:
            found = migrate.revision(self.url)
        except DatabaseUnavailable as exc:
            raise StoreUnreachable(str(exc)) from exc
        if found is None:
            raise StoreError(
                f"the enrollment database {self.location} is not built yet; run "
                "`geo-coverage build` (with --mirror DIR to use a local mirror)"
            )
        if found != migrate.head():
            raise StoreError(
                f"the enrollment database {self.location} has the schema of another "
                f"geo_coverage (revision {found}, this one needs {migrate.head()}); run "
                "`geo-coverage db upgrade`"
            )
        self._schema_ok = True

    def status(self) -> StoreStatus:
        """Whether the database is unreachable, not built, ok, read-only or locked."""
        try:
            found = migrate.revision(self.url)
        except DatabaseUnavailable as exc:
            return StoreStatus(self.location, StoreState.UNREADABLE, str(exc))  # type: ignore[arg-type]
        status = self._status_of(found)
        return StoreStatus(self.location, *status)  # type: ignore[arg-type]

    def _status_of(self, revision: str | None) -> tuple[StoreState, str]:
        """The state and its detail, once the server answered."""
        if revision is None:
            return StoreState.NOT_BUILT, "no tables yet"
        if revision != migrate.head():
            return StoreState.NOT_BUILT, f"schema {revision}, now {migrate.head()}"
        with connection(self.url, write=False) as conn:
            areas = conn.exec_driver_sql("SELECT count(*) FROM areas").scalar()
            active = conn.exec_driver_sql(
                "SELECT value FROM meta WHERE key = 'active_version'"
            ).first()
            if not areas or active is None:
                return StoreState.NOT_BUILT, "no areas or no version stored"
            writable = conn.exec_driver_sql(
                "SELECT NOT pg_is_in_recovery() AND has_table_privilege('versions', 'INSERT') "
                "AND has_table_privilege('meta', 'UPDATE')"
            ).scalar()
            if not writable:
                return StoreState.READ_ONLY, "a read-only connection, or no INSERT/UPDATE rights"
            holder = self._holder(conn)
        if holder is not None:
            return StoreState.LOCKED, f"{holder[0]}, started at {holder[1]}"
        return StoreState.OK, ""

    def require(self) -> None:
        """Raise a StoreError saying what is wrong unless the store can be read: the schema of
        this code and the reference tables (checked once per process, then remembered)."""
        if self._ready:
            return
        self._check_schema()
        with self._transaction(write=False) as conn:
            areas = conn.exec_driver_sql("SELECT count(*) FROM areas").scalar()
        if not areas:
            raise StoreError(
                f"the enrollment database {self.location} is not built yet; run "
                "`geo-coverage build` (with --mirror DIR to use a local mirror)"
            )
        self._ready = True

    def is_built(self) -> bool:
        """Whether the database holds the current schema, the areas and an active version."""
        try:
            if migrate.revision(self.url) != migrate.head():
                return False
            with connection(self.url, write=False) as conn:
                areas = conn.exec_driver_sql("SELECT count(*) FROM areas").scalar()
                active = conn.exec_driver_sql(
                    "SELECT 1 FROM meta WHERE key = 'active_version'"
                ).first()
        except DatabaseUnavailable:
            return False
        return bool(areas) and active is not None

    def initialise(self) -> None:
        """Bring the database to the current schema and give it a data version."""
        try:
            migrate.upgrade(self.url)
        except DatabaseUnavailable as exc:
            raise StoreUnreachable(str(exc)) from exc
        self._schema_ok = self._ready = False
        with self._transaction() as conn:
            for key, value in (("data_version", new_tag(None)), ("data_changed_at", utc_now())):
                conn.exec_driver_sql(
                    "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO NOTHING", (key, value)
                )

    # --- meta and versions ------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """One value of the meta table, or None."""
        with self._transaction(write=False) as conn:
            row = conn.exec_driver_sql("SELECT value FROM meta WHERE key = %s", (key,)).first()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Set one value of the meta table."""
        with self._transaction() as conn:
            _put_meta(conn, key, value)

    def current_version(self) -> DataVersion:
        """The data version, read again at most every VERSION_TTL_S (and after own writes)."""
        with self._seen_lock:
            seen = self._seen
        if seen is not None and time.monotonic() - seen[0] < VERSION_TTL_S:
            return seen[1]
        self._check_schema()
        with self._transaction(write=False) as conn:
            meta: dict[str, str] = dict(
                conn.exec_driver_sql(
                    "SELECT key, value FROM meta WHERE key IN ('data_version', 'data_changed_at')"
                ).all()
            )
        if "data_version" not in meta:
            raise StoreError(f"the enrollment database {self.location} is not built yet")
        found = DataVersion(meta["data_version"], meta.get("data_changed_at") or utc_now())
        with self._seen_lock:
            self._seen = (time.monotonic(), found)
        return found

    def _forget_version(self) -> None:
        """Read the data version afresh next time (after this process wrote)."""
        with self._seen_lock:
            self._seen = None

    @contextmanager
    def draft_version(self, *, kind: str, file_name: str) -> Iterator[PostgresDraft]:
        """A new version written in one transaction under the write lock."""
        self.require()
        with self._transaction() as conn:
            self._lock(conn, f"{kind} of {file_name}")
            active = _active(conn, "active_version")
            version = conn.exec_driver_sql(  # numbered as in SQLite: no gap after a failure
                "INSERT INTO versions (id, created_at, kind, file_name, sha256, file_rows, "
                "total_rows, warnings, parent) SELECT coalesce(max(id), 0) + 1, %s, %s, %s, "
                "'', 0, 0, '[]', %s FROM versions RETURNING id",
                (utc_now(), kind, file_name, active),
            ).scalar_one()
            draft = PostgresDraft(conn, int(version), active, kind)
            yield draft
            if draft.created is None:
                raise StoreError(f"version {draft.id} of {file_name} was not finished; not stored")
        LOGGER.debug(
            f"stored version {draft.id} ({file_name}) in {self.location}: {draft.rows_written} "
            f"rows from the file, {draft.created.total_rows} rows in all"
        )

    def activate(self, version: int | None = None) -> tuple[int, Version]:
        """Re-activate a stored version (default: the active one's parent); recorded."""
        self.require()
        with self._transaction() as conn:
            self._lock(conn, "rollback")
            active = _active(conn, "active_version")
            if active is None:
                raise StoreError("the store holds no versions; nothing to roll back")
            if version is None:
                version = conn.exec_driver_sql(
                    "SELECT parent FROM versions WHERE id = %s", (active,)
                ).scalar()
                if version is None:
                    raise StoreError(
                        f"version {active} is the first version; there is no earlier "
                        "version to roll back to"
                    )
            row = conn.exec_driver_sql("SELECT * FROM versions WHERE id = %s", (version,)).first()
            if row is None:
                known = [r[0] for r in conn.exec_driver_sql("SELECT id FROM versions ORDER BY id")]
                raise StoreError(f"there is no version {version}; stored versions: {known}")
            _set_active(conn, version, "rollback", active)
        return active, version_from_row(tuple(row))

    def versions(self) -> tuple[list[Version], int | None]:
        """Every stored version (oldest first) and the active version id."""
        self.require()
        with self._transaction(write=False) as conn:
            rows = conn.exec_driver_sql("SELECT * FROM versions ORDER BY id").all()
            active = _active(conn, "active_version")
        return [version_from_row(tuple(r)) for r in rows], active

    def active_keys(self) -> set[tuple[str, str]]:
        """The (kode, period) pairs with rows in the active version."""
        with self._transaction(write=False) as conn:
            return {
                (r[0], r[1])
                for r in conn.exec_driver_sql(
                    "SELECT DISTINCT kode, period FROM enrollment_active"
                ).all()
            }

    # --- reference tables and reads -----------------------------------------------------------

    def write_reference(
        self, areas: pd.DataFrame, evidence: pd.DataFrame, uncertainty: pd.DataFrame
    ) -> None:
        """Replace the areas, evidence and uncertainty in one transaction; the data version
        changes."""
        tables = {
            "areas": (areas, ("kode", "nama", "prov_kode", "level", "population")),
            "evidence": (evidence, EVIDENCE_COLUMNS),
            "uncertainty": (uncertainty, UNCERTAINTY_COLUMNS),
        }
        with self._transaction() as conn:
            self._lock(conn, "reference tables")
            for table, (frame, cols) in tables.items():
                conn.exec_driver_sql(f"DELETE FROM {table}")
                _copy(conn, table, cols, _tuples(frame, cols))
            _new_data_version(conn)

    def _read(self, conn: Connection, name: str, params: tuple = ()) -> pd.DataFrame:
        """One of the snapshot's frames, typed."""
        import pandas as pd

        sql, dtypes = FRAMES[name]
        rows = conn.exec_driver_sql(_sql(sql), params).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=list(dtypes))
        return frame.astype(dtypes)

    def read_areas(self) -> pd.DataFrame:
        """The areas table."""
        self.require()
        with self._transaction(write=False) as conn:
            return self._read(conn, "areas")

    def read_snapshot(self) -> Snapshot:
        """The active rows and provenance with areas, targets and uncertainty, from one
        REPEATABLE READ transaction (one version, whole)."""
        self.require()
        with self._transaction(write=False) as conn:
            tag = conn.exec_driver_sql(
                "SELECT value FROM meta WHERE key = 'data_version'"
            ).scalar_one()
            active = _active(conn, "active_version")
            version = (active if active is not None else -1,)
            rows = self._read(conn, "rows", version)
            provenance = self._read(conn, "provenance", version)
            frames = {name: self._read(conn, name) for name in ("areas", "targets", "uncertainty")}
        return Snapshot(tag, active, rows, provenance=provenance, **frames)

    def read_evidence(self) -> pd.DataFrame:
        """The published figures as stored, in file order."""
        self.require()
        with self._transaction(write=False) as conn:
            return self._read(conn, "evidence")

    # --- targets ----------------------------------------------------------------------------

    def write_targets_version(
        self,
        rows: pd.DataFrame,
        *,
        kind: str,
        file_name: str,
        sha256: str,
        warnings: Iterable[str] = (),
        replace_all: bool = False,
    ) -> TargetVersion:
        """Store target rows as a new targets version and activate it, in one transaction."""
        self.require()
        tuples = [
            (str(k), int(y), float(p), str(s))
            for k, y, p, s in rows.loc[:, ["kode", "year", "target_pct", "source"]].itertuples(
                index=False, name=None
            )
        ]
        with self._transaction() as conn:
            self._lock(conn, f"targets {kind} of {file_name}")
            active = _active(conn, ACTIVE_KEY)
            version = conn.exec_driver_sql(
                "INSERT INTO target_versions (id, created_at, kind, file_name, sha256, "
                "file_rows, total_rows, warnings, parent) SELECT coalesce(max(id), 0) + 1, "
                "%s, %s, %s, %s, %s, 0, %s, %s FROM target_versions RETURNING id",
                (
                    utc_now(),
                    kind,
                    file_name,
                    sha256,
                    len(tuples),
                    json.dumps(list(warnings), ensure_ascii=False),
                    active,
                ),
            ).scalar_one()
            _copy(
                conn,
                "target_rows",
                ("version", "kode", "year", "target_pct", "source"),
                [(version, *t) for t in tuples],
            )
            if active is not None and not replace_all:
                conn.exec_driver_sql(
                    "INSERT INTO target_rows SELECT %s, kode, year, target_pct, source "
                    "FROM target_rows WHERE version = %s ON CONFLICT DO NOTHING",
                    (version, active),
                )
            conn.exec_driver_sql(
                "UPDATE target_versions SET total_rows = (SELECT count(*) FROM target_rows "
                "WHERE version = %s) WHERE id = %s",
                (version, version),
            )
            _put_meta(conn, ACTIVE_KEY, str(version))
            _new_data_version(conn)
            row = conn.exec_driver_sql(
                "SELECT * FROM target_versions WHERE id = %s", (version,)
            ).one()
        return target_from_row(tuple(row))

    def activate_targets(self, version: int | None = None) -> tuple[int, TargetVersion]:
        """Re-activate a stored targets version (default: the active one's parent)."""
        self.require()
        with self._transaction() as conn:
            self._lock(conn, "targets rollback")
            active = _active(conn, ACTIVE_KEY)
            if active is None:
                raise StoreError("the store holds no targets versions; nothing to roll back")
            if version is None:
                version = conn.exec_driver_sql(
                    "SELECT parent FROM target_versions WHERE id = %s", (active,)
                ).scalar()
                if version is None:
                    raise StoreError(
                        f"targets version {active} is the first; there is no earlier one"
                    )
            row = conn.exec_driver_sql(
                "SELECT * FROM target_versions WHERE id = %s", (version,)
            ).first()
            if row is None:
                known = [
                    r[0] for r in conn.exec_driver_sql("SELECT id FROM target_versions ORDER BY id")
                ]
                raise StoreError(f"there is no targets version {version}; stored versions: {known}")
            _put_meta(conn, ACTIVE_KEY, str(version))
            _new_data_version(conn)
        return active, target_from_row(tuple(row))

    def target_versions(self) -> tuple[list[TargetVersion], int | None]:
        """Every stored targets version (oldest first) and the active one's id."""
        self._check_schema()
        with self._transaction(write=False) as conn:
            rows = conn.exec_driver_sql("SELECT * FROM target_versions ORDER BY id").all()
            active = _active(conn, ACTIVE_KEY)
        return [target_from_row(tuple(r)) for r in rows], active

    def active_targets(self) -> pd.DataFrame:
        """The active targets (kode, year, target_pct, source)."""
        import pandas as pd

        self.require()
        with self._transaction(write=False) as conn:
            rows = conn.exec_driver_sql(
                "SELECT kode, year, target_pct, source FROM targets ORDER BY kode, year"
            ).all()
        return pd.DataFrame(
            [tuple(r) for r in rows], columns=["kode", "year", "target_pct", "source"]
        ).astype({"kode": "string", "year": "int64", "target_pct": "float64", "source": "string"})


class PostgresDraft(ChunkedDraft):
    """A version being written inside an open transaction: rows go in with COPY, in chunks."""

    def __init__(self, conn: Connection, version: int, active: int | None, kind: str):
        super().__init__(version, active, kind)
        self._conn = conn

    def _write(self, rows: list[tuple]) -> None:
        """COPY the rows in."""
        _copy(
            self._conn,
            "enrollment",
            ("version", *ROW_COLUMNS),
            [(self.id, *(plain_value(v) for v in row)) for row in rows],
        )

    def finish(
        self,
        *,
        sha256: str,
        file_rows: int,
        warnings: Iterable[str],
        replace_all: bool = False,
        provenance: pd.DataFrame | None = None,
    ) -> Version:
        """Complete the version: keep the untouched active rows and their provenance (or store
        the given provenance), record the file's checksum, rows and warnings, and activate it."""
        self._flush()
        conn = self._conn
        keep = self._active is not None and not replace_all
        if keep:
            conn.exec_driver_sql(
                "INSERT INTO enrollment SELECT %s, kode, period, segment, potential_workers, "
                "active_members, source, data_source FROM enrollment WHERE version = %s "
                "ON CONFLICT DO NOTHING",
                (self.id, self._active),
            )
            for statement, rows in replaced_by_rollup(self.id, self._summed, "%s"):
                for params in rows:
                    conn.exec_driver_sql(statement, params)
        if provenance is not None:
            _copy(
                conn,
                "provenance",
                ("version", *PROVENANCE_COLUMNS),
                [(self.id, *t) for t in _tuples(provenance, PROVENANCE_COLUMNS)],
            )
        elif keep:
            _carry_provenance(conn, self.id, self._active, self._touched)  # type: ignore[arg-type]
        total = conn.exec_driver_sql(
            "SELECT count(*) FROM enrollment WHERE version = %s", (self.id,)
        ).scalar_one()
        conn.exec_driver_sql(
            "UPDATE versions SET sha256 = %s, file_rows = %s, total_rows = %s, warnings = %s "
            "WHERE id = %s",
            (sha256, file_rows, total, json.dumps(list(warnings), ensure_ascii=False), self.id),
        )
        _set_active(conn, self.id, self._kind, self._active)
        row = conn.exec_driver_sql("SELECT * FROM versions WHERE id = %s", (self.id,)).one()
        self.created = version_from_row(tuple(row))
        return self.created


def _tuples(frame: pd.DataFrame, columns: Iterable[str]) -> list[tuple]:
    """A frame's columns as tuples of plain Python values."""
    return [
        tuple(plain_value(v) for v in rec)
        for rec in frame.loc[:, list(columns)].itertuples(index=False, name=None)
    ]


def _copy(conn: Connection, table: str, columns: Iterable[str], rows: Iterable[tuple]) -> None:
    """Write rows with COPY on the transaction's own connection."""
    raw = conn.connection.driver_connection
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)


def _put_meta(conn: Connection, key: str, value: str) -> None:
    """Set one meta value inside a transaction."""
    conn.exec_driver_sql(
        "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        (key, value),
    )


def _active(conn: Connection, key: str) -> int | None:
    """An active-version pointer inside a transaction."""
    row = conn.exec_driver_sql("SELECT value FROM meta WHERE key = %s", (key,)).first()
    return int(row[0]) if row else None


def _new_data_version(conn: Connection) -> None:
    """A fresh data-version tag and change time, in the same transaction as the change."""
    _put_meta(conn, "data_version", new_tag(_active(conn, "active_version")))
    _put_meta(conn, "data_changed_at", utc_now())


def _set_active(conn: Connection, version: int, action: str, previous: int | None) -> None:
    """Point the store at a version, give the data a new tag and record the activation."""
    _put_meta(conn, "active_version", str(version))
    _new_data_version(conn)
    conn.exec_driver_sql(
        "INSERT INTO activations (at, action, version, previous) VALUES (%s, %s, %s, %s)",
        (utc_now(), action, version, previous),
    )


def _carry_provenance(
    conn: Connection, version: int, parent: int, touched: set[tuple[str, str]]
) -> None:
    """Copy the parent's provenance of every area and period no new row falls in."""
    conn.exec_driver_sql(
        "CREATE TEMP TABLE IF NOT EXISTS touched (kode TEXT, period TEXT) ON COMMIT DROP"
    )
    _copy(conn, "touched", ("kode", "period"), sorted(touched))
    columns = ", ".join(PROVENANCE_COLUMNS)
    conn.exec_driver_sql(
        f"INSERT INTO provenance (version, {columns}) "
        f"SELECT %s, {', '.join('p.' + c for c in PROVENANCE_COLUMNS)} FROM provenance p "
        "WHERE p.version = %s AND NOT EXISTS (SELECT 1 FROM touched t WHERE "
        "t.period = p.period AND (t.kode = p.kode OR t.kode LIKE p.kode || '.%%' "
        "OR p.kode !~ '^[0-9]'))",
        (version, parent),
    )
