"""Valid request bodies for every registry API write, shared by the API and security tests."""
from __future__ import annotations

from tests.factories import make_uscc

# One valid create body per record kind (identifiers pass their checks).
VALID_RECORDS: dict[str, dict] = {
    "standards": {"number": "T/ZZB 2109—2021", "title": "工业用缝纫机", "role": "lead", "status": "published",
                  "published_on": "2021-06-01", "effective_on": "2021-07-01"},
    "certifications": {"cert_type": "iso9001", "number": "00121Q30001R1M", "issuer": "中国质量认证中心",
                       "scope": "阀门的设计和生产", "issued_on": "2022-01-01", "expires_on": "2025-01-01", "status": "valid"},
    "honours": {"honour_type": "qianjiang_cup", "level": "provincial", "year": 2022, "title": "临海大桥工程"},
    "patents": {"number": "201710601862.3", "title": "一种阀门", "status": "granted", "filed_on": "2017-07-20"},
    "trademarks": {"reg_number": "12345678", "nice_class": 7, "mark": "临海", "registered_on": "2019-01-01"},
    "gi-products": {"product_name": "临海蜜桔", "status": "applied", "applied_on": "2023-04-01"},
    "credit-records": {"list_type": "abnormal_operation", "listed_on": "2023-01-10", "authority": "临海市市场监督管理局"},
    "incidents": {"occurred_on": "2023-05-01", "kind": "failed_spot_check", "description": "监督抽查不合格"},
    "benefit-grades": {"year": 2024, "grade": "A", "authority": "临海市经济和信息化局"},
}

# A one-field change per kind for PATCH: (field, new value, value expected back).
PATCHES: dict[str, tuple[str, object, object]] = {
    "standards": ("title", "工业用缝纫机（修订）", "工业用缝纫机（修订）"),
    "certifications": ("scope", "阀门", "阀门"),
    "honours": ("title", "临海二桥工程", "临海二桥工程"),
    "patents": ("status", "lapsed", "lapsed"),
    "trademarks": ("mark", "临海牌", "临海牌"),
    "gi-products": ("announcement", "2024年第5号", "2024年第5号"),
    "credit-records": ("removed_on", "2023-06-01", "2023-06-01"),
    "incidents": ("description", "已整改", "已整改"),
    "benefit-grades": ("grade", "B", "B"),
}

# One field per kind that a bad value makes invalid: (field, bad value).
INVALID_FIELD: dict[str, tuple[str, object]] = {
    "standards": ("number", "XYZ-不是标准号"),
    "certifications": ("issued_on", "2022-13-45"),
    "honours": ("year", 1800),
    "patents": ("number", "201710601862.4"),
    "trademarks": ("nice_class", 46),
    "gi-products": ("status", "nope"),
    "credit-records": ("list_type", "nope"),
    "incidents": ("kind", "nope"),
    "benefit-grades": ("grade", "E"),
}


def enterprise_body(n: int = 1, **overrides) -> dict:
    body = {"name": f"临海市接口测试{n}有限公司", "uscc": make_uscc(900_000 + n), "jurisdiction": "331082112",
            "industry": "auto_machinery", "above_scale": True, "established_on": "2012-03-04",
            "legal_representative": "王五", "address": "临海市杜桥镇"}
    body.update(overrides)
    return body
