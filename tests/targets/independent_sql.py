"""Independent counts for every derived rule, written as plain SQL (not built from the rules' expressions).

Each function returns the SQL text and the parameters for "the value on day d" (``year=None``) or
"the year column ``year`` as seen on d".
"""
from __future__ import annotations

import datetime as dt

PLAN = (dt.date(2021, 1, 1), dt.date(2025, 12, 31))


def _filters(jid, iid) -> str:
    out = ""
    if jid is not None:
        out += " AND e.jurisdiction_id = :jid"
    if iid is not None:
        out += " AND e.industry_id = :iid"
    return out


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def honour_sql(types, levels, per_enterprise, cumulative, day, year, jid, iid, per_project=False):
    on = min(dt.date(year, 12, 31), day) if (cumulative and year) else day
    key = "h.enterprise_id" if per_enterprise else "h.id"
    if per_project:  # one project, however many units recorded it; an honour with no project is its own item
        key = "CASE WHEN h.project_id IS NULL THEN -h.id ELSE h.project_id END"
    # An honour known only by its year counts from 31 December of that year.
    started = ("((h.awarded_on IS NOT NULL AND h.awarded_on <= :on) OR "
               "(h.awarded_on IS NULL AND (h.year < :on_year OR (h.year = :on_year AND :on_dec31 = 1))))")
    where = [f"h.honour_type IN {_in(types)}", started, "(h.revoked_on IS NULL OR h.revoked_on > :on)",
             "(h.valid_until IS NULL OR h.valid_until >= :on)"]
    if levels:
        where.append(f"h.level IN {_in(levels)}")
    if not cumulative:
        where.append("h.year = :year" if year else "h.year BETWEEN 2021 AND 2025")
    sql = (f"SELECT COUNT(DISTINCT {key}) FROM honours h JOIN enterprises e ON e.id = h.enterprise_id "
           f"WHERE {' AND '.join(where)}{_filters(jid, iid)}")
    return sql, {"on": on, "on_year": on.year, "on_dec31": int(on.month == 12 and on.day == 31), "year": year}


def standard_sql(level, day, year, jid, iid, roles=None, without_lead=False):
    # 新增 in the year of publication; a later withdrawal does not undo that the standard was made.
    where = ["s.level = :level", "s.published_on IS NOT NULL", "s.published_on <= :on"]
    if roles:
        where.append(f"d.role IN {_in(roles)}")
    if without_lead:
        where.append("NOT EXISTS (SELECT 1 FROM standard_drafters l WHERE l.standard_id = s.id AND l.role = 'lead')")
    lo, hi = (dt.date(year, 1, 1), dt.date(year, 12, 31)) if year else PLAN
    where.append("s.published_on BETWEEN :lo AND :hi")
    sql = ("SELECT COUNT(DISTINCT s.id) FROM standards s JOIN standard_drafters d ON d.standard_id = s.id "
           f"JOIN enterprises e ON e.id = d.enterprise_id WHERE {' AND '.join(where)}{_filters(jid, iid)}")
    return sql, {"level": level, "on": day, "lo": lo, "hi": hi}


def holding_sql(cert_type, distinct_domain, day, year, jid, iid):
    on = min(dt.date(year, 12, 31), day) if year else day
    key = "g.id" if distinct_domain else "c.id"
    where = ["c.cert_type = :t", "c.issued_on <= :on", "(c.expires_on IS NULL OR c.expires_on >= :on)",
             "(c.status = 'valid' OR (c.status_changed_on IS NOT NULL AND c.status_changed_on > :on))"]
    # domains of the 绿色产品认证目录 catalogue only: legacy free text matches no entry
    domains = " JOIN green_product_domains g ON g.name = c.product_domain" if distinct_domain else ""
    sql = (f"SELECT COUNT(DISTINCT {key}) FROM certifications c JOIN enterprises e ON e.id = c.enterprise_id{domains} "
           f"WHERE {' AND '.join(where)}{_filters(jid, iid)}")
    return sql, {"t": cert_type, "on": on}


def first_cert_sql(cert_types, day, year, jid, iid):
    """Enterprises whose first certificate of any of ``cert_types`` (a tuple of constants) falls in the period."""
    lo, hi = (dt.date(year, 1, 1), dt.date(year, 12, 31)) if year else PLAN
    types = "(" + ", ".join(f"'{t}'" for t in cert_types) + ")"
    first = f"(SELECT MIN(c.issued_on) FROM certifications c WHERE c.enterprise_id = e.id AND c.cert_type IN {types})"
    sql = (f"SELECT COUNT(*) FROM enterprises e WHERE {first} BETWEEN :lo AND :hi AND {first} <= :on "
           f"AND EXISTS (SELECT 1 FROM certifications c2 WHERE c2.enterprise_id = e.id AND c2.cert_type IN {types} "
           "AND c2.issued_on <= :on AND (c2.status = 'valid' OR c2.status_changed_on > :on))" + _filters(jid, iid))
    return sql, {"on": day, "lo": lo, "hi": hi}


