"""notifications.link: the page a message is about (the application, the panel seat's declaration), so every
message in the list and every e-mail leads to it

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 15:45:00

Existing messages: a panel seat's links to the expert's task list (where the declaration is), others about an
application to its page (/applications/<id> leads to the workflow's own page).
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link', sa.String(length=300), nullable=True))
    op.execute("UPDATE notifications SET link = '/awards/expert' WHERE kind = 'assignment'")
    op.execute("UPDATE notifications SET link = '/applications/' || CAST(application_id AS VARCHAR(20)) "
               "WHERE link IS NULL AND application_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('link')
