"""Demo government quality award: an expert pool, an open round with stage deadlines, and nominations at the first
stages, pushed through the real services and engine by the demo accounts.

So that each demo account finds work: the 杜桥镇 reviewer a nomination to recommend, the bureau one to check for
eligibility and one with a panel drawn, the demo experts (linked to three pool members) a panel seat when the draw
picked them. Runs once (a Setting marker), after the 品字标 demo applications.
"""
from __future__ import annotations

import io
import random
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from registry import clock
from registry.clock import LOCAL_TZ
from registry.awards.gbt19580 import MAX_POINTS
from registry.awards.models import Expert, ExpertTie
from registry.demo.names import person_name
from registry.extensions import db
from registry.models import Enterprise, Jurisdiction, Setting, User

MARKER_KEY = "demo.award_seeded"
DUQIAO = "331082112"
EMPLOYERS = ["台州学院", "浙江大学台州研究院", "台州市质量技术监督检测研究院", "浙江省标准化研究院", "浙江工业大学",
             "台州职业技术学院", "临海市质量协会", "浙江方圆检测集团", "中国计量大学", "台州市标准化协会"]
SPECIALTIES = ["卓越绩效", "质量管理体系", "机械制造", "汽车零部件", "医药化工", "眼镜", "休闲用品", "标准化", "计量检测",
               "财务与经营", "市场营销", "环境与安全"]
TITLES = ["教授", "研究员", "高级工程师", "教授级高级工程师", "副教授", "高级经济师"]
DEMO_EXPERTS = ("zhuanjia1@linhai.example", "zhuanjia2@linhai.example", "zhuanjia3@linhai.example")
# A minimal, valid PDF: the self-assessment report every nomination must carry.
REPORT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _experts(rng: random.Random, firms: list[Enterprise]) -> int:
    """The pool: the three printed expert accounts and 21 more, each with an account of its own (same password as
    the printed ones), so whoever a draw seats can sign in to the task."""
    accounts = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(DEMO_EXPERTS)))}
    template = accounts.get(DEMO_EXPERTS[0])
    made = 0
    for i in range(24):
        account = accounts.get(DEMO_EXPERTS[i]) if i < len(DEMO_EXPERTS) else None
        name = account.display_name.removeprefix("评审专家 ") if account else person_name(rng)
        if account is None and template is not None:
            account = User(email=f"zhuanjia{i + 1}@linhai.example", display_name=f"评审专家 {name}", role="expert",
                           password_hash=template.password_hash)
            db.session.add(account)
            db.session.flush()
        expert = Expert(name=name, user_id=account.id if account else None, employer=rng.choice(EMPLOYERS),
                        title=rng.choice(TITLES), specialties=rng.sample(SPECIALTIES, 2), can_lead=i % 4 == 0)
        if i % 5 == 1 and firms:  # some were employed by, or advise, a Linhai firm: the draw avoids them there
            firm = rng.choice(firms)
            expert.ties.append(ExpertTie(kind=rng.choice(("former_employer", "consultant")), enterprise_id=firm.id,
                                         note="演示关联"))
        db.session.add(expert)
        made += 1
    db.session.commit()
    return made


def _nominate(applicant: User, round_id: int, share: float, now, excellence_since: int | None = None,
              kind: str = "quality_award"):
    from registry.awards import files, flow
    from registry.database import begin_write
    from workflows import engine

    application = flow.start_application(applicant, round_id, now)
    begin_write()
    application.data = {**application.data, "kind": kind, "declaration": True, "excellence_since": excellence_since,
                        "self_assessment": {k: round(v * share, 1) for k, v in MAX_POINTS.items()}}
    files.store(application.id, "report", "apply", "自评报告.pdf", io.BytesIO(REPORT), applicant.id, now)
    db.session.commit()
    engine.apply(application.id, "submit", applicant, now=now)
    return application


def _seed_seating_demo_expert(entry) -> str:
    """A draw seed whose panel seats the first demo expert, so that account opens to a task. The draw is the real
    one with this seed recorded (replayable like any other); only the demo chooses which seed to record."""
    from registry import settings
    from registry.awards import draw, panels

    demo = db.session.scalar(select(Expert.id).join(User, User.id == Expert.user_id)
                             .where(User.email == DEMO_EXPERTS[0]))
    facts, applicant = panels.pool_facts(), panels.applicant_facts(entry)
    for k in range(200):
        seed = f"demo-{k}"
        (result,) = draw.draw_batch(facts, [applicant], seed=seed, max_load=None, size=5, n_substitutes=2,
                                    min_size=settings.get("awards.panel.min_size"),
                                    leader_rule=settings.get("awards.panel.leader_rule"))
        if demo in result.panel:
            return seed
    return "demo-0"


