"""Uploads waiting for a preview kept in the database, so that any instance can show, activate
or discard an upload another instance checked.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of staged uploads."""
    op.create_table(
        "staged_uploads",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("uploaded_at", sa.Text, nullable=False),
        sa.Column("meta", sa.Text, nullable=False),
        sa.Column("original", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    """Drop the table of staged uploads."""
    op.drop_table("staged_uploads")
