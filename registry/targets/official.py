"""The items behind the difference between an official figure and the registry's count (``ReportedValue.items``:
what the official statistic listed, one per line). The figures side by side: ``services.official_comparison``."""
from __future__ import annotations

import unicodedata
from datetime import date

from sqlalchemy import select

from registry.extensions import db
from registry.models import User
from registry.services.errors import NotFound
from registry.targets import counting
from registry.targets.models import METHOD_DERIVED, ReportedValue
from registry.targets.rules import all_rules, get_rule
from registry.targets.services import get_indicator, require_viewer


_DASHES = str.maketrans({"\u2014": "-", "\u2013": "-", "\u2012": "-", "\u2212": "-", "\uff0d": "-"})


def _fold(text) -> str:
    """Spacing, full-width forms, letter case and the dash in T/ZZB 2109—2021 do not tell two names apart."""
    if not text:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(text)).translate(_DASHES).split()).lower()


def _names(item: dict) -> set[str]:
    names = {_fold(item.get("number")), _fold(item.get("title"))}
    names |= {_fold(e["name"]) for e in item["enterprises"]}
    return names - {""}


def itemise(user: User, code: str, year: int, as_of: date) -> dict:
    """The official figure of ``year`` against the registry: what each side counts that the other does not.
    A line of the official list matches a registry item by its number, its name or a holder's name (spacing and
    full-width forms ignored). Raises Forbidden, NotFound."""
    require_viewer(user)
    if not 2000 <= year <= 2100:
        raise NotFound("该年度尚未录入官方数据。")
    indicator = get_indicator(code)
    if indicator.method != METHOD_DERIVED or indicator.rule not in all_rules():
        raise NotFound("该指标不是登记库统计指标。")
    value = db.session.scalar(select(ReportedValue).where(ReportedValue.indicator_id == indicator.id,
                                                          ReportedValue.year == year))
    if value is None:
        raise NotFound("该年度尚未录入官方数据。")
    on = min(date(year, 12, 31), as_of)
    items = counting.records(get_rule(indicator.rule), on)
    lines = [line for line in (value.items or "").splitlines() if line.strip()]
    folded = {_fold(line): line for line in lines}
    matched: set[str] = set()
    only_registry = []
    for item in items:
        hit = _names(item) & folded.keys()
        matched |= hit
        if not hit:
            only_registry.append(item)
    only_official = [line for key, line in folded.items() if key not in matched]
    return {"indicator": indicator, "value": value, "on": on, "registry": len(items), "items": items,
            "difference": round(len(items) - value.value, 4), "itemised": bool(lines),
            "only_registry": only_registry, "only_official": only_official}