def _last_year_firms(exclude: list[Enterprise]) -> list[Enterprise]:
    """Three above-scale firms with a valid ISO 9001 like real winners, in towns whose reviewer is a printed account
    (not the ones nominated this year)."""
    from registry.models import Certification

    today = clock.today()
    certified = select(Certification.enterprise_id).where(Certification.cert_type == "iso9001",
                                                          Certification.status == "valid",
                                                          Certification.expires_on > today)
    return list(db.session.scalars(select(Enterprise).where(
        Enterprise.above_scale.is_(True), Enterprise.id.not_in([f.id for f in exclude]),
        Enterprise.id.in_(certified),
        Enterprise.jurisdiction_id.in_(select(User.jurisdiction_id).where(User.role == "town")))
        .order_by(Enterprise.id).limit(3)))


def _town_reviewer(firm: Enterprise, fallback: User) -> User:
    """The town reviewer of the firm's jurisdiction (a quiet demo account like the enterprises' own)."""
    user = db.session.scalar(select(User).where(User.role == "town", User.jurisdiction_id == firm.jurisdiction_id)
                             .order_by(User.id))
    if user is None:
        user = User(email=f"demo-town-{firm.jurisdiction.code}@linhai.example",
                    display_name=f"{firm.jurisdiction.name}审核员", role="town", jurisdiction_id=firm.jurisdiction_id,
                    password_hash=fallback.password_hash)
        db.session.add(user)
        db.session.commit()
    return user


def _seated_users(entry_id: int) -> list[User]:
    from registry.awards import panels

    return [db.session.get(User, seat.expert.user_id) for seat in panels.members(entry_id, seated_only=True)
            if seat.expert.user_id]


def _run_round(bureau: User, town_of, template: User, firms: list[Enterprise], opens, today, *, name: str, level: str,
               quotas: dict[str, int], issuer: str, entry_kinds: list[str] | None = None):
    """A round run through the real services up to its 审定 step, each step at its own past time: nominations,
    recommendation, eligibility, a drawn panel that declares and scores the document and site reviews, the
    shortlist, the committee, the public notice and its close. Returns (round, entries, when the notice ended).

    Only one thing is staged: the engine's submission guard reads the real clock, so while the nominations are
    submitted the call window also covers today; it is set back to the round's own dates before the committee sits."""
    from registry.awards import committee, flow, notice, panels, rounds, scoring, screening, shortlist
    from registry.awards.flow import entry_of
    from registry.demo.applications import _applicant_for
    from workflows import engine

    def at(day, hour=10):  # 10:00 Beijing time on a day of the round
        return datetime.combine(day, time(hour), LOCAL_TZ).astimezone(timezone.utc)

    closes = opens + timedelta(days=30)
    found = rounds.open_round(bureau, name=name, level=level, year=opens.year, call_opens_on=opens,
                              call_closes_on=today + timedelta(days=1), quotas=quotas, issuer=issuer)
    entries = []
    for step, firm in enumerate(firms):
        kind = (entry_kinds or [])[step] if step < len(entry_kinds or []) else "quality_award"
        application = _nominate(_applicant_for(firm, template), found.id, 0.86 - 0.05 * step,
                                at(opens + timedelta(days=5)), kind=kind)
        engine.apply(application.id, "recommend", town_of(firm), now=at(opens + timedelta(days=12)))
        entries.append(entry_of(application))
    found.call_closes_on = closes  # the staged window ends: the call closed on its own day
    db.session.commit()
    checked = at(closes + timedelta(days=5))
    for entry in entries:
        screening.run_check(entry.id, checked, bureau)
        screening.decide(entry.id, bureau, "eligible", "演示：经核实符合申报条件", checked)
        engine.apply(entry.application_id, "pass_eligibility", bureau, now=checked)
    panels.draw_panels(bureau, [e.id for e in entries], at(closes + timedelta(days=8)), size=5, n_substitutes=1,
                       seed=f"demo-{level}-{opens.year}")
    for step, entry in enumerate(entries):
        experts = _seated_users(entry.id)
        for user in experts:
            panels.declare(entry.id, user, conflict=False, reason=None, now=at(closes + timedelta(days=9)))
        for i, user in enumerate(experts):
            points = {k: round(v * (0.84 - 0.05 * step + 0.005 * i), 1) for k, v in MAX_POINTS.items()}
            scoring.submit(entry.id, user, "document", points, at(closes + timedelta(days=20)))
        flow.advance(entry.application_id, at(closes + timedelta(days=20), 16))
    shortlist.decide(found.id, bureau, {e.id for e in entries}, at(closes + timedelta(days=25)))
    flow.advance_round(found.id, at(closes + timedelta(days=25), 16))
    for step, entry in enumerate(entries):
        for i, user in enumerate(_seated_users(entry.id)):
            points = {k: round(v * (0.88 - 0.05 * step + 0.005 * i), 1) for k, v in MAX_POINTS.items()}
            scoring.submit(entry.id, user, "site", points, at(closes + timedelta(days=40)))
        flow.advance(entry.application_id, at(closes + timedelta(days=40), 16))
    sitting = at(closes + timedelta(days=55))
    members = [{"name": "陈市长", "affiliation": "临海市人民政府", "role": "chair"}] + [
        {"name": f"评审委员会委员{i + 1}", "affiliation": "临海市质量强市工作领导小组", "role": "member"} for i in range(6)]
    committee.decide(found.id, bureau, committee.suggestion(found.id), sitting, met_on=sitting.date(), members=members,
                     votes={e.id: (6, 1, 0) for e in committee.ranking(found.id)}, resolution="经表决，同意列入名单。")
    notice.publish(found.id, bureau, sitting)
    flow.advance_round(found.id, sitting)
    db.session.refresh(found)
    ended = clock.parse_now(found.notice_ends_at)
    flow.close_notices(ended + timedelta(hours=10))
    return found, entries, ended


