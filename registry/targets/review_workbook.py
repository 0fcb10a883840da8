"""The .xlsx of a plan review: the indicators with baseline, yearly values, official figures, target and progress,
then the figures by town and by industry. Every cell goes through the inert cell writer."""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from registry.excel import cells
from registry.targets.workbooks import KIND_LABELS, column_widths, title_block

PACE = {True: "是", False: "否", None: ""}


def review_workbook(payload: dict, issued: str | None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "指标评估"
    years = payload["years"]
    subtitle = f"截至 {payload['as_of']}    时间进度 {payload['expected']}%    {issued or '草稿（未印发）'}"
    headers = ["类别", "指标", "单位", "类型", "十三五2020年完成情况", "基期值", "基期来源",
               *[f"{y}年末" for y in years], f"{years[-1]}年官方数据", "官方数据来源", "2025年目标",
               "完成进度（%）", "时间进度（%）", "是否达到进度"]
    title_block(ws, payload["title"], subtitle, headers)
    last = years[-1]
    for row in payload["rows"]:
        official = row["official"].get(last) or {}
        cells.append(ws, [row["category"], row["name"], row["unit"] or "", KIND_LABELS.get(row["kind"], row["kind"]),
                          row["previous_plan_result"], row["baseline"], row["baseline_source"],
                          *[row["values"].get(y) for y in years], official.get("value"), official.get("source", ""),
                          row["target"], row["progress"], row["expected"], PACE[row["on_track"]]])
    column_widths(ws, {1: 10, 2: 38, 7: 22})
    for key, title in (("towns", "镇街分布"), ("industries", "产业分布")):
        sheet = wb.create_sheet(title)
        columns = payload["breakdown_columns"]
        title_block(sheet, f"{payload['title']}·{title}", subtitle, ["名称", *[c["name"] for c in columns]])
        for place in payload[key]["rows"]:
            cells.append(sheet, [place["name"], *[place["values"].get(c["code"]) for c in columns]])
        column_widths(sheet, {1: 18})
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
