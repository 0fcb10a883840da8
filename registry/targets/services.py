"""Dashboard use cases: who may see the targets, the filters, each indicator's figures, and what they counted.

Figures per indicator: target, value to date, each year 2021-2025, share of target, whether it is on pace
and a straight-line projection to 2025.
- 新增: expected to date = target x elapsed share of 2021-2025; projection = value / elapsed share.
- 累计: from the 2020 year-end holdings to the target; projection extends the same line to 2025.
- 比例 (reported): the latest year's value against the target; projection fits a line through the years.
- 同比增长 (ISO 10012): each year's new adopters against the year before; on pace if every full year meets it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry import policy
from registry.clock import today
from registry.extensions import db
from registry.models import Industry, Jurisdiction, User
from registry.services.errors import NotFound, ValidationFailed
from registry.targets import figures
from registry.targets.counting import BASE_YEAR, PERIOD_END, PERIOD_START, PLAN_YEARS, records
from registry.targets.models import (KIND_CUMULATIVE, KIND_GROWTH, KIND_NEW, METHOD_DERIVED, PLAN_13TH, PLAN_14TH,
                                     Indicator)
from registry.targets.rules import all_rules, get_rule


def can_view_targets(user: User) -> bool:
    return policy.can(user, "targets.view")


def require_viewer(user: User) -> None:
    """Raises Forbidden unless the user is bureau staff or an administrator."""
    policy.check(user, "targets.view")


@dataclass(frozen=True)
class Filters:
    as_of: date
    jurisdiction: Jurisdiction | None = None
    industry: Industry | None = None

    @property
    def jurisdiction_id(self) -> int | None:
        return self.jurisdiction.id if self.jurisdiction else None

    @property
    def industry_id(self) -> int | None:
        return self.industry.id if self.industry else None

    def as_args(self) -> dict:
        args = {"as_of": self.as_of.isoformat()}
        if self.jurisdiction:
            args["jurisdiction"] = self.jurisdiction.code
        if self.industry:
            args["industry"] = self.industry.code
        return args


def parse_filters(as_of: str | None, jurisdiction: str | None = None, industry: str | None = None) -> Filters:
    """Filters from request strings (empty = default). Raises ValidationFailed naming each bad field."""
    errors: dict[str, list[str]] = {}
    day = today()
    if as_of:
        try:
            day = date.fromisoformat(as_of.strip())
        except ValueError:
            errors["as_of"] = ["日期格式应为 YYYY-MM-DD。"]
        else:
            if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
                errors["as_of"] = ["日期超出范围。"]
    found_j = found_i = None
    if jurisdiction:
        found_j = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == jurisdiction.strip()))
        if found_j is None:
            errors["jurisdiction"] = ["未知的镇街代码。"]
    if industry:
        found_i = db.session.scalar(select(Industry).where(Industry.code == industry.strip()))
        if found_i is None:
            errors["industry"] = ["未知的产业代码。"]
    if errors:
        raise ValidationFailed(errors)
    return Filters(day, found_j, found_i)


def elapsed_share(day: date) -> float:
    """How much of 2021-2025 has passed on ``day`` (0 to 1)."""
    if day < PERIOD_START:
        return 0.0
    span = (PERIOD_END - PERIOD_START).days + 1
    return min(1.0, ((min(day, PERIOD_END) - PERIOD_START).days + 1) / span)


def plan_indicators(plan: str = PLAN_14TH, include_retired: bool = False) -> list[Indicator]:
    query = (select(Indicator).where(Indicator.plan == plan).order_by(Indicator.sort_order, Indicator.id)
             .options(selectinload(Indicator.values)))  # one query for every reported value, not one per row
    if not include_retired:
        query = query.where(Indicator.active.is_(True))
    return list(db.session.scalars(query))


def _line_at(points: list[tuple[int, float]], year: int) -> float:
    """Least-squares line through (year, value) points, evaluated at ``year``."""
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points)
    slope = sum((p[0] - mx) * (p[1] - my) for p in points) / sxx if sxx else 0.0
    return my + slope * (year - mx)


def _pace(row: dict, kind: str, baseline: float | None, share: float) -> None:
    """Fill expected / on_pace / projection for a count indicator."""
    value, target = row["value"], row["target_value"]
    if value is None or target is None or share <= 0:
        return
    start = (baseline or 0.0) if kind == KIND_CUMULATIVE else 0.0
    row["expected"] = round(start + (target - start) * share, 2)
    row["on_pace"] = value >= row["expected"]
    row["projection"] = round(start + (value - start) / share, 2)


def _derived_row(row: dict, indicator: Indicator, count, day: date) -> None:
    if indicator.kind == KIND_GROWTH:
        counts = count.by_year
        growth = {}
        for y in PLAN_YEARS:
            prev, cur = counts.get(y - 1), counts.get(y)
            growth[y] = round((cur - prev) * 100.0 / prev, 1) if prev and cur is not None else None
        last_full = day.year if (day.month, day.day) == (12, 31) else day.year - 1
        full = [y for y in PLAN_YEARS if y <= last_full and growth[y] is not None]
        row.update(by_year={y: growth[y] if y <= day.year else None for y in PLAN_YEARS},
                   counts_by_year={y: counts.get(y) for y in (BASE_YEAR, *PLAN_YEARS)},
                   value=growth[full[-1]] if full else None)
        if full and row["target_value"] is not None:
            row["on_pace"] = all(growth[y] >= row["target_value"] for y in full)
        return
    row.update(value=count.total, by_year={y: count.by_year.get(y) for y in PLAN_YEARS},
               baseline=count.by_year.get(BASE_YEAR), counts_by_year=None)
    _pace(row, indicator.kind, row["baseline"], elapsed_share(day))


def _reported_row(row: dict, indicator: Indicator, day: date) -> None:
    values = {v.year: v for v in indicator.values if v.year <= day.year}
    row["by_year"] = {y: (values[y].value if y in values else None) for y in PLAN_YEARS}
    row["sources"] = [{"year": y, "source": v.source, "has_attachment": bool(v.attachment_path), "id": v.id}
                      for y, v in sorted(values.items())]
    plan_values = [(y, v.value) for y, v in sorted(values.items()) if y >= PLAN_YEARS[0]]
    if not plan_values:
        return
    baseline = values[BASE_YEAR].value if BASE_YEAR in values else None
    row["baseline"] = baseline
    if indicator.kind == KIND_NEW:
        row["value"] = sum(v for _, v in plan_values)
        _pace(row, KIND_NEW, None, elapsed_share(day))
        return
    row["value"] = plan_values[-1][1]
    if row["target_value"] is not None:
        if indicator.kind == KIND_CUMULATIVE and baseline is not None:
            _pace(row, KIND_CUMULATIVE, baseline, elapsed_share(day))
        else:
            row["on_pace"] = row["value"] >= row["target_value"]
    points = ([(BASE_YEAR, baseline)] if baseline is not None else []) + plan_values
    row["projection"] = round(_line_at(points, 2025), 2) if len(points) >= 2 else row["value"]


def official_comparison(indicator: Indicator, as_of: date) -> dict | None:
    """The latest official figure of a derived indicator up to ``as_of``'s year beside the registry's count on the
    same day; None when there is none (or the indicator is not derived).

    For a derived indicator the value entered for a year is the official figure (台州/省 statistics, the 品字标
    platform, CNIPA) as of 31 December of that year in the indicator's own terms (新增: 2021 up to that year;
    累计: holdings at the year's end); the registry is counted on the same day, so the two compare."""
    if indicator.method != METHOD_DERIVED or indicator.rule not in all_rules():
        return None
    entered = [v for v in indicator.values if v.year <= as_of.year]
    if not entered:
        return None
    value = max(entered, key=lambda v: v.year)
    on = min(date(value.year, 12, 31), as_of)
    registry = figures.rule_counts([indicator.rule], on)[indicator.rule].total
    return {"year": value.year, "value": value.value, "source": value.source,
            "published_on": value.published_on, "registry": registry, "difference": round(registry - value.value, 4),
            "itemised": bool(value.items)}


