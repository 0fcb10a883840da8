"""Demo patents (专利, numbers with valid check digits) and trademarks (商标, incl. Madrid and geographical
indications held by the cooperatives)."""
from __future__ import annotations

import random
from datetime import date, timedelta

from registry.demo import names
from registry.models import Enterprise, Patent, Trademark

_PATENT_KINDS = ((1, "invention"), (2, "utility_model"), (3, "design"))
_PARTS = ("加工装置", "检测装置", "制备方法", "夹持机构", "连接结构", "自动化生产线", "包装结构", "冷却系统")
# Nice classes an industry files in.
_CLASSES = {"auto_machinery": (12, 7), "medical_health": (5, 10), "fashion_leisure": (20, 9, 22, 28),
            "building_materials": (19, 17, 37), "new_materials": (1, 2, 17), "trade_logistics": (39, 35),
            "culture_tourism": (43, 41, 39), "other": (29, 31, 30, 9)}
GI_MARKS = (("涌泉蜜橘", "registered"), ("上盘西兰花", "applied"), ("白水洋杨梅", "cultivating"))


def build_patents(rng: random.Random, enterprises: list[Enterprise], industry_codes: dict[int, str]
                  ) -> list[Patent]:
    """Unsaved patents: most makers hold a few, above-scale ones more; statuses follow the filing date."""
    taken: set[str] = set()
    out: list[Patent] = []
    for e in enterprises:
        industry = industry_codes[e.industry_id]
        if industry in ("trade_logistics", "culture_tourism") and rng.random() < 0.8:
            continue
        for _ in range(rng.randint(2, 14) if e.above_scale else rng.choice((0, 0, 1, 2, 3, 5))):
            type_digit, patent_type = rng.choices(_PATENT_KINDS, weights=(3, 6, 2))[0]
            filed = names.day_between(rng, date(2016, 1, 5), date(2026, 9, 30))
            while True:
                number = names.patent_number(filed.year, type_digit, rng.randint(1, 9_999_999))
                if number not in taken:
                    taken.add(number)
                    break
            product = rng.choice(names.products_for(e.name, industry))
            title = f"{product}（外观）" if patent_type == "design" else f"一种{product}的{rng.choice(_PARTS)}"
            lag = {"invention": rng.randint(500, 1100), "utility_model": rng.randint(120, 300),
                   "design": rng.randint(90, 200)}[patent_type]
            granted = filed + timedelta(days=lag)
            if granted > date(2026, 10, 31):
                status, granted = "pending", None
            elif patent_type == "invention" and rng.random() < 0.15:
                status, granted = "rejected", None
            else:
                status = "lapsed" if rng.random() < 0.08 else "granted"
            out.append(Patent(enterprise_id=e.id, number=number, patent_type=patent_type, title=title,
                              filed_on=filed, granted_on=granted, status=status))
    return out


def build_trademarks(rng: random.Random, enterprises: list[Enterprise], industry_codes: dict[int, str],
                     cooperatives: list[Enterprise]) -> list[Trademark]:
    """Unsaved trademarks: a house mark in one or two classes, some Madrid; GI marks for the cooperatives."""
    taken: set[tuple[str, int]] = set()
    out: list[Trademark] = []

    def number() -> str:
        return str(rng.randint(8_000_000, 72_000_000))

    for e in enterprises:
        if e in cooperatives or rng.random() < 0.35:
            continue
        mark = e.name.removeprefix("浙江").removeprefix("台州").removeprefix("临海市")[:2]
        for nice_class in rng.sample(_CLASSES[industry_codes[e.industry_id]], rng.choice((1, 1, 2))):
            registered = names.day_between(rng, date(2016, 1, 1), date(2026, 9, 30))
            reg = number()
            while (reg, nice_class) in taken:
                reg = number()
            taken.add((reg, nice_class))
            madrid = e.above_scale and rng.random() < 0.2
            out.append(Trademark(
                enterprise_id=e.id, reg_number=reg, nice_class=nice_class, mark=mark, registered_on=registered,
                expires_on=names.add_years(registered, 10) - timedelta(days=1), madrid=madrid,
                madrid_registered_on=registered + timedelta(days=rng.randint(60, 400)) if madrid else None))
    for coop, (mark, gi_status) in zip(cooperatives, GI_MARKS):
        applied = names.day_between(rng, date(2019, 1, 1), date(2025, 6, 30)) if gi_status != "cultivating" else None
        cultivated = (names.day_between(rng, date(2018, 1, 1), applied) if applied
                      else names.day_between(rng, date(2021, 1, 1), date(2025, 6, 30)))
        registered = names.add_years(applied, 1) if gi_status == "registered" and applied else None
        out.append(Trademark(
            enterprise_id=coop.id, reg_number=number(), nice_class=31, mark=mark, registered_on=registered,
            expires_on=names.add_years(registered, 10) - timedelta(days=1) if registered else None,
            geographical_indication=True, gi_status=gi_status, gi_applied_on=applied, gi_route="trademark",
            gi_cultivation_started_on=cultivated))
    return out
