"""Guards of the routes beside 品字标浙江制造: 认定 (浙江农产, 浙江服务) and 标准 + 自我声明公开 + 信用保证 (2023)."""
from __future__ import annotations

from sqlalchemy import or_, select

from registry import clock
from registry.extensions import db
from registry.models import CreditRecord
from registry.vocab import CREDIT_LIST_TYPES

# 信用保证: an enterprise on one of these lists today cannot use the 品字标 on its own declaration.
BLOCKING_LISTS = ("serious_dishonesty", "quality_blacklist")


def ready_for_recognition(application, _actor, _values) -> str | None:
    """A 认定 application names its product or service, the standard it meets (执行标准) and its self-assessment."""
    data = application.data or {}
    missing = [label for name, label in (("product", "产品或服务名称"), ("standard_proposal", "执行标准"),
                                         ("self_assessment", "自评价")) if not (data.get(name) or "").strip()]
    if "执行标准" in missing and application.standard_id:
        missing.remove("执行标准")
    return "请先填写：" + "、".join(missing) if missing else None


def declared(application, _actor, _values) -> str | None:
    """The self-declaration has been made public (the applicant recorded where and when)."""
    data = application.data or {}
    return None if data.get("declared_on") and data.get("declaration_url") else "企业尚未登记自我声明公开的日期和网址。"


def credit_clean(application, _actor, _values) -> str | None:
    """No active listing on a blocking credit list on today's (Linhai) date; the message names the listing."""
    today = clock.local_date(clock.now())
    listing = db.session.scalar(
        select(CreditRecord).where(CreditRecord.enterprise_id == application.enterprise_id,
                                   CreditRecord.list_type.in_(BLOCKING_LISTS), CreditRecord.listed_on <= today,
                                   or_(CreditRecord.removed_on.is_(None), CreditRecord.removed_on > today))
        .order_by(CreditRecord.listed_on).limit(1))
    if listing is None:
        return None
    return f"企业自 {listing.listed_on} 列入{CREDIT_LIST_TYPES.label(listing.list_type)}，不能以信用保证方式使用品字标。"


def declared_with_clean_credit(application, actor, values) -> str | None:
    """信用审查: the declaration is public and the credit is clean."""
    return declared(application, actor, values) or credit_clean(application, actor, values)
