"""Districts in the areas table, so an enrollment table may give figures per district.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Let the areas table hold districts beside provinces and regencies."""
    op.drop_constraint("areas_level", "areas", type_="check")
    op.create_check_constraint(
        "areas_level", "areas", "level IN ('province', 'regency', 'district')"
    )


def downgrade() -> None:
    """Remove the districts and their rows, and refuse them again."""
    op.execute(
        "DELETE FROM enrollment WHERE kode IN (SELECT kode FROM areas WHERE level = 'district')"
    )
    op.execute("DELETE FROM areas WHERE level = 'district'")
    op.drop_constraint("areas_level", "areas", type_="check")
    op.create_check_constraint("areas_level", "areas", "level IN ('province', 'regency')")
