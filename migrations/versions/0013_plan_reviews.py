"""plan reviews: 年度监测报告, 中期评估, 总结评估, built by the worker and frozen once issued

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 13:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'plan_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_reviews_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_plan_reviews_issued_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_reviews')),
    )
    op.create_index(op.f('ix_plan_reviews_year'), 'plan_reviews', ['year'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_plan_reviews_year'), table_name='plan_reviews')
    op.drop_table('plan_reviews')
