"""The leaders' dashboard as tables: the page shows them and the Excel files are made from them,
so a downloaded file always has the page's figures and headers."""

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
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
    # Per cell, the list it counts (dashboard:figure_list), or None for a label or a rate.
    links: list[list[str | None]] | None = None
    foot_links: list[str | None] | None = None

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def cells(self) -> list[list[tuple[str, Cell, str | None]]]:
        """Each row's cells with their column header (a phone shows a row as label: value lines)
        and the link to what the cell counts."""
        links = self.links or [[None] * len(self.headers) for _row in self.rows]
        return [list(zip(self.headers, row, row_links, strict=False)) for row, row_links in zip(self.rows, links)]

    @property
    def foot_cells(self) -> list[tuple[str, Cell, str | None]]:
        if not self.foot:
            return []
        return list(zip(self.headers, self.foot, self.foot_links or [None] * len(self.headers), strict=False))


def figure_url(f: SchoolFigures, kind: str, **params) -> str:
    """The list behind a figure, with the page's own filters (year, part of the year, department)."""
    query = {"year": f.period.year}
    if f.period.part:
        query["part"] = f.period.part
    if f.department is not None:
        query["department"] = f.department.pk
    query.update({k: v for k, v in params.items() if v not in (None, "")})
    return reverse("dashboard:figure_list", args=[kind]) + "?" + urlencode(query)


def _tally_links(f: SchoolFigures, rows: list[Tally], **key) -> list[list[str | None]]:
    """Links for the counts of tally rows (label and rate unlinked); `key` names the row's filter."""
    out = []
    for t in rows:
        params = {name: (t.key if value is True else value) for name, value in key.items()}
        counts = [
            figure_url(f, "tasks", measure=m, **params)
            for m in ("total", "closed", "on_time", "still_open", "overdue_open")
        ]
        out.append([None, *counts, None])
    return out


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
        # The counts link to their lists; a median or a rate is not a count (its parts are linked
        # in the tables below).
        links=[
            [None, figure_url(f, "items")],
            [None, figure_url(f, "resolutions")],
            [None, None],
            [None, figure_url(f, "meetings")],
            [None, figure_url(f, "decided")],
            [None, figure_url(f, "tasks")],
            [None, figure_url(f, "tasks", measure="overdue_open")],
            [None, None],
            [None, None],
            [None, None],
        ],
    )


def stages(f: SchoolFigures) -> Table:
    return Table(
        "stages",
        _("议题分阶段"),
        [_("阶段"), _("议题数（项）")],
        [[s.label, s.count] for s in f.stages],
        foot=[_("合计"), f.items_total],
        links=[[None, figure_url(f, "items", state=s.state)] for s in f.stages],
        foot_links=[None, figure_url(f, "items")],
        note=_("统计期内提交的议题，按现在所处的阶段计数。"),
    )


def bodies(f: SchoolFigures) -> Table:
    return Table(
        "bodies",
        _("会议与决策"),
        [_("会议机构"), _("召开会议（次）"), _("研究议题（项）"), _("形成决议（项）"), _("提交至决议天数（中位数）")],
        [[b.name, b.meetings, b.decided, b.resolutions, b.median_days] for b in f.bodies],
        links=[
            [
                None,
                figure_url(f, "meetings", body=b.code),
                figure_url(f, "decided", body=b.code),
                figure_url(f, "resolutions", body=b.code),
                None,
            ]
            for b in f.bodies
        ],
        foot_links=[None, figure_url(f, "meetings"), figure_url(f, "decided"), figure_url(f, "resolutions"), None],
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
        links=_tally_links(f, f.by_track, track=True),
        foot_links=_tally_links(f, [t])[0],
    )


def departments(f: SchoolFigures) -> Table:
    t = f.tasks_total
    return Table(
        "departments",
        _("督查任务按牵头部门"),
        _tally_headers(_("牵头部门")),
        _tally_rows(f.by_department),
        foot=_tally_rows([t])[0] if f.by_department else None,
        links=_tally_links(f, f.by_department, lead=True),
        foot_links=_tally_links(f, [t])[0],
    )


def notices(f: SchoolFigures) -> Table:
    n = f.notices_total
    return Table(
        "notices",
        _("通报阅读情况"),
        [_("通报层级"), _("通报（份）"), _("回执（人次）"), _("未读（人次）"), _("未读率（%）")],
        [[r.label, r.notices, r.receipts, r.unread, r.unread_rate] for r in f.notices],
        foot=[n.label, n.notices, n.receipts, n.unread, n.unread_rate],
        links=[
            [
                None,
                figure_url(f, "notices", level=r.level),
                figure_url(f, "receipts", level=r.level),
                figure_url(f, "receipts", level=r.level, unread=1),
                None,
            ]
            for r in f.notices
        ],
        foot_links=[
            None,
            figure_url(f, "notices"),
            figure_url(f, "receipts"),
            figure_url(f, "receipts", unread=1),
            None,
        ],
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
        links=[
            [None, figure_url(f, "letters"), figure_url(f, "letters", replied=1), None],
            [None, figure_url(f, "letters", scope="all"), figure_url(f, "letters", scope="all", replied=1), None],
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
