"""The store interface the rest of the code uses, and the choice of back end.

`open_store(settings)` gives the embedded GeoPackage file (the default) or, when
GEO_COVERAGE_DATABASE_URL is set, the PostgreSQL/PostGIS database that several app instances
share. Both keep the same versions, activations, rows, targets, evidence, provenance and
uncertainty, and both activate a version by changing one pointer in one transaction.
"""

from __future__ import annotations

import abc
import contextvars
import getpass
import logging
import socket
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Protocol

from geo_coverage.config import Settings
from geo_coverage.enrollment.store import DataVersion, Snapshot, Version, row_tuples
from geo_coverage.enrollment.store_file import StoreStatus
from geo_coverage.enrollment.target_store import TargetVersion

if TYPE_CHECKING:
    import pandas as pd

LOGGER = logging.getLogger(__name__)

_ACTOR: contextvars.ContextVar[str | None] = contextvars.ContextVar("store_actor", default=None)


@contextmanager
def acting_as(who: str) -> Iterator[None]:
    """Name who is writing (a user, a token) for the writes inside the block: another import
    that has to wait is told who holds the store."""
    token = _ACTOR.set(who)
    try:
        yield
    finally:
        _ACTOR.reset(token)


def actor() -> str:
    """Who is writing: the name given by `acting_as`, else this process's user and host."""
    named = _ACTOR.get()
    if named:
        return named
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"{user}@{socket.gethostname()}"


class Draft(Protocol):
    """A version being written inside an open transaction: rows go in, in chunks."""

    id: int
    rows_written: int
    created: Version | None

    def add(self, row: tuple) -> None:
        """Add one row (values in ROW_COLUMNS order)."""

    def finish(
        self,
        *,
        sha256: str,
        file_rows: int,
        warnings: Iterable[str],
        replace_all: bool = False,
        provenance: pd.DataFrame | None = None,
    ) -> Version:
        """Complete and activate the version (committed when the draft's block ends)."""
        ...


class Store(abc.ABC):
    """What the rest of the code asks of an enrollment store, whatever keeps it."""

    kind: str  # "file" or "postgis"
    location: str  # the file, or the database URL without its password

    @abc.abstractmethod
    def status(self) -> StoreStatus:
        """Whether the store is missing, not built, ok, read-only, locked or damaged."""

    @abc.abstractmethod
    def require(self) -> None:
        """Raise a StoreError saying what is wrong unless the store can be read."""

    @abc.abstractmethod
    def is_built(self) -> bool:
        """Whether the store holds its reference tables and an active version."""

    @abc.abstractmethod
    def initialise(self) -> None:
        """Create the store's tables (or bring them to the current layout)."""

    @abc.abstractmethod
    def get_meta(self, key: str) -> str | None:
        """One value of the meta table, or None."""

    @abc.abstractmethod
    def set_meta(self, key: str, value: str) -> None:
        """Set one value of the meta table."""

    @abc.abstractmethod
    def write_reference(
        self, areas: pd.DataFrame, evidence: pd.DataFrame, uncertainty: pd.DataFrame
    ) -> None:
        """Replace the areas, evidence and uncertainty in one transaction (a new data version)."""

    @abc.abstractmethod
    def draft_version(self, *, kind: str, file_name: str) -> AbstractContextManager[Draft]:
        """A new version written in one transaction: active if the block calls `finish` and
        ends normally; rolled back on any error."""

    @abc.abstractmethod
    def activate(self, version: int | None = None) -> tuple[int, Version]:
        """Re-activate a stored version (default: the active one's parent); recorded.
        Returns the version active before and the one active now."""

    @abc.abstractmethod
    def versions(self) -> tuple[list[Version], int | None]:
        """Every stored version (oldest first) and the active version id."""

    @abc.abstractmethod
    def active_keys(self) -> set[tuple[str, str]]:
        """The (kode, period) pairs with rows in the active version."""

    @abc.abstractmethod
    def read_areas(self) -> pd.DataFrame:
        """The areas table (kode, nama, prov_kode, level, population)."""

    @abc.abstractmethod
    def read_snapshot(self) -> Snapshot:
        """The active rows and provenance with areas, targets and uncertainty, read in one
        consistent snapshot."""

    @abc.abstractmethod
    def read_evidence(self) -> pd.DataFrame:
        """The published figures as stored, in file order, with how the sample uses each."""

    @abc.abstractmethod
    def current_version(self) -> DataVersion:
        """The data's version tag and when it changed (cheap: read once per request)."""

    @abc.abstractmethod
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

    @abc.abstractmethod
    def activate_targets(self, version: int | None = None) -> tuple[int, TargetVersion]:
        """Re-activate a stored targets version (default: the active one's parent)."""

    @abc.abstractmethod
    def target_versions(self) -> tuple[list[TargetVersion], int | None]:
        """Every stored targets version (oldest first) and the active one's id."""

    @abc.abstractmethod
    def active_targets(self) -> pd.DataFrame:
        """The active targets (kode, year, target_pct, source)."""

    def data_version(self) -> str:
        """The tag that changes whenever the active data or the reference tables change."""
        return self.current_version().tag

    def write_version(
        self,
        rows: pd.DataFrame,
        *,
        kind: str,
        file_name: str,
        sha256: str,
        file_rows: int,
        warnings: Iterable[str] = (),
        replace_all: bool = False,
        provenance: pd.DataFrame | None = None,
    ) -> Version:
        """Store rows as a new version and activate it, all in one transaction: the rows plus
        every active row they do not replace (none if replace_all), with the given provenance
        or the active version's where the rows leave it standing."""
        with self.draft_version(kind=kind, file_name=file_name) as draft:
            for row in row_tuples(rows):
                draft.add(row)
            version = draft.finish(
                sha256=sha256,
                file_rows=file_rows,
                warnings=warnings,
                replace_all=replace_all,
                provenance=provenance,
            )
        return version

    def store_builtin(self, rows: pd.DataFrame, file_name: str, sha256: str) -> str:
        """Keep the shipped targets table as a version: stored when there is none yet or when
        the active version is an earlier shipped table that changed; never over imported
        targets. Returns what was done, in words."""
        history, active = self.target_versions()
        current = next((v for v in history if v.id == active), None)
        if current is None or (current.kind == "builtin" and current.sha256 != sha256):
            version = self.write_targets_version(
                rows, kind="builtin", file_name=file_name, sha256=sha256, replace_all=True
            )
            return f"stored {file_name} as targets version {version.id}"
        if current.kind == "builtin":
            return f"targets version {current.id} is already the shipped table"
        return (
            f"the active targets version {current.id} was imported ({current.file_name}); "
            "the shipped table was not stored over it"
        )


def open_store(settings: Settings) -> Store:
    """The store the settings name: PostgreSQL when GEO_COVERAGE_DATABASE_URL is set, else the
    GeoPackage file in the instance folder."""
    if settings.database_url:
        from geo_coverage.enrollment.pg_store import PostgresStore

        return PostgresStore.for_url(settings.database_url)
    from geo_coverage.enrollment.file_store import FileStore

    return FileStore(settings.store_path)
