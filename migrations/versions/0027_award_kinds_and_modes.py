"""Award kinds and rounds that recommend upward: award_rounds.mode (set from the level: only 临海 decides its own
award), award_entries.kind (the kind applied for) and award_entries.outcome (the higher body's result)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 19:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("award_rounds") as batch:
        batch.add_column(sa.Column("mode", sa.String(length=16), server_default="award", nullable=False))
    op.execute("UPDATE award_rounds SET mode = 'recommend' WHERE level <> 'linhai'")
    with op.batch_alter_table("award_entries") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=32), server_default="quality_award", nullable=False))
        batch.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
    # An entry the government's decision already honoured won.
    op.execute("UPDATE award_entries SET outcome = 'won' WHERE honour_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table("award_entries") as batch:
        batch.drop_column("outcome")
        batch.drop_column("kind")
    with op.batch_alter_table("award_rounds") as batch:
        batch.drop_column("mode")
