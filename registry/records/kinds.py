"""The record kinds of an enterprise's quality file, as data.

Each ``RecordKind`` names its URL/API slug, Chinese label (lazy: translated where shown), model, fields, the domain rules that cross
fields (``check``), and how a duplicate is found. Pages, the API and Excel imports all read these specs,
so a rule is written once. Standards are the one kind stored in two tables (a standard and its drafters);
``registry.services.records`` handles that difference.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import unicodedata
from datetime import date, timedelta
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.i18n import source_text
from registry.identifiers import IdentifierError, parse_patent_number, parse_standard_number, parse_trademark
from registry.extensions import db
from registry.models import (BenefitGrade, Certification, CreditRecord, GiProduct, GreenProductDomain, Honour,
                             IncidentRecord, Patent, StandardDrafter, Trademark)
from registry.records.fields import FieldSpec as F
from registry.vocab import (BENEFIT_GRADES, CERTIFICATION_STATUSES, CERTIFICATION_TYPES, CREDIT_LIST_TYPES, ENTERPRISE_ROLES,
                            GI_PRODUCT_STATUSES, GI_ROUTES, GI_STATUSES, HONOUR_LEVELS, HONOUR_TYPES, INCIDENT_KINDS, PATENT_STATUSES, PATENT_TYPES,
                            PROJECT_HONOUR_TYPES, PROJECT_ROLES, REVIEWED_HONOUR_YEARS, STANDARD_LEVELS,
                            STANDARD_STATUSES, Vocab)

# "expired" is never recorded: it follows from the expiry date.
RECORDED_CERT_STATUSES = Vocab({k: v for k, v in CERTIFICATION_STATUSES.items() if k != "expired"})

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class RecordKind:
    slug: str
    label: str
    model: type
    fields: tuple[F, ...]
    check: Callable[[dict, Errors], None]  # normalises values in place, adds cross-field errors
    duplicate: Callable[[int, dict], select] | None = None  # (enterprise_id, values) -> query for a clash
    describe: Callable[[object], str] = str
    order_by: tuple = ()
    enterprise_editable: bool = True  # False: only bureau staff record it (credit listings, incidents)
    extra: dict = field(default_factory=dict)

    @property
    def source_label(self) -> str:
        """The Chinese label whatever the user's language (for messages written in Chinese)."""
        return source_text(self.label)


def _after(values: dict, errors: Errors, first: str, second: str, message: str) -> None:
    a, b = values.get(first), values.get(second)
    if a and b and b < a:
        errors.setdefault(second, []).append(message)


# --- per-kind rules ----------------------------------------------------------------------------------------

def _check_standard(values: dict, errors: Errors) -> None:
    if values.get("number"):
        try:
            parsed = parse_standard_number(values["number"])
        except IdentifierError as exc:
            errors.setdefault("number", []).append(str(exc))
        else:
            values["number"] = parsed.value
            values["level"] = parsed.level
    _after(values, errors, "published_on", "effective_on", "实施日期不能早于发布日期。")
    if values.get("status") == "withdrawn" and not values.get("withdrawn_on"):
        errors.setdefault("withdrawn_on", []).append("标准废止时请填写废止日期。")


def _check_certification(values: dict, errors: Errors) -> None:
    _after(values, errors, "issued_on", "expires_on", "有效期至必须晚于发证日期。")
    if values.get("cert_type") == "green_product":
        _check_green_domain(values, errors)
    if values.get("status") not in (None, "valid") and not values.get("status_changed_on"):
        errors.setdefault("status_changed_on", []).append("证书暂停、撤销或注销时请填写状态变更日期。")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _check_green_domain(values: dict, errors: Errors) -> None:
    """A 绿色产品认证 names an active entry of the 绿色产品认证目录 catalogue, stored as the entry's name (so
    "涂料 " and full-width "陶瓷砖(板)" are the catalogue's 涂料 and 陶瓷砖(板)); the targets count these entries."""
    given = _fold(values.get("product_domain") or "")
    if not given:
        errors.setdefault("product_domain", []).append("绿色产品认证请填写产品领域。")
        return
    names = list(db.session.scalars(select(GreenProductDomain.name).where(GreenProductDomain.active.is_(True))
                                    .order_by(GreenProductDomain.sort_order, GreenProductDomain.id)))
    match = next((name for name in names if _fold(name) == given), None)
    if match is None:
        errors.setdefault("product_domain", []).append(
            f"“{given}”不在绿色产品认证目录中。请填写目录中的领域名称（系统管理 › 目录维护 › 绿色产品认证领域）："
            + "、".join(names) + "。")
        return
    values["product_domain"] = match


