"""The derived counting rules (统计口径): each a named query over the registry listing what it counts.

Every rule yields *facts*: one row per (counted item, Linhai enterprise behind it) with the same columns

    key          what is counted once (an honour, a standard, a certificate, an enterprise, a product domain)
    source       honour / standard / certificate / first_certificate / trademark
    record_id    the registry row that evidences it
    enterprise_id, jurisdiction_id, industry_id, enterprise_name
    kind_code, number, title      what the record lists show
    start        the date from which the item counts
    year         the plan year it is "new" in (新增 rules)
    end          the first date on which it no longer counts (revoked / withdrawn / cancelled), or NULL
    expires      the last date it counts by expiry (certificates, trademarks), or NULL

``registry.targets.counting`` turns facts into numbers (COUNT(DISTINCT key) under the as-of conditions) and
into lists (the same conditions, one row per key), so a number always equals the length of its list.
A standard drafted by several Linhai enterprises is one key with several facts: counted once citywide and
once in each town that took part.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from sqlalchemy import Date, Select, String, and_, case, cast, exists, extract, func, literal, null, or_, select
from sqlalchemy.orm import aliased

from registry.i18n import N_
from registry.models import (Certification, Enterprise, GiProduct, GreenProductDomain, Honour, Standard, StandardDrafter,
                             Trademark)
from registry.targets import settings as rule_settings
from registry.targets.sqlfuncs import year_end

# Every way to the 品字标: 浙江制造 certification, 浙江农产/浙江服务 认定, 标准 + 自我声明公开 + 信用保证.
PINZIBIAO_TYPES = ("pinzibiao", "pinzibiao_agri", "pinzibiao_service", "pinzibiao_declaration")
NEVER = date(1900, 1, 1)  # "end" of a record that never counted (e.g. revoked with no date recorded)
NEW = "new"
CUMULATIVE = "cumulative"


@dataclass(frozen=True)
class Rule:
    """A counting rule. ``tokens`` name the registry changes that can alter its result (see versions.py)."""

    name: str
    label: str  # 统计口径, shown under the indicator
    counted: str  # what one counted item is: 企业 / 荣誉 / 标准 / 证书 / 领域 / 商标
    kind: str  # NEW (new within the plan period, by year) or CUMULATIVE (holdings at a date)
    facts: Callable[[], Select]
    tokens: tuple[str, ...]
    # Optional stricter "still counts on d" test over the facts subquery ``f`` (first-certificate rules).
    alive: Callable | None = field(default=None)
    # Rules whose figures are shown beside this one's ("其中": led / only took part), by name.
    parts: tuple[str, ...] = ()

    @property
    def one_fact_per_key(self) -> bool:
        """Whether every fact has a key of its own (``one_fact_per_key`` marked the facts query)."""
        return getattr(self.facts, "one_fact_per_key", False)


def one_fact_per_key(facts):
    """Mark ``facts`` as giving each key once (the key is the row's own id): its counts need no DISTINCT, whose sort
    over a million rows is most of a city-wide count's cost (counting._count_if)."""
    facts.one_fact_per_key = True
    return facts


def _enterprise_columns(fk):
    # ``enterprise_id`` is the record's own foreign key: filters apply to it (counting._facts), so the database
    # drives from the records and never from every enterprise of a town. Every record has its enterprise (a NOT NULL
    # foreign key), so the facts join it as an outer join, which gives the same rows and which PostgreSQL drops
    # when a query uses no enterprise column (a city-wide count: 1,600,000 trademarks are not joined to 1,000,000
    # enterprises to be counted).
    return (fk.label("enterprise_id"), Enterprise.jurisdiction_id.label("jurisdiction_id"),
            Enterprise.industry_id.label("industry_id"), Enterprise.name.label("enterprise_name"))


def _no_date():
    return cast(null(), Date)


def _tagged(tag: str, column):
    """A text key ``tag`` + ``column`` (NULL when the column is NULL): keys of two kinds never collide."""
    return literal(tag) + cast(column, String)


def honours(types, levels: tuple[str, ...] | None = None, key: str = "honour"):
    """Honours of ``types`` (a tuple, or a function of the settings returning one) at ``levels``.

    ``key`` says what one counted item is: 'honour' (each row), 'enterprise' (each holder once) or 'project' (each
    project once, however many Linhai units recorded it: 钱江杯, 鲁班奖). An honour known only by its year counts
    from 31 December; it stops on its revocation and after ``valid_until`` (a designation whose 复核 lapsed).
    """

    def facts() -> Select:
        wanted = types() if callable(types) else types
        conditions = [Honour.honour_type.in_(wanted)]
        if levels:
            conditions.append(Honour.level.in_(levels))
        if key == "enterprise":
            key_column = Honour.enterprise_id
        elif key == "project":
            key_column = func.coalesce(_tagged("p", Honour.project_id), _tagged("h", Honour.id))
        else:
            key_column = Honour.id
        return (
            select(key_column.label("key"), literal("honour").label("source"), Honour.id.label("record_id"),
                   *_enterprise_columns(Honour.enterprise_id), Honour.honour_type.label("kind_code"),
                   Honour.level.label("number"), Honour.title.label("title"),
                   func.coalesce(Honour.awarded_on, year_end(Honour.year)).label("start"), Honour.year.label("year"),
                   Honour.revoked_on.label("end"), Honour.valid_until.label("expires"))
            .select_from(Honour).outerjoin(Enterprise, Enterprise.id == Honour.enterprise_id).where(*conditions)
        )

    return one_fact_per_key(facts) if key == "honour" else facts


def standards(level: str, roles=None, only_without_lead: bool = False):
    """Standards of ``level`` published, one fact per Linhai drafter of ``roles`` (a tuple, a function of the
    settings returning one, or None for every role).

    A standard is 新增 in the year it was published: a later withdrawal (废止) does not undo that it was made, so
    these facts never end. ``only_without_lead``: standards that no Linhai enterprise led (参与 only).
    """

    def facts() -> Select:
        wanted = roles() if callable(roles) else roles
        conditions = [Standard.level == level, Standard.published_on.is_not(None)]
        if wanted:
            conditions.append(StandardDrafter.role.in_(wanted))
        if only_without_lead:
            lead = aliased(StandardDrafter)
            conditions.append(~exists().where(lead.standard_id == Standard.id, lead.role == "lead"))
        return (
            select(Standard.id.label("key"), literal("standard").label("source"), Standard.id.label("record_id"),
                   *_enterprise_columns(StandardDrafter.enterprise_id),
                   StandardDrafter.role.label("kind_code"), Standard.number.label("number"),
                   Standard.title.label("title"), Standard.published_on.label("start"),
                   extract("year", Standard.published_on).label("year"), _no_date().label("end"),
                   _no_date().label("expires"))
            .select_from(StandardDrafter).join(Standard, Standard.id == StandardDrafter.standard_id)
            .outerjoin(Enterprise, Enterprise.id == StandardDrafter.enterprise_id)
            .where(*conditions)
        )

    return facts


def _certificate_end():
    """A recorded suspension, revocation or cancellation ends a certificate on its date (Certification.status_on)."""
    return case((Certification.status == "valid", _no_date()),
                else_=func.coalesce(Certification.status_changed_on, literal(NEVER, Date)))


def certificates(cert_type: str, key: str = "id"):
    """Certificates of ``cert_type`` valid on the date (issued, not expired, not ended by status).

    ``key='product_domain'`` counts distinct entries of the 绿色产品认证目录 catalogue instead of certificates: a
    certificate whose domain is not a catalogue name (free text recorded before the catalogue) counts in none.
    """

    def facts() -> Select:
        conditions = [Certification.cert_type == cert_type]
        key_column = Certification.id
        if key == "product_domain":
            key_column = GreenProductDomain.id
        query = (
            select(key_column.label("key"), literal("certificate").label("source"), Certification.id.label("record_id"),
                   *_enterprise_columns(Certification.enterprise_id),
                   Certification.product_domain.label("kind_code"), Certification.number.label("number"),
                   Certification.scope.label("title"), Certification.issued_on.label("start"),
                   extract("year", Certification.issued_on).label("year"), _certificate_end().label("end"),
                   Certification.expires_on.label("expires"))
            .select_from(Certification).outerjoin(Enterprise, Enterprise.id == Certification.enterprise_id)
            .where(*conditions)
        )
        if key == "product_domain":
            query = query.join(GreenProductDomain, GreenProductDomain.name == Certification.product_domain)
        return query

    return one_fact_per_key(facts) if key == "id" else facts


def alive_flag(day: date) -> str:
    """Name of the fact column saying whether a first-certificate fact still counts on ``day``."""
    return f"alive_{day:%Y%m%d}"


def first_certificates(cert_types: str | tuple[str, ...]):
    """Enterprises by the date of their first certificate of ``cert_types`` (培育/导入: a new holder), each once
    however many types and certificates it holds (the 品字标 routes: 浙江制造 certificate, 浙江农产/浙江服务 认定,
    self-declaration).

    Still counting on a day means some certificate of the types was issued by then and not ended by status.
    Expiry alone does not undo 培育 (the enterprise was brought in); a revocation, cancellation or suspension does.
    ``facts(days)`` computes that for each of ``days`` in the same grouped scan (a column per day); ``alive`` is
    the equivalent correlated test for any other day.
    """

    types = (cert_types,) if isinstance(cert_types, str) else tuple(cert_types)

    def in_good_standing(day: date):
        return and_(Certification.issued_on <= day,
                    or_(Certification.status == "valid",
                        and_(Certification.status_changed_on.is_not(None), Certification.status_changed_on > day)))

    def facts(days: tuple[date, ...] = ()) -> Select:
        flags = [func.max(case((in_good_standing(day), 1), else_=0)).label(alive_flag(day)) for day in days]
        firsts = (select(Certification.enterprise_id.label("eid"), func.min(Certification.issued_on).label("first_on"),
                         *flags)
                  .where(Certification.cert_type.in_(types)).group_by(Certification.enterprise_id).subquery())
        return (
            select(firsts.c.eid.label("key"), literal("first_certificate").label("source"),
                   firsts.c.eid.label("record_id"), *_enterprise_columns(firsts.c.eid),
                   literal(types[0]).label("kind_code"), Enterprise.uscc.label("number"),
                   literal(None).label("title"), firsts.c.first_on.label("start"),
                   extract("year", firsts.c.first_on).label("year"), _no_date().label("end"),
                   _no_date().label("expires"), *(firsts.c[alive_flag(day)] for day in days))
            .select_from(firsts).outerjoin(Enterprise, Enterprise.id == firsts.c.eid)
        )

    def alive(f, day: date):
        return exists().where(Certification.enterprise_id == f.c.enterprise_id, Certification.cert_type.in_(types),
                              in_good_standing(day))

    return one_fact_per_key(facts), alive


def trademarks(which: str):
    """Trademarks: 'madrid' (by Madrid registration date), 'gi' (geographical indications, trademark or 地理标志产品保护
    route, each once in the year of the earliest of its cultivation start and its application; registration date
    when neither is recorded),
    'registered' (domestic registrations valid on the date)."""

    def facts() -> Select:
        key = Trademark.id
        if which == "madrid":
            # One international registration is one item, whatever its classes (several rows share its number).
            start, conditions = Trademark.madrid_registered_on, [Trademark.madrid.is_(True)]
            key = func.coalesce(_tagged("m", Trademark.madrid_number), _tagged("t", Trademark.id))
        elif which == "gi":
            cultivated, applied = Trademark.gi_cultivation_started_on, Trademark.gi_applied_on
            start = case((and_(cultivated.is_not(None), or_(applied.is_(None), cultivated < applied)), cultivated),
                         else_=func.coalesce(applied, Trademark.registered_on))
            conditions = [Trademark.geographical_indication.is_(True)]
        else:
            start, conditions = Trademark.registered_on, []
        if which == "gi":
            key = _tagged("t", Trademark.id)
        expires = Trademark.expires_on if which == "registered" else _no_date()
        query = (
            select(key.label("key"), literal("trademark").label("source"), Trademark.id.label("record_id"),
                   *_enterprise_columns(Trademark.enterprise_id),
                   Trademark.gi_status.label("kind_code"), Trademark.reg_number.label("number"),
                   Trademark.mark.label("title"), start.label("start"), extract("year", start).label("year"),
                   _no_date().label("end"), expires.label("expires"))
            .select_from(Trademark).outerjoin(Enterprise, Enterprise.id == Trademark.enterprise_id).where(*conditions)
        )
        if which != "gi":
            return query
        both = query.union_all(_gi_products()).subquery("gi_facts")
        return select(*both.c)  # a plain select, so counting can still filter on enterprise_id

    return one_fact_per_key(facts) if which != "madrid" else facts


def _gi_products() -> Select:
    """地理标志产品保护 applications (no trademark number), each once, in the year of the earlier of its cultivation
    start and its application (approval date when neither is recorded), as gi facts beside the trademarks."""
    cultivated, applied = GiProduct.cultivation_started_on, GiProduct.applied_on
    start = case((and_(cultivated.is_not(None), or_(applied.is_(None), cultivated < applied)), cultivated),
                 else_=func.coalesce(applied, GiProduct.approved_on))
    return (
        select(_tagged("g", GiProduct.id).label("key"), literal("gi_product").label("source"),
               GiProduct.id.label("record_id"), *_enterprise_columns(GiProduct.enterprise_id),
               GiProduct.status.label("kind_code"), GiProduct.announcement.label("number"),
               GiProduct.product_name.label("title"), start.label("start"), extract("year", start).label("year"),
               _no_date().label("end"), _no_date().label("expires"))
        .select_from(GiProduct).outerjoin(Enterprise, Enterprise.id == GiProduct.enterprise_id)
    )


def _build() -> dict[str, Rule]:
    pin_facts, pin_alive = first_certificates(PINZIBIAO_TYPES)
    iso_facts, iso_alive = first_certificates("iso10012")
    national_projects = ("luban", "national_quality_project", "zhan_tianyou")
    above_city = ("national", "provincial", "taizhou")
    options = rule_settings.TOKEN
    rules = [
        Rule("quality_award_orgs",
             N_("2021-2025 年获台州市级以上政府质量奖（含提名奖，可在设置中改为不含；质量创新奖、组织奖不计入）的组织，"
                "每个组织计一次"), N_("组织"),
             NEW, honours(rule_settings.quality_award_types, above_city, key="enterprise"),
             ("honours:quality_award", "honours:quality_award_nomination", options)),
        Rule("qianjiang_cup", N_("2021-2025 年获“钱江杯”的工程，同一工程多个临海参建单位计一项"), N_("工程"), NEW,
             honours(("qianjiang_cup",), key="project"), ("honours:qianjiang_cup",)),
        Rule("national_quality_projects", N_("2021-2025 年获鲁班奖、国家优质工程奖、詹天佑奖的工程，同一工程计一项"),
             N_("工程"), NEW, honours(national_projects, key="project"),
             tuple(f"honours:{t}" for t in national_projects)),
        Rule("zzb_standards", N_("2021-2025 年发布、临海企业主导起草的“浙江制造”标准（T/ZZB，一项标准计一次；"
                                 "参与起草另列，可在设置中计入；发布后废止的仍计入发布当年）"), N_("标准"), NEW,
             standards("group_zzb", rule_settings.zzb_roles), ("standards:group_zzb", options),
             parts=("zzb_standards_lead", "zzb_standards_participant")),
        Rule("zzb_standards_lead", N_("其中：临海企业主导起草"), N_("标准"), NEW,
             standards("group_zzb", ("lead",)), ("standards:group_zzb",)),
        Rule("zzb_standards_participant", N_("其中：临海企业仅参与起草（无临海企业主导）"), N_("标准"), NEW,
             standards("group_zzb", ("participant",), only_without_lead=True), ("standards:group_zzb",)),
        Rule("international_standards", N_("2021-2025 年发布、临海企业主导或参与制修订的国际标准（发布后废止的仍计入）"),
             N_("标准"), NEW, standards("international"), ("standards:international",)),
        Rule("national_standards", N_("2021-2025 年发布、临海企业主导或参与制修订的国家标准（发布后废止的仍计入）"),
             N_("标准"), NEW, standards("national"), ("standards:national",)),
        Rule("standard_internationalisation_pilots", N_("2021-2025 年确定的标准国际化试点示范单位（每家计一次）"),
             N_("组织"), NEW, honours(("standard_internationalisation_pilot",), key="enterprise"),
             ("honours:standard_internationalisation_pilot",)),
        Rule("standard_innovation_orgs", N_("2021-2025 年获各级标准创新贡献奖的组织（每个组织计一次）"), N_("组织"), NEW,
             honours(("standard_innovation",), key="enterprise"), ("honours:standard_innovation",)),
        Rule("standardisation_pilots", N_("2021-2025 年立项的国家级、省级标准化试点示范项目"), N_("项目"), NEW,
             honours(("standardisation_pilot",), ("national", "provincial")), ("honours:standardisation_pilot",)),
        Rule("pinzibiao_enterprises", N_("首个“品字标”在 2021-2025 年取得的企业，每家计一次：品字标浙江制造认证、品字标"
                                         "浙江农产认定、品字标浙江服务认定、标准+自我声明公开+信用保证登记，以最早者为准"
                                         "（此前已有任一种的不算新增）；证书暂停期间不计，恢复后重新计入；全部撤销、"
                                         "注销后不计；到期未再认证仍计"),
             N_("企业"), NEW, pin_facts, tuple(f"certifications:{t}" for t in PINZIBIAO_TYPES), pin_alive),
        Rule("zhejiang_international_certs", N_("当日有效的“浙江制造”国际认证证书"), N_("证书"), CUMULATIVE,
             certificates("zhejiang_international"), ("certifications:zhejiang_international",)),
        Rule("zhejiang_boutique", N_("“浙江制造精品”（累计，未撤销）"), N_("荣誉"), CUMULATIVE,
             honours(("zhejiang_boutique",)), ("honours:zhejiang_boutique",)),
        Rule("single_champions", N_("工信部认定的制造业单项冠军企业，复核有效期内（累计，每家计一次）"), N_("企业"),
             CUMULATIVE, honours(("single_champion",), ("national",), key="enterprise"),
             ("honours:single_champion",)),
        Rule("green_product_domains", N_("当日有效的绿色产品认证证书覆盖的绿色产品认证目录领域（不同领域数；"
                                         "不在目录中的旧自由填写领域不计）"), N_("领域"), CUMULATIVE,
             certificates("green_product", key="product_domain"),
             ("certifications:green_product", "catalogues:green_product_domains")),
        Rule("high_quality_service_certs", N_("当日有效的高品质服务认证证书"), N_("证书"), CUMULATIVE,
             certificates("high_quality_service"), ("certifications:high_quality_service",)),
        Rule("export_brands", N_("2021-2025 年认定的浙江出口名牌"), N_("荣誉"), NEW, honours(("zhejiang_export_brand",)),
             ("honours:zhejiang_export_brand",)),
        Rule("registered_trademarks", N_("登记库内当日有效的注册商标（件）"), N_("商标"), CUMULATIVE, trademarks("registered"),
             ("trademarks:all",)),
        Rule("gi_trademarks", N_("2021-2025 年开始培育或申请的地理标志（证明商标/集体商标及地理标志产品保护，"
                                 "含无商标注册号的地理标志产品保护申请），每个地理标志计一次，按培育开始日与申请日中"
                                 "较早者计入当年"), N_("地理标志"), NEW,
             trademarks("gi"), ("trademarks:gi",)),
        Rule("madrid_trademarks", N_("2021-2025 年取得的马德里商标国际注册，一件国际注册计一次（不论类别数）"),
             N_("国际注册"), NEW, trademarks("madrid"), ("trademarks:madrid",)),
        Rule("iso10012_adopters", N_("首张 ISO 10012 测量管理体系证书在当年取得的企业"), N_("企业"), NEW, iso_facts,
             ("certifications:iso10012",), iso_alive),
    ]
    return {rule.name: rule for rule in rules}


_RULES: dict[str, Rule] = {}


def all_rules() -> dict[str, Rule]:
    """Every rule by name (built on first use, not at import)."""
    if not _RULES:
        _RULES.update(_build())
    return _RULES


def get_rule(name: str) -> Rule:
    """The rule called ``name``; raises KeyError for an unknown name."""
    return all_rules()[name]
