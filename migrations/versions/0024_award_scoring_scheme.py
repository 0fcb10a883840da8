"""award_rounds.scoring_scheme: experts score the 7 categories (as before) or GB/T 19580's 23 items

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 16:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("award_rounds") as batch:
        batch.add_column(sa.Column("scoring_scheme", sa.String(length=16), server_default="categories",
                                   nullable=False))


def downgrade():
    with op.batch_alter_table("award_rounds") as batch:
        batch.drop_column("scoring_scheme")
