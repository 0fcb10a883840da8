"""The whole award through its pages: open a round, apply, recommend, eligibility, draw, declare, score, committee,
notice, the beat job, and the Honour on the winner's record; the panel stays sealed to the applicant."""
from __future__ import annotations

import datetime as dt
import io
import re

from sqlalchemy import update

from registry import clock
from registry.awards import flow
from registry.awards.gbt19580 import MAX_POINTS
from registry.awards.models import AwardEntry, AwardRound, Expert, PanelMember
from registry.extensions import db
from registry.models import Honour
from tests.conftest import Auth, csrf_token_from
from tests.factories import CertificationFactory, EnterpriseFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Session:
    """One signed-in browser per person."""

    def __init__(self, app, user):
        self.client = app.test_client()
        self.auth = Auth(self.client)
        assert self.auth.login(user).status_code == 302

    def get(self, path):
        return self.client.get(path)

    def post(self, path, data=None, form_page=None, **kw):
        token = csrf_token_from(self.client.get(form_page or path).get_data(as_text=True))
        return self.client.post(path, data={**(data or {}), "csrf_token": token}, **kw)


def app_version(application_id):
    from workflows.models import Application

    db.session.commit()
    return db.session.get(Application, application_id)


def test_award_journey(app):
    today = clock.today()
    bureau = UserFactory(role="bureau", display_name="市局李科长")
    firm = EnterpriseFactory(name="浙江临海精工机械有限公司", group_name="精工集团", legal_representative="周某")
    CertificationFactory(enterprise=firm, cert_type="iso9001", issued_on=today - dt.timedelta(days=300),
                         expires_on=today + dt.timedelta(days=700))
    owner = UserFactory(role="enterprise", enterprise=firm)
    town = UserFactory(role="town", jurisdiction=firm.jurisdiction)
    for i in range(8):
        user = UserFactory(role="expert", display_name=f"评审专家{i}")
        db.session.add(Expert(user_id=user.id, name=f"评审专家{i}", can_lead=i < 3, specialties=["机械"]))
    db.session.commit()

    b = Session(app, bureau)
    r = b.post("/awards/rounds/new", {
        "name": "第五届临海市政府质量奖", "level": "linhai", "year": today.year,
        "call_opens_on": (today - dt.timedelta(days=3)).isoformat(), "call_closes_on": (today + dt.timedelta(days=30)).isoformat(),
        "quota_award": 2, "quota_nomination": 1, "notice_days": 7, "issuer": "临海市人民政府"})
    assert r.status_code == 302
    round_id = db.session.query(AwardRound.id).scalar()

    e = Session(app, owner)
    r = e.post(f"/awards/rounds/{round_id}/apply", form_page="/awards")
    application_id = int(re.search(r"/applications/(\d+)/edit", r.headers["Location"]).group(1))
    edit = f"/awards/applications/{application_id}/edit"
    r = e.post(f"/awards/applications/{application_id}/files", {"slot": "report", "file": (io.BytesIO(PDF), "自评报告.pdf")},
               form_page=edit, content_type="multipart/form-data")
    assert r.status_code == 302
    fake = e.post(f"/awards/applications/{application_id}/files",
                  {"slot": "evidence", "file": (io.BytesIO(b"<html>x</html>"), "证明.pdf")}, form_page=edit,
                  content_type="multipart/form-data")
    assert fake.status_code == 302 and "内容与扩展名不符" in e.get(edit).get_data(as_text=True)
    scores = {f"self_{k}": round(v * 0.85, 1) for k, v in MAX_POINTS.items()}
    r = e.post(edit, {**scores, "excellence_since": today.year - 6, "declaration": "y", "submit_now": "1"})
    assert app_version(application_id).stage == "recommend"

    t = Session(app, town)
    page = f"/awards/applications/{application_id}"
    assert "推荐" in t.get(page).get_data(as_text=True)
    t.post(f"{page}/actions/recommend", {"version": app_version(application_id).version}, form_page=page)
    assert app_version(application_id).stage == "eligibility"

    b.post(f"{page}/eligibility/check", form_page=page)
    html = b.get(page).get_data(as_text=True)
    assert "ISO 9001" in html and "认证证书 #" in html
    assert f"申报书填报：{today.year - 6} 年导入卓越绩效管理模式" in html
    assert "亩均效益评价" in html and "以来未登记" in html  # the firm has no grade in the registry
    b.post(f"{page}/eligibility", {"decision": "eligible"}, form_page=page)
    assert app_version(application_id).stage == "eligibility"  # against the check: a reason is needed
    b.post(f"{page}/eligibility/override", {"rule": "benefit_grade", "outcome": "passed",
                                            "reason": "经信局 2025 年度评价为 A 类，结果尚未导入"}, form_page=page)
    html = b.get(page).get_data(as_text=True)
    assert "经信局 2025 年度评价为 A 类，结果尚未导入" in html and "更正为通过" in html
    b.post(f"{page}/eligibility", {"decision": "eligible"}, form_page=page)
    assert app_version(application_id).stage == "document_review"
    # The decision says what it confirmed: every rule of the check with its evidence, on the page and in history.
    html = b.get(page).get_data(as_text=True)
    confirmed = re.search(r'id="eligibility-confirmed">(.*?)</p>', html, re.S).group(1)
    assert "确认了 7 项条件" in confirmed and "管理体系认证（通过" in confirmed and "ISO 9001" in confirmed
    from workflows.models import Transition
    step = db.session.query(Transition).filter_by(application_id=application_id, action="pass_eligibility").one()
    assert step.reason.startswith("资格审查结论：符合申报条件。已核查 7 项条件") and "ISO 9001" in step.reason

    b.post(f"{page}/draw", {"size": 5, "substitutes": 2}, form_page=page)
    entry = db.session.query(AwardEntry).one()
    seated = db.session.query(PanelMember).filter_by(entry_id=entry.id, active=True).order_by(PanelMember.position).all()
    assert len(seated) == 5
    # The round page says what is left before deliberation and notice; the buttons wait for it.
    round_page = b.get(f"/awards/rounds/{round_id}").get_data(as_text=True)
    assert "还有 1 个参评组织未完成材料评审。" in round_page and "申报截止后才能审议和公示" in round_page
    assert re.search(r'<button class="btn primary" type="submit" disabled aria-describedby="publish-reason">', round_page)
    experts = []
    for seat in seated:
        user = db.session.get(type(bureau), seat.expert.user_id)
        s = Session(app, user)
        assert s.get(page).status_code == 404  # material sealed until the declaration
        s.post(f"/awards/expert/entries/{entry.id}/declare", {"conflict": "no"})
        assert s.get(page).status_code == 200
        experts.append(s)
    for stage_share in (0.80, 0.90):
        for i, s in enumerate(experts):
            sheet = {f"score_{k}": round(v * (stage_share + i * 0.01), 1) for k, v in MAX_POINTS.items()}
            s.post(f"/awards/expert/entries/{entry.id}", sheet)
        if stage_share == 0.80:  # the document review is settled: the bureau confirms the shortlist
            assert app_version(application_id).stage == "shortlist"
            b.post(f"/awards/rounds/{round_id}/shortlist", {"shortlist": str(entry.id)},
                   form_page=f"/awards/rounds/{round_id}")
            assert app_version(application_id).stage == "site_review"
    application = app_version(application_id)
    assert application.stage == "deliberation", application.stage  # presentation skipped: the round has none

    b.post(f"{page}/draw", {"size": 5, "substitutes": 2}, form_page=page)  # refused: scoring has begun
    assert experts[0].get(page).status_code == 200

    enterprise_view = e.get(page).get_data(as_text=True)
    assert not any(f"评审专家{i}" in enterprise_view for i in range(8))  # the panel is sealed to the applicant
    assert "综合得分" in enterprise_view  # the aggregate is shown

    round_page = b.get(f"/awards/rounds/{round_id}")
    assert round_page.status_code == 200 and f"/awards/rounds/{round_id}/committee" in round_page.get_data(as_text=True)
    members = "陈市长，临海市人民政府，主任委员\n" + "\n".join(f"委员{i}，临海市质量强市办" for i in range(6))
    meeting = {f"entry_{entry.id}": "quality_award", "met_on": today.isoformat(), "members": members,
               f"votes_for_{entry.id}": 7, f"votes_against_{entry.id}": 0, f"votes_abstain_{entry.id}": 0,
               "resolution": "经表决，同意列入拟表彰名单。"}
    # The call is still open: the committee may not decide yet, and the page says why.
    b.post(f"/awards/rounds/{round_id}/committee", meeting,
           form_page=f"/awards/rounds/{round_id}")
    refused = b.get(f"/awards/rounds/{round_id}").get_data(as_text=True)
    assert "暂不能审议：申报期至" in refused and db.session.get(AwardEntry, entry.id).proposed is None
    assert "未完成" not in re.search(r'id="round-left".*?</div>', refused, re.S).group(0)  # reviews are done
    found = db.session.get(AwardRound, round_id)
    found.call_closes_on = today - dt.timedelta(days=1)  # time passes: the call has closed
    db.session.commit()
    assert 'id="round-left"' not in b.get(f"/awards/rounds/{round_id}").get_data(as_text=True)
    b.post(f"/awards/rounds/{round_id}/committee", meeting,
           form_page=f"/awards/rounds/{round_id}")
    b.post(f"/awards/rounds/{round_id}/publish", form_page=f"/awards/rounds/{round_id}")
    assert app_version(application_id).stage == "notice"
    public = app.test_client().get(f"/awards/notices/{round_id}")
    assert public.status_code == 200 and "浙江临海精工机械有限公司" in public.get_data(as_text=True)

    found = db.session.get(AwardRound, round_id)
    flow.close_notices(clock.parse_now(found.notice_ends_at) + dt.timedelta(minutes=1))
    assert app_version(application_id).stage == "approval"
    assert db.session.query(Honour).filter_by(enterprise_id=firm.id).count() == 0  # not before 审定
    # the real clock is before the window's end; the government's decision is recorded as of today
    db.session.execute(update(AwardRound).where(AwardRound.id == round_id).values(
        notice_ends_at=clock.now() - dt.timedelta(days=1)))
    db.session.commit()
    b.post(f"/awards/rounds/{round_id}/approve", {"number": "临政发〔2026〕12号", "decided_on": today.isoformat()},
           form_page=f"/awards/rounds/{round_id}")
    application = app_version(application_id)
    assert (application.stage, application.status) == ("approved", "done")
    honour = db.session.query(Honour).filter_by(enterprise_id=firm.id).one()
    assert (honour.honour_type, honour.level, honour.source_application_id) == ("quality_award", "linhai", application_id)

    revoke = {"version": application.version, "revoke_reason": "获奖后两年内发生重大质量事故",
              "evidence": "临市监〔2027〕12号", "revoked_on": (today + dt.timedelta(days=30)).isoformat()}
    b.post(f"{page}/actions/revoke", revoke, form_page=page)
    db.session.commit()
    honour = db.session.get(Honour, honour.id)
    assert honour.revoked_on == today + dt.timedelta(days=30) and "临市监〔2027〕12号" in honour.revoke_reason
    assert app_version(application_id).status == "revoked"
    assert "已于" in b.get(page).get_data(as_text=True)

    for form in ("application", "recommendation", "review"):
        assert b.get(f"{page}/print/{form}").status_code == 200
    assert e.get(f"{page}/print/review").status_code == 404
