"""projects behind engineering-quality honours; honour validity (复核) and project role; Madrid registration number

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 12:40:00

Existing project honours are attached to projects by their title (a missing title becomes a project of its own);
single champions without a validity get three years from their award (the 复核 cycle).
"""
import re
import unicodedata
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

PROJECT_TYPES = ("luban", "national_quality_project", "zhan_tianyou", "qianjiang_cup", "kuocang_cup")


def _key(name):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()


def _three_years_on(day):
    try:
        later = day.replace(year=day.year + 3)
    except ValueError:
        later = day.replace(year=day.year + 3, day=28)
    return later - timedelta(days=1)


def upgrade():
    op.create_table(
        'projects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('name_key', sa.String(length=300), nullable=False),
        sa.Column('location', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
        sa.UniqueConstraint('name_key', name=op.f('uq_projects_name_key')),
    )
    with op.batch_alter_table('honours', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('project_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('project_role', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_honours_project_id'), ['project_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_honours_project_id_projects'), 'projects', ['project_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('trademarks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('madrid_number', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_trademarks_madrid_number'), ['madrid_number'], unique=False)

    conn = op.get_bind()
    honours = sa.table('honours', sa.column('id'), sa.column('honour_type'), sa.column('title'),
                       sa.column('year'), sa.column('awarded_on'), sa.column('valid_until'), sa.column('project_id'))
    projects = sa.table('projects', sa.column('id'), sa.column('name'), sa.column('name_key'))
    found = {}
    rows = conn.execute(sa.select(honours.c.id, honours.c.title).where(honours.c.honour_type.in_(PROJECT_TYPES))
                        .order_by(honours.c.id)).all()
    for honour_id, title in rows:
        name = (title or '').strip() or f"未命名工程(荣誉 #{honour_id})"
        key = _key(name)
        if key not in found:
            conn.execute(sa.insert(projects).values(name=name, name_key=key))
            found[key] = conn.execute(sa.select(projects.c.id).where(projects.c.name_key == key)).scalar_one()
        conn.execute(sa.update(honours).where(honours.c.id == honour_id).values(project_id=found[key]))
    champions = conn.execute(sa.select(honours.c.id, honours.c.year, honours.c.awarded_on)
                             .where(honours.c.honour_type == 'single_champion', honours.c.valid_until.is_(None))).all()
    for honour_id, year, awarded_on in champions:
        if isinstance(awarded_on, str):  # SQLite hands an untyped column back as text
            awarded_on = date.fromisoformat(awarded_on[:10])
        start = awarded_on or date(int(year), 12, 31)
        conn.execute(sa.update(honours).where(honours.c.id == honour_id)
                     .values(valid_until=_three_years_on(start)))


def downgrade():
    with op.batch_alter_table('trademarks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trademarks_madrid_number'))
        batch_op.drop_column('madrid_number')
    with op.batch_alter_table('honours', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_honours_project_id_projects'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_honours_project_id'))
        batch_op.drop_column('project_role')
        batch_op.drop_column('project_id')
        batch_op.drop_column('valid_until')
    op.drop_table('projects')