def _check_honour(values: dict, errors: Errors) -> None:
    if values.get("revoked_on") and not values.get("revoke_reason"):
        errors.setdefault("revoke_reason", []).append("撤销荣誉时请填写撤销原因。")
    if values.get("honour_type") in PROJECT_HONOUR_TYPES:
        if not values.get("title"):
            errors.setdefault("title", []).append("工程类荣誉请填写获奖工程名称。")
    years = REVIEWED_HONOUR_YEARS.get(values.get("honour_type"))
    if years and not values.get("valid_until") and values.get("year"):
        start = values.get("awarded_on") or date(values["year"], 12, 31)
        values["valid_until"] = _years_later(start, years)
    _after(values, errors, "awarded_on", "valid_until", "有效期至必须晚于授予日期。")


def _years_later(day: date, years: int) -> date:
    """The day before the same date ``years`` later: a three-year designation from 1 March 2022 holds to
    28 February 2025 (29 February moves to 28 February)."""
    try:
        later = day.replace(year=day.year + years)
    except ValueError:
        later = day.replace(year=day.year + years, day=28)
    return later - timedelta(days=1)


def _check_patent(values: dict, errors: Errors) -> None:
    if values.get("number"):
        try:
            parsed = parse_patent_number(values["number"])
        except IdentifierError as exc:
            errors.setdefault("number", []).append(str(exc))
        else:
            values["number"] = parsed.application_number
            values["patent_type"] = parsed.patent_type
    _after(values, errors, "filed_on", "granted_on", "授权日期不能早于申请日期。")


def _check_trademark(values: dict, errors: Errors) -> None:
    if values.get("reg_number") is not None and values.get("nice_class") is not None:
        try:
            values["reg_number"], values["nice_class"] = parse_trademark(values["reg_number"], values["nice_class"])
        except IdentifierError as exc:
            field_name = "nice_class" if "类别" in str(exc) else "reg_number"
            errors.setdefault(field_name, []).append(str(exc))
    _after(values, errors, "registered_on", "expires_on", "有效期至必须晚于注册日期。")
    if values.get("geographical_indication"):
        if not values.get("gi_status"):
            errors.setdefault("gi_status", []).append("地理标志商标请选择地理标志状态。")
        if not values.get("gi_route"):
            values["gi_route"] = "trademark"
        if values.get("gi_status") == "cultivating" and not values.get("gi_cultivation_started_on"):
            errors.setdefault("gi_cultivation_started_on", []).append("培育中的地理标志请填写培育开始日期。")
    _after(values, errors, "gi_cultivation_started_on", "gi_applied_on", "地理标志申请日期不能早于培育开始日期。")


def _check_gi_product(values: dict, errors: Errors) -> None:
    if values.get("status") == "cultivating" and not values.get("cultivation_started_on"):
        errors.setdefault("cultivation_started_on", []).append("培育中的地理标志产品请填写培育开始日期。")
    if values.get("status") in ("applied", "registered") and not values.get("applied_on"):
        errors.setdefault("applied_on", []).append("已申请或已批准的地理标志产品请填写申请日期。")
    _after(values, errors, "cultivation_started_on", "applied_on", "申请日期不能早于培育开始日期。")
    _after(values, errors, "applied_on", "approved_on", "批准日期不能早于申请日期。")


def _check_credit(values: dict, errors: Errors) -> None:
    _after(values, errors, "listed_on", "removed_on", "移出日期不能早于列入日期。")


def _no_rules(values: dict, errors: Errors) -> None:
    return None


# --- the kinds ----------------------------------------------------------------------------------------------

STANDARDS = RecordKind(
    slug="standards", label=_l("标准"), model=StandardDrafter,
    fields=(
        F("number", _l("标准编号"), required=True, max_length=64, hint=_l("如 T/ZZB 2109-2021、GB/T 19580-2012")),
        F("level", _l("标准层级"), "choice", choices=STANDARD_LEVELS, readonly=True),
        F("title", _l("标准名称"), required=True, max_length=300),
        F("role", _l("起草角色"), "choice", required=True, choices=ENTERPRISE_ROLES),
        F("status", _l("标准状态"), "choice", required=True, choices=STANDARD_STATUSES),
        F("published_on", _l("发布日期"), "date"), F("effective_on", _l("实施日期"), "date"),
        F("withdrawn_on", _l("废止日期"), "date"),
    ),
    check=_check_standard,
    describe=lambda d: f"{d.standard.number} {d.standard.title}",
    extra={"standard_fields": ("number", "level", "title", "status", "published_on", "effective_on", "withdrawn_on")},
)

