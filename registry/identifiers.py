"""Identifiers (标识号码): unified social credit codes, patent numbers, standard numbers, trademarks.

Each ``parse_*`` function takes what a person typed (full-width characters, stray spaces and Chinese dashes
allowed), returns the normalised value with its parts, and raises ``IdentifierError`` whose message is a
Simplified-Chinese sentence fit to show next to the form field. Pure Python: no Flask, no work at import.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from stdnum.cn import uscc as _stdnum_uscc

from registry import clock


class IdentifierError(ValueError):
    """An identifier that cannot be accepted; ``str(error)`` is a user-facing Chinese sentence."""


LEVEL_LABELS: dict[str, str] = {
    "international": "国际标准",
    "national": "国家标准",
    "industry": "行业标准",
    "local": "地方标准",
    "group_zzb": '"浙江制造"标准',
    "group": "团体标准",
    "enterprise": "企业标准",
}

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z
_DASHES = re.compile("[-\u2010-\u2015\u2212\ufe58\ufe63\uff0d]+")  # hyphens, en/em dashes, 破折号 "——"


def _clean(raw: object, what: str) -> str:
    """NFKC (full-width -> ASCII), upper-case, whitespace collapsed to single spaces; empty -> error."""
    if not isinstance(raw, str) or not raw.strip():
        raise IdentifierError(f"请填写{what}。")
    return " ".join(unicodedata.normalize("NFKC", raw).upper().split())


# --- 统一社会信用代码 (USCC) ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class USCCResult:
    """A well-formed credit code. ``check_ok`` False means the check character fails (the bureau may override
    with a recorded reason); ``division`` is positions 3-8, the registering authority's division code."""
    value: str
    check_ok: bool
    division: str


def parse_uscc(raw: str) -> USCCResult:
    """Parse a unified social credit code (统一社会信用代码).

    Returns a ``USCCResult`` with the code upper-cased, spaces removed and full-width characters made ASCII.
    Raises ``IdentifierError`` when the length is not 18 or a character is outside 0-9A-HJ-NP-RTUWXY (the
    message names the positions). A wrong check character does not raise: it gives ``check_ok=False``.
    """
    value = _clean(raw, "统一社会信用代码").replace(" ", "")
    if len(value) != 18:
        raise IdentifierError(f"统一社会信用代码应为 18 位，现为 {len(value)} 位。")
    bad = [f"第 {i} 位“{c}”" for i, c in enumerate(value, 1) if c not in _USCC_ALPHABET]
    if bad:
        raise IdentifierError(
            f"统一社会信用代码{'、'.join(bad)}不是合法字符（只能是数字和除 I、O、S、V、Z 以外的大写字母）。")
    # calc_check_digit rather than validate(): validate() also demands digits in positions 1-8, which rejects
    # real codes issued by non-business registrars (e.g. 'N' 农业, 'Y' 其他).
    check_ok = _stdnum_uscc.calc_check_digit(value[:17]) == value[17]
    return USCCResult(value=value, check_ok=check_ok, division=value[2:8])


# --- 专利申请号 / 专利号 ------------------------------------------------------------------------------------

_PATENT_TYPES = {"1": "invention", "2": "utility_model", "3": "design", "8": "pct_invention",
                 "9": "pct_utility_model"}


@dataclass(frozen=True)
class PatentNumber:
    """A Chinese patent application number, e.g. '201710601862.3' (since 2003) or '97123456.X' (before)."""
    application_number: str
    patent_type: str  # invention | utility_model | design | pct_invention | pct_utility_model

    @property
    def granted_number(self) -> str:
        """The patent number as written on a grant (专利号): 'ZL' + application number."""
        return "ZL" + self.application_number


def _patent_check_digit(digits: str) -> str:
    """Check character: sum of digits weighted 2..9, 2..9, ... from the left, mod 11; 10 is written 'X'."""
    total = sum(int(d) * (2 + i % 8) for i, d in enumerate(digits))
    return "X" if total % 11 == 10 else str(total % 11)


