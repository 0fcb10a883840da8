"""History chain key rotation: transitions.key_id (which AUDIT_HMAC_KEYS entry sealed the row)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 13:15:00

Rows sealed before key ids existed were sealed with AUDIT_HMAC_KEY, which is key id "1" when AUDIT_HMAC_KEYS is
not set (config.audit_keys); they get "1".
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('transitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), server_default='1', nullable=True))


def downgrade():
    with op.batch_alter_table('transitions', schema=None) as batch_op:
        batch_op.drop_column('key_id')
