"""trademarks: gi_route (地理标志证明商标/集体商标 or 地理标志产品保护) and gi_cultivation_started_on (培育开始日期)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("trademarks") as batch:
        batch.add_column(sa.Column("gi_route", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("gi_cultivation_started_on", sa.Date(), nullable=True))
    # every geographical indication recorded so far was recorded as a trademark
    trademarks = sa.table("trademarks", sa.column("geographical_indication", sa.Boolean),
                          sa.column("gi_route", sa.String))
    op.execute(trademarks.update().where(trademarks.c.geographical_indication.is_(True))
               .values(gi_route="trademark"))


def downgrade():
    with op.batch_alter_table("trademarks") as batch:
        batch.drop_column("gi_cultivation_started_on")
        batch.drop_column("gi_route")