def parse_patent_number(raw: str) -> PatentNumber:
    """Parse a patent application number or a granted patent number (专利申请号 / 'ZL' 专利号).

    Accepts an optional 'ZL' prefix (any case), spaces, full-width characters and an optional '.' before
    the check character, which is required. Returns a ``PatentNumber`` with the application number
    normalised to 'YYYYTNNNNNNN.C' or the pre-2003 'YYTNNNNN.C'. Raises ``IdentifierError`` for a wrong
    shape, a missing or wrong check character (the message gives the expected one), a year outside
    1985..next year, or a type digit other than 1, 2, 3, 8, 9.
    """
    text = _clean(raw, "专利号").replace(" ", "")
    if text.startswith("ZL"):
        text = text[2:]
    m = re.fullmatch(r"(\d{12}|\d{8})\.?([0-9X]?)", text)
    if not m:
        raise IdentifierError("专利号格式不正确：应为 12 位数字加校验位（如 201710601862.3），"
                              "2003 年以前的申请为 8 位数字加校验位。")
    digits, check = m.groups()
    expected = _patent_check_digit(digits)
    if len(digits) == 12:
        year, type_digit, position = int(digits[:4]), digits[4], 5
        last_year = clock.today().year + 1
        if not 1985 <= year <= last_year:
            raise IdentifierError(f"专利申请号的年份 {year} 不在 1985 至 {last_year} 年之间。")
    else:
        type_digit, position = digits[2], 3
    if type_digit not in _PATENT_TYPES:
        raise IdentifierError(f"专利申请号第 {position} 位表示专利类型，应为 1、2、3、8 或 9，现为 {type_digit}。")
    if not check:
        raise IdentifierError(f"专利申请号缺少校验位（应为 {expected}），请填写完整，如 {digits}.{expected}。")
    if check != expected:
        raise IdentifierError(f"专利申请号校验位应为 {expected}")
    return PatentNumber(application_number=f"{digits}.{check}", patent_type=_PATENT_TYPES[type_digit])


# --- 标准编号 --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StandardNumber:
    """A standard number split into parts. ``value`` is the normalised text, e.g. 'GB/T 19580-2012',
    'DB33/ 642-2019' (mandatory local), 'ISO 9001:2015'. ``prefix`` is the code as printed ('GB/T',
    'DB33', 'T/ZZB', 'Q/LH', 'ISO/TR'); ``year`` is None when no year was given (two-digit years are kept
    as written in ``value`` and read as 19yy); ``nature`` is '' for international, group, enterprise."""
    value: str
    level: str
    prefix: str
    sequence: str
    year: int | None
    nature: str


_NATURE = {"": "mandatory", "T": "recommended", "Z": "guidance"}
_SEQ_YEAR = r" ?(?P<seq>\d+(?:\.\d+)*)(?: ?- ?(?P<year>\d{4}|\d{2}))?"
_INTERNATIONAL = re.compile(r"(?P<base>ISO/IEC|ISO|IEC) ?(?:[/ ](?P<sub>TR|TS|PAS))?"
                            r" ?(?P<seq>\d+(?:-\d{1,3})*)(?: ?: ?(?P<year>\d{4}))?")
_ITU = re.compile(r"(?P<base>ITU-[TRD]) ?(?P<seq>[A-Z]{1,2}\.\d+(?:\.\d+)*)(?: ?: ?(?P<year>\d{4}))?")
_NATIONAL_OR_INDUSTRY = re.compile(r"(?P<code>[A-Z]{2})(?: ?/ ?(?P<nature>[TZ]))?" + _SEQ_YEAR)
_LOCAL = re.compile(r"DB ?(?P<area>\d{2,6})(?: ?/ ?(?P<nature>[TZ])?| )" + _SEQ_YEAR)
_GROUP_OR_ENTERPRISE = re.compile(r"(?P<kind>[TQ]) ?/ ?(?P<code>[0-9A-Z]+?)" + _SEQ_YEAR)
_FORMS = "GB/T 19580-2012、JB/T 1234-2019、DB33/T 944-2014、T/ZZB 2109-2021、Q/LH 001-2020、ISO 9001:2015"


def _year(text: str | None) -> int | None:
    """Four-digit year checked against 1900..next year; two-digit old years read as 19yy."""
    if text is None:
        return None
    year = int(text) if len(text) == 4 else 1900 + int(text)
    if not 1900 <= year <= clock.today().year + 1:
        raise IdentifierError(f"标准的年号 {text} 不正确。")
    return year