def rule_names(indicators: list[Indicator]) -> list[str]:
    """The counting rules the figures of ``indicators`` read: their own and the parts shown beside them."""
    names = {i.rule for i in indicators if i.rule and i.rule in all_rules()}
    return sorted(names | {part for name in names for part in get_rule(name).parts})


def indicator_rows(indicators: list[Indicator], filters: Filters) -> list[dict]:
    """The dashboard figures of ``indicators`` (no permission check: callers check)."""
    counts = figures.rule_counts(rule_names(indicators), filters.as_of, filters.jurisdiction_id, filters.industry_id)
    scoped = filters.jurisdiction is not None or filters.industry is not None
    rows = []
    for indicator in indicators:
        rule = get_rule(indicator.rule) if indicator.rule in all_rules() else None
        row = {"code": indicator.code, "category": indicator.category, "name": indicator.name,
               "unit": indicator.unit, "kind": indicator.kind, "method": indicator.method,
               "target": indicator.target_text, "target_value": indicator.target_value, "value": None,
               "by_year": {y: None for y in PLAN_YEARS}, "baseline": None, "share": None, "expected": None,
               "on_pace": None, "projection": None, "rule": indicator.rule,
               "rule_label": rule.label if rule else None, "counted": rule.counted if rule else None,
               "registry_count": None, "sources": [], "counts_by_year": None, "note": indicator.note, "official": None,
               "parts": [{"label": get_rule(p).label, "value": counts[p].total} for p in (rule.parts if rule else ())]}
        if indicator.method == METHOD_DERIVED and rule is not None:
            _derived_row(row, indicator, counts[rule.name], filters.as_of)
            if not scoped:  # the official figures are the city's
                row["official"] = official_comparison(indicator, filters.as_of)
        else:
            _reported_row(row, indicator, filters.as_of)
            if rule is not None:
                row["registry_count"] = counts[rule.name].total
        if row["value"] is not None and row["target_value"] and indicator.kind != KIND_GROWTH:
            row["share"] = round(row["value"] / row["target_value"], 4)
        if scoped and indicator.method == METHOD_DERIVED:
            # The targets are the city's: a town's or an industry's share of one is shown, but "on pace" and the
            # projection would compare a part with the whole, so they are left out.
            row.update(on_pace=None, expected=None, projection=None)
        rows.append(row)
    return rows


