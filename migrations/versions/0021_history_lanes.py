"""history chain per application (lanes): transitions.lane_seq, applications.chain_seq/chain_hash, chain seals

Every transition used to lock the one chain-head row until it committed. From here each application's history is
its own chain, continuing from the hash of its newest row in the old global chain (those rows keep their seq and
stay verifiable as they were); chain_seals/chain_seal_heads hold the periodic seal over every lane's head.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 16:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("transitions") as batch:
        batch.add_column(sa.Column("lane_seq", sa.Integer(), nullable=True))
        batch.create_unique_constraint("uq_transitions_lane", ["application_id", "lane_seq"])
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("chain_seq", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("chain_hash", sa.String(length=64), nullable=True))
    # each lane starts from the application's newest row in the global chain
    op.execute("UPDATE applications SET chain_hash = (SELECT t.hash FROM transitions t "
               "WHERE t.application_id = applications.id AND t.seq IS NOT NULL ORDER BY t.seq DESC LIMIT 1)")
    op.create_table(
        "chain_seals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heads", sa.Integer(), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_seals")))
    op.create_table(
        "chain_seal_heads",
        sa.Column("application_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_chain_seal_heads")))


def downgrade():
    # Rows appended in lanes have no place in the old global chain: verify-chain of the older release reports them.
    op.drop_table("chain_seal_heads")
    op.drop_table("chain_seals")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("chain_hash")
        batch.drop_column("chain_seq")
    with op.batch_alter_table("transitions") as batch:
        batch.drop_constraint("uq_transitions_lane", type_="unique")
        batch.drop_column("lane_seq")