def trademark_sql(which, day, year, jid, iid):
    base = "SELECT COUNT(DISTINCT t.id) FROM trademarks t JOIN enterprises e ON e.id = t.enterprise_id WHERE "
    if which == "registered":
        on = min(dt.date(year, 12, 31), day) if year else day
        return (base + "t.registered_on <= :on AND (t.expires_on IS NULL OR t.expires_on >= :on)" + _filters(jid, iid),
                {"on": on})
    lo, hi = (dt.date(year, 1, 1), dt.date(year, 12, 31)) if year else PLAN
    if which == "madrid":
        # one international registration, whatever its classes
        base = base.replace("COUNT(DISTINCT t.id)", "COUNT(DISTINCT COALESCE('m' || t.madrid_number, 't' || t.id))")
        cond = "t.madrid = :yes AND t.madrid_registered_on BETWEEN :lo AND :hi AND t.madrid_registered_on <= :on"
    else:
        # the earlier of cultivation start and application (registration when neither is recorded)
        first = ("(CASE WHEN t.gi_cultivation_started_on IS NOT NULL AND (t.gi_applied_on IS NULL OR "
                 "t.gi_cultivation_started_on < t.gi_applied_on) THEN t.gi_cultivation_started_on "
                 "ELSE COALESCE(t.gi_applied_on, t.registered_on) END)")
        cond = f"t.geographical_indication = :yes AND {first} BETWEEN :lo AND :hi AND {first} <= :on"
        # plus the 地理标志产品保护 applications without a trademark number (their own table), the same way
        product_first = ("(CASE WHEN g.cultivation_started_on IS NOT NULL AND (g.applied_on IS NULL OR "
                         "g.cultivation_started_on < g.applied_on) THEN g.cultivation_started_on "
                         "ELSE COALESCE(g.applied_on, g.approved_on) END)")
        products = ("SELECT COUNT(*) FROM gi_products g JOIN enterprises e ON e.id = g.enterprise_id WHERE "
                    f"{product_first} BETWEEN :lo AND :hi AND {product_first} <= :on" + _filters(jid, iid))
        return (f"SELECT ({base + cond + _filters(jid, iid)}) + ({products})",
                {"yes": True, "lo": lo, "hi": hi, "on": day})
    return base + cond + _filters(jid, iid), {"yes": True, "lo": lo, "hi": hi, "on": day}


NATIONAL = ("luban", "national_quality_project", "zhan_tianyou")
SQL_FOR = {
    "quality_award_orgs": lambda *a: honour_sql(("quality_award", "quality_award_nomination"),
                                                ("national", "provincial", "taizhou"), True, False, *a),
    "qianjiang_cup": lambda *a: honour_sql(("qianjiang_cup",), None, False, False, *a, per_project=True),
    "national_quality_projects": lambda *a: honour_sql(NATIONAL, None, False, False, *a, per_project=True),
    "zzb_standards": lambda *a: standard_sql("group_zzb", *a, roles=("lead",)),
    "zzb_standards_lead": lambda *a: standard_sql("group_zzb", *a, roles=("lead",)),
    "zzb_standards_participant": lambda *a: standard_sql("group_zzb", *a, roles=("participant",), without_lead=True),
    "international_standards": lambda *a: standard_sql("international", *a),
    "national_standards": lambda *a: standard_sql("national", *a),
    "standard_internationalisation_pilots":
        lambda *a: honour_sql(("standard_internationalisation_pilot",), None, True, False, *a),
    "standard_innovation_orgs": lambda *a: honour_sql(("standard_innovation",), None, True, False, *a),
    "standardisation_pilots": lambda *a: honour_sql(("standardisation_pilot",), ("national", "provincial"), False,
                                                    False, *a),
    "pinzibiao_enterprises": lambda *a: first_cert_sql(("pinzibiao", "pinzibiao_agri", "pinzibiao_service",
                                                        "pinzibiao_declaration"), *a),
    "zhejiang_international_certs": lambda *a: holding_sql("zhejiang_international", False, *a),
    "zhejiang_boutique": lambda *a: honour_sql(("zhejiang_boutique",), None, False, True, *a),
    "single_champions": lambda *a: honour_sql(("single_champion",), ("national",), True, True, *a),
    "green_product_domains": lambda *a: holding_sql("green_product", True, *a),
    "high_quality_service_certs": lambda *a: holding_sql("high_quality_service", False, *a),
    "export_brands": lambda *a: honour_sql(("zhejiang_export_brand",), None, False, False, *a),
    "registered_trademarks": lambda *a: trademark_sql("registered", *a),
    "gi_trademarks": lambda *a: trademark_sql("gi", *a),
    "madrid_trademarks": lambda *a: trademark_sql("madrid", *a),
    "iso10012_adopters": lambda *a: first_cert_sql(("iso10012",), *a),
}
