"""certificate-type and credit-listing indexes for the registry list's filters

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 23:10:00

"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


INDEXES = (
    ("ix_certifications_type_enterprise", "certifications", ["cert_type", "enterprise_id"],
     ["status", "status_changed_on", "issued_on", "expires_on"]),
    ("ix_credit_records_enterprise_listed", "credit_records", ["enterprise_id", "listed_on"], ["removed_on"]),
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        for name, table, columns, _include in INDEXES:
            op.create_index(name, table, columns)
        return
    # CONCURRENTLY: large tables on a live registry keep taking writes while the index builds (outside a
    # transaction, hence the autocommit block).
    with op.get_context().autocommit_block():
        for name, table, columns, include in INDEXES:
            op.create_index(name, table, columns, postgresql_include=include, postgresql_concurrently=True,
                            if_not_exists=True)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        for name, table, _columns, _include in reversed(INDEXES):
            op.drop_index(name, table_name=table)
        return
    with op.get_context().autocommit_block():
        for name, table, _columns, _include in reversed(INDEXES):
            op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)
