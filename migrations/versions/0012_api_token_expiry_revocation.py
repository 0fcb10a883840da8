"""API tokens expire and can be revoked: expires_at, revoked_at

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 12:50:00

Existing tokens were always stored as SHA-256 digests only (no plain text to hash or wipe); they keep working
until 90 days after they were issued, then expire like every new token. A token already revoked gets its
revocation time from its last update.
"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

DEFAULT_DAYS = 90


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table('api_tokens', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime(timezone=True)),
                      sa.column('updated_at', sa.DateTime(timezone=True)), sa.column('revoked', sa.Boolean),
                      sa.column('expires_at', sa.DateTime(timezone=True)),
                      sa.column('revoked_at', sa.DateTime(timezone=True)))
    conn = op.get_bind()
    for row in conn.execute(sa.select(tokens.c.id, tokens.c.created_at, tokens.c.updated_at, tokens.c.revoked)).all():
        conn.execute(tokens.update().where(tokens.c.id == row.id).values(
            expires_at=row.created_at + timedelta(days=DEFAULT_DAYS),
            revoked_at=row.updated_at if row.revoked else None))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('expires_at')
