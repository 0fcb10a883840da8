"""Identifiers: credit codes, patent numbers, standard numbers and trademarks (hand-worked cases + properties)."""
from datetime import date

import pytest
from hypothesis import given, strategies as st
from stdnum.cn import uscc as stdnum_uscc

from registry.identifiers import (
    LEVEL_LABELS,
    IdentifierError,
    PatentNumber,
    StandardNumber,
    USCCResult,
    normalise_standard_number,
    parse_patent_number,
    parse_standard_number,
    parse_trademark,
    parse_uscc,
)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def patent_check(digits: str) -> str:
    """Independent oracle: weights 2..9 repeating from the left, mod 11, 10 -> X."""
    weights = [2, 3, 4, 5, 6, 7, 8, 9] * 2
    total = sum(int(d) * w for d, w in zip(digits, weights))
    return "X" if total % 11 == 10 else str(total % 11)


# --- USCC ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code, division", [("91350100M000100Y43", "350100"), ("9131000063159284XQ", "310000")])
def test_uscc_domain_examples_pass(code, division):
    assert parse_uscc(code) == parse_uscc(code.lower()) == USCCResult(code, True, division)


def test_uscc_normalises_full_width_case_and_spaces():
    result = parse_uscc(" ９１３５０１００ｍ０００ １００ｙ４３\u3000")
    assert result.value == "91350100M000100Y43" and result.check_ok


def test_uscc_linhai_code_built_with_stdnum():
    body = "91331082MA2AK7L9X"
    code = body + stdnum_uscc.calc_check_digit(body)
    result = parse_uscc(code)
    assert result.check_ok and result.division == "331082" and result.value == code


def test_uscc_non_business_registrar_is_accepted():
    # 'N' (农业) codes: stdnum.validate rejects letters in positions 1-8, our parser only checks the alphabet.
    body = "N2331082MA2AK7L9X"
    assert parse_uscc(body + stdnum_uscc.calc_check_digit(body)).check_ok


def test_uscc_bad_check_character_is_flagged_not_raised():
    result = parse_uscc("91350100M000100Y44")
    assert result.check_ok is False and result.value == "91350100M000100Y44" and result.division == "350100"


@pytest.mark.parametrize("raw, length", [("91350100M000100Y4", 17), ("91350100M000100Y433", 19)])
def test_uscc_wrong_length(raw, length):
    with pytest.raises(IdentifierError, match=f"18 位.*{length} 位"):
        parse_uscc(raw)


@pytest.mark.parametrize("bad", "IOSVZ")
def test_uscc_illegal_letters_named(bad):
    with pytest.raises(IdentifierError, match=f"第 9 位“{bad}”"):
        parse_uscc("91350100" + bad + "000100Y43")


def test_uscc_lists_every_illegal_character():
    with pytest.raises(IdentifierError) as err:
        parse_uscc("9135O100M000100-43")
    assert "第 5 位“O”" in str(err.value) and "第 16 位“-”" in str(err.value)


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_uscc_empty(raw):
    with pytest.raises(IdentifierError, match="请填写统一社会信用代码"):
        parse_uscc(raw)


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17), st.sampled_from(USCC_ALPHABET))
def test_uscc_property_stdnum_check_character(body, other):
    check = stdnum_uscc.calc_check_digit(body)
    assert parse_uscc(body + check).check_ok is True
    if other != check:
        assert parse_uscc(body + other).check_ok is False


# --- patents ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["201710601862.3", "ZL201710601862.3", "zl201710601862.3", "ZL 2017 1060 1862.3",
                                 "2017106018623", "ＺＬ２０１７１０６０１８６２．３", " zl 201710601862 . 3 "])
def test_patent_domain_example_in_every_spelling(raw):
    patent = parse_patent_number(raw)
    assert patent == PatentNumber("201710601862.3", "invention")
    assert patent.granted_number == "ZL201710601862.3"


def test_patent_wrong_check_digit_names_the_expected_one():
    with pytest.raises(IdentifierError) as err:
        parse_patent_number("ZL201710601862.4")
    assert str(err.value) == "专利申请号校验位应为 3"


@pytest.mark.parametrize("raw", ["201710601862", "201710601862."])
def test_patent_missing_check_digit_is_required(raw):
    with pytest.raises(IdentifierError, match="缺少校验位.*应为 3"):
        parse_patent_number(raw)


@pytest.mark.parametrize("body, kind", [("201880012345", "pct_invention"), ("201990012345", "pct_utility_model"),
                                        ("202120012345", "utility_model"), ("202230012345", "design")])
def test_patent_types(body, kind):
    assert parse_patent_number(f"{body}.{patent_check(body)}").patent_type == kind


