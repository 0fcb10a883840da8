"""Sheet layouts (表头) built from the services' field specs, and the blank import templates.

A ``Sheet`` lists the columns of one importable kind: enterprises use ``ENTERPRISE_FIELDS``; a record
kind puts the enterprise's credit code (and, for people, its name) before the kind's own fields. The
Chinese source of each spec's label (``spec.header``) is the column header, so templates, exports and imports agree by construction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from registry.excel import cells
from registry.i18n import in_source_language, source_text
from registry.records.fields import FieldSpec, display
from registry.records.kinds import KINDS
from registry.services.enterprises import ENTERPRISE_FIELDS
from registry.services.errors import NotFound

ENTERPRISES = "enterprises"
USCC_SPEC = FieldSpec("uscc", "统一社会信用代码", required=True, max_length=40)
# Shown beside the credit code in record sheets so people can read them; never imported.
ENTERPRISE_NAME_SPEC = FieldSpec("enterprise_name", "企业名称", readonly=True)
DATA_SHEET = "数据"
EXAMPLE_SHEET = "示例与说明"
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


@dataclass(frozen=True)
class Sheet:
    slug: str
    label: str
    columns: tuple[FieldSpec, ...]  # in order; readonly columns are exported but never imported

    @property
    def inputs(self) -> tuple[FieldSpec, ...]:
        return tuple(spec for spec in self.columns if not spec.readonly)


def sheet_for(slug: str) -> Sheet:
    """The layout for ``enterprises`` or a record kind slug. Raises NotFound."""
    if slug == ENTERPRISES:
        return Sheet(ENTERPRISES, "企业", ENTERPRISE_FIELDS)
    kind = KINDS.get(slug)
    if kind is None:
        raise NotFound("未知的导入类型。")
    return Sheet(slug, source_text(kind.label), (USCC_SPEC, ENTERPRISE_NAME_SPEC, *kind.fields))


def import_choices() -> list[tuple[str, str]]:
    """(slug, Chinese label) of everything that can be imported, enterprises first."""
    return [(ENTERPRISES, "企业")] + [(slug, kind.label) for slug, kind in KINDS.items()]


def header(spec: FieldSpec) -> str:
    return spec.header


# Example values by field name (codes for choices; shown through ``display`` as people type them).
_EXAMPLES = {
    ENTERPRISES: {"name": "临海市示例机械有限公司", "uscc": "91350100M000100Y43", "jurisdiction": "杜桥镇",
                  "industry": "汽车机械", "above_scale": True, "established_on": date(2012, 3, 15),
                  "legal_representative": "王某", "contact_name": "李某", "contact_phone": "0576-85000000",
                  "contact_email": "contact@example.cn", "address": "浙江省临海市杜桥镇示例路 1 号"},
    "standards": {"number": "T/ZZB 2109-2021", "title": "示例产品", "role": "lead", "status": "published",
                  "published_on": date(2021, 6, 1), "effective_on": date(2021, 7, 1)},
    "certifications": {"cert_type": "pinzibiao", "number": "CZJM2022P10001", "issuer": "浙江公信认证有限公司",
                       "scope": "示例产品", "issued_on": date(2022, 3, 1), "expires_on": date(2025, 2, 28),
                       "status": "valid"},
    "honours": {"honour_type": "qianjiang_cup", "level": "provincial", "year": 2022, "awarded_on": date(2022, 12, 1),
                "title": "示例工程", "issuer": "浙江省建筑业行业协会"},
    "patents": {"number": "201710601862.3", "title": "一种示例装置", "filed_on": date(2017, 7, 20),
                "granted_on": date(2019, 3, 1), "status": "granted"},
    "trademarks": {"reg_number": "30000001", "nice_class": 7, "mark": "临海牌", "registered_on": date(2021, 4, 1),
                   "expires_on": date(2031, 3, 31), "madrid": False, "geographical_indication": False},
    "gi-products": {"product_name": "临海蜜桔", "status": "applied", "cultivation_started_on": date(2021, 3, 1),
                    "applied_on": date(2022, 5, 10), "authority": "国家知识产权局"},
    "credit-records": {"list_type": "abnormal_operation", "listed_on": date(2023, 1, 10),
                       "authority": "临海市市场监督管理局", "reason": "未按时公示年度报告"},
    "incidents": {"occurred_on": date(2023, 5, 1), "kind": "failed_spot_check", "description": "监督抽查不合格"},
    "benefit-grades": {"year": 2024, "grade": "A", "authority": "临海市经济和信息化局", "note": "亩均效益综合评价"},
}
_RECORD_EXAMPLE_OWNER = {"uscc": "91350100M000100Y43", "enterprise_name": "临海市示例机械有限公司"}


def _note(spec: FieldSpec) -> str:
    parts = ["必填" if spec.required else "选填"]
    if spec.readonly:
        parts = ["系统生成，导入时忽略"]
    if spec.type == "date":
        parts.append("日期，如 2024-05-31")
    elif spec.type == "bool":
        parts.append("填“是”或“否”")
    elif spec.type == "int":
        parts.append("整数")
    elif spec.type == "choice" and spec.choices:
        parts.append("可选：" + "、".join(str(label) for label in spec.choices.values()))
    if spec.hint:
        parts.append(str(spec.hint))
    return ";".join(parts)


def _header_row(ws, sheet: Sheet) -> None:
    cells.append(ws, [header(spec) for spec in sheet.columns])
    for cell, spec in zip(ws[1], sheet.columns):
        cell.font = Font(bold=True, color="C00000" if spec.required else "000000")
        cell.fill = HEADER_FILL
        cell.comment = Comment(_note(spec), "登记平台")
        ws.column_dimensions[cell.column_letter].width = max(12, len(header(spec)) * 2 + 4)
    ws.freeze_panes = "A2"


@in_source_language
def build_template(slug: str) -> bytes:
    """A blank import workbook: the data sheet has only the header row (required headers in red, a note
    on each); a second sheet shows an example row and what each column accepts. Raises NotFound."""
    sheet = sheet_for(slug)
    example = {**(_RECORD_EXAMPLE_OWNER if slug != ENTERPRISES else {}), **_EXAMPLES.get(slug, {})}
    wb = Workbook()
    data = wb.active
    data.title = DATA_SHEET
    _header_row(data, sheet)
    guide = wb.create_sheet(EXAMPLE_SHEET)
    _header_row(guide, sheet)
    cells.append(guide, [display(spec, example.get(spec.name)) for spec in sheet.columns])
    cells.append(guide, [_note(spec) for spec in sheet.columns])
    guide.append([])
    cells.append(guide, ["请在“数据”工作表填写，每行一条；表头请勿修改。本工作表不会被导入。"])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
