"""award eligibility as the rules write it: benefit_grades (亩均效益评价 per enterprise and year) and
award_entries.excellence_since (导入卓越绩效管理模式的年份, as the application declares it)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 15:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "benefit_grades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("authority", sa.String(length=200), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"], name=op.f("fk_benefit_grades_enterprise_id_enterprises"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_grades")),
        sa.UniqueConstraint("enterprise_id", "year", name=op.f("uq_benefit_grades_enterprise_id_year")),
    )
    op.create_index(op.f("ix_benefit_grades_enterprise_id"), "benefit_grades", ["enterprise_id"], unique=False)
    with op.batch_alter_table("award_entries") as batch:
        batch.add_column(sa.Column("excellence_since", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("award_entries") as batch:
        batch.drop_column("excellence_since")
    op.drop_index(op.f("ix_benefit_grades_enterprise_id"), table_name="benefit_grades")
    op.drop_table("benefit_grades")