def test_patent_check_x_hand_worked():
    # 2*2 + 1*4 + 8*5 + 2*6 + 1*5 = 65; 65 mod 11 = 10 -> X
    assert parse_patent_number("201820000001.x").application_number == "201820000001.X"


def test_patent_pre_2003_numbers():
    # 9*2 + 7*3 + 1*4 + 2*5 + 3*6 + 4*7 + 5*8 + 6*9 = 193; 193 mod 11 = 6
    assert parse_patent_number("ZL97123456.6") == PatentNumber("97123456.6", "invention")
    # 9*2 + 7*3 + 1*4 = 43; 43 mod 11 = 10 -> X
    assert parse_patent_number("971000 00X").application_number == "97100000.X"
    assert parse_patent_number("98200001.%s" % patent_check("98200001")).patent_type == "utility_model"
    with pytest.raises(IdentifierError, match="校验位应为 6"):
        parse_patent_number("97123456.7")


@pytest.mark.parametrize("body, message", [("201740012345", "第 5 位.*类型"), ("97423456", "第 3 位.*类型"),
                                           ("198410012345", "年份 1984"),
                                           (f"{date.today().year + 2}10012345", "年份")])
def test_patent_bad_type_or_year(body, message):
    with pytest.raises(IdentifierError, match=message):
        parse_patent_number(f"{body}.{patent_check(body)}")


@pytest.mark.parametrize("raw", ["20171060186.3", "CN201710601862.3", "2017-10601862.3", "201710601862.A"])
def test_patent_bad_shape(raw):
    with pytest.raises(IdentifierError, match="专利号格式不正确"):
        parse_patent_number(raw)


@st.composite
def patent_bodies(draw):
    year = draw(st.integers(1985, date.today().year + 1))
    kind = draw(st.sampled_from("12389"))
    return f"{year}{kind}{draw(st.integers(0, 9_999_999)):07d}"


@given(patent_bodies())
def test_patent_property_check_digit_round_trips(body):
    expected = patent_check(body)
    patent = parse_patent_number(f"{body}.{expected}")
    assert patent.application_number == f"{body}.{expected}"
    assert parse_patent_number(patent.granted_number) == patent
    for wrong in set("0123456789X") - {expected}:
        with pytest.raises(IdentifierError, match=f"^专利申请号校验位应为 {expected}$"):
            parse_patent_number(f"{body}{wrong}")


# --- standards ----------------------------------------------------------------------------------------------

