"""official figures: the date of a value's source and the items the official statistic lists

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 13:00:00

A value entered for a derived indicator is the official figure the bureau is held to (台州/省 statistics, the
品字标 platform, CNIPA); ``items`` lists what that statistic counted, one per line, so the difference from the
registry's count can be itemised.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reported_values', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('items', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('reported_values', schema=None) as batch_op:
        batch_op.drop_column('items')
        batch_op.drop_column('published_on')
