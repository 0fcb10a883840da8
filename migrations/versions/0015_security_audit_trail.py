"""security audit trail (security_events) and chain anchors for retention

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 13:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=48), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=True),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=True),
        sa.Column("key_id", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
        sa.UniqueConstraint("seq", name=op.f("uq_security_events_seq")),
    )
    with op.batch_alter_table("security_events") as batch:
        batch.create_index("ix_security_events_event_at", ["event", "at"])
        batch.create_index(batch.f("ix_security_events_at"), ["at"])
        batch.create_index(batch.f("ix_security_events_actor_id"), ["actor_id"])
        batch.create_index(batch.f("ix_security_events_actor"), ["actor"])
        batch.create_index(batch.f("ix_security_events_address"), ["address"])
    op.create_table(
        "chain_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=True),
        sa.Column("key_id", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_anchors")),
    )
    with op.batch_alter_table("chain_anchors") as batch:
        batch.create_index(batch.f("ix_chain_anchors_chain"), ["chain"])


def downgrade():
    op.drop_table("chain_anchors")
    op.drop_table("security_events")
