"""GB/T 19580-2012 卓越绩效评价准则: the 7 categories and their items with maximum points (GB/Z 19579-2012
annex A), as data. 1000 points in all."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    code: str  # clause number, e.g. "4.1.2"
    label: str
    points: int


@dataclass(frozen=True)
class Category:
    code: str
    clause: str
    label: str
    items: tuple[Item, ...]

    @property
    def points(self) -> int:
        return sum(item.points for item in self.items)


CATEGORIES: tuple[Category, ...] = (
    Category("leadership", "4.1", "领导", (
        Item("4.1.2", "高层领导的作用", 50), Item("4.1.3", "组织治理", 30), Item("4.1.4", "社会责任", 30))),
    Category("strategy", "4.2", "战略", (
        Item("4.2.2", "战略制定", 40), Item("4.2.3", "战略部署", 50))),
    Category("customers", "4.3", "顾客与市场", (
        Item("4.3.2", "顾客和市场的了解", 40), Item("4.3.3", "顾客关系与顾客满意", 50))),
    Category("resources", "4.4", "资源", (
        Item("4.4.2", "人力资源", 60), Item("4.4.3", "财务资源", 15), Item("4.4.4", "信息和知识资源", 20),
        Item("4.4.5", "技术资源", 15), Item("4.4.6", "基础设施", 10), Item("4.4.7", "相关方关系", 10))),
    Category("process", "4.5", "过程管理", (
        Item("4.5.2", "过程的识别与设计", 50), Item("4.5.3", "过程的实施与改进", 50))),
    Category("measurement", "4.6", "测量、分析与改进", (
        Item("4.6.2", "测量、分析和评价", 40), Item("4.6.3", "改进与创新", 40))),
    Category("results", "4.7", "结果", (
        Item("4.7.2", "产品和服务结果", 80), Item("4.7.3", "顾客与市场结果", 80), Item("4.7.4", "财务结果", 80),
        Item("4.7.5", "资源结果", 60), Item("4.7.6", "过程有效性结果", 50), Item("4.7.7", "领导方面的结果", 50))),
)

BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}
MAX_POINTS: dict[str, int] = {c.code: c.points for c in CATEGORIES}
TOTAL_POINTS = sum(MAX_POINTS.values())  # 1000


def check_points(points: dict, field_prefix: str = "") -> tuple[dict[str, float], dict[str, list[str]]]:
    """Validate a sheet of category points: every category present, a number within 0..its maximum.

    Returns (clean points, errors by field name ``<prefix><category>``); changes nothing.
    """
    clean: dict[str, float] = {}
    errors: dict[str, list[str]] = {}
    for category in CATEGORIES:
        field = f"{field_prefix}{category.code}"
        raw = points.get(category.code)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            errors[field] = [f"请填写“{category.label}”的得分。"]
            continue
        if value != value or not 0 <= value <= category.points:  # NaN, or out of range
            errors[field] = [f"“{category.label}”的得分应在 0 到 {category.points} 分之间。"]
            continue
        clean[category.code] = round(value, 2)
    return clean, errors
