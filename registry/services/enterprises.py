"""Use cases on the enterprise master record (企业主档): search, create, update, delete, and the full page."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, and_, bindparam, exists, false, func, or_, select
from sqlalchemy.exc import IntegrityError

from registry import pagination, policy, refcache
from registry.clock import today
from registry.database import begin_write
from registry.extensions import db
from registry.history import set_actor
from registry.identifiers import IdentifierError, parse_uscc
from registry.models import Certification, CreditRecord, Enterprise, Industry, Jurisdiction, User
from registry.models.bigrams import contains_all_bigrams
from registry.records.fields import FieldSpec as F
from registry.records.fields import coerce, to_json
from registry.services.errors import Conflict, NotFound, ValidationFailed
from registry.vocab import ORG_TYPES

ENTERPRISE_FIELDS: tuple[F, ...] = (
    F("name", _l("企业名称"), required=True, max_length=200),
    F("uscc", _l("统一社会信用代码"), required=True, max_length=40),
    F("jurisdiction", _l("所属镇街"), required=True, max_length=64, picked=True, hint=_l("行政区划代码或名称，如 331082112 或 杜桥镇")),
    F("industry", _l("所属产业"), required=True, max_length=64, picked=True),
    F("org_type", _l("组织类型"), "choice", choices=ORG_TYPES, hint=_l("医院、学校、协会等非企业组织获奖的也在此登记")),
    F("above_scale", _l("规上企业"), "bool"),
    F("established_on", _l("成立日期"), "date", not_future=True),
    F("legal_representative", _l("法定代表人"), max_length=64),
    F("group_name", _l("所属集团"), max_length=200),
    F("contact_name", _l("联系人"), max_length=64),
    F("contact_phone", _l("联系电话"), max_length=32, format="phone",
      hint=_l("手机号码，或带区号的固定电话，如 0576-85123456")),
    F("contact_email", _l("联系邮箱"), max_length=120, format="email"),
    F("address", _l("地址"), max_length=300),
    F("uscc_override_reason", _l("信用代码校验例外说明"), "text",
      hint=_l("仅当代码真实有效但校验位不通过时，由市局人员填写原因")),
)

# What an enterprise account may change on its own master record.
ENTERPRISE_SELF_SERVICE_FIELDS = ("established_on", "legal_representative", "group_name", "contact_name",
                                  "contact_phone", "contact_email", "address")

_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{18}$")
# The start of a credit code: 4 to 17 code characters with a digit among them (no trade name looks like that).
_USCC_PREFIX = re.compile(r"^(?=.*[0-9])[0-9A-HJ-NP-RTUWXY]{4,17}$")

SORTS = {
    "name": Enterprise.name, "uscc": Enterprise.uscc, "established": Enterprise.established_on,
    "updated": Enterprise.updated_at,
}


@dataclass
class EnterpriseFilters:
    q: str = ""
    jurisdiction: str = ""  # division code
    industry: str = ""  # industry code
    above_scale: str = ""  # "1" / "0" / ""
    pinzibiao: str = ""  # "1": holds a valid 品字标 certificate today; "0": does not
    credit: str = ""  # "listed": an active credit listing today; "clean": none
    sort: str = "name"
    direction: str = "asc"


def holds_valid_pinzibiao(day: date):
    """SQL: the enterprise (correlated with ``Enterprise``) holds a 品字标 certificate valid on ``day``."""
    # Same rule as Certification.status_on: a recorded end counts only from its date.
    return exists().where(
        Certification.enterprise_id == Enterprise.id, Certification.cert_type == "pinzibiao",
        or_(Certification.status == "valid", Certification.status_changed_on > day),
        Certification.issued_on <= day,
        or_(Certification.expires_on.is_(None), Certification.expires_on >= day))


def on_credit_list(day: date):
    """SQL: the enterprise (correlated with ``Enterprise``) is on a credit list on ``day``."""
    return exists().where(
        CreditRecord.enterprise_id == Enterprise.id, CreditRecord.listed_on <= day,
        or_(CreditRecord.removed_on.is_(None), CreditRecord.removed_on > day))


def _uscc_starts_with(prefix: str):
    """``uscc`` begins with ``prefix`` (code characters only, so nothing to escape), as each database's index can
    answer it: LIKE 'X%' on PostgreSQL's pattern-ops index; GLOB 'X*' on SQLite (its LIKE ignores case and so
    cannot use the unique index)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return Enterprise.uscc.op("GLOB")(prefix + "*")
    return Enterprise.uscc.like(prefix + "%")


