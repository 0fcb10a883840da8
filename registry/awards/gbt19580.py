"""GB/T 19580-2012 卓越绩效评价准则: the 7 categories and their 23 items with maximum points (GB/Z 19579-2012
annex A), and the scoring guide's six percentage bands (评分指南: 过程 4.1-4.6 by 方法-展开-学习-整合, 结果 4.7 by
水平-趋势-对比-整合), as data. 1000 points in all.

A round is scored either by category (7 sheets of points, the registry's first way) or by item (``SCHEMES``):
an expert gives each of the 23 items a percentage in steps of 5 and the item's points follow (item maximum x
percentage), as the scoring guide has assessors do. Scores are stored as points under the category or item code.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    code: str  # clause number, e.g. "4.1.2"
    label: str
    points: int

    @property
    def key(self) -> str:
        """The code as a form field suffix ("4_1_2")."""
        return self.code.replace(".", "_")

    @property
    def results(self) -> bool:
        """A 结果 item (4.7.x) is scored on the results guide, the others on the process guide."""
        return self.code.startswith("4.7.")


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
ITEMS: tuple[Item, ...] = tuple(item for c in CATEGORIES for item in c.items)  # the 23 评分项
ITEM_BY_CODE: dict[str, Item] = {i.code: i for i in ITEMS}
ITEM_POINTS: dict[str, int] = {i.code: i.points for i in ITEMS}
CATEGORY_OF_ITEM: dict[str, str] = {i.code: c.code for c in CATEGORIES for i in c.items}


@dataclass(frozen=True)
class Band:
    """One band of the scoring guide: the percentages it allows and what the process and results guides ask."""
    low: int
    high: int
    process: str
    results: str

    @property
    def label(self) -> str:
        return f"{self.low}%" if self.low == self.high else f"{self.low}%–{self.high}%"


BANDS: tuple[Band, ...] = (
    Band(0, 5, "没有系统的方法；信息零散、孤立。", "没有描述结果，或结果很差；没有趋势或对比信息。"),
    Band(10, 25, "开始有系统的方法应对评分项的基本要求；多数领域或部门尚未展开；从被动应对问题转向改进处于初期。",
         "少数方面有改进或处于初期的良好水平；趋势和对比信息很少；对关键要求的结果报告很少。"),
    Band(30, 45, "有系统、有效的方法应对评分项的基本要求；方法有展开，但有些领域或部门尚未展开；开始系统地评价和改进关键过程。",
         "多数方面有改进或良好水平；处于取得良好趋势的初期；开始获得对比信息；报告了多数关键要求的结果。"),
    Band(50, 65, "有系统、有效的方法应对评分项的总体要求；方法展开良好，个别领域或部门程度不同；以事实为依据的评价改进和组织学习已就位。",
         "多数方面有改进趋势或良好水平，无负面趋势；部分趋势和水平与对比对象相比表现良好；报告了多数关键要求的结果。"),
    Band(70, 85, "有系统、有效的方法应对评分项的详细要求；方法展开良好、无明显差距；评价改进和组织学习成为关键管理工具，方法与组织需要整合。",
         "多数方面有良好至卓越的水平和持续的良好趋势；多数趋势和水平处于领先；结果涵盖多数关键要求并用于预测。"),
    Band(90, 100, "有系统、有效的方法全面应对评分项的详细要求；方法充分展开，任何领域或部门均无明显弱项；通过分析、创新和分享持续改进，方法与组织需要充分整合。",
         "多数方面有卓越的水平和持续的良好趋势；许多方面是行业或标杆领先；结果全面涵盖关键要求并用于预测。"),
)
PERCENT_STEP = 5


def band_of(percent: float) -> Band | None:
    """The band a percentage falls in (None outside 0..100 or between bands, e.g. 7)."""
    return next((b for b in BANDS if b.low <= percent <= b.high), None)


# How a round is scored: the category and item codes its sheets hold, with their maximum points.
SCHEMES: dict[str, dict[str, int]] = {"categories": MAX_POINTS, "items": ITEM_POINTS}


def maxima(scheme: str) -> dict[str, int]:
    """Code -> maximum points of a scoring scheme's sheet. Raises KeyError for an unknown scheme."""
    return SCHEMES[scheme]


def label_of(code: str) -> str:
    """A category's or an item's name, with the item's clause ("4.1.2 高层领导的作用")."""
    if code in BY_CODE:
        return BY_CODE[code].label
    item = ITEM_BY_CODE[code]
    return f"{item.code} {item.label}"


def field_name(code: str, prefix: str = "score_") -> str:
    """The form field of a category or item code ("score_leadership", "score_4_1_2")."""
    return prefix + code.replace(".", "_")


def check_percentages(percentages: dict, field_prefix: str = "score_") -> tuple[dict[str, float], dict[str, list[str]]]:
    """Validate item percentages (code -> 0..100 in steps of 5) and turn them into points (item maximum x
    percentage). Returns (points by item code, errors by field name); only the codes given are checked."""
    clean: dict[str, float] = {}
    errors: dict[str, list[str]] = {}
    for code, raw in percentages.items():
        item = ITEM_BY_CODE.get(code)
        if item is None:
            continue
        field = field_name(code, field_prefix)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            errors[field] = [f"请填写“{item.code} {item.label}”的得分百分比。"]
            continue
        if value != value or not 0 <= value <= 100 or value % PERCENT_STEP:
            errors[field] = [f"“{item.code} {item.label}”应填 0 到 100 之间 {PERCENT_STEP} 的倍数（评分指南的百分比）。"]
            continue
        clean[code] = round(item.points * value / 100, 2)
    return clean, errors


def roll_up(item_result: dict) -> dict:
    """An item-scored sheet's aggregate (``aggregation.sheet`` over items) summed into the 7 categories:
    {"categories": {code: {"mean": sum of its items' means or None, "rescore": any item re-scored}}, "items":
    the item aggregates, "total", "rescore"}. Pages written for categories read it unchanged."""
    cats = {}
    for c in CATEGORIES:
        parts = [item_result["categories"].get(i.code, {}) for i in c.items]
        means = [p.get("mean") for p in parts]
        cats[c.code] = {"mean": round(sum(means), 2) if all(m is not None for m in means) else None,
                        "rescore": any(p.get("rescore") for p in parts)}
    return {"categories": cats, "items": item_result["categories"], "total": item_result["total"],
            "rescore": item_result["rescore"]}


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
