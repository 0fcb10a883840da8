"""Demo accounts: one per role (two town reviewers, three experts, a certification body's auditor) with fixed,
printed passwords; and the demo certification bodies the auditor and the demo applications use."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from registry.auth.passwords import hash_password
from registry.extensions import db
from registry.models import CertificationBody, Enterprise, Jurisdiction, User


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: str
    display_name: str
    jurisdiction_code: str | None = None  # town reviewers
    for_enterprise: bool = False  # tied to the demo enterprise chosen by the seeder
    body_code: str | None = None  # certifiers: their certification body


# The demo's certification bodies (认证机构 catalogue entries, own codes): the first is the demo auditor's.
DEMO_BODIES = (("DEMO-GXRZ", "浙江公信认证有限公司"), ("DEMO-FYZJ", "方圆标志认证集团浙江有限公司"))


DEMO_ACCOUNTS = (
    DemoAccount("qiye@linhai.example", "linhai-qiye-2026", "enterprise", "企业填报员 陈晓燕", for_enterprise=True),
    DemoAccount("duqiao@linhai.example", "linhai-duqiao-2026", "town", "杜桥镇审核员 项建国", "331082112"),
    DemoAccount("gucheng@linhai.example", "linhai-gucheng-2026", "town", "古城街道审核员 卢丽芳", "331082001"),
    DemoAccount("shiju@linhai.example", "linhai-shiju-2026", "bureau", "市局审核员 王志刚"),
    DemoAccount("zhuanjia1@linhai.example", "linhai-zhuanjia-2026", "expert", "评审专家 林海斌"),
    DemoAccount("zhuanjia2@linhai.example", "linhai-zhuanjia-2026", "expert", "评审专家 郑春生"),
    DemoAccount("zhuanjia3@linhai.example", "linhai-zhuanjia-2026", "expert", "评审专家 徐秀英"),
    DemoAccount("admin@linhai.example", "linhai-admin-2026", "admin", "系统管理员 周磊"),
    DemoAccount("renzheng@linhai.example", "linhai-renzheng-2026", "certifier", "认证审核员 孙立新",
                body_code=DEMO_BODIES[0][0]),
)


def add_demo_bodies() -> dict[str, int]:
    """The demo certification bodies (added when missing, by code); code -> id."""
    have = {code: body_id for code, body_id in db.session.execute(select(CertificationBody.code, CertificationBody.id))}
    for order, (code, name) in enumerate(DEMO_BODIES):
        if code not in have:
            body = CertificationBody(code=code, name=name, sort_order=order, active=True)
            db.session.add(body)
            db.session.flush()
            have[code] = body.id
    return have


def add_demo_accounts(enterprise: Enterprise) -> list[dict]:
    """Add the demo accounts not yet present (by e-mail) to the session; return every account's credentials.

    ``enterprise`` is the one the enterprise account belongs to. Passwords are hashed once per distinct password.
    """
    have = set(db.session.scalars(select(func.lower(User.email))))
    bodies = add_demo_bodies()
    jurisdictions = {j.code: j.id for j in db.session.scalars(select(Jurisdiction))}
    hashes: dict[str, str] = {}
    out = []
    for account in DEMO_ACCOUNTS:
        if account.email not in have:
            if account.password not in hashes:
                hashes[account.password] = hash_password(account.password)
            db.session.add(User(
                email=account.email, display_name=account.display_name, role=account.role,
                password_hash=hashes[account.password],
                enterprise_id=enterprise.id if account.for_enterprise else None,
                jurisdiction_id=jurisdictions.get(account.jurisdiction_code) if account.jurisdiction_code else None,
                certification_body_id=bodies.get(account.body_code) if account.body_code else None))
        scope = enterprise.name if account.for_enterprise else \
            account.jurisdiction_code or dict(DEMO_BODIES).get(account.body_code, "")
        out.append({"role": account.role, "email": account.email, "password": account.password,
                    "name": account.display_name, "scope": scope})
    return out