STANDARDS = [
    # raw, value, level, prefix, sequence, year, nature
    ("GB 1234-2020", "GB 1234-2020", "national", "GB", "1234", 2020, "mandatory"),
    ("GB/T 19580-2012", "GB/T 19580-2012", "national", "GB/T", "19580", 2012, "recommended"),
    ("GB/Z 19579-2012", "GB/Z 19579-2012", "national", "GB/Z", "19579", 2012, "guidance"),
    ("gb/t19580－2012", "GB/T 19580-2012", "national", "GB/T", "19580", 2012, "recommended"),
    ("ＧＢ／Ｔ　１９５８０－２０１２", "GB/T 19580-2012", "national", "GB/T", "19580", 2012, "recommended"),
    ("GB/T   19580 - 2012", "GB/T 19580-2012", "national", "GB/T", "19580", 2012, "recommended"),
    ("GB/T 1.1-2020", "GB/T 1.1-2020", "national", "GB/T", "1.1", 2020, "recommended"),
    ("GB/T 7714-2015", "GB/T 7714-2015", "national", "GB/T", "7714", 2015, "recommended"),
    ("GB 4706.1-2005", "GB 4706.1-2005", "national", "GB", "4706.1", 2005, "mandatory"),
    ("GB 1234-88", "GB 1234-88", "national", "GB", "1234", 1988, "mandatory"),
    ("GB/T 19580", "GB/T 19580", "national", "GB/T", "19580", None, "recommended"),
    ("YY/T 0316-2016", "YY/T 0316-2016", "industry", "YY/T", "0316", 2016, "recommended"),
    ("JB/T 1234-2019", "JB/T 1234-2019", "industry", "JB/T", "1234", 2019, "recommended"),
    ("QC/T 29106—2014", "QC/T 29106-2014", "industry", "QC/T", "29106", 2014, "recommended"),
    ("HG 20202-2014", "HG 20202-2014", "industry", "HG", "20202", 2014, "mandatory"),
    ("SH/Z 3501-2011", "SH/Z 3501-2011", "industry", "SH/Z", "3501", 2011, "guidance"),
    ("DB33/T 944-2014", "DB33/T 944-2014", "local", "DB33/T", "944", 2014, "recommended"),
    ("DB 33/T944-2014", "DB33/T 944-2014", "local", "DB33/T", "944", 2014, "recommended"),
    ("DB3310/T 12-2020", "DB3310/T 12-2020", "local", "DB3310/T", "12", 2020, "recommended"),
    ("DB33 642-2019", "DB33/ 642-2019", "local", "DB33", "642", 2019, "mandatory"),
    ("DB33/ 642-2019", "DB33/ 642-2019", "local", "DB33", "642", 2019, "mandatory"),
    ("T/ZZB 2109—2021", "T/ZZB 2109-2021", "group_zzb", "T/ZZB", "2109", 2021, ""),
    ("T/ZZB 2109–2021", "T/ZZB 2109-2021", "group_zzb", "T/ZZB", "2109", 2021, ""),
    ("t/zzb 2109——2021", "T/ZZB 2109-2021", "group_zzb", "T/ZZB", "2109", 2021, ""),
    ("T/CAS 115-2018", "T/CAS 115-2018", "group", "T/CAS", "115", 2018, ""),
    ("Q/LH 001-2020", "Q/LH 001-2020", "enterprise", "Q/LH", "001", 2020, ""),
    ("Q/3310LHA 01-2021", "Q/3310LHA 01-2021", "enterprise", "Q/3310LHA", "01", 2021, ""),
    ("Q/3310LHA01-2021", "Q/3310LHA 01-2021", "enterprise", "Q/3310LHA", "01", 2021, ""),
    ("ISO 9001:2015", "ISO 9001:2015", "international", "ISO", "9001", 2015, ""),
    ("iso 9001 ： 2015", "ISO 9001:2015", "international", "ISO", "9001", 2015, ""),
    ("ISO/TR 20051:2020", "ISO/TR 20051:2020", "international", "ISO/TR", "20051", 2020, ""),
    ("ISO/TS 16949:2009", "ISO/TS 16949:2009", "international", "ISO/TS", "16949", 2009, ""),
    ("IEC 60335-2-24:2020", "IEC 60335-2-24:2020", "international", "IEC", "60335-2-24", 2020, ""),
    ("ISO/IEC 27001:2013", "ISO/IEC 27001:2013", "international", "ISO/IEC", "27001", 2013, ""),
    ("ISO/IEC TR 20000-9:2015", "ISO/IEC TR 20000-9:2015", "international", "ISO/IEC TR", "20000-9", 2015, ""),
    ("ITU-T X.509", "ITU-T X.509", "international", "ITU-T", "X.509", None, ""),
]


@pytest.mark.parametrize("raw, value, level, prefix, sequence, year, nature", STANDARDS)
def test_standard_numbers(raw, value, level, prefix, sequence, year, nature):
    assert parse_standard_number(raw) == StandardNumber(value, level, prefix, sequence, year, nature)
    assert normalise_standard_number(raw) == value
    assert normalise_standard_number(value) == value  # idempotent


@pytest.mark.parametrize("raw, message", [
    ("", "请填写标准编号"), (None, "请填写标准编号"), ("ABC 123-2020", "无法识别"), ("GB/X 1-2020", "无法识别"),
    ("GB/T 19580-20123", "无法识别"), ("DB33944-2014", "无法识别"), ("GB/T 19580-2012/ISO 9001:2015", "无法识别"),
    ("标准 19580", "无法识别"), ("T/123 4-2020", "无法识别"), ("ISO 9001-2015", "冒号"), ("GB/T 19580-1850", "年号"),
])
def test_standard_numbers_rejected(raw, message):
    with pytest.raises(IdentifierError, match=message):
        parse_standard_number(raw)


def test_level_labels_cover_every_level():
    assert {row[2] for row in STANDARDS} == set(LEVEL_LABELS)
    assert LEVEL_LABELS["group_zzb"] == '"浙江制造"标准' and LEVEL_LABELS["national"] == "国家标准"


# --- trademarks ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("number, nice, expected", [
    ("12345678", 9, ("12345678", 9)), (" 1234 5678 ", "35", ("12345678", 35)),
    ("１２３４５６７８", "９", ("12345678", 9)), (12345678, 1, ("12345678", 1)), ("0012", 45, ("0012", 45)),
])
def test_trademark_ok(number, nice, expected):
    assert parse_trademark(number, nice) == expected


@pytest.mark.parametrize("nice", [0, 46, "0", "46", "第9类", "", None, True, 9.0])
def test_trademark_bad_class(nice):
    with pytest.raises(IdentifierError, match="1 至 45"):
        parse_trademark("12345678", nice)


@pytest.mark.parametrize("number, message", [("G1234", "只能由数字"), ("1234-5678", "只能由数字"),
                                             ("", "请填写商标注册号"), (None, "请填写商标注册号")])
