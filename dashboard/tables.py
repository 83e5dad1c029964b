"""The leaders' dashboard as tables: the page shows them and the Excel files are made from them,
so a downloaded file always has the page's figures and headers."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dashboard.selectors.school import SchoolFigures
from supervision.selectors.quarterly import Tally

Cell = int | str | Decimal | None


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    foot: list[Cell] | None = None  # the total row
    note: str = ""
    chart: str = field(default="", repr=False)  # filled in by the view: the SVG markup

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def cells(self) -> list[list[tuple[str, Cell]]]:
        """Each row's cells with their column header (a phone shows a row as label: value lines)."""
        return [list(zip(self.headers, row)) for row in self.rows]

    @property
    def foot_cells(self) -> list[tuple[str, Cell]]:
        return list(zip(self.headers, self.foot)) if self.foot else []


def _tally_rows(rows: list[Tally]) -> list[list[Cell]]:
    return [[t.label, t.total, t.closed, t.on_time, t.still_open, t.overdue_open, t.on_time_rate] for t in rows]


def _tally_headers(first: str) -> list[str]:
    return [first, _("任务总数"), _("已办结"), _("按期办结"), _("在办"), _("逾期未办结"), _("按时办结率（%）")]


def summary(f: SchoolFigures) -> Table:
    t, m, n = f.tasks_total, f.mailbox, f.notices_total
    return Table(
        "summary",
        _("概况"),
        [_("项目"), _("数值")],
        [
            [_("统计期内提交的议题（项）"), f.items_total],
            [_("形成决议（项）"), f.resolutions],
            [_("提交至决议天数（中位数）"), f.median_days],
            [_("召开会议（次）"), sum(b.meetings for b in f.bodies)],
            [_("研究议题（项）"), sum(b.decided for b in f.bodies)],
            [_("督查任务（项）"), t.total],
            [_("逾期未办结（项）"), t.overdue_open],
            [_("按时办结率（%）"), t.on_time_rate],
            [_("通报未读 / 回执"), f"{n.unread} / {n.receipts}"],
            [_("书记信箱回复率（%）"), m.percent],
        ],
    )


def stages(f: SchoolFigures) -> Table:
    return Table(
        "stages",
        _("议题分阶段"),
        [_("阶段"), _("议题数（项）")],
        [[s.label, s.count] for s in f.stages],
        foot=[_("合计"), f.items_total],
        note=_("统计期内提交的议题，按现在所处的阶段计数。"),
    )


def bodies(f: SchoolFigures) -> Table:
    return Table(
        "bodies",
        _("会议与决策"),
        [_("会议机构"), _("召开会议（次）"), _("研究议题（项）"), _("形成决议（项）"), _("提交至决议天数（中位数）")],
        [[b.name, b.meetings, b.decided, b.resolutions, b.median_days] for b in f.bodies],
        foot=[
            _("合计"),
            sum(b.meetings for b in f.bodies),
            sum(b.decided for b in f.bodies),
            f.resolutions,
            f.median_days,
        ],
        note=_("提交至决议天数 = 决议形成时间 − 议题提交时间（小时 ÷ 24），取统计期内各项决议的中位数。"),
    )


def tracks(f: SchoolFigures) -> Table:
    t = f.tasks_total
    return Table(
        "tracks",
        _("督查任务按督查类别"),
        _tally_headers(_("督查类别")),
        _tally_rows(f.by_track),
        foot=_tally_rows([t])[0],
    )


def departments(f: SchoolFigures) -> Table:
    t = f.tasks_total
    return Table(
        "departments",
        _("督查任务按牵头部门"),
        _tally_headers(_("牵头部门")),
        _tally_rows(f.by_department),
        foot=_tally_rows([t])[0] if f.by_department else None,
    )


def notices(f: SchoolFigures) -> Table:
    n = f.notices_total
    return Table(
        "notices",
        _("通报阅读情况"),
        [_("通报层级"), _("通报（份）"), _("回执（人次）"), _("未读（人次）"), _("未读率（%）")],
        [[r.label, r.notices, r.receipts, r.unread, r.unread_rate] for r in f.notices],
        foot=[n.label, n.notices, n.receipts, n.unread, n.unread_rate],
    )


def mailbox(f: SchoolFigures) -> Table:
    m = f.mailbox
    return Table(
        "mailbox",
        _("书记信箱"),
        [pgettext("letters counted", "范围"), _("来信（封）"), _("已回复（封）"), _("回复率（%）")],
        [
            [_("统计期内"), m.letters, m.replied, m.percent],
            [_("累计（全部来信）"), m.all_letters, m.all_replied, m.all_percent],
        ],
    )


BUILDERS = {
    "summary": summary,
    "stages": stages,
    "bodies": bodies,
    "tracks": tracks,
    "departments": departments,
    "notices": notices,
    "mailbox": mailbox,
}


def tables(f: SchoolFigures) -> dict[str, Table]:
    return {key: build(f) for key, build in BUILDERS.items()}