def parse_standard_number(raw: str) -> StandardNumber:
    """Parse a standard number (标准编号) and infer its level from the prefix.

    Returns a ``StandardNumber`` whose ``value`` has single ASCII spaces, ASCII '-' for any dash and
    upper-case codes. Levels: GB -> national; ISO/IEC/ITU -> international; DB + 2-6 digits -> local;
    T/ZZB -> group_zzb; other T/ -> group; Q/ -> enterprise; any other two-letter code -> industry.
    Raises ``IdentifierError`` for anything else (the message lists the accepted forms).
    """
    text = _DASHES.sub("-", _clean(raw, "标准编号"))
    for pattern in (_INTERNATIONAL, _ITU):
        if m := pattern.fullmatch(text):
            base, sub = m["base"], m.groupdict().get("sub")
            prefix = base if not sub else f"{base}/{sub}" if base == "ISO" else f"{base} {sub}"
            value = f"{prefix} {m['seq']}" + (f":{m['year']}" if m["year"] else "")
            return StandardNumber(value, "international", prefix, m["seq"], _year(m["year"]), "")
    if re.fullmatch(r"(ISO|IEC|ISO/IEC)\b.*-\d{4}", text):
        raise IdentifierError(f"国际标准的年号用冒号分隔，如 ISO 9001:2015，而不是“{text}”。")
    nature_word = ""
    if m := _LOCAL.fullmatch(text):
        nature = m["nature"] or ""
        level, prefix = "local", f"DB{m['area']}" + (f"/{nature}" if nature else "")
        shown = prefix if nature else prefix + "/"  # mandatory local standards print as 'DB33/ 642-2019'
        nature_word = _NATURE[nature]
    elif (m := _GROUP_OR_ENTERPRISE.fullmatch(text)) and not (m["kind"] == "T" and m["code"][0].isdigit()):
        level = "enterprise" if m["kind"] == "Q" else "group_zzb" if m["code"] == "ZZB" else "group"
        prefix = shown = f"{m['kind']}/{m['code']}"
    elif (m := _NATIONAL_OR_INDUSTRY.fullmatch(text)) and m["code"] != "DB":
        nature = m["nature"] or ""
        level = "national" if m["code"] == "GB" else "industry"
        prefix = shown = m["code"] + (f"/{nature}" if nature else "")
        nature_word = _NATURE[nature]
    else:
        raise IdentifierError(f"无法识别标准编号“{text}”。请按“代号 顺序号-年号”填写，如 {_FORMS}。")
    value = f"{shown} {m['seq']}" + (f"-{m['year']}" if m["year"] else "")
    return StandardNumber(value, level, prefix, m["seq"], _year(m["year"]), nature_word)


def normalise_standard_number(raw: str) -> str:
    """The normalised text of a standard number; raises ``IdentifierError`` as ``parse_standard_number``."""
    return parse_standard_number(raw).value


# --- 商标 -------------------------------------------------------------------------------------------------

def parse_trademark(reg_number: str, nice_class: int | str) -> tuple[str, int]:
    """Check a trademark registration number (注册号, digits only, no check digit) and its Nice class (1-45).

    Returns ``(digits, class)`` with spaces removed and full-width digits made ASCII. Raises
    ``IdentifierError`` for non-digits or a class outside 1-45.
    """
    if isinstance(reg_number, int) and not isinstance(reg_number, bool):
        reg_number = str(reg_number)
    number = _clean(reg_number, "商标注册号").replace(" ", "")
    if not (number.isascii() and number.isdigit()):
        raise IdentifierError(f"商标注册号只能由数字组成，“{number}”不符合。")
    if isinstance(nice_class, str):
        text = unicodedata.normalize("NFKC", nice_class).strip()
        nice_class = int(text) if text.isascii() and text.isdigit() else 0
    if isinstance(nice_class, bool) or not isinstance(nice_class, int) or not 1 <= nice_class <= 45:
        raise IdentifierError("商标类别应为 1 至 45 之间的整数（尼斯分类）。")
    return number, nice_class