def _is_entry(column, model, code: str):
    """``column`` is the id of the catalogue entry ``code`` (false when no entry has that code). The catalogue's
    codes come through the reference cache (``registry.refcache``), as the list's filter choices do."""
    ids = refcache.cached(f"catalogue-ids:{model.__tablename__}",
                          lambda: dict(db.session.execute(select(model.code, model.id)).all()))
    entry_id = ids.get(code)
    return false() if entry_id is None else column == entry_id


def filtered_query(user: User, filters: EnterpriseFilters):
    """The scoped, filtered enterprise query (no ordering or paging), shared by the list and the export."""
    query = select(Enterprise).where(policy.scope(user, "enterprise.view"))
    q = (filters.q or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if q:
        code = q.replace(" ", "").upper()
        if _USCC_SHAPE.match(code):  # a credit code: one unique-index lookup instead of scanning names
            query = query.where(Enterprise.uscc == code)
        elif _USCC_PREFIX.match(code):  # the start of one: a prefix range on an index (see models.enterprise)
            query = query.where(_uscc_starts_with(code))
        else:
            query = query.where(Enterprise.name.contains(q, autoescape=True))
            if len(q) >= 2 and db.session.get_bind().dialect.name == "postgresql":
                query = query.where(contains_all_bigrams(Enterprise.name, q))  # the GIN index finds the rows
    # The codes are looked up first and the enterprises filtered on the ids: the planner then sees the value (its
    # statistics, the (jurisdiction_id, name) and (industry_id, name) indexes in list order, migration 0027), and a
    # code that names nothing matches nothing at once instead of walking the whole name index.
    if filters.jurisdiction:
        query = query.where(_is_entry(Enterprise.jurisdiction_id, Jurisdiction, filters.jurisdiction))
    if filters.industry:
        query = query.where(_is_entry(Enterprise.industry_id, Industry, filters.industry))
    if filters.above_scale in ("1", "0"):
        query = query.where(Enterprise.above_scale.is_(filters.above_scale == "1"))
    day = today()
    if filters.pinzibiao == "1":
        query = query.where(holds_valid_pinzibiao(day))
    elif filters.pinzibiao == "0":
        query = query.where(~holds_valid_pinzibiao(day))
    if filters.credit == "listed":
        query = query.where(on_credit_list(day))
    elif filters.credit == "clean":
        query = query.where(~on_credit_list(day))
    return query


def search_enterprises(user: User, filters: EnterpriseFilters, page: int = 1, per_page: int = 20,
                       count_cap: int | None = None) -> pagination.Page:
    """A page of enterprises in the user's scope matching the filters.

    With ``count_cap`` the total is counted only up to the cap (``pagination.Page.capped`` says it was reached): an exact
    count of a large registry costs more than the page itself, and nobody pages past a thousand rows.
    """
    page = max(1, page)
    per_page = max(1, min(per_page, 200))
    query = filtered_query(user, filters)
    counted = query.order_by(None).with_only_columns(Enterprise.id)
    if count_cap:
        counted = counted.limit(count_cap + 1)
    # Counts and the badges run on the session's connection (Core rows): through the ORM session each of these
    # statements cost about twice the CPU.
    total = db.session.connection().scalar(select(func.count()).select_from(counted.subquery()))
    capped = bool(count_cap) and total > count_cap
    if capped:
        total = count_cap
    column = SORTS.get(filters.sort, Enterprise.name)
    order = (column.desc() if filters.direction == "desc" else column.asc(), Enterprise.id)
    # The page's ids first, then only those rows: the ids come from the list's indexes alone (they cover the filter
    # columns, migration 0027), so the rows a filter or an offset passes over are never read from the table.
    ids = query.with_only_columns(Enterprise.id).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    rows = db.session.scalars(select(Enterprise).where(Enterprise.id.in_(ids.scalar_subquery())).order_by(*order))
    return pagination.Page(items=list(rows.unique()), total=total, page=page, per_page=per_page, capped=capped)


@cache
def _badge_statements():
    """Of enterprises ``:ids``, those holding a valid 品字标 certificate and those on a credit list on ``:day``;
    built once per process (building them was a tenth of a list page's CPU)."""
    ids, day = Enterprise.id.in_(bindparam("ids", expanding=True)), bindparam("day", type_=Date)
    return (select(Enterprise.id).where(ids, holds_valid_pinzibiao(day)),
            select(Enterprise.id).where(ids, on_credit_list(day)))


def page_badges(enterprise_ids: list[int], day: date | None = None) -> tuple[set[int], set[int]]:
    """Of these enterprises, those holding a valid 品字标 certificate and those on a credit list on ``day``:
    one query each, so a list page costs the same whatever its rows hold."""
    if not enterprise_ids:
        return set(), set()
    params = {"ids": list(enterprise_ids), "day": day or today()}
    pinzibiao, listed = _badge_statements()
    connection = db.session.connection()
    return set(connection.scalars(pinzibiao, params)), set(connection.scalars(listed, params))


def serialize(enterprise: Enterprise) -> dict:
    return {
        "id": enterprise.id, "name": enterprise.name, "uscc": enterprise.uscc,
        "jurisdiction": enterprise.jurisdiction.code, "jurisdiction_name": enterprise.jurisdiction.name,
        "industry": enterprise.industry.code, "industry_name": enterprise.industry.name,
        "above_scale": enterprise.above_scale, "established_on": to_json(enterprise.established_on),
        "legal_representative": enterprise.legal_representative, "group_name": enterprise.group_name,
        "contact_name": enterprise.contact_name, "contact_phone": enterprise.contact_phone,
        "contact_email": enterprise.contact_email, "address": enterprise.address,
        "uscc_override_reason": enterprise.uscc_override_reason, "version": enterprise.version,
    }


def form_values(enterprise: Enterprise) -> dict:
    data = serialize(enterprise)
    data["established_on"] = enterprise.established_on
    return data


def _lookup(model, raw: str | None):
    text = (raw or "").strip()
    if not text:
        return None
    return db.session.scalar(select(model).where(or_(model.code == text, model.name == text)))


def _validate(user: User, data: dict, current: Enterprise | None) -> dict:
    values, errors = coerce(ENTERPRISE_FIELDS, data, partial=current is not None)
    if "org_type" in values and values["org_type"] is None:
        values["org_type"] = "enterprise"  # an organisation not said to be otherwise is an enterprise
    if "jurisdiction" in values and values["jurisdiction"] is not None:
        values["jurisdiction"] = _lookup(Jurisdiction, values["jurisdiction"]) or errors.setdefault(
            "jurisdiction", []).append("所属镇街不存在，请填写行政区划代码或名称。")
    if "industry" in values and values["industry"] is not None:
        values["industry"] = _lookup(Industry, values["industry"]) or errors.setdefault(
            "industry", []).append("所属产业不存在。")
    if values.get("uscc"):
        try:
            parsed = parse_uscc(values["uscc"])
        except IdentifierError as exc:
            errors.setdefault("uscc", []).append(str(exc))
        else:
            values["uscc"] = parsed.value
            reason = values.get("uscc_override_reason",
                                current.uscc_override_reason if current is not None else None)
            if not parsed.check_ok:
                if not policy.can(user, "enterprise.override_uscc"):
                    errors.setdefault("uscc", []).append("统一社会信用代码校验位不正确，请核对；如确属真实代码，请联系市局登记。")
                elif not reason:
                    errors.setdefault("uscc", []).append(
                        "统一社会信用代码校验位不正确。如确属真实代码，请在“信用代码校验例外说明”中填写原因后保存。")
            elif "uscc" in data:
                values["uscc_override_reason"] = None  # a code that passes needs no exception
    if values.get("uscc_override_reason") and not policy.can(user, "enterprise.override_uscc"):
        values.pop("uscc_override_reason")
    if errors:
        raise ValidationFailed(errors)
    return values


def _refuse_duplicate_uscc(uscc: str, own_id: int | None) -> None:
    clash = db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if clash is not None and clash.id != own_id:
        raise Conflict(f"统一社会信用代码 {uscc} 已登记为“{clash.name}”（记录 #{clash.id}）。",
                       existing_id=clash.id, field="uscc")


def _apply(enterprise: Enterprise, values: dict) -> None:
    for key, value in values.items():
        if key == "jurisdiction":
            enterprise.jurisdiction = value
        elif key == "industry":
            enterprise.industry = value
        else:
            setattr(enterprise, key, value)


def create_enterprise(user: User, data: dict, *, commit: bool = True) -> Enterprise:
    """Register an enterprise (bureau staff). Raises Forbidden, ValidationFailed, Conflict.

    With ``commit=False`` the caller owns the transaction (a batch import): the row is only flushed, and
    the caller has called ``begin_write()`` and rolls back on any error.
    """
    policy.check(user, "enterprise.create")
    if commit:
        begin_write()
    values = _validate(user, data, None)
    _refuse_duplicate_uscc(values["uscc"], None)
    set_actor(db.session, user.id)
    enterprise = Enterprise()
    _apply(enterprise, values)
    db.session.add(enterprise)
    try:
        db.session.commit() if commit else db.session.flush()
    except IntegrityError:
        if commit:
            db.session.rollback()
        raise Conflict(f"统一社会信用代码 {values['uscc']} 已登记。", field="uscc") from None
    return enterprise


def enterprise_by_uscc(user: User, raw: str | None) -> Enterprise:
    """The enterprise in the user's scope with this credit code (normalised as on entry), for rows that name
    their enterprise by code. Raises ValidationFailed on the ``uscc`` field when malformed or not registered."""
    text = str(raw or "").strip()
    if not text:
        raise ValidationFailed({"uscc": ["请填写统一社会信用代码。"]})
    try:
        code = parse_uscc(text).value
    except IdentifierError as exc:
        raise ValidationFailed({"uscc": [str(exc)]}) from None
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code, policy.scope(user, "enterprise.view")))
    if enterprise is None:
        raise ValidationFailed({"uscc": [f"统一社会信用代码 {code} 未登记，请先导入或新增该企业。"]})
    return enterprise