def _honours_of(round_id: int) -> int:
    from registry.awards.models import AwardEntry

    return len(db.session.scalars(select(AwardEntry.honour_id).where(AwardEntry.round_id == round_id,
                                                                     AwardEntry.honour_id.is_not(None))).all())


def _finished_round(bureau: User, town_of, template: User, firms: list[Enterprise], today) -> dict:
    """Last year's 临海 round run to the end: after the notice the city government's decision (审定) puts the
    honours on the winners' records."""
    from registry.awards import flow, notice

    if not firms:  # a small demo (seed-demo --enterprises 20) may have no firm fit to have won last year
        return {"finished_rounds": 0, "honours_granted": 0}
    opens = today.replace(month=1, day=1) - timedelta(days=300)
    found, _entries, ended = _run_round(
        bureau, town_of, template, firms, opens, today, name=f"第四届临海市政府质量奖（{opens.year}年度）",
        level="linhai", quotas={"quality_award": 1, "quality_award_nomination": 1}, issuer="临海市人民政府")
    notice.approve(found.id, bureau, number=f"临政发〔{opens.year}〕12号", decided_on=clock.local_date(ended) + timedelta(days=5),
                   now=ended + timedelta(days=5))
    flow.advance_round(found.id, ended + timedelta(days=5, hours=1))
    return {"finished_rounds": 1, "honours_granted": _honours_of(found.id)}


def _recommended_round(bureau: User, town_of, template: User, firms: list[Enterprise], today) -> dict:
    """This year's 台州市政府质量奖 as the county runs it: it selects and recommends two firms for the award and one for
    the 质量创新奖, then records 台州's decision: the award and the innovation award won, the second not won (no
    honour; its application ends)."""
    from registry.awards import flow, outcome

    if len(firms) < 3:
        return {"recommended_rounds": 0}
    opens = today - timedelta(days=200)
    found, entries, ended = _run_round(
        bureau, town_of, template, firms[:3], opens, today, name=f"{opens.year}年度台州市政府质量奖（临海推荐）",
        level="taizhou", quotas={"quality_award": 2, "quality_innovation_award": 1}, issuer="台州市人民政府",
        entry_kinds=["quality_award", "quality_award", "quality_innovation_award"])
    results = {e.id: ("not_won" if i == 1 else e.proposed) for i, e in enumerate(outcome.recommended(found.id))}
    decided = clock.local_date(ended) + timedelta(days=40)
    outcome.record(found.id, bureau, results, number=f"台政发〔{decided.year}〕8号", decided_on=decided,
                   now=ended + timedelta(days=40))
    flow.advance_round(found.id, ended + timedelta(days=40, hours=1))
    return {"recommended_rounds": 1, "upward_honours": _honours_of(found.id)}


