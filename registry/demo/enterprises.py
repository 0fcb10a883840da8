"""Demo enterprises (企业主档): every jurisdiction and industry, with the places industries really cluster."""
from __future__ import annotations

import random
from datetime import date

from registry.demo import names
from registry.models import Enterprise, Industry, Jurisdiction

# Where an industry tends to sit (jurisdiction codes), used to weight the draw so pharma lands in the
# chemical park, glasses in 杜桥, leisure goods in 大洋 / 江南, and so on. Any jurisdiction stays possible.
_CLUSTERS = {
    "medical_health": ("331082Z02", "331082Z01", "331082003"),
    "fashion_leisure": ("331082002", "331082003", "331082112", "331082100"),
    "auto_machinery": ("331082Z02", "331082004", "331082005", "331082100"),
    "new_materials": ("331082Z01", "331082Z02"),
    "building_materials": ("331082001", "331082004", "331082111"),
    "trade_logistics": ("331082Z01", "331082002"),
    "culture_tourism": ("331082001", "331082114", "331082107"),
}
# Bigger places hold more firms: 杜桥 (glasses, the demo town), the two zones and the central streets.
_JURISDICTION_WEIGHTS = {"331082112": 4, "331082Z02": 3, "331082Z01": 2, "331082001": 2, "331082002": 2,
                         "331082003": 2, "331082004": 2}
_INDUSTRY_WEIGHTS = {"auto_machinery": 22, "medical_health": 12, "fashion_leisure": 18, "building_materials": 12,
                     "new_materials": 9, "trade_logistics": 9, "culture_tourism": 7, "other": 11}

# Farmers' cooperatives hold the geographical-indication marks (地理标志); they register with type '93'.
COOPERATIVES = (("临海市涌泉蜜橘专业合作社", "331082110"), ("临海市上盘西兰花专业合作社", "331082113"),
                ("临海市白水洋杨梅专业合作社", "331082106"))


def build_enterprises(rng: random.Random, jurisdictions: list[Jurisdiction], industries: list[Industry],
                      count: int) -> list[Enterprise]:
    """``count`` unsaved enterprises; the first ones cover every jurisdiction and every industry."""
    by_code = {j.code: j for j in jurisdictions}
    industry_by_code = {i.code: i for i in industries}
    trades: set[str] = set()
    codes: set[str] = set()
    out: list[Enterprise] = []
    for name, jcode in COOPERATIVES:
        established = names.day_between(rng, date(2004, 1, 1), date(2014, 12, 31))
        juris = by_code.get(jcode) or jurisdictions[0]
        out.append(_enterprise(rng, name, names.uscc(rng, established, codes, "93"), juris,
                               industry_by_code.get("other") or industries[-1], False, established))
    weights = [_INDUSTRY_WEIGHTS.get(i.code, 5) for i in industries]
    place_weights = [_JURISDICTION_WEIGHTS.get(j.code, 1) for j in jurisdictions]
    for n in range(count - len(out)):
        industry = industries[n] if n < len(industries) else rng.choices(industries, weights)[0]
        if n < len(jurisdictions):
            juris = jurisdictions[n]
        elif rng.random() < 0.6 and industry.code in _CLUSTERS:
            juris = by_code.get(rng.choice(_CLUSTERS[industry.code])) or rng.choice(jurisdictions)
        else:
            juris = rng.choices(jurisdictions, place_weights)[0]
        above_scale = rng.random() < 0.38
        established = names.day_between(rng, date(1993, 1, 1) if above_scale else date(2000, 1, 1),
                                        date(2023, 12, 31))
        name = names.company_name(rng, names.trade_name(rng, trades), industry.code, above_scale)
        out.append(_enterprise(rng, name, names.uscc(rng, established, codes), juris, industry, above_scale,
                               established))
    return out


def _enterprise(rng: random.Random, name: str, uscc: str, juris: Jurisdiction, industry: Industry,
                above_scale: bool, established: date) -> Enterprise:
    legal = names.person_name(rng)
    contact = names.person_name(rng) if rng.random() < 0.7 else legal
    return Enterprise(
        name=name, uscc=uscc, jurisdiction_id=juris.id, industry_id=industry.id, above_scale=above_scale,
        established_on=established, legal_representative=legal, contact_name=contact,
        contact_phone=names.phone(rng), address=names.address(rng, juris.name),
        group_name=None,
    )