def update_enterprise(user: User, enterprise_id: int, data: dict, expected_version: int | None = None) -> Enterprise:
    """Change the master record; absent fields keep their values. An enterprise account cannot move itself to
    another jurisdiction or change its credit code. Raises NotFound, Forbidden, ValidationFailed, Conflict."""
    begin_write()
    enterprise = policy.get_enterprise(user, enterprise_id, for_edit=True)
    if expected_version is not None and expected_version != enterprise.version:
        raise Conflict("该企业信息已被他人修改，请刷新后重试。")
    if not policy.can(user, "enterprise.create"):
        # Identity and statistical classification are the bureau's to set; an enterprise keeps its contacts current.
        data = {k: v for k, v in data.items() if k in ENTERPRISE_SELF_SERVICE_FIELDS}
    values = _validate(user, data, enterprise)
    if "uscc" in values:
        _refuse_duplicate_uscc(values["uscc"], enterprise.id)
    set_actor(db.session, user.id)
    _apply(enterprise, values)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("统一社会信用代码已被其他企业使用。", field="uscc") from None
    return enterprise


def delete_enterprise(user: User, enterprise_id: int) -> None:
    """Delete an enterprise and its records (bureau staff). Raises NotFound, Forbidden."""
    begin_write()
    enterprise = policy.get_enterprise(user, enterprise_id)
    policy.check(user, "enterprise.delete")
    set_actor(db.session, user.id)
    db.session.delete(enterprise)
    db.session.commit()


def get_enterprise(user: User, enterprise_id: int) -> Enterprise:
    enterprise = policy.get_enterprise(user, enterprise_id)
    if enterprise is None:
        raise NotFound("未找到该企业。")
    return enterprise
