"""How the security walks fill URL parameters. EVERY area with a route parameter adds its entry here.

``tests/security/test_authorization_walk.py`` calls every route of ``app.url_map`` that has an ``<int:...>``
parameter, as every role, on ANOTHER tenant's objects, and fails for any route whose parameter has no builder.
``tests/security/test_bad_input.py`` and ``test_csrf.py`` use the same builders (on the bureau's own objects).

To cover a new parameter (``application_id`` say):

1. If your objects must exist first, add a setup function to ``SETUP``. It receives a ``Tenant`` (one of two
   enterprises, each in its own jurisdiction, with one record of every kind and accounts of its own) and stores
   ids in ``tenant.extra``::

       def _applications(tenant):
           app = ApplicationFactory(enterprise=tenant.enterprise, applicant=tenant.users["enterprise"])
           tenant.extra["application_id"] = app.id
       SETUP.append(_applications)

2. Add ``BUILDERS["application_id"] = lambda ctx: [ctx.tenant.extra["application_id"]]``. A builder gets a
   ``Ctx``: ``ctx.tenant`` (the tenant whose objects to use), ``ctx.bound`` (parameters already chosen for this
   URL, in the rule's order, e.g. ``{"enterprise_id": 5, "slug": "patents"}``) and ``ctx.rule``. It returns a
   list of values; each is tried. Non-int parameters that appear beside an id (``slug``, ``kind``, ``code``)
   need a builder too. For bureau and administrator accounts the walk replaces every int with an id that does
   not exist, so builders need not care about them.

3. Unsafe calls send a plausible body (a valid record or enterprise) so that a view that forgot the scope
   check would really write, and the walk would see the database change. If your forms need other fields to
   get past validation to the service, register ``BODIES["endpoint"] = lambda ctx: {...}`` (form fields for
   web routes without the CSRF token, JSON for API routes).

4. If a route answers something other than 404 by design, list it in ``ALLOWED``. A 4xx other than 404 (403
   for a read-only role, 422 for a body checked before the lookup) is accepted without listing when the same
   call on a non-existent id answers the same (nothing learnt, nothing done); anything else is a violation,
   including a redirect after a POST on another tenant's object.

Tables or columns that a mere visit legitimately changes (a "last seen" stamp) go in ``VOLATILE_*``; every
other row in the database must be unchanged after each call.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from registry.records.kinds import KINDS


@dataclass
class Tenant:
    """One side of the walk: an enterprise in its own jurisdiction with a record of every kind."""
    label: str
    enterprise_id: int
    jurisdiction_code: str
    record_ids: dict[str, int]
    users: dict[str, Any]  # "enterprise": an account of this enterprise, "town": a reviewer of its jurisdiction
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ctx:
    tenant: Tenant
    bound: dict[str, Any]
    rule: Any  # werkzeug Rule


def _record_ids(ctx: Ctx) -> list[int]:
    slug = ctx.bound.get("slug") or ctx.bound.get("kind")
    if slug in ctx.tenant.record_ids:
        return [ctx.tenant.record_ids[slug]]
    return sorted(set(ctx.tenant.record_ids.values()))  # a route naming no kind: try a record of each


def _kinds(ctx: Ctx) -> list[str]:
    converter = ctx.rule._converters.get("kind") or ctx.rule._converters.get("slug")
    items = getattr(converter, "items", None)  # an <any(...)> converter lists its own values
    return sorted(items) if items else list(KINDS)


# Parameter name -> values to try.
BUILDERS: dict[str, Callable[[Ctx], list]] = {
    "enterprise_id": lambda ctx: [ctx.tenant.enterprise_id],
    "record_id": _record_ids,
    "kind": _kinds,
    "slug": _kinds,
}

# Functions creating an area's objects for each tenant (see the module docstring). A setup that cannot import
# its area's modules (ModuleNotFoundError) is skipped: that area's routes are absent too.
SETUP: list[Callable[[Tenant], None]] = []

# endpoint -> body for unsafe calls (see the module docstring, step 3).
BODIES: dict[str, Callable[[Ctx], dict]] = {}


# --- excel imports (registry/excel): an import job belongs to the user who uploaded it ----------------------

def _import_jobs(tenant: Tenant) -> None:
    from registry.excel.models import ImportJob
    from registry.extensions import db

    job = ImportJob(user_id=tenant.users["enterprise"].id, kind="patents", filename="专利.xlsx",
                    stored_path="walk-missing.xlsx", status="previewed", total_rows=1)
    db.session.add(job)
    db.session.flush()
    tenant.extra["job_id"] = job.id


SETUP.append(_import_jobs)
BUILDERS["job_id"] = lambda ctx: [ctx.tenant.extra["job_id"]]


# --- targets (registry/targets): exports belong to a user; snapshots and reported values are city-wide ------

def _targets(tenant: Tenant) -> None:
    import datetime as dt

    from registry.extensions import db
    from registry.targets.models import Indicator, ReportedValue, TargetExport, TargetSnapshot

    export = TargetExport(user_id=tenant.users["town"].id, as_of=dt.date(2024, 12, 31), status="done",
                          jurisdiction_code=tenant.jurisdiction_code, file_name="walk.xlsx", total=1, progress=1)
    # One snapshot per tenant needs distinct dates (as_of is unique).
    snapshot = TargetSnapshot(as_of=dt.date(2024, 1, 1) + dt.timedelta(days=len(tenant.label) + tenant.enterprise_id),
                              payload={"dashboard": [],
                                       "towns": {"indicators": [], "rows": [], "compared_with": "2023-01-01"}})
    indicator = Indicator(code=f"W{tenant.enterprise_id}", plan="14", category="质量建设", name="走查指标",
                          kind="reported", method="reported")
    db.session.add_all([export, snapshot, indicator])
    db.session.flush()
    value = ReportedValue(indicator_id=indicator.id, year=2024, value=1.0, source="走查",
                          attachment_path="walk-missing.pdf", attachment_name="附件.pdf")
    db.session.add(value)
    db.session.flush()
    tenant.extra.update(export_id=export.id, snapshot_id=snapshot.id, value_id=value.id)


SETUP.append(_targets)


def _plan_reviews(tenant: Tenant) -> None:
    """A plan review and an official figure of a derived indicator: city-wide, the bureau's (others get 403)."""
    import datetime as dt

    from registry.extensions import db
    from registry.targets.models import Indicator, PlanReview, ReportedValue

    review = PlanReview(kind="annual", year=2024, as_of=dt.date(2024, 12, 31), status="done", progress=1, total=1,
                        payload={"rows": [], "years": ["2024"], "towns": {"rows": []}, "industries": {"rows": []},
                                 "breakdown_columns": [], "title": "走查", "as_of": "2024-12-31", "expected": 80.0,
                                 "kind": "annual", "year": 2024})
    indicator = Indicator(code=f"WD{tenant.enterprise_id}", plan="14th", category="质量建设", name="走查统计指标",
                          kind="new", method="derived", rule="qianjiang_cup")
    db.session.add_all([review, indicator])
    db.session.flush()
    db.session.add(ReportedValue(indicator_id=indicator.id, year=2024, value=1.0, source="走查", items="走查工程"))
    db.session.flush()
    tenant.extra.update(review_id=review.id, derived_code=indicator.code)


