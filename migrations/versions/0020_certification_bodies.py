"""certification_bodies (认证机构 catalogue); users.certification_body_id (certifier accounts);
applications.certification_body_id (the body an application is assigned to)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 15:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certification_bodies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_bodies")),
        sa.UniqueConstraint("code", name=op.f("uq_certification_bodies_code")),
        sa.UniqueConstraint("name", name=op.f("uq_certification_bodies_name")),
    )
    for table in ("users", "applications"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("certification_body_id", sa.Integer(), nullable=True))
            batch.create_index(batch.f(f"ix_{table}_certification_body_id"), ["certification_body_id"])
            batch.create_foreign_key(batch.f(f"fk_{table}_certification_body_id_certification_bodies"),
                                     "certification_bodies", ["certification_body_id"], ["id"])


def downgrade():
    for table in ("applications", "users"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(batch.f(f"fk_{table}_certification_body_id_certification_bodies"),
                                  type_="foreignkey")
            batch.drop_index(batch.f(f"ix_{table}_certification_body_id"))
            batch.drop_column("certification_body_id")
    op.drop_table("certification_bodies")
