"""Catalogue seed data from domain.md section 1: Linhai's jurisdictions and the plan's industries; and the product
categories of the national 绿色产品认证目录.

``seed_catalogues()`` is idempotent: it adds what is missing and leaves edited rows alone.
"""
from __future__ import annotations

from sqlalchemy import select

from registry.extensions import db
from registry.models import GreenProductDomain, Industry, Jurisdiction

JURISDICTIONS = [
    ("331082001", "古城街道", "street"), ("331082002", "大洋街道", "street"), ("331082003", "江南街道", "street"),
    ("331082004", "大田街道", "street"), ("331082005", "邵家渡街道", "street"),
    ("331082100", "汛桥镇", "town"), ("331082101", "东塍镇", "town"), ("331082103", "汇溪镇", "town"),
    ("331082104", "小芝镇", "town"), ("331082105", "河头镇", "town"), ("331082106", "白水洋镇", "town"),
    ("331082107", "括苍镇", "town"), ("331082108", "永丰镇", "town"), ("331082109", "尤溪镇", "town"),
    ("331082110", "涌泉镇", "town"), ("331082111", "沿江镇", "town"), ("331082112", "杜桥镇", "town"),
    ("331082113", "上盘镇", "town"), ("331082114", "桃渚镇", "town"),
    # The zones have no division code of their own; these codes are the registry's.
    ("331082Z01", "头门港经济开发区", "zone"), ("331082Z02", "临海经济开发区", "zone"),
]

INDUSTRIES = [
    ("auto_machinery", "汽车机械", True), ("medical_health", "医药健康", True), ("fashion_leisure", "时尚休闲", True),
    ("building_materials", "建筑建材", False), ("new_materials", "新材料", False),
    ("trade_logistics", "商贸物流", False), ("culture_tourism", "文化旅游", False), ("other", "其他", False),
]

# 绿色产品认证目录: (code, name). The first batch is the 绿色产品评价 national standards GB/T 35601-35613 (2017); the
# code is the standard's number. Migration 0018 holds a copy of this list (it maps existing free-text domains).
GREEN_PRODUCT_DOMAINS = [
    ("GB/T 35601", "人造板和木质地板"), ("GB/T 35602", "涂料"), ("GB/T 35603", "卫生陶瓷"),
    ("GB/T 35604", "建筑玻璃"), ("GB/T 35605", "墙体材料"), ("GB/T 35606", "太阳能热水系统"),
    ("GB/T 35607", "家具"), ("GB/T 35608", "绝热材料"), ("GB/T 35609", "防水与密封材料"),
    ("GB/T 35610", "陶瓷砖（板）"), ("GB/T 35611", "纺织产品"), ("GB/T 35612", "木塑制品"),
    ("GB/T 35613", "纸和纸制品"),
    # Later batches of the 目录 (2019-2020), not in GB/T 35601-35613: the registry's own codes.
    ("GP-PLASTIC", "塑料制品"), ("GP-DETERGENT", "洗涤用品"), ("GP-EXPRESS", "快递包装"),
]


def seed_green_product_domains() -> int:
    """Insert missing 绿色产品认证目录 entries (by code); no commit; return how many were added."""
    have = set(db.session.scalars(select(GreenProductDomain.code)))
    added = 0
    for order, (code, name) in enumerate(GREEN_PRODUCT_DOMAINS):
        if code not in have:
            db.session.add(GreenProductDomain(code=code, name=name, sort_order=order))
            added += 1
    return added


def seed_catalogues() -> tuple[int, int]:
    """Insert missing jurisdictions, industries and green-product domains; commit; return how many of each were added."""
    have_j = set(db.session.scalars(select(Jurisdiction.code)))
    added_j = 0
    for order, (code, name, kind) in enumerate(JURISDICTIONS):
        if code not in have_j:
            db.session.add(Jurisdiction(code=code, name=name, kind=kind, sort_order=order))
            added_j += 1
    have_i = set(db.session.scalars(select(Industry.code)))
    added_i = 0
    for order, (code, name, cluster) in enumerate(INDUSTRIES):
        if code not in have_i:
            db.session.add(Industry(code=code, name=name, cluster=cluster, sort_order=order))
            added_i += 1
    seed_green_product_domains()
    db.session.commit()
    return added_j, added_i
