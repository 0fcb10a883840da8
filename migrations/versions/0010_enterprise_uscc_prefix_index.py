"""enterprise credit-code prefix index: search by the start of a 统一社会信用代码 (pattern ops on PostgreSQL)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 12:45:00

"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index('ix_enterprises_uscc_prefix', ['uscc'], unique=False,
                              postgresql_ops={'uscc': 'varchar_pattern_ops'})


def downgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprises_uscc_prefix')