CERTIFICATIONS = RecordKind(
    slug="certifications", label=_l("认证证书"), model=Certification,
    fields=(
        F("cert_type", _l("认证类型"), "choice", required=True, choices=CERTIFICATION_TYPES),
        F("number", _l("证书编号"), required=True, max_length=64), F("issuer", _l("发证机构"), max_length=200),
        F("scope", _l("产品/范围"), max_length=300), F("product_domain", _l("产品领域（绿色产品）"), max_length=100,
                                                  hint=_l("绿色产品认证填写绿色产品认证目录中的领域名称")),
        F("issued_on", _l("发证日期"), "date", required=True), F("expires_on", _l("有效期至"), "date"),
        F("status", _l("登记状态"), "choice", required=True, choices=RECORDED_CERT_STATUSES,
          hint=_l("过期由系统按有效期自动判断，无需修改")),
        F("status_changed_on", _l("状态变更日期"), "date"),
    ),
    check=_check_certification,
    duplicate=lambda _e, v: select(Certification).where(
        Certification.cert_type == v.get("cert_type"), Certification.number == v.get("number")),
    describe=lambda c: f"{CERTIFICATION_TYPES.label(c.cert_type)} {c.number}",
    order_by=(Certification.issued_on.desc(),),
)

HONOURS = RecordKind(
    slug="honours", label=_l("荣誉"), model=Honour,
    fields=(
        F("honour_type", _l("荣誉类型"), "choice", required=True, choices=HONOUR_TYPES),
        F("level", _l("级别"), "choice", required=True, choices=HONOUR_LEVELS),
        F("year", _l("年度"), "int", required=True, minimum=1980, maximum=2100),
        F("awarded_on", _l("授予日期"), "date"), F("title", _l("名称/项目"), max_length=300),
        F("issuer", _l("授予机关"), max_length=200),
        F("project_role", _l("工程中的角色"), "choice", choices=PROJECT_ROLES,
          hint=_l("钱江杯、鲁班奖等工程类荣誉填写；同一工程各参建单位分别登记，统计时计为一项工程")),
        F("valid_until", _l("有效期至"), "date", hint=_l("单项冠军等须复核的荣誉：未填时按授予后三年计")),
        F("revoked_on", _l("撤销日期"), "date"), F("revoke_reason", _l("撤销原因"), "text"),
    ),
    check=_check_honour,
    duplicate=lambda e, v: select(Honour).where(
        Honour.enterprise_id == e, Honour.honour_type == v.get("honour_type"), Honour.level == v.get("level"),
        Honour.year == v.get("year"), Honour.title.is_(None) if not v.get("title") else Honour.title == v["title"]),
    describe=lambda h: f"{h.year} {HONOUR_LEVELS.label(h.level)}{HONOUR_TYPES.label(h.honour_type)} {h.title or ''}",
    order_by=(Honour.year.desc(),),
)

PATENTS = RecordKind(
    slug="patents", label=_l("专利"), model=Patent,
    fields=(
        F("number", _l("申请号/专利号"), required=True, max_length=20, hint=_l("如 201710601862.3 或 ZL201710601862.3")),
        F("patent_type", _l("专利类型"), "choice", choices=PATENT_TYPES, readonly=True),
        F("title", _l("专利名称"), required=True, max_length=300), F("filed_on", _l("申请日期"), "date"),
        F("granted_on", _l("授权日期"), "date"),
        F("status", _l("法律状态"), "choice", required=True, choices=PATENT_STATUSES),
    ),
    check=_check_patent,
    duplicate=lambda _e, v: select(Patent).where(Patent.number == v.get("number")),
    describe=lambda p: f"{p.number} {p.title}",
    order_by=(Patent.filed_on.desc(),),
)

TRADEMARKS = RecordKind(
    slug="trademarks", label=_l("商标"), model=Trademark,
    fields=(
        F("reg_number", _l("注册号"), required=True, max_length=20), F("nice_class", _l("类别"), "int", required=True),
        F("mark", _l("商标名称"), required=True, max_length=200), F("registered_on", _l("注册日期"), "date"),
        F("expires_on", _l("有效期至"), "date"), F("madrid", _l("马德里国际注册"), "bool"),
        F("madrid_registered_on", _l("马德里注册日期"), "date"),
        F("madrid_number", _l("马德里国际注册号"), max_length=20, hint=_l("同一国际注册涵盖多个类别时填写同一注册号")),
        F("geographical_indication", _l("地理标志"), "bool"),
        F("gi_status", _l("地理标志状态"), "choice", choices=GI_STATUSES),
        F("gi_route", _l("地理标志保护途径"), "choice", choices=GI_ROUTES, hint=_l("未填时按证明商标/集体商标")),
        F("gi_cultivation_started_on", _l("地理标志培育开始日期"), "date"),
        F("gi_applied_on", _l("地理标志申请日期"), "date"),
    ),
    check=_check_trademark,
    duplicate=lambda _e, v: select(Trademark).where(
        Trademark.reg_number == v.get("reg_number"), Trademark.nice_class == v.get("nice_class")),
    describe=lambda t: f"第{t.nice_class}类 {t.reg_number} {t.mark}",
    order_by=(Trademark.registered_on.desc(),),
)

