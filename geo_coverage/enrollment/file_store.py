"""The embedded back end: the enrollment store as one GeoPackage (SQLite) file, the default.

Every operation is store.py's or target_store.py's on the file; several processes on one disk
share it (SQLite's WAL), several machines cannot (use the PostgreSQL back end for that).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from geo_coverage.enrollment import store, target_store
from geo_coverage.enrollment.backend import Draft, Store
from geo_coverage.enrollment.store import DataVersion, Snapshot, Version
from geo_coverage.enrollment.store_file import StoreStatus, state
from geo_coverage.enrollment.target_store import TargetVersion

if TYPE_CHECKING:
    import pandas as pd

LOGGER = logging.getLogger(__name__)


class FileStore(Store):
    """The enrollment store in a GeoPackage file."""

    kind = "file"

    def __init__(self, path: Path):
        self.path = Path(path)
        self.location = str(self.path)

    def __repr__(self) -> str:
        return f"FileStore({self.path})"

    def status(self) -> StoreStatus:
        """Whether the file is missing, not built, ok, read-only, locked or damaged."""
        return state(self.path)

    def require(self) -> None:
        """Raise a StoreError saying what is wrong unless the file can be read."""
        store.require(self.path)

    def is_built(self) -> bool:
        """Whether the file holds the current layout, its reference tables and a version."""
        return store.is_store_built(self.path)

    def initialise(self) -> None:
        """Create the file and its tables if missing."""
        store.initialise(self.path)

    def get_meta(self, key: str) -> str | None:
        """One value of the meta table, or None."""
        return store.get_meta(self.path, key)

    def set_meta(self, key: str, value: str) -> None:
        """Set one value of the meta table."""
        store.set_meta(self.path, key, value)

    def write_reference(
        self, areas: pd.DataFrame, evidence: pd.DataFrame, uncertainty: pd.DataFrame
    ) -> None:
        """Replace the areas, evidence and uncertainty in one transaction."""
        store.write_reference(self.path, areas, evidence, uncertainty)

    def draft_version(self, *, kind: str, file_name: str) -> AbstractContextManager[Draft]:
        """A new version written in one SQLite transaction."""
        return store.draft_version(self.path, kind=kind, file_name=file_name)

    def activate(self, version: int | None = None) -> tuple[int, Version]:
        """Re-activate a stored version; recorded."""
        return store.activate(self.path, version)

    def versions(self) -> tuple[list[Version], int | None]:
        """Every stored version and the active version id."""
        return store.versions(self.path)

    def active_keys(self) -> set[tuple[str, str]]:
        """The (kode, period) pairs with rows in the active version."""
        return store.active_keys(self.path)

    def read_areas(self) -> pd.DataFrame:
        """The areas table."""
        return store.read_areas(self.path)

    def read_snapshot(self) -> Snapshot:
        """Everything the metrics need, from one read transaction."""
        return store.read_snapshot(self.path)

    def read_evidence(self) -> pd.DataFrame:
        """The published figures as stored."""
        return store.read_evidence(self.path)

    def current_version(self) -> DataVersion:
        """The data version, re-read only when SQLite's change counter moved."""
        if not self.path.is_file():
            store.require(self.path)
        return store.current_version(self.path)

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
        """Store target rows as a new targets version and activate it."""
        return target_store.write_targets_version(
            self.path,
            rows,
            kind=kind,
            file_name=file_name,
            sha256=sha256,
            warnings=warnings,
            replace_all=replace_all,
        )

    def activate_targets(self, version: int | None = None) -> tuple[int, TargetVersion]:
        """Re-activate a stored targets version."""
        return target_store.activate_targets(self.path, version)

    def target_versions(self) -> tuple[list[TargetVersion], int | None]:
        """Every stored targets version and the active one's id."""
        return target_store.target_versions(self.path)

    def active_targets(self) -> pd.DataFrame:
        """The active targets."""
        return target_store.active_targets(self.path)