def seed_demo_award(rng_seed: int = 20260) -> dict:
    """Create the demo pool, round and nominations once; return what was made (empty when already done)."""
    from registry.awards import panels, rounds, screening
    from registry.awards.flow import entry_of
    from registry.demo.applications import _applicant_for
    from workflows import engine

    if db.session.get(Setting, MARKER_KEY) is not None:
        return {}
    bureau = db.session.scalar(select(User).where(User.email == "shiju@linhai.example"))
    town = db.session.scalar(select(User).where(User.email == "duqiao@linhai.example"))
    template = db.session.scalar(select(User).where(User.email == "qiye@linhai.example"))
    if bureau is None or town is None or template is None:
        return {}
    rng = random.Random(rng_seed)
    duqiao = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == DUQIAO))
    firms = list(db.session.scalars(select(Enterprise).where(
        Enterprise.jurisdiction_id == duqiao.id, Enterprise.above_scale.is_(True),
        Enterprise.id != template.enterprise_id).order_by(Enterprise.id.desc()).limit(3)))
    experts = _experts(rng, firms)
    now, today = clock.now(), clock.today()
    earlier = _last_year_firms(firms)
    made_before = _finished_round(bureau, lambda firm: _town_reviewer(firm, town), template, earlier, today)
    made_before.update(_recommended_round(bureau, lambda firm: _town_reviewer(firm, town), template, earlier, today))
    closes = today + timedelta(days=20)
    found = rounds.open_round(
        bureau, name=f"第五届临海市政府质量奖（{today.year}年度）", level="linhai", year=today.year,
        call_opens_on=today - timedelta(days=10), call_closes_on=closes,
        quotas={"quality_award": 2, "quality_award_nomination": 1, "quality_innovation_award": 1},
        issuer="临海市人民政府",
        scoring_scheme="items",  # the seated demo expert scores GB/T 19580's 23 items on the guide's bands
        stage_deadlines={"recommend": closes + timedelta(days=10), "eligibility": closes + timedelta(days=20),
                         "document_review": closes + timedelta(days=45), "site_review": closes + timedelta(days=75),
                         "deliberation": closes + timedelta(days=90)})
    made = {"experts": experts, "nominations": 0, **made_before,
            "rounds": 1 + made_before["finished_rounds"] + made_before.get("recommended_rounds", 0)}
    for step, firm in enumerate(firms):
        # the first (waiting for the town) applies for the 质量创新奖, the others for the award
        application = _nominate(_applicant_for(firm, template), found.id, 0.78 + 0.04 * step, now,
                                excellence_since=today.year - 4 - step,
                                kind="quality_innovation_award" if step == 0 else "quality_award")
        made["nominations"] += 1
        if step == 0:
            continue  # waits for the town's recommendation
        engine.apply(application.id, "recommend", town, now=now)
        if step == 1:
            continue  # waits for the bureau's eligibility check
        entry = entry_of(application)
        checked = screening.run_check(entry.id, now, bureau).eligibility
        for result in checked["results"]:  # the bureau corrects what the registry cannot show yet, with a reason
            if not result["passed"]:
                screening.override_rule(entry.id, bureau, result["rule"], True,
                                        "演示：企业补充提交了证明材料，经核实符合该项条件", now)
        screening.decide(entry.id, bureau, "eligible", "演示：材料齐全，经核实符合申报条件", now)
        engine.apply(application.id, "pass_eligibility", bureau, now=now)
        panels.draw_panels(bureau, [entry.id], now, size=5, n_substitutes=2, seed=_seed_seating_demo_expert(entry))
        # One seated expert has declared and owes scores; the printed demo expert still has the declaration to make.
        scorer = next((u for u in _seated_users(entry.id) if u.email != DEMO_EXPERTS[0]), None)
        if scorer is not None:
            panels.declare(entry.id, scorer, conflict=False, reason=None, now=now)
    db.session.add(Setting(key=MARKER_KEY, value=made))
    db.session.commit()
    return made
