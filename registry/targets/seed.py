"""The plan's indicators as data: Table 2 (十四五, 27 indicators with 2025 targets), Table 1 (十三五, 22 with the
2020 target and result) and the ISO 10012 growth rule of section 七(一). Names, units and targets are as printed.

``seed_indicators()`` is idempotent: it adds missing indicators by code and leaves edited ones alone.
"""
from __future__ import annotations

import re

import click
from sqlalchemy import select

from registry.database import begin_write
from registry.extensions import db
from registry.targets.models import (KIND_CUMULATIVE, KIND_GROWTH, KIND_NEW, KIND_RATE, METHOD_DERIVED,
                                     METHOD_REPORTED, PLAN_13TH, PLAN_14TH, Indicator)

Q, S, B = "质量建设", "标准建设", "品牌建设"
D, R = METHOD_DERIVED, METHOD_REPORTED

# (category, name, unit, 2025 target as printed, kind, method, rule)
TABLE_2 = [
    (Q, "市级以上政府质量奖获奖组织（新增）", "", "3", KIND_NEW, D, "quality_award_orgs"),
    (Q, "制造业产品质量合格率", "%", "≥96", KIND_RATE, R, None),
    (Q, "农产品质量安全监测合格率", "%", "≥98.2", KIND_RATE, R, None),
    (Q, "规模以上工业新产品产值率", "%", "≥45", KIND_RATE, R, None),
    (Q, "“钱江杯”优质工程奖（新增）", "", "10", KIND_NEW, D, "qianjiang_cup"),
    (Q, "“鲁班奖”等国家优质工程奖（新增）", "", "2", KIND_NEW, D, "national_quality_projects"),
    (Q, "城市空气质量优良天数比例", "%", "≥96", KIND_RATE, R, None),
    (Q, "全市河流I-III类水质断面比例", "%", "≥93.3", KIND_RATE, R, None),
    (Q, "县级以上城市集中式饮用水水源地水质达标率", "%", "100", KIND_RATE, R, None),
    (S, "制定“浙江制造”标准（新增）", "", "30", KIND_NEW, D, "zzb_standards"),
    (S, "主导和参与制修订国际标准（新增）", "", "1", KIND_NEW, D, "international_standards"),
    (S, "主导和参与制修订国家标准（新增）", "", "20", KIND_NEW, D, "national_standards"),
    (S, "标准国际化试点示范单位（新增）", "", "1", KIND_NEW, D, "standard_internationalisation_pilots"),
    (S, "各级标准创新贡献奖组织", "", "1", KIND_CUMULATIVE, D, "standard_innovation_orgs"),
    (S, "国家级、省级标准化试点示范项目（新增）", "", "2", KIND_NEW, D, "standardisation_pilots"),
    (B, "自主品牌产品出口比重", "%", "15", KIND_RATE, R, None),
    (B, "培育“品字标”企业（新增）", "", "20", KIND_NEW, D, "pinzibiao_enterprises"),
    (B, "“浙江制造”国际认证证书保有量（累计）", "", "5", KIND_CUMULATIVE, D, "zhejiang_international_certs"),
    (B, "“浙江制造精品”数量（累计）", "", "10", KIND_CUMULATIVE, D, "zhejiang_boutique"),
    (B, "单项冠军企业数量（累计）", "", "2", KIND_CUMULATIVE, D, "single_champions"),
    (B, "绿色产品认证覆盖领域", "", "2", KIND_CUMULATIVE, D, "green_product_domains"),
    (B, "高品质服务认证证书（累计）", "", "40", KIND_CUMULATIVE, D, "high_quality_service_certs"),
    (B, "浙江出口名牌（新增）", "", "1", KIND_NEW, D, "export_brands"),
    (B, "创建全国质量品牌提升示范区（新增）", "", "1", KIND_NEW, R, None),
    # A city-wide statistic; the registry's own count of valid marks is shown beside it.
    (B, "国内有效商标注册数（累计）", "万件", "4.3", KIND_CUMULATIVE, R, "registered_trademarks"),
    (B, "地理标志培育、申请数（新增）", "", "3", KIND_NEW, D, "gi_trademarks"),
    (B, "马德里商标国际注册量（新增）", "", "100", KIND_NEW, D, "madrid_trademarks"),
]

