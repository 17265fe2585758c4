"""Alembic's migrations, run from the package (a wheel carries them): upgrade a database to the
newest schema, and tell which revision it has."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from geo_coverage.database.engine import engine_for, reachable, shown

LOGGER = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
UPGRADE_LOCK = 0x67656F5F6D6967  # advisory lock: one upgrade at a time per database


def _config() -> Config:
    """Alembic's configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The newest schema revision this code knows."""
    found = ScriptDirectory.from_config(_config()).get_current_head()
    if found is None:
        raise RuntimeError("no migrations are packaged")
    return found


def revision(url: str) -> str | None:
    """The database's schema revision, or None when no migration has run there."""
    with reachable(url), engine_for(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: str) -> bool:
    """Bring the database to the newest schema (one upgrade at a time, whoever starts it);
    True if a migration ran."""
    with reachable(url), engine_for(url).connect() as conn, conn.begin():
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({UPGRADE_LOCK})")
        before = MigrationContext.configure(conn).get_current_revision()
        if before == head():
            return False
        config = _config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    LOGGER.info(f"database {shown(url)} upgraded from schema {before or 'none'} to {head()}")
    return True
