"""notification preferences: the SMS channel (sms_enabled, mobile)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows get SMS off; batch mode so SQLite can drop the columns again on downgrade.
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('mobile', sa.String(length=11), nullable=True))


def downgrade():
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.drop_column('mobile')
        batch_op.drop_column('sms_enabled')
