"""gi_products: 地理标志产品保护 applications (a geographical indication without a trademark number)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 16:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gi_products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cultivation_started_on", sa.Date(), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("announcement", sa.String(length=64), nullable=True),
        sa.Column("authority", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"], name=op.f("fk_gi_products_enterprise_id_enterprises"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gi_products")),
    )
    with op.batch_alter_table("gi_products") as batch:
        batch.create_index(batch.f("ix_gi_products_enterprise_id"), ["enterprise_id"], unique=False)


def downgrade():
    with op.batch_alter_table("gi_products") as batch:
        batch.drop_index(batch.f("ix_gi_products_enterprise_id"))
    op.drop_table("gi_products")
