"""enterprise name bigram index (PostgreSQL only): Chinese substring search by index

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 21:45:00

"""
from alembic import op

from registry.models.bigrams import CREATE_FUNCTION, DROP_FUNCTION

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite scans names; nothing to create
    op.execute(CREATE_FUNCTION)
    # CONCURRENTLY: an upgrade on a live registry does not block writes to enterprises while the index builds; it
    # cannot run inside a transaction, hence the autocommit block.
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_enterprises_name_bigrams ON enterprises "
                   "USING gin (registry_bigrams(name))")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_enterprises_name_bigrams")
    op.execute(DROP_FUNCTION)
