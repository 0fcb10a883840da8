"""award final steps: shortlist limits and marks, the committee (members, votes, resolution), the government's
decision (审定: 文号, date), public and paper objections (phone, file, 调查核实, 答复)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 15:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

ROUND_COLUMNS = (
    ("shortlist_min_score", sa.Float()), ("shortlist_max", sa.Integer()),
    ("shortlisted_at", sa.DateTime(timezone=True)),
    ("committee_met_on", sa.Date()), ("committee_resolution", sa.Text()),
    ("notice_closed_at", sa.DateTime(timezone=True)),
    ("decision_number", sa.String(length=100)), ("decision_date", sa.Date()),
    ("decision_recorded_at", sa.DateTime(timezone=True)),
)
ENTRY_COLUMNS = (
    ("shortlisted", sa.Boolean()), ("votes_for", sa.Integer()), ("votes_against", sa.Integer()),
    ("votes_abstain", sa.Integer()),
)
OBJECTION_COLUMNS = (
    ("phone", sa.String(length=32)), ("received_on", sa.Date()), ("recorded_by_id", sa.Integer()),
    ("file_name", sa.String(length=200)), ("stored_name", sa.String(length=64)), ("content_type", sa.String(length=100)),
    ("investigation", sa.Text()),
)


def upgrade():
    with op.batch_alter_table("award_rounds") as batch:
        for name, kind in ROUND_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.add_column(sa.Column("decision_recorded_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_award_rounds_decision_recorded_by_id_users"), "users",
                                 ["decision_recorded_by_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("award_entries") as batch:
        for name, kind in ENTRY_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table("award_objections") as batch:
        for name, kind in OBJECTION_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.add_column(sa.Column("source", sa.String(length=16), nullable=False, server_default="online"))
        batch.create_foreign_key(op.f("fk_award_objections_recorded_by_id_users"), "users",
                                 ["recorded_by_id"], ["id"], ondelete="SET NULL")
    op.create_table(
        "award_committee_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("affiliation", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["award_rounds.id"],
                                name=op.f("fk_award_committee_members_round_id_award_rounds"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_committee_members")),
    )
    op.create_index(op.f("ix_award_committee_members_round_id"), "award_committee_members", ["round_id"])


def downgrade():
    op.drop_index(op.f("ix_award_committee_members_round_id"), table_name="award_committee_members")
    op.drop_table("award_committee_members")
    with op.batch_alter_table("award_objections") as batch:
        batch.drop_constraint(op.f("fk_award_objections_recorded_by_id_users"), type_="foreignkey")
        batch.drop_column("source")
        for name, _kind in reversed(OBJECTION_COLUMNS):
            batch.drop_column(name)
    with op.batch_alter_table("award_entries") as batch:
        for name, _kind in reversed(ENTRY_COLUMNS):
            batch.drop_column(name)
    with op.batch_alter_table("award_rounds") as batch:
        batch.drop_constraint(op.f("fk_award_rounds_decision_recorded_by_id_users"), type_="foreignkey")
        batch.drop_column("decision_recorded_by_id")
        for name, _kind in reversed(ROUND_COLUMNS):
            batch.drop_column(name)