def _tokens(tenant: Tenant) -> None:
    """An API token of the tenant's enterprise account: only its owner (and an administrator) may revoke it."""
    from sqlalchemy import select

    from registry.auth.tokens import issue_token
    from registry.extensions import db
    from registry.models import ApiToken

    user = tenant.users["enterprise"]
    issue_token(user, label="走查令牌")
    tenant.extra["token_id"] = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id)
                                                 .order_by(ApiToken.id.desc()))


SETUP.append(_plan_reviews)
SETUP.append(_tokens)
BUILDERS["review_id"] = lambda ctx: [ctx.tenant.extra["review_id"]]
BUILDERS["token_id"] = lambda ctx: [ctx.tenant.extra["token_id"]]
BUILDERS["year"] = lambda ctx: [2024]
BUILDERS["code"] = lambda ctx: [ctx.tenant.extra["derived_code"]]
BUILDERS["export_id"] = lambda ctx: [ctx.tenant.extra["export_id"]]
BUILDERS["snapshot_id"] = lambda ctx: [ctx.tenant.extra["snapshot_id"]]
BUILDERS["value_id"] = lambda ctx: [ctx.tenant.extra["value_id"]]

# --- government quality award (registry/awards): a round is city-wide; applications, entries, attachments and
# objections belong to the tenant's enterprise --------------------------------------------------------------------

