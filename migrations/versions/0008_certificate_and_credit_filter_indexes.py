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


def upgrade():
    op.create_index("ix_certifications_type_enterprise", "certifications", ["cert_type", "enterprise_id"],
                    postgresql_include=["status", "status_changed_on", "issued_on", "expires_on"])
    op.create_index("ix_credit_records_enterprise_listed", "credit_records", ["enterprise_id", "listed_on"],
                    postgresql_include=["removed_on"])


def downgrade():
    op.drop_index("ix_credit_records_enterprise_listed", table_name="credit_records")
    op.drop_index("ix_certifications_type_enterprise", table_name="certifications")
