"""Small SVG charts drawn on the server (no JavaScript, no external assets, no inline styles: CSP-safe)."""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

GREEN, AMBER, BLUE, GREY, LINE, RED = "#2e7d32", "#d08a00", "#1f5fa8", "#e5e9ef", "#9aa5b1", "#c0392b"


def _num(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def _short(text: str, n: int = 16) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def share_bars(items: list[dict], title: str) -> Markup:
    """Horizontal bars of each indicator's share of its target (capped at 150%), a 100% line and the pace mark:
    a wide drawing (label beside the bar) and a narrow one for phones (label above the bar, whole), of which the
    stylesheet shows one, so the text stays readable at 390 px.

    ``items``: dicts with label, share (0..), expected_share (0..1 or None), on_pace (True/False/None).
    """
    return Markup(_share_bars_drawn(items, title, _WIDE) + _share_bars_drawn(items, title, _NARROW))


@dataclass(frozen=True)
class _BarLayout:
    """Geometry of one drawing of the share bars: where the label goes (beside the bar, or above it) and sizes."""
    css: str
    label_w: int  # 0: the label sits above its bar
    bar_w: int
    row_h: int
    top: int
    spare_w: int  # room right of the bars for the percentage
    spare_h: int
    label_chars: int
    label_y: int
    bar_y: int
    value_y: int
    font: int
    axis_font: int
    axis_fill: str
    axis_nudge: int  # the 100% label is drawn this far left of its line
    line_gap: int  # the 100% line stops this far above the bottom


_NARROW = _BarLayout("narrow", 0, 300, 40, 22, 56, 6, 26, 13, 18, 30, 13, 12, "#525b68", 16, 4)
_WIDE = _BarLayout("wide", 230, 420, 24, 24, 70, 10, 16, 15, 4, 15, 12, 11, LINE, 14, 6)


def _share_bars_drawn(items: list[dict], title: str, at: _BarLayout) -> str:
    x0, beside = at.label_w, at.label_w > 0
    width, height = x0 + at.bar_w + at.spare_w, at.top + at.row_h * len(items) + at.spare_h
    scale = at.bar_w / 1.5
    parts = [f'<svg class="chart {at.css}" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f'<text x="{x0}" y="14" font-size="{at.axis_font}" fill="{at.axis_fill}">0%</text>',
             f'<text x="{x0 + scale - at.axis_nudge:.0f}" y="14" font-size="{at.axis_font}" '
             f'fill="{at.axis_fill}">100%</text>']
    label_x = f'x="{x0 - 6}"' if beside else 'x="0"'
    anchor = ' text-anchor="end"' if beside else ''
    for n, item in enumerate(items):
        y = at.top + n * at.row_h
        share = max(0.0, min(item["share"] or 0.0, 1.5))
        colour = {True: GREEN, False: AMBER}.get(item.get("on_pace"), BLUE)
        parts.append(f'<text {label_x} y="{y + at.label_y}" font-size="{at.font}"{anchor} fill="#1f2933">'
                     f'{escape(_short(item["label"], at.label_chars))}<title>{escape(item["label"])}</title></text>')
        parts.append(f'<rect x="{x0}" y="{y + at.bar_y}" width="{at.bar_w}" height="14" fill="{GREY}"/>')
        parts.append(f'<rect x="{x0}" y="{y + at.bar_y}" width="{share * scale:.1f}" height="14" fill="{colour}"/>')
        if item.get("expected_share") is not None:
            x = x0 + min(item["expected_share"], 1.5) * scale
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y + at.bar_y - 3}" y2="{y + at.bar_y + 17}" '
                         f'stroke="{RED}" stroke-width="2"/>')
        parts.append(f'<text x="{x0 + at.bar_w + 5 + beside}" y="{y + at.value_y}" font-size="{at.font}" '
                     f'fill="#1f2933">{_num((item["share"] or 0) * 100)}%</text>')
    parts.append(f'<line x1="{x0 + scale:.1f}" x2="{x0 + scale:.1f}" y1="18" y2="{height - at.line_gap}" '
                 f'stroke="{LINE}" stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return "".join(parts)


def year_bars(values: list[float | None], target: float | None, title: str) -> Markup:
    """A sparkline of five yearly bars (2021-2025) against a dashed target line."""
    width, height, gap = 110, 34, 4
    known = [v for v in values if v is not None]
    top = max([*known, target or 0, 1])
    bar = (width - gap * (len(values) - 1)) / len(values)
    parts = [f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">']
    for n, value in enumerate(values):
        x = n * (bar + gap)
        if value is None:
            parts.append(f'<rect x="{x:.1f}" y="{height - 2}" width="{bar:.1f}" height="2" fill="{GREY}"/>')
            continue
        h = max(1.0, (height - 4) * value / top)
        parts.append(f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{BLUE}">'
                     f'<title>{2021 + n}: {_num(value)}</title></rect>')
    if target:
        y = height - (height - 4) * target / top
        parts.append(f'<line x1="0" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="{RED}" stroke-dasharray="3 2"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def score_bars(rows: list[dict], title: str) -> Markup:
    """Horizontal bars of each jurisdiction's assessment score, in ranking order."""
    ordered = sorted(rows, key=lambda r: (r["rank"], r["jurisdiction"]["code"]))
    label_w, bar_w, row_h = 130, 480, 22
    top_score = max([r["score"] for r in ordered] + [1])
    height = row_h * len(ordered) + 8
    parts = [f'<svg class="chart" viewBox="0 0 {label_w + bar_w + 70} {height}" width="100%" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">']
    for n, row in enumerate(ordered):
        y = n * row_h + 4
        w = bar_w * row["score"] / top_score
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" font-size="12" text-anchor="end" fill="#1f2933">'
                     f'{row["rank"]}. {escape(row["jurisdiction"]["name"])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="14" fill="{BLUE}"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 13}" font-size="12" fill="#1f2933">'
                     f'{_num(row["score"])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def path_chart(values: dict[int, float | None], baseline: float | None, target: float | None, title: str) -> Markup:
    """The value at the end of each plan year (dots joined by a line) against the straight path from the baseline
    at the end of 2020 to the 2025 target (dashed): above the dashes is ahead of the plan, below is behind."""
    width, height, pad = 150, 46, 5
    years = list(range(2020, 2026))
    points = {2020: baseline, **values}
    known = [v for v in points.values() if v is not None] + ([target] if target is not None else [])
    if not known:
        return Markup("")
    low, high = min(known + [0]), max(known + [1])
    span = (high - low) or 1

    def xy(year: int, value: float) -> tuple[float, float]:
        x = pad + (width - 2 * pad) * (year - 2020) / 5
        return x, height - pad - (height - 2 * pad) * (value - low) / span

    parts = [f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">']
    if target is not None and baseline is not None:
        (x1, y1), (x2, y2) = xy(2020, baseline), xy(2025, target)
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{RED}" '
                     f'stroke-dasharray="3 2"/>')
    line = [xy(y, points[y]) for y in years if points.get(y) is not None]
    if len(line) > 1:
        parts.append(f'<polyline fill="none" stroke="{BLUE}" stroke-width="2" '
                     f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in line)}"/>')
    for year in years:
        if points.get(year) is not None:
            x, y = xy(year, points[year])
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{BLUE}">'
                         f'<title>{year}: {_num(points[year])}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))
