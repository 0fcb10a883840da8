"""Demo accounts: one per role (two town reviewers, three experts) with fixed, printed passwords."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from registry.auth.passwords import hash_password
from registry.extensions import db
from registry.models import Enterprise, Jurisdiction, User


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: str
    display_name: str
    jurisdiction_code: str | None = None  # town reviewers
    for_enterprise: bool = False  # tied to the demo enterprise chosen by the seeder


DEMO_ACCOUNTS = (
    DemoAccount("qiye@linhai.example", "linhai-qiye-2026", "enterprise", "企业填报员 陈晓燕", for_enterprise=True),
    DemoAccount("duqiao@linhai.example", "linhai-duqiao-2026", "town", "杜桥镇审核员 项建国", "331082112"),
    DemoAccount("gucheng@linhai.example", "linhai-gucheng-2026", "town", "古城街道审核员 卢丽芳", "331082001"),
    DemoAccount("shiju@linhai.example", "linhai-shiju-2026", "bureau", "市局审核员 王志刚"),
    DemoAccount("zhuanjia1@linhai.example", "linhai-zhuanjia-2026", "expert", "评审专家 林海斌"),
    DemoAccount("zhuanjia2@linhai.example", "linhai-zhuanjia-2026", "expert", "评审专家 郑春生"),
    DemoAccount("zhuanjia3@linhai.example", "linhai-zhuanjia-2026", "expert", "评审专家 徐秀英"),
    DemoAccount("admin@linhai.example", "linhai-admin-2026", "admin", "系统管理员 周磊"),
)


def add_demo_accounts(enterprise: Enterprise) -> list[dict]:
    """Add the demo accounts not yet present (by e-mail) to the session; return every account's credentials.

    ``enterprise`` is the one the enterprise account belongs to. Passwords are hashed once per distinct password.
    """
    have = set(db.session.scalars(select(func.lower(User.email))))
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
                jurisdiction_id=jurisdictions.get(account.jurisdiction_code) if account.jurisdiction_code else None))
        scope = enterprise.name if account.for_enterprise else account.jurisdiction_code or ""
        out.append({"role": account.role, "email": account.email, "password": account.password,
                    "name": account.display_name, "scope": scope})
    return out
