"""users.must_change_password: accounts whose password someone else chose change it at their next sign-in

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 13:05:00

Existing accounts are not flagged (their owners may long since have chosen their own passwords).
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
