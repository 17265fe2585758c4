"""Alembic's migrations of the PostgreSQL schema (`geo-coverage db upgrade`, the build)."""