def dashboard(user: User, filters: Filters) -> list[dict]:
    """Every active indicator of the current plan with its figures. Raises Forbidden for non-bureau users."""
    require_viewer(user)
    return indicator_rows(plan_indicators(PLAN_14TH), filters)


def baseline_indicators(user: User) -> list[Indicator]:
    """Table 1 (十三五): the 2020 targets and results, shown beside the new plan."""
    require_viewer(user)
    return plan_indicators(PLAN_13TH)


def get_indicator(code: str) -> Indicator:
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == code))
    if indicator is None:
        raise NotFound("未找到该指标。")
    return indicator


def counted_records(user: User, code: str, filters: Filters, year: int | None = None) -> tuple[Indicator, list[dict]]:
    """What an indicator's number counted (its length equals the number). Raises Forbidden, NotFound, and
    ValidationFailed for a year outside 2020-2025."""
    require_viewer(user)
    indicator = get_indicator(code)
    if not indicator.rule or indicator.rule not in all_rules():
        raise NotFound("该指标由市局填报，没有登记库明细。")
    if year is not None and year not in (BASE_YEAR, *PLAN_YEARS):
        raise ValidationFailed({"year": ["年份应在 2020-2025 之间。"]})
    return indicator, records(get_rule(indicator.rule), filters.as_of, filters.jurisdiction_id,
                              filters.industry_id, year)
