"""Issue 12 item 6: irreversible actions ask for confirmation naming what will happen, on one shared pattern
(data-confirm on a plain POST form; registry/static/js/app.js asks in the page's <dialog>; no inline script)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry.extensions import db
from tests.workflows.conftest import place
from workflows.models import Application

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
APP_JS = Path(__file__).resolve().parents[2] / "registry" / "static" / "js" / "app.js"

# Every endpoint whose POST cannot be undone; each form posting to one must carry data-confirm (on the form or on
# each of its submit buttons).
IRREVERSIBLE = ("workflows.act", "workflows.bulk", "awards.application_act", "awards.round_publish",
                "awards.objection_decide", "awards.eligibility_decide", "awards.application_draw",
                "awards.round_draw", "admin.reset_password", "enterprises.delete", "admin.outbox_discard",
                "admin.outbox_retry_channel", "awards.pool_delete", "awards.pool_deactivate")


def _forms(text: str):
    return re.findall(r"(<form\b[^>]*>)(.*?)</form>", text, re.S)


def test_every_form_of_an_irreversible_endpoint_asks_first():
    missing, seen = [], set()
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag, body in _forms(text):
            for endpoint in IRREVERSIBLE:
                if f"'{endpoint}'" in tag:
                    seen.add(endpoint)
                    buttons = re.findall(r"<button\b[^>]*type=\"submit\"[^>]*>", body)
                    if "data-confirm" not in tag and not (buttons and all("data-confirm" in b for b in buttons)):
                        missing.append(f"{path.relative_to(TEMPLATES)}: {endpoint}")
    assert missing == []
    assert seen >= set(IRREVERSIBLE) - {"enterprises.delete", "awards.pool_delete", "awards.pool_deactivate"}


def test_expert_score_and_declaration_forms_ask_first():
    for name in ("awards/review.html", "awards/declare.html"):
        tag = _forms((TEMPLATES / name).read_text(encoding="utf-8"))[0][0]
        assert "data-confirm" in tag and "不能" in tag, name


def test_one_shared_pattern_without_inline_script():
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    assert '<dialog id="confirm-dialog"' in base
    js = APP_JS.read_text(encoding="utf-8")
    assert "data-confirm" in js and "showModal" in js and "requestSubmit" in js
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {path.name}"
        assert not re.search(r"\son(click|submit)=", text), f"inline handler in {path.name}"


@pytest.mark.parametrize("stage, who, expected", [
    ("cert_decision", "bureau", {"issue_certificate": "登记到企业的认证证书记录", "reject": "不能恢复"}),
    ("town_recommendation", "town", {"recommend": "进入下一环节“入库审核”", "return": "退回企业补正",
                                     "reject": "不能恢复"}),
    ("town_recommendation", "applicant", {"withdraw": "撤回并结束"}),
])
def test_action_buttons_name_what_will_happen(client, auth, cast, draft, stage, who, expected):
    application = draft()
    place(application.id, stage, "in_progress")
    auth.login(getattr(cast, who))
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    for action, words in expected.items():
        form = next(tag for tag, body in _forms(html) if f'value="{action}"' in body)
        question = re.search(r'data-confirm="([^"]*)"', form).group(1)
        assert words in question and application.title in question and "确定吗" in question, (action, question)


def test_link_standard_is_not_asked(client, auth, cast, draft):
    application = draft()
    place(application.id, "standard_drafting", "in_progress")
    auth.login(cast.bureau)
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    form = next(tag for tag, body in _forms(html) if 'value="link_standard"' in body)
    assert "data-confirm" not in form


def test_the_form_still_works_as_a_plain_post(client, auth, cast, draft):
    """No JavaScript: the POST itself does the action (the question is the browser's, not a second request)."""
    application = draft()
    place(application.id, "town_recommendation", "in_progress")
    auth.login(cast.town)
    page = f"/applications/{application.id}"
    client.post(f"{page}/act", data={"csrf_token": auth.csrf(page), "action": "reject", "reason": "材料不实",
                                     "version": application.version})
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == "rejected"
