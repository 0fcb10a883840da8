"""Browser journey through the whole 品字标 workflow, one account per role, with a screenshot of every page.

Run against a dev server (see the report for setup): ``python tests/workflows/browser_journey.py http://127.0.0.1:5101``
Screenshots go to tests/workflows/screenshots/. Expects the demo accounts ent@x.cn, town@x.cn, bureau@x.cn
(password correct-horse-battery), a draft application #3 and a drafting T/ZZB standard #1.
"""
from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5101"
OUT = Path(__file__).parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


class Session:
    def __init__(self, browser, email, mobile=False):
        size = {"width": 390, "height": 844} if mobile else {"width": 1280, "height": 900}
        self.ctx = browser.new_context(viewport=size, is_mobile=mobile)
        self.page = self.ctx.new_page()
        self.page.goto(BASE + "/login")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", "correct-horse-battery")
        with self.page.expect_navigation():
            self.page.click("form button[type=submit]:has-text('登录')")

    def shot(self, name, path=None):
        if path:
            self.page.goto(BASE + path)
        self.page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)

    def act(self, label, fields=None, reason=None):
        form = self.page.locator("form.wf-action", has=self.page.locator(f"button:has-text('{label}')"))
        for name, value in (fields or {}).items():
            form.locator(f"[name=f_{name}]").fill(value)
        if reason:
            form.locator("textarea[name=reason]").fill(reason)
        with self.page.expect_navigation():
            form.locator(f"button:has-text('{label}')").click()


def main():
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        ent = Session(browser, "ent@x.cn")
        ent.shot("01-enterprise-applications", "/applications")
        ent.shot("02-enterprise-new-form", "/applications/new")
        ent.page.goto(BASE + "/applications/3")
        ent.act("提交申请")
        ent.shot("03-enterprise-submitted")

        town = Session(browser, "town@x.cn")
        town.shot("04-town-inbox", "/inbox")
        town.page.goto(BASE + "/applications/2")
        town.act("退回补正", reason="请补充近一年的产品检测报告")
        town.shot("05-town-returned")
        town.page.goto(BASE + "/inbox")
        for box in town.page.locator("input[name=pick]").all():
            box.check()
        with town.page.expect_navigation():
            town.page.click("button:has-text('批量推荐')")
        town.shot("06-town-bulk-recommended")
        Session(browser, "town@x.cn", mobile=True).shot("07-town-inbox-phone", "/inbox")

        ent.shot("08-enterprise-returned-item", "/applications/2")
        bureau = Session(browser, "bureau@x.cn")
        bureau.shot("09-bureau-inbox", "/inbox")
        bureau.page.goto(BASE + "/applications/1")
        bureau.act("同意入库")
        ent.page.goto(BASE + "/applications/1")
        ent.act("关联标准", fields={"standard_id": "1"})
        ent.shot("10-enterprise-standard-drafting")
        bureau.page.goto(BASE + "/applications/1")
        bureau.shot("11-bureau-standard-not-yet-published")
        browser.close()




def finish(instance_dir: str):
    """Second half: the standard is published in the registry, the beat sweep moves the application on, the bureau
    records the certification steps and the certificate; then suspends it. Needs the server's INSTANCE_DIR."""
    import os

    os.environ["INSTANCE_DIR"] = instance_dir
    from registry import create_app
    from registry.extensions import db
    from registry.models import Standard
    from workflows.services import sweeps

    app = create_app()
    with app.app_context():
        db.session.get(Standard, 1).status = "published"  # what the records area does when it is published
        db.session.commit()
        from registry.clock import now

        print("moved by the sweep:", sweeps.apply_automatic(now()))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        bureau = Session(browser, "bureau@x.cn")
        bureau.page.goto(BASE + "/applications/1")
        bureau.shot("12-bureau-cert-acceptance")
        for label in ("记录:认证受理通过", "记录:产品检测通过", "记录:工厂审查通过"):
            bureau.act(label)
        bureau.shot("13-bureau-cert-decision")
        bureau.act("登记证书", fields={"cert_number": "ZJM-2026-0815", "issuer": "浙江方圆检测集团",
                                     "issued_on": "2026-11-20"})
        bureau.shot("14-bureau-certified")
        bureau.act("暂停证书", reason="监督抽查发现不合格,暂停证书")
        bureau.shot("15-bureau-suspended")
        ent = Session(browser, "ent@x.cn")
        ent.shot("16-enterprise-certified-view", "/applications/1")
        ent.shot("17-enterprise-notifications", "/notifications")
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) > 2:
        finish(sys.argv[2])
    else:
        main()
