"""Each province's detail geometry (its regencies and districts, for the drill-down) beside the
region's overview, per build.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of the provinces' detail TopoJSON."""
    op.create_table(
        "shape_detail",
        sa.Column(
            "build_key",
            sa.Text,
            sa.ForeignKey("shape_builds.build_key", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("province", sa.Text, primary_key=True),
        sa.Column("topojson", sa.LargeBinary, nullable=False),
        sa.Column("topojson_gz", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    """Drop the table of the provinces' detail TopoJSON."""
    op.drop_table("shape_detail")
