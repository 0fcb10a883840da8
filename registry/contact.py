"""Contact details as people type them: a mainland phone number (mobile, or landline with its area code) and an
e-mail address, normalised, or a ValueError with the Chinese message shown beside the field.

The enterprise master record, the JSON API and Excel imports all reach these through ``records.fields.coerce``.
"""
from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")  # ASCII digits only: \d would take other scripts' digits
# A landline: area code 010-099 (two digits after 0) or 0xxx (three), then a 7 or 8 digit number, then an
# optional extension (分机).
LANDLINE_RE = re.compile(r"(0[1-9][0-9]{1,2})-?([2-9][0-9]{6,7})(?:(?:-|转|ext\.?|#)([0-9]{1,6}))?", re.IGNORECASE)
# Separators people type inside a number (after NFKC, full-width digits and dashes are ASCII already).
_SEPARATORS = re.compile(r"[\s\u2010-\u2015\u2212\u30fc\u00b7().]")
_THREE_DIGIT_AREAS = re.compile(r"0(10|2[0-9])")  # Beijing 010, and 020-029: the rest have four digits

# {label}: the field's Chinese label, so a message from an import or the API names its field.
PHONE_MESSAGE = "{label}应为手机号码（11 位）或带区号的固定电话，如 13805761234 或 0576-85123456。"
EMAIL_MESSAGE = "{label}不是有效的电子邮箱，应如 name@example.cn。"


def normalise_mobile(raw: str | None) -> str | None:
    """A mainland (中国大陆) mobile number as 11 ASCII digits, or None when ``raw`` is not one. Full-width digits,
    spaces and dashes are accepted, and so is a leading +86 / 0086."""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "")).replace("-", "")
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text if MOBILE_RE.fullmatch(text) else None


def normalise_phone(raw: str, label: str = "电话") -> str:
    """A mobile as 11 digits, a landline as 区号-号码[-分机] (0576-85123456). Raises ValueError."""
    mobile = normalise_mobile(raw)
    if mobile:
        return mobile
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if text.startswith("+86"):
        text = "0" + text[3:].lstrip("-")
    match = LANDLINE_RE.fullmatch(text)
    if match is None:
        raise ValueError(PHONE_MESSAGE.format(label=label))
    area, number, extension = match.groups()
    if "-" not in text.split(number)[0]:  # no dash: the area code's length decides where it ends
        digits = area + number
        cut = 3 if _THREE_DIGIT_AREAS.match(digits) else 4
        area, number = digits[:cut], digits[cut:]
        if not re.fullmatch(r"[2-9][0-9]{6,7}", number):
            raise ValueError(PHONE_MESSAGE.format(label=label))
    return f"{area}-{number}" + (f"-{extension}" if extension else "")


def normalise_email(raw: str, label: str = "电子邮箱") -> str:
    """The address as email_validator normalises it (no DNS lookups). Raises ValueError."""
    try:
        return validate_email(unicodedata.normalize("NFKC", raw).strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError(EMAIL_MESSAGE.format(label=label)) from None