def _awards(tenant: Tenant) -> None:
    import datetime as dt

    from registry.awards.models import AwardEntry, AwardRound, Objection
    from registry.extensions import db
    from workflows.models import Application, Attachment

    # The call closed last year: applying is refused (with a message), and the round is not in public notice.
    found = AwardRound(name=f"走查批次{tenant.label}", level="linhai", year=2025, quotas={"quality_award": 2},
                       call_opens_on=dt.date(2025, 3, 1), call_closes_on=dt.date(2025, 3, 31), status="open")
    db.session.add(found)
    db.session.flush()
    application = Application(workflow="quality_award", definition_version=1, enterprise_id=tenant.enterprise_id,
                              title="走查申报", stage="eligibility", status="in_progress", version=1,
                              data={"round_id": found.id})
    db.session.add(application)
    db.session.flush()
    entry = AwardEntry(round_id=found.id, enterprise_id=tenant.enterprise_id, application_id=application.id,
                       self_assessment={})
    attachment = Attachment(application_id=application.id, slot="report", version=1, stage="apply",
                            original_name="自评报告.pdf", stored_name=f"walk-missing-{application.id}.pdf",
                            content_type="application/pdf", size=1, sha256="0" * 64)
    db.session.add_all([entry, attachment])
    db.session.flush()
    objection = Objection(round_id=found.id, entry_id=entry.id, filed_by_id=tenant.users["town"].id,
                          filer_name="走查", text="走查异议")
    db.session.add(objection)
    db.session.flush()
    tenant.extra.update(round_id=found.id, application_id=application.id, entry_id=entry.id,
                        attachment_id=attachment.id, objection_id=objection.id)


SETUP.append(_awards)
for _name in ("round_id", "application_id", "entry_id", "attachment_id", "objection_id"):
    BUILDERS[_name] = (lambda name: lambda ctx: [ctx.tenant.extra[name]])(_name)
BUILDERS["action"] = lambda ctx: ["recommend", "withdraw", "pass_eligibility", "revoke"]
BUILDERS["form"] = lambda ctx: ["application", "recommendation", "review"]  # print forms (awards and 品字标)


# --- 品字标 applications (workflows/views, workflows/print_views): application_id names an award nomination AND a
# 品字标 application of the tenant, so the 品字标 pages are walked on one of their own -----------------------------

def _pinzibiao(tenant: Tenant) -> None:
    from registry.extensions import db
    from workflows.models import Application

    application = Application(workflow="pinzibiao", definition_version=1, enterprise_id=tenant.enterprise_id,
                              title="走查品字标", stage="town_recommendation", status="in_progress", version=1,
                              data={"product": "走查产品", "self_assessment": "走查"})
    db.session.add(application)
    db.session.flush()
    tenant.extra["pinzibiao_application_id"] = application.id


SETUP.append(_pinzibiao)
BUILDERS["application_id"] = lambda ctx: [ctx.tenant.extra["application_id"],
                                          ctx.tenant.extra["pinzibiao_application_id"]]

# --- award expert pool (registry/awards/pool_views): experts are the bureau's, reached by bureau and admin only;
# each tenant gets one with a tie to its enterprise (an expert's ties must never show to that enterprise) --------

def _expert_pool(tenant: Tenant) -> None:
    from registry.awards.models import Expert, ExpertTie
    from registry.extensions import db

    expert = Expert(name=f"走查专家{tenant.label}", employer="走查单位", specialties=["卓越绩效"], can_lead=True)
    expert.ties.append(ExpertTie(kind="employer", enterprise_id=tenant.enterprise_id, note="走查关联"))
    db.session.add(expert)
    db.session.flush()
    tenant.extra.update(expert_id=expert.id, tie_id=expert.ties[0].id)


SETUP.append(_expert_pool)
BUILDERS["expert_id"] = lambda ctx: [ctx.tenant.extra["expert_id"]]
BUILDERS["tie_id"] = lambda ctx: [ctx.tenant.extra["tie_id"]]
BODIES["awards.pool_edit"] = lambda ctx: {"name": "走查改名", "employer": "走查单位", "specialties": "质量管理",
                                          "can_lead": True}
BODIES["awards.pool_tie_add"] = lambda ctx: {"kind": "consultant", "org_name": "走查咨询公司", "note": "走查"}
BODIES["awards.pool_account_link"] = lambda ctx: {"email": "walk-expert@example.cn"}


# --- in-app messages (workflows/views: notification_read): each is its recipient's alone ---------------------------

