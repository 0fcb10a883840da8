"""organisation type on registry entries: hospitals, schools and associations win quality awards too

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 13:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org_type', sa.String(length=16), server_default='enterprise', nullable=False))


def downgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_column('org_type')