GI_PRODUCTS = RecordKind(
    slug="gi-products", label=_l("地理标志产品保护"), model=GiProduct,
    fields=(
        F("product_name", _l("产品名称"), required=True, max_length=200, hint=_l("如 临海蜜桔；无商标注册号")),
        F("status", _l("状态"), "choice", required=True, choices=GI_PRODUCT_STATUSES),
        F("cultivation_started_on", _l("培育开始日期"), "date"), F("applied_on", _l("申请日期"), "date"),
        F("approved_on", _l("批准日期"), "date"), F("announcement", _l("批准公告号"), max_length=64),
        F("authority", _l("受理机关"), max_length=200),
    ),
    check=_check_gi_product,
    duplicate=lambda e, v: select(GiProduct).where(GiProduct.enterprise_id == e,
                                                   GiProduct.product_name == v.get("product_name")),
    describe=lambda g: f"{g.product_name}（{GI_PRODUCT_STATUSES.label(g.status)}）",
    order_by=(GiProduct.applied_on.desc(),),
)

CREDIT_RECORDS = RecordKind(
    slug="credit-records", label=_l("信用记录"), model=CreditRecord,
    fields=(
        F("list_type", _l("名单类型"), "choice", required=True, choices=CREDIT_LIST_TYPES),
        F("listed_on", _l("列入日期"), "date", required=True), F("removed_on", _l("移出日期"), "date"),
        F("authority", _l("列入机关"), max_length=200), F("reason", _l("列入原因"), "text"),
    ),
    check=_check_credit,
    duplicate=lambda e, v: select(CreditRecord).where(
        CreditRecord.enterprise_id == e, CreditRecord.list_type == v.get("list_type"),
        CreditRecord.listed_on == v.get("listed_on")),
    describe=lambda c: f"{CREDIT_LIST_TYPES.label(c.list_type)} {c.listed_on}",
    order_by=(CreditRecord.listed_on.desc(),),
    enterprise_editable=False,
)

INCIDENTS = RecordKind(
    slug="incidents", label=_l("质量安全事件"), model=IncidentRecord,
    fields=(
        F("occurred_on", _l("发生日期"), "date", required=True),
        F("kind", _l("事件类型"), "choice", required=True, choices=INCIDENT_KINDS),
        F("description", _l("情况说明"), "text"),
    ),
    check=_no_rules,
    duplicate=lambda e, v: select(IncidentRecord).where(
        IncidentRecord.enterprise_id == e, IncidentRecord.occurred_on == v.get("occurred_on"),
        IncidentRecord.kind == v.get("kind")),
    describe=lambda i: f"{i.occurred_on} {INCIDENT_KINDS.label(i.kind)}",
    order_by=(IncidentRecord.occurred_on.desc(),),
    enterprise_editable=False,
)

BENEFIT_GRADES_KIND = RecordKind(
    slug="benefit-grades", label=_l("亩均效益评价"), model=BenefitGrade,
    fields=(
        F("year", _l("评价年度"), "int", required=True, minimum=2000, maximum=2100),
        F("grade", _l("评价等级"), "choice", required=True, choices=BENEFIT_GRADES),
        F("authority", _l("发布单位"), max_length=200, hint=_l("如 临海市经济和信息化局")),
        F("published_on", _l("公布日期"), "date"),
        F("note", _l("备注"), "text"),
    ),
    check=_no_rules,
    duplicate=lambda e, v: select(BenefitGrade).where(
        BenefitGrade.enterprise_id == e, BenefitGrade.year == v.get("year")),
    describe=lambda g: f"{g.year} {BENEFIT_GRADES.label(g.grade)}",
    order_by=(BenefitGrade.year.desc(),),
    enterprise_editable=False,
)

KINDS: dict[str, RecordKind] = {k.slug: k for k in (STANDARDS, CERTIFICATIONS, HONOURS, PATENTS, TRADEMARKS,
                                                     GI_PRODUCTS, CREDIT_RECORDS, INCIDENTS, BENEFIT_GRADES_KIND)}