def test_trademark_bad_number(number, message):
    with pytest.raises(IdentifierError, match=message):
        parse_trademark(number, 9)


# --- what a person reads and what a caller holds (mutation run, tests/MUTATION.md) ---------------------------
# The refusals above match a fragment; these pin the whole sentence shown next to the field, so a garbled one
# (a word lost, the positions joined wrongly) fails.

def _refusal(call) -> str:
    with pytest.raises(IdentifierError) as err:
        call()
    return str(err.value)


def test_every_refusal_is_the_whole_sentence():
    next_year = date.today().year + 1
    assert _refusal(lambda: parse_uscc(" ")) == "请填写统一社会信用代码。"
    assert _refusal(lambda: parse_uscc("91350100M000100Y4")) == "统一社会信用代码应为 18 位，现为 17 位。"
    assert _refusal(lambda: parse_uscc("9135O100M000100-43")) == (
        "统一社会信用代码第 5 位“O”、第 16 位“-”不是合法字符（只能是数字和除 I、O、S、V、Z 以外的大写字母）。")
    assert _refusal(lambda: parse_patent_number("")) == "请填写专利号。"
    assert _refusal(lambda: parse_patent_number("CN201710601862.3")) == (
        "专利号格式不正确：应为 12 位数字加校验位（如 201710601862.3），2003 年以前的申请为 8 位数字加校验位。")
    assert _refusal(lambda: parse_patent_number(f"198410012345.{patent_check('198410012345')}")) == (
        f"专利申请号的年份 1984 不在 1985 至 {next_year} 年之间。")
    assert _refusal(lambda: parse_patent_number(f"201740012345.{patent_check('201740012345')}")) == (
        "专利申请号第 5 位表示专利类型，应为 1、2、3、8 或 9，现为 4。")
    assert _refusal(lambda: parse_patent_number("201710601862")) == (
        "专利申请号缺少校验位（应为 3），请填写完整，如 201710601862.3。")
    assert _refusal(lambda: parse_standard_number("")) == "请填写标准编号。"
    assert _refusal(lambda: parse_standard_number("ISO 9001-2015")) == (
        "国际标准的年号用冒号分隔，如 ISO 9001:2015，而不是“ISO 9001-2015”。")
    assert _refusal(lambda: parse_standard_number("ABC 123-2020")) == (
        "无法识别标准编号“ABC 123-2020”。请按“代号 顺序号-年号”填写，如 GB/T 19580-2012、JB/T 1234-2019、"
        "DB33/T 944-2014、T/ZZB 2109-2021、Q/LH 001-2020、ISO 9001:2015。")
    assert _refusal(lambda: parse_standard_number("GB/T 19580-1850")) == "标准的年号 1850 不正确。"
    assert _refusal(lambda: parse_trademark("G1234", 9)) == "商标注册号只能由数字组成，“G1234”不符合。"
    assert _refusal(lambda: parse_trademark("", 9)) == "请填写商标注册号。"
    assert _refusal(lambda: parse_trademark("12345678", 46)) == "商标类别应为 1 至 45 之间的整数（尼斯分类）。"


def test_level_labels_are_the_printed_names():
    assert LEVEL_LABELS == {"international": "国际标准", "national": "国家标准", "industry": "行业标准",
                            "local": "地方标准", "group_zzb": '"浙江制造"标准', "group": "团体标准",
                            "enterprise": "企业标准"}


def test_parsed_identifiers_are_frozen_values():
    import dataclasses

    for parsed in (parse_uscc("91350100M000100Y43"), parse_patent_number("201710601862.3"),
                   parse_standard_number("GB/T 19580-2012")):
        first = dataclasses.fields(parsed)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(parsed, first, "changed")
        assert hash(parsed) == hash(dataclasses.replace(parsed))  # usable as a key, equal by value


def test_standard_years_run_from_1900_to_next_year():
    next_year = date.today().year + 1
    assert parse_standard_number("GB/T 1-1900").year == 1900
    assert parse_standard_number("GB/T 1-00").year == 1900  # two digits: 19yy
    assert parse_standard_number(f"GB/T 1-{next_year}").year == next_year
    for year in ("1899", str(next_year + 1)):
        assert _refusal(lambda: parse_standard_number(f"GB/T 1-{year}")) == f"标准的年号 {year} 不正确。"


def test_a_group_code_may_not_start_with_a_digit_but_may_hold_one():
    assert parse_standard_number("T/Z9 1-2020").prefix == "T/Z9"
    assert _refusal(lambda: parse_standard_number("T/1A 4-2020")).startswith("无法识别标准编号“T/1A 4-2020”")
