"""Excel workbooks (.xlsx, openpyxl) of the dashboard, the town assessment and the counted records:
Chinese headers, the as-of date and scope on top of every sheet."""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from registry.excel import cells
from registry.targets.counting import PLAN_YEARS
from registry.vocab import CERTIFICATION_TYPES, ENTERPRISE_ROLES, HONOUR_LEVELS, HONOUR_TYPES

KIND_LABELS = {"new": "新增", "cumulative": "累计", "rate": "比例", "growth": "同比增长"}
METHOD_LABELS = {"derived": "登记库统计", "reported": "填报"}
HEAD_FILL = PatternFill("solid", fgColor="DDE7F3")

DASHBOARD_HEADERS = ["类别", "指标代码", "指标", "单位", "类型", "取数方式", "2025年目标", "当前值",
                     *[f"{y}年" for y in PLAN_YEARS], "完成率", "进度要求值", "是否达到进度", "2025年预测",
                     "登记库计数", "统计口径", "官方数据", "官方数据年度", "官方数据来源", "差额（登记库−官方）"]
RECORD_HEADERS = ["序号", "记录类型", "编号/级别", "名称", "企业", "起算日期"]


def title_block(ws, title: str, subtitle: str, headers: list[str]) -> None:
    cells.append(ws, [title])
    ws["A1"].font = Font(bold=True, size=13)
    cells.append(ws, [subtitle])
    cells.append(ws, headers)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = "A4"


def column_widths(ws, widths: dict[int, int]) -> None:
    for col in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(col, 11)


def scope_text(as_of: str, jurisdiction: str | None, industry: str | None) -> str:
    return f"截至日期：{as_of}    范围：{jurisdiction or '全市'}    产业：{industry or '全部产业'}"


def _rule_text(row: dict) -> str:
    """The 统计口径 with its 其中 figures (主导 / 参与), as the dashboard shows them under the indicator."""
    parts = "".join(f"；{p['label']}：{p['value']}" for p in row.get("parts", ()))
    return (row["rule_label"] or "") + parts


def _official_cells(row: dict) -> list:
    official = row.get("official")
    if not official:
        return ["", "", "", ""]
    return [official["value"], official["year"], official["source"], official["difference"]]


def dashboard_sheet(wb: Workbook, rows: list[dict], scope: str, first: bool = True):
    ws = wb.active if first else wb.create_sheet()
    ws.title = "指标总览"
    title_block(ws, "临海市质量发展“十四五”规划主要指标完成情况", scope, DASHBOARD_HEADERS)
    for r in rows:
        pace = {True: "是", False: "否"}.get(r["on_pace"], "")
        cells.append(ws, [r["category"], r["code"], r["name"], r["unit"] or "", KIND_LABELS.get(r["kind"], r["kind"]),
                   METHOD_LABELS.get(r["method"], r["method"]), r["target"], r["value"],
                   *[r["by_year"].get(y, r["by_year"].get(str(y))) for y in PLAN_YEARS],
                   r["share"], r["expected"], pace, r["projection"], r["registry_count"], _rule_text(r), *_official_cells(r)])
        ws.cell(ws.max_row, 14).number_format = "0.0%"
    column_widths(ws, {1: 10, 2: 10, 3: 38, 20: 40})
    return ws


def towns_sheet(wb: Workbook, assessment: dict, scope: str, first: bool = True):
    ws = wb.active if first else wb.create_sheet()
    ws.title = "镇街考核"
    headers = ["镇街", "代码"]
    for ind in assessment["indicators"]:
        headers += [f"{ind['name']}（本期）", "上年同期", "同比变化"]
    headers += ["目标贡献分", "上年同期得分", "得分变化", "排名", "上年排名"]
    title_block(ws, "临海市质量发展目标镇街（开发区）考核", f"{scope}    对比日期：{assessment['compared_with']}", headers)
    for row in assessment["rows"]:
        line = [row["jurisdiction"]["name"], row["jurisdiction"]["code"]]
        for ind in assessment["indicators"]:
            cell = row["cells"][ind["code"]]
            line += [cell["value"], cell["before"], cell["change"]]
        line += [row["score"], row["score_before"], row["score_change"], row["rank"], row["rank_before"]]
        cells.append(ws, line)
    column_widths(ws, {1: 16})
    return ws


def describe(item: dict) -> tuple[str, str, str]:
    """(record type, number/level, name) of a counted record, in Chinese."""
    source = item["source"]
    if source == "honour":
        return HONOUR_TYPES.label(item["kind_code"]), HONOUR_LEVELS.label(item["number"]), item["title"] or ""
    if source == "standard":
        return f"标准（{ENTERPRISE_ROLES.label(item['kind_code'])}）", item["number"], item["title"] or ""
    if source == "certificate":
        return "认证证书", item["number"], item["title"] or (item["kind_code"] or "")
    if source == "first_certificate":
        return f"企业（{CERTIFICATION_TYPES.label(item['kind_code'])}）", item["number"], ""
    if source == "gi_product":
        return "地理标志产品保护", item["number"] or "", item["title"] or ""
    return "商标", item["number"], item["title"] or ""


def records_sheet(wb: Workbook, code: str, name: str, items: list[dict], scope: str):
    ws = wb.create_sheet(title=f"{code} 明细"[:31])
    title_block(ws, f"{name}：统计明细（共 {len(items)} 条）", scope, RECORD_HEADERS)
    for n, item in enumerate(items, start=1):
        kind, number, title = describe(item)
        cells.append(ws, [n, kind, number, title, "、".join(e["name"] for e in item["enterprises"]),
                   item["start"].isoformat() if item["start"] else ""])
    column_widths(ws, {3: 22, 4: 30, 5: 40, 6: 12})
    return ws


def to_bytes(wb: Workbook) -> bytes:
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def dashboard_workbook(rows: list[dict], scope: str) -> bytes:
    wb = Workbook()
    dashboard_sheet(wb, rows, scope)
    return to_bytes(wb)


def towns_workbook(assessment: dict, scope: str) -> bytes:
    wb = Workbook()
    towns_sheet(wb, assessment, scope)
    return to_bytes(wb)
