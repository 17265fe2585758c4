"""The PostgreSQL/PostGIS back end: engines with a connection pool, the schema and its Alembic
migrations. Chosen by GEO_COVERAGE_DATABASE_URL; the enrollment store, the accounts and the
served geometry keep their data here so that several app instances can share it.

Imports nothing from the layers above; never imports Flask.
"""
