"""The world a backup test saves: ``python -m tests.ops.backup_world`` with DATABASE_URL and INSTANCE_DIR set.

Installs (``flask init``), loads demo data, then an applicant uploads two files onto a 品字标 application and it is
submitted and recommended (history rows in the chain); an export lands in EXPORT_DIR. Prints what the test checks.
"""
from __future__ import annotations

import json
import os

PASSWORD = "backup-test-password-1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + os.urandom(2048)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + os.urandom(512)


def main() -> None:
    from sqlalchemy import select

    from registry import create_app

    app = create_app()
    runner = app.test_cli_runner()
    with app.app_context():
        for args in (["init"], ["seed-demo", "--enterprises", "20"]):
            done = runner.invoke(args=args)
            assert done.exit_code == 0, done.output
        from registry.extensions import db
        from registry.models import Enterprise
        from registry.services.accounts import create_user
        from workflows import engine
        from workflows.services import applications, attachments

        enterprise = db.session.scalar(select(Enterprise).order_by(Enterprise.id).limit(1))
        applicant = create_user("backup-applicant@linhai.example", "enterprise", PASSWORD,
                                enterprise_uscc=enterprise.uscc)
        town = create_user("backup-town@linhai.example", "town", PASSWORD,
                           jurisdiction_code=enterprise.jurisdiction.code)
        create_user("backup-bureau@linhai.example", "bureau", PASSWORD)
        application = applications.start(applicant, "pinzibiao", None, {
            "product": "高精度汽车齿轮", "standard_proposal": "汽车变速器齿轮", "self_assessment": "自评 85 分"})
        attachments.upload(applicant, application.id, "self_assessment", "自评价报告.pdf", PDF)
        attachments.upload(applicant, application.id, "evidence", "现场照片.png", PNG)
        engine.apply(application.id, "submit", applicant)
        engine.apply(application.id, "recommend", town)
        exports = os.path.join(app.config["EXPORT_DIR"], "targets")
        os.makedirs(exports, exist_ok=True)
        with open(os.path.join(exports, "规划指标-2026-12-04.xlsx"), "wb") as handle:
            handle.write(os.urandom(4096))
        print(json.dumps({"enterprise_id": enterprise.id, "enterprise_name": enterprise.name,
                          "application_id": application.id}))


if __name__ == "__main__":
    main()
