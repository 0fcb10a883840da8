"""green_product_domains: the 绿色产品认证目录 catalogue; existing free-text domains that name an entry take its name

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 13:50:00

"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# A copy of registry.seeds.catalogues.GREEN_PRODUCT_DOMAINS as of this migration (migrations do not import the app).
DOMAINS = [
    ("GB/T 35601", "人造板和木质地板"), ("GB/T 35602", "涂料"), ("GB/T 35603", "卫生陶瓷"),
    ("GB/T 35604", "建筑玻璃"), ("GB/T 35605", "墙体材料"), ("GB/T 35606", "太阳能热水系统"),
    ("GB/T 35607", "家具"), ("GB/T 35608", "绝热材料"), ("GB/T 35609", "防水与密封材料"),
    ("GB/T 35610", "陶瓷砖(板)"), ("GB/T 35611", "纺织产品"), ("GB/T 35612", "木塑制品"),
    ("GB/T 35613", "纸和纸制品"), ("GP-PLASTIC", "塑料制品"), ("GP-DETERGENT", "洗涤用品"), ("GP-EXPRESS", "快递包装"),
]


def _fold(text):
    return unicodedata.normalize("NFKC", text).strip()


def upgrade():
    table = op.create_table(
        "green_product_domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_green_product_domains")),
        sa.UniqueConstraint("code", name=op.f("uq_green_product_domains_code")),
        sa.UniqueConstraint("name", name=op.f("uq_green_product_domains_name")),
    )
    op.bulk_insert(table, [{"code": code, "name": name, "sort_order": order, "active": True}
                           for order, (code, name) in enumerate(DOMAINS)])
    # Free text recorded before the catalogue: a value that is a catalogue name after NFKC folding and trimming
    # becomes that name; anything else stays as written (and is not counted until someone corrects it).
    bind = op.get_bind()
    by_fold = {_fold(name): name for _code, name in DOMAINS}
    certs = sa.table("certifications", sa.column("cert_type", sa.String), sa.column("product_domain", sa.String))
    found = bind.execute(sa.select(certs.c.product_domain).distinct()
                         .where(certs.c.cert_type == "green_product", certs.c.product_domain.is_not(None))).scalars()
    for value in list(found):
        name = by_fold.get(_fold(value))
        if name is not None and name != value:
            bind.execute(certs.update().where(certs.c.cert_type == "green_product", certs.c.product_domain == value)
                         .values(product_domain=name))


def downgrade():
    op.drop_table("green_product_domains")
