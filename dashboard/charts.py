"""Charts drawn on the server as inline SVG: no JavaScript, no library, nothing from a CDN, no
style attributes (a strict Content-Security-Policy allows them as they are).

Each chart is a set of horizontal bars, one row per label, stacked or side by side, in a
viewBox 300 units wide shown at width 100%: on a 375 px phone one unit is about one pixel, so
the 11-unit text reads as 11 px. Every bar carries a <title> with its exact figure.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dashboard.selectors.school import SchoolFigures
from supervision.selectors.quarterly import Tally

WIDTH = 300
LABEL_RIGHT = 92  # labels end here (right-aligned): eight Chinese characters
BAR_X = 98
BAR_W = 168  # leaves 34 units for the figure at the end of the bar
FONT = 11

BLUE, GREEN, ORANGE, RED, GREY, TEAL = "#0d6efd", "#198754", "#fd7e14", "#dc3545", "#adb5bd", "#20c997"


@dataclass(frozen=True)
class Series:
    name: str
    color: str


def text_width(text: str) -> float:
    """Roughly how wide `text` is at FONT: a Chinese character is one em, Latin about half."""
    return sum(FONT if ord(ch) > 0x2E80 else FONT * 0.6 for ch in text)


def fit(text: str, width: float) -> str:
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _number(value) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral() else str(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _legend(series: list[Series]) -> tuple[list[str], int]:
    parts, x, y = [], 0.0, 0
    for s in series:
        w = 14 + text_width(s.name) + 12
        if x and x + w > WIDTH:
            x, y = 0.0, y + 16
        parts.append(
            f'<rect x="{x:.0f}" y="{y + 2}" width="10" height="10" fill="{s.color}"/>'
            f'<text x="{x + 14:.0f}" y="{y + 11}" font-size="{FONT}" fill="#495057">{escape(s.name)}</text>'
        )
        x += w
    return parts, y + 16


def bar_chart(
    title: str, rows: list[tuple[str, list]], series: list[Series], *, stacked: bool = True, testid: str = ""
) -> SafeString:
    """Horizontal bars for `rows` of (label, one value per series). Empty markup when every value
    is 0: the page then says there is nothing to show."""
    values = [[float(v or 0) for v in vals] for _label, vals in rows]
    longest = max((sum(v) if stacked else max(v, default=0) for v in values), default=0)
    if longest <= 0:
        return mark_safe("")  # noqa: S308 - a constant
    scale = BAR_W / longest
    parts, top = _legend(series) if len(series) > 1 else ([], 0)
    top += 4
    bar_h = 14 if stacked else 9
    row_h = 22 if stacked else len(series) * (bar_h + 1) + 9
    for i, ((label, raw), vals) in enumerate(zip(rows, values)):
        y = top + i * row_h
        middle = y + (row_h - 4) / 2
        parts.append(
            f'<text x="{LABEL_RIGHT}" y="{middle + 4:.1f}" font-size="{FONT}" text-anchor="end" fill="#212529">'
            f"<title>{escape(label)}</title>{escape(fit(label, LABEL_RIGHT))}</text>"
        )
        x = BAR_X
        for j, (s, v) in enumerate(zip(series, vals)):
            w = v * scale
            by = y + 2 if stacked else y + 2 + j * (bar_h + 1)
            if w > 0:
                tip = f"{label} · {s.name}：{_number(raw[j])}" if len(series) > 1 else f"{label}：{_number(raw[j])}"
                parts.append(
                    f'<rect x="{x:.1f}" y="{by}" width="{w:.1f}" height="{bar_h}" fill="{s.color}">'
                    f"<title>{escape(tip)}</title></rect>"
                )
            if stacked:
                x += w
            else:
                parts.append(
                    f'<text x="{x + w + 3:.1f}" y="{by + bar_h - 1}" font-size="{FONT - 2}" fill="#495057">'
                    f"{escape(_number(raw[j]))}</text>"
                )
        if stacked:
            total = sum(v for v in raw if v)
            parts.append(
                f'<text x="{x + 4:.1f}" y="{y + 2 + bar_h - 3}" font-size="{FONT}" fill="#212529">'
                f"{escape(_number(total))}</text>"
            )
    height = top + len(rows) * row_h + 2
    test = f' data-testid="{escape(testid)}"' if testid else ""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'role="img" aria-label="{escape(title)}" class="chart"{test}>'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text in it is escaped above


def _tally_series() -> list[Series]:
    return [
        Series(_("按期办结"), GREEN),
        Series(_("逾期办结"), ORANGE),
        Series(_("逾期未办结"), RED),
        Series(_("在办未到期"), GREY),
    ]


def _tally_values(t: Tally) -> list[int]:
    return [t.on_time, t.closed - t.on_time, t.overdue_open, t.still_open - t.overdue_open]


def charts(f: SchoolFigures) -> dict[str, SafeString]:
    """One chart per table of the page (the summary and the mailbox get theirs too)."""
    return {
        "stages": bar_chart(
            _("议题分阶段"),
            [(s.label, [s.count]) for s in f.stages if s.count],
            [Series(_("议题数"), BLUE)],
            testid="chart-stages",
        ),
        "bodies": bar_chart(
            _("会议与决策"),
            [(b.name, [b.meetings, b.decided, b.resolutions]) for b in f.bodies],
            [Series(_("召开会议"), BLUE), Series(_("研究议题"), TEAL), Series(_("形成决议"), ORANGE)],
            stacked=False,
            testid="chart-bodies",
        ),
        "tracks": bar_chart(
            _("督查任务按督查类别"),
            [(t.label, _tally_values(t)) for t in f.by_track],
            _tally_series(),
            testid="chart-tracks",
        ),
        "departments": bar_chart(
            _("督查任务按牵头部门"),
            [(t.label, _tally_values(t)) for t in f.by_department],
            _tally_series(),
            testid="chart-departments",
        ),
        "notices": bar_chart(
            _("通报阅读情况"),
            [(r.label.split("·")[0], [r.receipts - r.unread, r.unread]) for r in f.notices],
            [Series(_("已读"), GREEN), Series(_("未读"), RED)],
            testid="chart-notices",
        ),
        "mailbox": bar_chart(
            _("书记信箱"),
            [
                (_("统计期内"), [f.mailbox.replied, f.mailbox.letters - f.mailbox.replied]),
                (_("累计"), [f.mailbox.all_replied, f.mailbox.all_letters - f.mailbox.all_replied]),
            ],
            [Series(_("已回复"), GREEN), Series(_("待回复"), RED)],
            testid="chart-mailbox",
        ),
    }
