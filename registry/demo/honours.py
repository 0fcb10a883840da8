"""Demo honours (荣誉): every type in registry.vocab.HONOUR_TYPES at the levels and from the issuers that award it,
construction awards (鲁班奖, 钱江杯, 括苍杯) for builders with a project name, and a couple revoked."""
from __future__ import annotations

import random
from datetime import date

from registry.demo import names
from registry.models import Enterprise, Honour, Project
from registry.services.projects import name_key
from registry.vocab import HONOUR_TYPES, PROJECT_ROLES, REVIEWED_HONOUR_YEARS

# honour type -> ((level, issuer), ...) it is given at.
_LEVELS = {
    "quality_award": (("linhai", "临海市人民政府"), ("taizhou", "台州市人民政府"), ("provincial", "浙江省人民政府")),
    "quality_award_nomination": (("taizhou", "台州市人民政府"), ("provincial", "浙江省人民政府"),
                                 ("national", "国家市场监督管理总局")),
    "quality_innovation_award": (("linhai", "临海市人民政府"), ("taizhou", "台州市人民政府"),
                                 ("provincial", "浙江省人民政府")),
    "quality_award_organisation": (("provincial", "浙江省人民政府"),),
    "luban": (("national", "中国建筑业协会"),),
    "national_quality_project": (("national", "中国施工企业管理协会"),),
    "zhan_tianyou": (("national", "中国土木工程学会"),),
    "qianjiang_cup": (("provincial", "浙江省建筑业行业协会"),),
    "kuocang_cup": (("taizhou", "台州市建筑业协会"),),
    "standard_innovation": (("provincial", "浙江省市场监督管理局"), ("taizhou", "台州市人民政府"),
                            ("national", "国家市场监督管理总局")),
    "standard_internationalisation_pilot": (("provincial", "浙江省市场监督管理局"),),
    "standardisation_pilot": (("national", "国家标准化管理委员会"), ("provincial", "浙江省市场监督管理局")),
    "zhejiang_boutique": (("provincial", "浙江省经济和信息化厅"),),
    "single_champion": (("national", "工业和信息化部"), ("provincial", "浙江省经济和信息化厅")),
    "zhejiang_export_brand": (("provincial", "浙江省商务厅"),),
    "other": (("provincial", "浙江省经济和信息化厅"), ("linhai", "临海市人民政府")),
}
_CONSTRUCTION = ("luban", "national_quality_project", "zhan_tianyou", "qianjiang_cup", "kuocang_cup")
_PROJECTS = ("临海市第一人民医院迁建工程", "头门港疏港公路工程", "临海市文体中心", "灵湖景区配套工程",
             "台州府城文化街区改造工程", "临海市城东安置小区", "杜桥镇污水处理厂扩建工程", "临海经济开发区标准厂房")
_OTHER_TITLES = ("浙江省“专精特新”中小企业", "临海市“亩均效益”领跑者", "浙江省科技型中小企业")


def build_honours(rng: random.Random, enterprises: list[Enterprise], industry_codes: dict[int, str],
                  count: int) -> list[Honour]:
    """``count`` unsaved honours, at least one of every type; two are revoked with a reason."""
    builders = [e for e in enterprises if industry_codes[e.industry_id] == "building_materials"] or enterprises
    makers = [e for e in enterprises if e.above_scale] or enterprises
    types = list(HONOUR_TYPES)
    weights = [3 if t in ("quality_award", "qianjiang_cup", "zhejiang_boutique", "other") else 1 for t in types]
    out: list[Honour] = []
    projects: dict[str, Project] = {}
    for n in range(count):
        honour_type = types[n] if n < len(types) else rng.choices(types, weights)[0]
        level, issuer = rng.choice(_LEVELS[honour_type])
        enterprise = rng.choice(builders if honour_type in _CONSTRUCTION else makers)
        year = rng.randint(2016, 2025)
        awarded = names.day_between(rng, date(year, 3, 1), date(year, 12, 28))
        title = None
        if honour_type in _CONSTRUCTION:
            title = rng.choice(_PROJECTS)
        elif honour_type == "zhejiang_boutique":
            title = rng.choice(names.products_for(enterprise.name, industry_codes[enterprise.industry_id]))
        elif honour_type == "other":
            title = rng.choice(_OTHER_TITLES)
        honour = Honour(enterprise_id=enterprise.id, honour_type=honour_type, level=level, year=year,
                        awarded_on=awarded, title=title, issuer=issuer)
        if honour_type in _CONSTRUCTION:  # several units of one project: the indicators count the project once
            honour.project = projects.setdefault(title, Project(name=title, name_key=name_key(title)))
            honour.project_role = rng.choice(list(PROJECT_ROLES))
        if honour_type in REVIEWED_HONOUR_YEARS:
            honour.valid_until = names.add_years(awarded, REVIEWED_HONOUR_YEARS[honour_type])
        out.append(honour)
    for honour, reason in zip(rng.sample(out[len(types):] or out, 2),
                              ("获奖后两年内发生重大质量安全事故，依规撤销。", "申报材料存在弄虚作假情形，依规撤销。")):
        honour.revoked_on = names.day_between(rng, names.add_years(honour.awarded_on, 1), date(2026, 10, 31))
        honour.revoke_reason = reason
    return out
