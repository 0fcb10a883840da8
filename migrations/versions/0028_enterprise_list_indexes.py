"""enterprise list indexes in list order (name, id), whole and per town and industry, covering the filter columns;
an enterprise's town by id for the town assessment

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 19:20:00

At 1,000,000 enterprises the list with filters read a town's rows from all over the table (a bitmap heap scan of
23,000 pages for 47,000 rows) or walked the name index through the whole table for a rare filter. These indexes give
the page's ids and the capped count from the index alone; they replace the single-column indexes on name,
jurisdiction_id and industry_id, whose lookups they serve as well. The town assessment joined every counted record
to the whole enterprises table (a 224 MB scan per rule); (id) INCLUDE (jurisdiction_id) is 21 MB.
"""
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

NEW = (
    ("ix_enterprises_list_name", ["name", "id"], ["jurisdiction_id", "industry_id", "above_scale"]),
    ("ix_enterprises_list_jurisdiction", ["jurisdiction_id", "name", "id"], ["industry_id", "above_scale"]),
    ("ix_enterprises_list_industry", ["industry_id", "name", "id"], ["above_scale"]),
    ("ix_enterprises_id_jurisdiction", ["id"], ["jurisdiction_id"]),
)
OLD = (("ix_enterprises_name", ["name"]), ("ix_enterprises_jurisdiction_id", ["jurisdiction_id"]),
       ("ix_enterprises_industry_id", ["industry_id"]))


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _postgres():
        for name, columns, _include in NEW:
            op.create_index(name, "enterprises", columns)
        for name, _columns in OLD:
            op.drop_index(name, table_name="enterprises")
        return
    # CONCURRENTLY: a live registry keeps taking writes while the indexes build (outside a transaction). The new
    # ones exist before the old ones go, so no query is left without an index in between.
    with op.get_context().autocommit_block():
        for name, columns, include in NEW:
            op.create_index(name, "enterprises", columns, postgresql_include=include, postgresql_concurrently=True,
                            if_not_exists=True)
        for name, _columns in OLD:
            op.drop_index(name, table_name="enterprises", postgresql_concurrently=True, if_exists=True)


def downgrade():
    if not _postgres():
        for name, columns in OLD:
            op.create_index(name, "enterprises", columns)
        for name, _columns, _include in NEW:
            op.drop_index(name, table_name="enterprises")
        return
    with op.get_context().autocommit_block():
        for name, columns in OLD:
            op.create_index(name, "enterprises", columns, postgresql_concurrently=True, if_not_exists=True)
        for name, _columns, _include in NEW:
            op.drop_index(name, table_name="enterprises", postgresql_concurrently=True, if_exists=True)
