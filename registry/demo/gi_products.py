"""Demo 地理标志产品保护 applications (no trademark number) by the demo cooperatives: one cultivated, one applied for,
so 地理标志培育、申请数 shows both kinds of GI on first sign-in."""
from __future__ import annotations

from datetime import date

from registry.demo.enterprises import COOPERATIVES
from registry.extensions import db
from registry.models import GiProduct

_PRODUCTS = (("临海白水洋杨梅", "cultivating", date(2023, 3, 1), None),
             ("临海上盘西兰花", "applied", date(2021, 5, 1), date(2022, 9, 15)))


def add_gi_products(_rng, enterprises) -> dict:
    """A step of ``seed_demo`` (registry.demo.steps): adds the applications to the session."""
    cooperatives = {e.name: e for e in enterprises[:len(COOPERATIVES)]}
    owners = [cooperatives.get(COOPERATIVES[2][0]), cooperatives.get(COOPERATIVES[1][0])]
    rows = [GiProduct(enterprise_id=owner.id, product_name=name, status=status, cultivation_started_on=cultivated,
                      applied_on=applied, authority="国家知识产权局")
            for owner, (name, status, cultivated, applied) in zip(owners, _PRODUCTS) if owner is not None]
    db.session.add_all(rows)
    return {"gi_products": len(rows)}