# (category, name as printed, unit, 2020 target, 2020 result)
TABLE_1 = [
    (Q, "规上工业新产品产值率（%）", "%", "42", "43"),
    (Q, "农业“三品”认证产品累计数量（个）", "个", "82", "83"),
    (Q, "制造业产品质量合格率（%）", "%", "93", "95.9"),
    (Q, "食品、药品、农产品监督抽检综合合格率（%）", "%", "98", "98.5"),
    (Q, "食品安全公众满意度", "", "85", "85.9"),
    (Q, "农产品安全公众满意度", "", "70", "70"),
    (Q, "竣工交付工程一次交验合格率（%）", "%", "100", "100"),
    (Q, "服务质量满意度", "", "85", "88"),
    (Q, "地表水省控以上断面水质好于Ⅲ类的比例（%）", "%", "100", "100"),
    (Q, "全市环境空气 AQI 优良率（%）", "%", "92", "98.6"),
    (Q, "受污染耕地安全利用率（%）", "%", "93", "98.7"),
    (Q, "污染地块安全利用率（%）", "%", "93", "100"),
    (S, "制定“浙江制造”标准（项）", "项", "4", "30"),
    (S, "主导制修订国家标准、行业标准（项）", "项", "5", "8"),
    (S, "各级地方标准规范（项）", "项", "10", "44"),
    (S, "规上企业主要产品采标率（%）", "%", "65", "70"),
    (S, "绿色农产品比率（%）", "%", "62", "65"),
    (S, "各行业各级标准化试点示范区（点、项目）", "点、项目", "10", "11"),
    (B, "市政府质量奖企业（个）", "个", "3", "5"),
    (B, "“浙江制造”品牌认证企业（个）", "个", "3", "20"),
    (B, "“浙江制造”品牌培育企业（个）", "个", "15", "20"),
    (B, "自主品牌产品出口比重（%）", "%", "30", "30"),
]

ISO_10012 = ("ISO10012", Q, "新导入ISO10012测量管理体系企业数同比增长", "%", "≥10", KIND_GROWTH, D,
             "iso10012_adopters", "规划七（一）：每年新导入ISO10012测量管理体系的企业数同比增长不低于10%。")


def target_number(text: str | None) -> float | None:
    """The number in a printed target ("≥98.2" -> 98.2); None when there is none."""
    match = re.search(r"-?\d+(?:\.\d+)?", text or "")
    return float(match.group()) if match else None


def _catalogue() -> list[dict]:
    rows = []
    for n, (category, name, unit, target, kind, method, rule) in enumerate(TABLE_2, start=1):
        rows.append(dict(code=f"T2-{n:02d}", plan=PLAN_14TH, category=category, name=name, unit=unit,
                         target_text=target, kind=kind, method=method, rule=rule, sort_order=n))
    code, category, name, unit, target, kind, method, rule, note = ISO_10012
    rows.append(dict(code=code, plan=PLAN_14TH, category=category, name=name, unit=unit, target_text=target,
                     kind=kind, method=method, rule=rule, note=note, sort_order=len(TABLE_2) + 1))
    for n, (category, name, unit, target, result) in enumerate(TABLE_1, start=1):
        rows.append(dict(code=f"T1-{n:02d}", plan=PLAN_13TH, category=category, name=name, unit=unit,
                         target_text=target, baseline_result_text=result, kind=KIND_RATE, method=METHOD_REPORTED,
                         rule=None, sort_order=100 + n))
    return rows


def seed_indicators() -> int:
    """Insert the missing plan indicators and commit; returns how many were added."""
    begin_write()
    have = set(db.session.scalars(select(Indicator.code)))
    added = 0
    for row in _catalogue():
        if row["code"] in have:
            continue
        db.session.add(Indicator(**row, target_value=target_number(row["target_text"]), active=True))
        added += 1
    db.session.commit()
    return added


@click.command("seed-indicators")
def seed_indicators_command():
    """Add the plan's indicators (Table 2, Table 1 baseline, ISO 10012 growth); idempotent."""
    click.echo(f"indicators added: {seed_indicators()}")