def _messages(tenant: Tenant) -> None:
    from registry.extensions import db
    from workflows.models import Notification

    ids = []
    for role, user in tenant.users.items():
        note = Notification(effect_key=f"walk:{tenant.label}:{role}", user_id=user.id, kind="transition",
                            title=f"走查消息{tenant.label}", body="")
        db.session.add(note)
        db.session.flush()
        ids.append(note.id)
    tenant.extra["notification_ids"] = ids


SETUP.append(_messages)
BUILDERS["notification_id"] = lambda ctx: ctx.tenant.extra["notification_ids"]


# --- holidays (registry/admin/holiday_views): the bureau's calendar, reached by bureau and admin only --------------

def _holidays(tenant: Tenant) -> None:
    import datetime as dt

    from registry.extensions import db
    from workflows.models import HolidayOverride

    row = HolidayOverride(day=dt.date(2031, 1, 1) + dt.timedelta(days=ord(tenant.label[0]) % 360), is_workday=False,
                          note=f"走查{tenant.label}")
    db.session.add(row)
    db.session.flush()
    tenant.extra["override_id"] = row.id


SETUP.append(_holidays)
BUILDERS["override_id"] = lambda ctx: [ctx.tenant.extra["override_id"]]


# --- message delivery (registry/admin/outbox_views): outbox rows, reached by bureau and admin only ---------------

def _outbox(tenant: Tenant) -> None:
    from registry.extensions import db
    from workflows.models import Notification, Outbox

    note = Notification(effect_key=f"walk-outbox:{tenant.label}", user_id=tenant.users["enterprise"].id,
                        kind="transition", title=f"走查投递{tenant.label}", body="")
    db.session.add(note)
    db.session.flush()
    row = Outbox(effect_key=f"{note.effect_key}:email", task="workflows.send_notification",
                 payload={"notification_id": note.id, "channel": "email"}, status="dead", attempts=8,
                 last_error="walk: refused")
    db.session.add(row)
    db.session.flush()
    tenant.extra["outbox_id"] = row.id


SETUP.append(_outbox)
BUILDERS["outbox_id"] = lambda ctx: [ctx.tenant.extra["outbox_id"]]
BODIES["awards.pool_account_create"] = lambda ctx: {"email": "walk-new-expert@example.cn",
                                                    "password": "walk-password-123"}

# --- administration (registry/admin): accounts belong to a tenant; catalogue entries are city-wide -----------

def _catalogue_names(ctx: Ctx) -> list[str]:
    from registry.services.catalogues import CATALOGUES

    return list(CATALOGUES)


def _entries(award_entries: Callable[[Ctx], list]) -> Callable[[Ctx], list]:
    """``entry_id`` names two things: a catalogue entry beside <name>, an award entry elsewhere."""
    def build(ctx: Ctx) -> list:
        if "name" not in ctx.bound:
            return award_entries(ctx)
        from sqlalchemy import select

        from registry.extensions import db
        from registry.services.catalogues import catalogue

        model = catalogue(ctx.bound["name"])[0]
        return [db.session.scalars(select(model.id).order_by(model.id)).first()]
    return build


BUILDERS["user_id"] = lambda ctx: [ctx.tenant.users["enterprise"].id, ctx.tenant.users["town"].id]
BUILDERS["name"] = _catalogue_names
BUILDERS["entry_id"] = _entries(BUILDERS["entry_id"])

# endpoint -> {role: statuses accepted besides 404}, for answers other than 404 by design. Say why.
ALLOWED: dict[str, dict[str, set[int]]] = {
    # Rounds are city-wide calls, not a tenant's objects: an enterprise may ask to apply to any round; a closed
    # call answers with a message (redirect), writing nothing.
    "awards.apply_start": {"enterprise": {302}},
}

# Findings of the security walks not fixed yet, by endpoint: "owner: what happens; what it should do". They are
# printed on every run instead of failing it; a finding that no longer occurs fails the run until it is removed
# here. A call that changes the database is never excused. Keep this empty.
KNOWN_FINDINGS: dict[str, str] = {
}
# The same for tests/security/test_bad_input.py: web forms that answer 500 to junk, by endpoint.
KNOWN_500: dict[str, str] = {
}

# heartbeats: stamped by a live worker's own timer (the session's Celery worker, once a test in this process started
# it), never by a request; the walk takes minutes, and a stamp between two fingerprints was read as the request's.
VOLATILE_TABLES: set[str] = {"user_sessions", "api_tokens", "heartbeats"}
VOLATILE_COLUMNS: set[str] = {"last_login_at", "last_seen_at", "last_used_at"}
