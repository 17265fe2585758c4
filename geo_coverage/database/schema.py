"""The PostgreSQL schema as SQLAlchemy tables: the enrollment store (the same tables as the
GeoPackage), the accounts, and the served geometry (PostGIS). The migrations create it; a test
checks that they and this module agree."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
)

METADATA = MetaData()
SRID = 4326
FIGURE_KINDS = "('published', 'constrained', 'modelled')"

meta = Table(
    "meta",
    METADATA,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

versions = Table(
    "versions",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("file_rows", Integer, nullable=False),
    Column("total_rows", Integer, nullable=False),
    Column("warnings", Text, nullable=False),
    Column("parent", Integer, ForeignKey("versions.id")),
    CheckConstraint("kind IN ('sample', 'import')", name="versions_kind"),
)

enrollment = Table(
    "enrollment",
    METADATA,
    Column("version", Integer, ForeignKey("versions.id"), primary_key=True),
    Column("kode", Text, primary_key=True),
    Column("period", Text, primary_key=True),
    Column("segment", Text, primary_key=True),
    Column("potential_workers", BigInteger),
    Column("active_members", BigInteger, nullable=False),
    Column("source", Text),
    Column("data_source", Text, nullable=False),
    CheckConstraint("potential_workers >= 0", name="enrollment_potential"),
    CheckConstraint("active_members >= 0", name="enrollment_members"),
    CheckConstraint("data_source IN ('published', 'modelled')", name="enrollment_data_source"),
)

activations = Table(
    "activations",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("version", Integer, ForeignKey("versions.id"), nullable=False),
    Column("previous", Integer, ForeignKey("versions.id")),
)

areas = Table(
    "areas",
    METADATA,
    Column("kode", Text, primary_key=True),
    Column("nama", Text, nullable=False),
    Column("prov_kode", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("population", BigInteger),
    CheckConstraint("level IN ('province', 'regency', 'district')", name="areas_level"),
)

target_versions = Table(
    "target_versions",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("file_rows", Integer, nullable=False),
    Column("total_rows", Integer, nullable=False),
    Column("warnings", Text, nullable=False),
    Column("parent", Integer, ForeignKey("target_versions.id")),
    CheckConstraint("kind IN ('builtin', 'import')", name="target_versions_kind"),
)

target_rows = Table(
    "target_rows",
    METADATA,
    Column("version", Integer, ForeignKey("target_versions.id"), primary_key=True),
    Column("kode", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("target_pct", Double, nullable=False),
    Column("source", Text, nullable=False),
    CheckConstraint("target_pct > 0 AND target_pct <= 100", name="target_rows_pct"),
)

evidence = Table(
    "evidence",
    METADATA,
    Column("line", Integer, primary_key=True, autoincrement=False),
    *(
        Column(name, Text, nullable=False)
        for name in (
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
    ),
)

provenance = Table(
    "provenance",
    METADATA,
    Column("version", Integer, ForeignKey("versions.id"), primary_key=True),
    Column("kode", Text, primary_key=True),
    Column("period", Text, primary_key=True),
    Column("segment", Text, primary_key=True),
    Column("members", Text, nullable=False),
    Column("potential", Text, nullable=False),
    Column("coverage", Text, nullable=False),
    Column("coverage_low", Double),
    Column("coverage_high", Double),
    Column("model", Text),
    Column("evidence", Text),
    CheckConstraint(f"members IN {FIGURE_KINDS}", name="provenance_members"),
    CheckConstraint(f"potential IN {FIGURE_KINDS}", name="provenance_potential"),
    CheckConstraint(f"coverage IN {FIGURE_KINDS}", name="provenance_coverage"),
)

uncertainty = Table(
    "uncertainty",
    METADATA,
    Column("model", Text, primary_key=True),
    Column("logit_low", Double, nullable=False),
    Column("logit_high", Double, nullable=False),
    Column("comparisons", Integer, nullable=False),
    Column("description", Text, nullable=False),
)

ROLES = "('viewer', 'editor', 'admin')"

users = Table(
    "users",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("enabled", Integer, nullable=False, server_default="1"),
    Column("session_epoch", Integer, nullable=False, server_default="0"),
    Column("created_at", Text, nullable=False),
    Column("changed_at", Text, nullable=False),
    CheckConstraint(f"role IN {ROLES}", name="users_role"),
)

tokens = Table(
    "tokens",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),
    Column("token_sha256", Text, nullable=False, unique=True),
    Column("created_by", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("last_used_at", Text),
    Column("revoked_at", Text),
    CheckConstraint(f"role IN {ROLES}", name="tokens_role"),
)

audit = Table(
    "audit",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False),
    Column("epoch", Double, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("subject", Text),
    Column("detail", Text, nullable=False, server_default=""),
    Column("address", Text, nullable=False, server_default=""),
    Index("audit_action_epoch", "action", "epoch"),
    Index("audit_subject", "subject"),
)

links = Table(
    "links",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("query", Text, nullable=False),
    Column("expires", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("revoked_at", Text),
)

secrets = Table(
    "secrets",
    METADATA,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

shape_builds = Table(
    "shape_builds",
    METADATA,
    Column("build_key", Text, primary_key=True),
    Column("loaded_at", Text, nullable=False),
    Column("report", Text, nullable=False),
    Column("topojson", LargeBinary, nullable=False),
    Column("topojson_gz", LargeBinary, nullable=False),
)

shape_detail = Table(
    "shape_detail",
    METADATA,
    Column(
        "build_key",
        Text,
        ForeignKey("shape_builds.build_key", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("province", Text, primary_key=True),
    Column("topojson", LargeBinary, nullable=False),  # its regencies and districts
    Column("topojson_gz", LargeBinary, nullable=False),
)

shape_areas = Table(
    "shape_areas",
    METADATA,
    Column(
        "build_key",
        Text,
        ForeignKey("shape_builds.build_key", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("level", Text, primary_key=True),
    Column("simplified", Integer, primary_key=True, autoincrement=False),
    Column("kode", Text, primary_key=True),
    Column("properties", Text, nullable=False),
    Column(
        "geom",
        Geometry("GEOMETRY", srid=SRID, spatial_index=True),
        nullable=False,
    ),
)

staged_uploads = Table(
    "staged_uploads",
    METADATA,
    Column("id", Text, primary_key=True),
    Column("uploaded_at", Text, nullable=False),  # ISO 8601 UTC, compared as text
    Column("meta", Text, nullable=False),  # the Staged record as JSON
    Column("original", LargeBinary, nullable=False),  # the bytes as uploaded
)
