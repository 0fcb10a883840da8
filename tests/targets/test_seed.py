"""The plan's indicators are seeded exactly as printed (Table 2 and Table 1 of the 十四五 plan)."""
from __future__ import annotations

from pathlib import Path

import pytest

from sqlalchemy import func, select

from registry.extensions import db
from registry.targets.models import Indicator
from registry.targets.rules import all_rules
from registry.targets.seed import seed_indicators

# Table 2 as printed in the plan: (category, indicator, unit, 2025 target).
TABLE_2 = [
    ("质量建设", "市级以上政府质量奖获奖组织（新增）", "", "3"),
    ("质量建设", "制造业产品质量合格率", "%", "≥96"),
    ("质量建设", "农产品质量安全监测合格率", "%", "≥98.2"),
    ("质量建设", "规模以上工业新产品产值率", "%", "≥45"),
    ("质量建设", "“钱江杯”优质工程奖（新增）", "", "10"),
    ("质量建设", "“鲁班奖”等国家优质工程奖（新增）", "", "2"),
    ("质量建设", "城市空气质量优良天数比例", "%", "≥96"),
    ("质量建设", "全市河流I-III类水质断面比例", "%", "≥93.3"),
    ("质量建设", "县级以上城市集中式饮用水水源地水质达标率", "%", "100"),
    ("标准建设", "制定“浙江制造”标准（新增）", "", "30"),
    ("标准建设", "主导和参与制修订国际标准（新增）", "", "1"),
    ("标准建设", "主导和参与制修订国家标准（新增）", "", "20"),
    ("标准建设", "标准国际化试点示范单位（新增）", "", "1"),
    ("标准建设", "各级标准创新贡献奖组织", "", "1"),
    ("标准建设", "国家级、省级标准化试点示范项目（新增）", "", "2"),
    ("品牌建设", "自主品牌产品出口比重", "%", "15"),
    ("品牌建设", "培育“品字标”企业（新增）", "", "20"),
    ("品牌建设", "“浙江制造”国际认证证书保有量（累计）", "", "5"),
    ("品牌建设", "“浙江制造精品”数量（累计）", "", "10"),
    ("品牌建设", "单项冠军企业数量（累计）", "", "2"),
    ("品牌建设", "绿色产品认证覆盖领域", "", "2"),
    ("品牌建设", "高品质服务认证证书（累计）", "", "40"),
    ("品牌建设", "浙江出口名牌（新增）", "", "1"),
    ("品牌建设", "创建全国质量品牌提升示范区（新增）", "", "1"),
    ("品牌建设", "国内有效商标注册数（累计）", "万件", "4.3"),
    ("品牌建设", "地理标志培育、申请数（新增）", "", "3"),
    ("品牌建设", "马德里商标国际注册量（新增）", "", "100"),
]
PLAN_FILE = Path(__file__).resolve().parents[3] / "shared" / "seed" / "linhai-quality-plan-14th-fyp.txt"


def _seeded(plan: str) -> list[Indicator]:
    return list(db.session.scalars(select(Indicator).where(Indicator.plan == plan, Indicator.code.like("T%"))
                                   .order_by(Indicator.sort_order)))


def test_table_2_is_seeded_exactly_as_in_the_plan():
    seed_indicators()
    rows = _seeded("14th")
    assert [(i.category, i.name, i.unit, i.target_text) for i in rows] == TABLE_2
    assert len(rows) == 27
    assert [i.target_value for i in rows][:4] == [3, 96, 98.2, 45]
    assert {i.kind for i in rows if "新增" in i.name} == {"new"}
    assert {i.kind for i in rows if "累计" in i.name} == {"cumulative"}
    # Every derived indicator names a rule that exists.
    assert all(i.rule in all_rules() for i in rows if i.method == "derived")
    assert sum(i.method == "derived" for i in rows) == 18


def test_table_2_matches_the_plan_text_when_available():
    """Parse Table 2 from the plan itself (when the shared seed folder is present) and compare."""
    if not PLAN_FILE.exists():
        pytest.skip(f"the plan text is not at {PLAN_FILE}")
    # The plan prints its brackets half-width; the system writes Chinese text with full-width ones (issue 12).
    width = str.maketrans({"(": "（", ")": "）"})
    lines = [line.strip().translate(width) for line in PLAN_FILE.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    start = lines.index("表2 临海市质量发展“十四五”规划主要指标") + 5
    names = [name for _, name, _, _ in TABLE_2]
    parsed, i = [], start
    while len(parsed) < 27:
        line = lines[i]
        if line in names:
            unit = lines[i + 1] if lines[i + 1] in ("%", "万件") else ""
            target = lines[i + 2] if unit else lines[i + 1]
            parsed.append((line, unit, target))
        i += 1
    assert parsed == [(n, u, t) for _, n, u, t in TABLE_2]


def test_table_1_baseline_and_iso_growth_rule():
    seed_indicators()
    table_1 = _seeded("13th")
    assert len(table_1) == 22
    assert (table_1[0].name, table_1[0].target_text, table_1[0].baseline_result_text) == ("规上工业新产品产值率（%）", "42", "43")
    assert (table_1[12].name, table_1[12].target_text, table_1[12].baseline_result_text) == ("制定“浙江制造”标准（项）", "4", "30")
    assert (table_1[21].name, table_1[21].baseline_result_text) == ("自主品牌产品出口比重（%）", "30")
    iso = db.session.scalar(select(Indicator).where(Indicator.code == "ISO10012"))
    assert (iso.kind, iso.target_value, iso.rule) == ("growth", 10.0, "iso10012_adopters")


def test_seeding_is_idempotent_and_keeps_edits(runner):
    assert "indicators added: 50" in runner.invoke(args=["seed-indicators"]).output
    edited = db.session.scalar(select(Indicator).where(Indicator.code == "T2-05"))
    edited.target_text = "12"
    db.session.commit()
    assert "indicators added: 0" in runner.invoke(args=["seed-indicators"]).output
    assert db.session.scalar(select(func.count()).select_from(Indicator)) == 50
    db.session.refresh(edited)
    assert edited.target_text == "12"


def test_seeding_after_a_stale_read_still_writes(app):
    """seed_indicators takes the write lock up front: a read left open while another connection committed (on
    SQLite a snapshot that cannot become a write) is ended first, so the seed neither fails nor misses a row."""
    from sqlalchemy import delete

    seed_indicators()
    assert db.session.scalar(select(func.count()).select_from(Indicator)) == 50  # the session's read stays open
    with db.engine.begin() as other:
        other.execute(delete(Indicator).where(Indicator.code == "T2-05"))
    assert seed_indicators() == 1
    assert db.session.scalar(select(func.count()).select_from(Indicator)) == 50
