"""The first PostgreSQL schema: the enrollment store (as in the GeoPackage), the accounts and
the served geometry in PostGIS.

Revision ID: 0001
Revises:
Create Date: 2026-05-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FIGURES = "('published', 'constrained', 'modelled')"
ROLES = "('viewer', 'editor', 'admin')"


def _store() -> None:
    """The enrollment store's tables, as in the GeoPackage."""
    op.create_table(
        "meta",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    for name, kinds in (
        ("versions", "('sample', 'import')"),
        ("target_versions", "('builtin', 'import')"),
    ):
        op.create_table(
            name,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("kind", sa.Text, nullable=False),
            sa.Column("file_name", sa.Text, nullable=False),
            sa.Column("sha256", sa.Text, nullable=False),
            sa.Column("file_rows", sa.Integer, nullable=False),
            sa.Column("total_rows", sa.Integer, nullable=False),
            sa.Column("warnings", sa.Text, nullable=False),
            sa.Column("parent", sa.Integer, sa.ForeignKey(f"{name}.id")),
            sa.CheckConstraint(f"kind IN {kinds}", name=f"{name}_kind"),
        )
    op.create_table(
        "enrollment",
        sa.Column("version", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
        sa.Column("kode", sa.Text, primary_key=True),
        sa.Column("period", sa.Text, primary_key=True),
        sa.Column("segment", sa.Text, primary_key=True),
        sa.Column("potential_workers", sa.BigInteger),
        sa.Column("active_members", sa.BigInteger, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("data_source", sa.Text, nullable=False),
        sa.CheckConstraint("potential_workers >= 0", name="enrollment_potential"),
        sa.CheckConstraint("active_members >= 0", name="enrollment_members"),
        sa.CheckConstraint(
            "data_source IN ('published', 'modelled')", name="enrollment_data_source"
        ),
    )
    op.create_table(
        "activations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("previous", sa.Integer, sa.ForeignKey("versions.id")),
    )
    op.create_table(
        "areas",
        sa.Column("kode", sa.Text, primary_key=True),
        sa.Column("nama", sa.Text, nullable=False),
        sa.Column("prov_kode", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("population", sa.BigInteger),
        sa.CheckConstraint("level IN ('province', 'regency')", name="areas_level"),
    )
    op.create_table(
        "target_rows",
        sa.Column("version", sa.Integer, sa.ForeignKey("target_versions.id"), primary_key=True),
        sa.Column("kode", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("target_pct", sa.Double, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.CheckConstraint("target_pct > 0 AND target_pct <= 100", name="target_rows_pct"),
    )
    text_columns = (
        *("kode", "nama", "level", "period", "metric", "value", "qualifier"),
        *("consistency", "basis", "source", "note", "use"),
    )
    op.create_table(
        "evidence",
        sa.Column("line", sa.Integer, primary_key=True, autoincrement=False),
        *(sa.Column(name, sa.Text, nullable=False) for name in text_columns),
    )
    op.create_table(
        "provenance",
        sa.Column("version", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
        sa.Column("kode", sa.Text, primary_key=True),
        sa.Column("period", sa.Text, primary_key=True),
        sa.Column("segment", sa.Text, primary_key=True),
        sa.Column("members", sa.Text, nullable=False),
        sa.Column("potential", sa.Text, nullable=False),
        sa.Column("coverage", sa.Text, nullable=False),
        sa.Column("coverage_low", sa.Double),
        sa.Column("coverage_high", sa.Double),
        sa.Column("model", sa.Text),
        sa.Column("evidence", sa.Text),
        sa.CheckConstraint(f"members IN {FIGURES}", name="provenance_members"),
        sa.CheckConstraint(f"potential IN {FIGURES}", name="provenance_potential"),
        sa.CheckConstraint(f"coverage IN {FIGURES}", name="provenance_coverage"),
    )
    op.create_table(
        "uncertainty",
        sa.Column("model", sa.Text, primary_key=True),
        sa.Column("logit_low", sa.Double, nullable=False),
        sa.Column("logit_high", sa.Double, nullable=False),
        sa.Column("comparisons", sa.Integer, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
    )
    op.execute(
        "CREATE VIEW targets AS SELECT substr(kode, 1, 2) AS prov_kode, kode, year, "
        "target_pct, source FROM target_rows WHERE version = (SELECT CAST(value AS INTEGER) "
        "FROM meta WHERE key = 'active_targets')"
    )
    op.execute(
        "CREATE VIEW enrollment_active AS SELECT kode, period, segment, potential_workers, "
        "active_members, source, data_source FROM enrollment WHERE version = "
        "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'active_version')"
    )


def _accounts() -> None:
    """Users, tokens, the audit log and signed links (shared by every instance)."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("enabled", sa.Integer, nullable=False, server_default="1"),
        sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("changed_at", sa.Text, nullable=False),
        sa.CheckConstraint(f"role IN {ROLES}", name="users_role"),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("token_sha256", sa.Text, nullable=False, unique=True),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("last_used_at", sa.Text),
        sa.Column("revoked_at", sa.Text),
        sa.CheckConstraint(f"role IN {ROLES}", name="tokens_role"),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("epoch", sa.Double, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("subject", sa.Text),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.Column("address", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("audit_action_epoch", "audit", ["action", "epoch"])
    op.create_index("audit_subject", "audit", ["subject"])
    op.create_table(
        "secrets",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("expires", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("revoked_at", sa.Text),
    )


def _geometry() -> None:
    """The built shapes, keyed by their build key: the display TopoJSON and every area's
    full and display geometry (PostGIS)."""
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "shape_builds",
        sa.Column("build_key", sa.Text, primary_key=True),
        sa.Column("loaded_at", sa.Text, nullable=False),
        sa.Column("report", sa.Text, nullable=False),
        sa.Column("topojson", sa.LargeBinary, nullable=False),
        sa.Column("topojson_gz", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "shape_areas",
        sa.Column(
            "build_key",
            sa.Text,
            sa.ForeignKey("shape_builds.build_key", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("level", sa.Text, primary_key=True),
        sa.Column("simplified", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kode", sa.Text, primary_key=True),
        sa.Column("properties", sa.Text, nullable=False),
        sa.Column(
            "geom",
            Geometry("GEOMETRY", srid=4326, spatial_index=False),
            nullable=False,
        ),
    )
    op.create_index("idx_shape_areas_geom", "shape_areas", ["geom"], postgresql_using="gist")


def upgrade() -> None:
    """Create the store, accounts and geometry tables."""
    _geometry()
    _store()
    _accounts()


def downgrade() -> None:
    """Drop everything this revision created (the PostGIS extension stays)."""
    op.execute("DROP VIEW IF EXISTS enrollment_active")
    op.execute("DROP VIEW IF EXISTS targets")
    for table in (
        "secrets", "links", "audit", "tokens", "users", "uncertainty", "provenance", "evidence",
        "target_rows", "areas", "activations", "enrollment", "target_versions", "versions",
        "meta", "shape_areas", "shape_builds",
    ):  # fmt: skip
        op.drop_table(table)
