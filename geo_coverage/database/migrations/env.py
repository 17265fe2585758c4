"""Alembic's environment: migrate the database of the URL given in the configuration (or
GEO_COVERAGE_DATABASE_URL), online, in one transaction."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine, pool

from geo_coverage.database.schema import METADATA

config = context.config
connection = config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=METADATA)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("GEO_COVERAGE_DATABASE_URL")
    if not url:
        raise SystemExit("set GEO_COVERAGE_DATABASE_URL to the PostgreSQL database to migrate")
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=METADATA)
        with context.begin_transaction():
            context.run_migrations()
