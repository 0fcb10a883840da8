"""Demo standards (标准) with their Linhai drafters: "浙江制造" T/ZZB ones with several drafters, national
GB/T, industry, local DB33, other group, enterprise and a few international (ISO) standards."""
from __future__ import annotations

import random
from datetime import date, timedelta

from registry.demo import names
from registry.models import Enterprise, Standard, StandardDrafter

# Industry code -> the industry-standard prefix used for it (JB/T machinery, YY/T medical devices, ...).
_INDUSTRY_PREFIX = {"auto_machinery": ("QC/T", "JB/T"), "medical_health": ("YY/T",), "fashion_leisure": ("QB/T",),
                    "building_materials": ("JC/T", "JG/T"), "new_materials": ("HG/T",),
                    "trade_logistics": ("WB/T",), "culture_tourism": ("LB/T",), "other": ("NY/T",)}
_GROUP_PREFIX = ("T/ZJSJ", "T/TZSX", "T/CAAMTB", "T/CNLIC")
_TZZB_FIRST_SEQ = {2016: 1, 2017: 120, 2018: 500, 2019: 1000, 2020: 1600, 2021: 2200, 2022: 2900,
                   2023: 3500, 2024: 4100, 2025: 4700, 2026: 5300}  # the T/ZZB sequence runs on across years
_SUFFIXES = ("", "", "技术条件", "通用技术要求", "试验方法")


def _status(rng: random.Random, year: int) -> tuple[str, date | None, date | None, date | None]:
    """(status, published_on, effective_on, withdrawn_on) for a standard numbered in ``year``."""
    if year >= 2026 and rng.random() < 0.7:
        return rng.choice(("approved", "drafting", "consultation", "review")), None, None, None
    published = names.day_between(rng, date(year, 1, 10), date(year, 11, 30))
    effective = published + timedelta(days=rng.choice((30, 60, 90, 180)))
    if year <= 2018 and rng.random() < 0.1:
        return "withdrawn", published, effective, names.day_between(rng, date(2022, 1, 1), date(2025, 12, 31))
    return ("in_force" if effective <= date(2026, 10, 1) else "published"), published, effective, None


def build_standards(rng: random.Random, enterprises: list[Enterprise], industry_codes: dict[int, str],
                    count: int) -> tuple[list[Standard], int]:
    """``count`` unsaved standards with drafters attached; returns them and the number of drafter rows."""
    by_industry: dict[str, list[Enterprise]] = {}
    for e in enterprises:
        by_industry.setdefault(industry_codes[e.industry_id], []).append(e)
    taken: set[str] = set()
    zzb_next = dict(_TZZB_FIRST_SEQ)
    standards, drafters = [], 0
    makers = [e for e in enterprises if industry_codes[e.industry_id] not in ("trade_logistics", "culture_tourism")]
    for n in range(count):
        lead = rng.choice(makers if n % 4 else enterprises)
        code = industry_codes[lead.industry_id]
        product = rng.choice(names.products_for(lead.name, code))
        year = rng.randint(2016, 2026)
        kind = rng.choices(("zzb", "gbt", "industry", "local", "group", "enterprise", "iso"),
                           weights=(34, 16, 14, 7, 9, 15, 5))[0]
        number, title = _number_and_title(rng, kind, code, year, product, lead, zzb_next, taken)
        status, published, effective, withdrawn = _status(rng, year)
        level = {"zzb": "group_zzb", "gbt": "national", "iso": "international"}.get(kind, kind)
        standard = Standard(number=number, level=level, title=title, status=status, published_on=published,
                            effective_on=effective, withdrawn_on=withdrawn)
        standard.drafters.append(StandardDrafter(enterprise_id=lead.id, role="lead" if kind != "iso" else "participant"))
        peers = [e for e in by_industry.get(code, []) if e.id != lead.id]
        extra = 0 if kind == "enterprise" else rng.choices((0, 1, 2, 3), weights=(3, 4, 3, 1) if kind == "zzb"
                                                          else (6, 3, 1, 0))[0]
        for peer in rng.sample(peers, min(extra, len(peers))):
            standard.drafters.append(StandardDrafter(enterprise_id=peer.id, role="participant"))
        drafters += len(standard.drafters)
        standards.append(standard)
    return standards, drafters


def _number_and_title(rng, kind, code, year, product, lead, zzb_next, taken) -> tuple[str, str]:
    while True:
        if kind == "zzb":
            seq = zzb_next[year]
            zzb_next[year] += rng.randint(1, 9)
            number = f"T/ZZB {seq:04d}-{year}"
        elif kind == "gbt":
            number = f"GB/T {rng.randint(30000, 43999)}-{year}"
        elif kind == "industry":
            number = f"{rng.choice(_INDUSTRY_PREFIX[code])} {rng.randint(1000, 5999)}-{year}"
        elif kind == "local":
            number = f"DB33/T {rng.randint(1100, 2600)}-{year}" if rng.random() < 0.7 else \
                f"DB3310/T {rng.randint(10, 160):03d}-{year}"
        elif kind == "group":
            number = f"{rng.choice(_GROUP_PREFIX)} {rng.randint(1, 199):03d}-{year}"
        elif kind == "enterprise":
            number = f"Q/LH{lead.id % 900 + 100} {rng.randint(1, 30):03d}-{year}"
        else:
            number = f"ISO {rng.randint(20000, 24999)}:{year}"
        if number not in taken:
            taken.add(number)
            break
    suffix = rng.choice(_SUFFIXES)
    if kind == "iso":
        suffix = rng.choice(("安全要求", "性能要求和试验方法", "术语"))
    return number, f"{product}{suffix}"
