"""Demo certifications (认证证书): 品字标, "浙江制造"国际认证, ISO management systems, 高品质服务, 绿色产品.

Dates fall between 2016 and 2026; certificates past their expiry stay ``valid`` in the row (the registry computes
"expired"), and a few are suspended, revoked or cancelled with the date it happened.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from registry.demo import names
from registry.models import Certification, Enterprise

_ALLIANCE = ("浙江公信认证有限公司", "杭州万泰认证有限公司", "中国质量认证中心", "方圆标志认证集团有限公司",
             "北京国金衡信认证有限公司", "浙江省质量科学研究院")
_SYSTEM_BODIES = ("中国质量认证中心", "方圆标志认证集团有限公司", "北京世标认证中心有限公司", "杭州万泰认证有限公司",
                  "浙江公信认证有限公司", "必维认证（北京）有限公司")
_INTERNATIONAL_PARTNERS = ("IQNet", "德国莱茵TÜV", "挪威船级社DNV", "英国标准协会BSI", "意大利IMQ")
# 绿色产品认证 product domains: names of the 绿色产品认证目录 catalogue (registry/seeds/catalogues.py).
GREEN_DOMAINS = ("人造板和木质地板", "涂料", "家具", "建筑玻璃", "防水与密封材料", "纺织产品", "塑料制品",
                 "陶瓷砖（板）", "木塑制品")
_GREEN_BY_INDUSTRY = {"building_materials": ("建筑玻璃", "防水与密封材料", "陶瓷砖（板）", "涂料"),
                      "fashion_leisure": ("家具", "纺织产品", "木塑制品"), "new_materials": ("塑料制品", "涂料"),
                      "other": ("人造板和木质地板",)}
_SERVICE_INDUSTRIES = ("trade_logistics", "culture_tourism")
_ENDED = {"suspended": "暂停", "revoked": "撤销", "cancelled": "注销"}
_LAST_ISSUE = date(2026, 9, 30)


def validity_years(cert_type: str) -> int:
    return 5 if cert_type in ("iso10012", "green_product") else 3




def _number(rng: random.Random, cert_type: str, issued: date, serial: int) -> str:
    yy = issued.strftime("%y")
    if cert_type == "pinzibiao":
        return f"CZJM{issued.year}P{serial:06d}"
    if cert_type == "zhejiang_international":
        return f"ZJM-IC-{issued.year}-{serial:05d}"
    if cert_type in ("iso9001", "iso14001", "iso45001"):
        letter = {"iso9001": "Q", "iso14001": "E", "iso45001": "S"}[cert_type]
        return f"001{yy}{letter}3{serial:05d}R{rng.randint(0, 3)}M"
    if cert_type == "iso10012":
        return f"CMS浙[{issued.year}]{rng.choice('AB')}{rng.choice('AB')}{serial:04d}"
    if cert_type == "high_quality_service":
        return f"GXZF{issued.year}{serial:05d}"
    if cert_type == "green_product":
        return f"CGP{yy}{serial:06d}"
    return f"IATF{yy}{serial:06d}"


def _certificate(rng: random.Random, enterprise: Enterprise, industry: str, cert_type: str, serial: int,
                 issued: date) -> Certification:
    expires = names.add_years(issued, validity_years(cert_type)) - timedelta(days=1)
    product = rng.choice(names.products_for(enterprise.name, industry))
    issuer = rng.choice(_ALLIANCE if cert_type in ("pinzibiao", "high_quality_service") else _SYSTEM_BODIES)
    scope, domain = product, None
    if cert_type == "zhejiang_international":
        issuer = f"{rng.choice(_ALLIANCE)} / {rng.choice(_INTERNATIONAL_PARTNERS)}"
    elif cert_type.startswith("iso"):
        scope = f"{product}的提供" if industry in _SERVICE_INDUSTRIES else f"{product}的设计、生产和服务"
    elif cert_type == "green_product":
        domain = rng.choice(_GREEN_BY_INDUSTRY.get(industry, GREEN_DOMAINS))
        scope = f"{domain}({product})"
    elif cert_type == "other":
        scope = f"IATF 16949 汽车质量管理体系：{product}"
    status, changed = "valid", None
    if rng.random() < 0.06:
        status = rng.choice(tuple(_ENDED))
        changed = names.day_between(rng, issued + timedelta(days=120), min(expires, date(2026, 10, 31)))
    return Certification(enterprise_id=enterprise.id, cert_type=cert_type,
                         number=_number(rng, cert_type, issued, serial), issuer=issuer, scope=scope,
                         product_domain=domain, issued_on=issued, expires_on=expires, status=status,
                         status_changed_on=changed)


def build_certifications(rng: random.Random, enterprises: list[Enterprise], industry_codes: dict[int, str]
                         ) -> list[Certification]:
    """Unsaved certificates: most makers hold ISO 9001, many above-scale ones 14001/45001, some 品字标."""
    out: list[Certification] = []
    serial = 1
    for e in enterprises:
        industry = industry_codes[e.industry_id]
        service = industry in _SERVICE_INDUSTRIES
        chances = {"iso9001": 0.75, "iso14001": 0.45 if e.above_scale else 0.12,
                   "iso45001": 0.4 if e.above_scale else 0.08, "iso10012": 0.18 if e.above_scale else 0.02,
                   "pinzibiao": 0 if service else 0.32 if e.above_scale else 0.05,
                   "zhejiang_international": 0.08 if e.above_scale and not service else 0,
                   "high_quality_service": 0.55 if service else 0,
                   "green_product": 0.35 if industry in _GREEN_BY_INDUSTRY else 0,
                   "other": 0.25 if industry == "auto_machinery" else 0}
        for cert_type, chance in chances.items():
            if rng.random() >= chance:
                continue
            # A first certificate, then renewals (换证) on expiry while the enterprise keeps it up; some lapse.
            issued = names.day_between(rng, date(2016, 3, 1), _LAST_ISSUE)
            while True:
                cert = _certificate(rng, e, industry, cert_type, serial, issued)
                out.append(cert)
                serial += 1
                issued = cert.expires_on + timedelta(days=1)
                if cert.status != "valid" or issued > _LAST_ISSUE or rng.random() < 0.2:
                    break
    return out
