"""学校数据： the leaders' dashboard figures for one period (a year, a quarter or a month) and,
if asked, one department.

`school_figures` compiles every figure into plain dataclasses; the page, its charts and the
Excel files all show what it returns (through `tables`), so they cannot disagree. A fixed number
of queries, whatever the number of rows.

As in the quarterly supervision report (supervision.selectors.quarterly), the figures are taken as
of one day: the period's last day once it is over, otherwise today; what happened after it is
not counted. Dates are school dates (settings.TIME_ZONE). How each figure is computed is
DEFINITIONS below, shown on the page and in every Excel file.
"""

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db import SubqueryCount
from dashboard.selectors import scopes
from dashboard.selectors.scopes import STAGES, Window
from notices.models import Notice
from org.models import Department, MeetingBody, User
from supervision.models import Letter
from supervision.selectors.branches import round1
from supervision.selectors.mailbox import percent, reply_rate_counts
from supervision.selectors.quarterly import Tally, rate, task_tallies

DEFINITIONS = [
    (
        gettext_lazy("统计日"),
        gettext_lazy("统计期已结束的，按统计期最后一天统计；未结束的，按今天统计。统计日之后发生的不计入。"),
    ),
    (
        gettext_lazy("可见范围"),
        gettext_lazy(
            "议题、决议和会议研究议题的数字只计入本人有权查阅的议题（根据权限均可阅可查）；督查任务、通报回执和来信按全校计数，涉密的只计入数字、不显示内容。"
        ),
    ),
    (
        gettext_lazy("部门筛选"),
        gettext_lazy(
            "选定部门时：议题按提交部门，督查任务按牵头部门，通报回执按接收人所在部门；会议次数和书记信箱不分部门。"
        ),
    ),
    (
        gettext_lazy("议题分阶段"),
        gettext_lazy("统计期内（至统计日）提交的议题，按其现在所处的阶段计数；草稿不计入。"),
    ),
    (
        gettext_lazy("提交至决议天数"),
        gettext_lazy(
            "统计期内（至统计日）形成的每项决议：决议形成时间 − 议题提交时间，以天计（小时 ÷ 24）；取中位数（按大小排列居中的一个，个数为偶数时取居中两个的平均），保留一位小数；没有决议时显示“—”。"
        ),
    ),
    (
        gettext_lazy("召开会议"),
        gettext_lazy("开会时间在统计期内（至统计日）且已散会的会议，按会议机构计数。"),
    ),
    (
        gettext_lazy("研究议题"),
        gettext_lazy(
            "统计期内（至统计日）会议作出结果的议程（通过、修改后通过、商议通过提交党委会、已学习/已听取、暂缓、未通过），按会议机构计数；撤出议程的不计入。"
        ),
    ),
    (gettext_lazy("形成决议"), gettext_lazy("统计期内（至统计日）形成的决议（有文号），按会议机构计数。")),
    (
        gettext_lazy("督查任务"),
        gettext_lazy(
            "与季度督查报告同一口径：至统计日已下达，且完成时限在统计期内、或在统计期内办结、或在统计期内仍在办理的任务。已办结 = 统计日或之前办结；按期办结 = 办结日期不晚于完成时限；在办 = 统计日尚未办结；逾期未办结 = 在办且完成时限早于统计日。"
        ),
    ),
    (
        gettext_lazy("按时办结率"),
        gettext_lazy(
            "按期办结数 ÷（已办结数 + 逾期未办结数）× 100%，保留一位小数；尚未到期的在办任务不计入；分母为 0 时显示“—”。"
        ),
    ),
    (
        gettext_lazy("通报未读"),
        gettext_lazy(
            "统计期内（至统计日）发布的通报，按通报层级：回执数 = 通报送达的人次；未读 = 到统计日结束仍未阅读的回执；未读率 = 未读 ÷ 回执数 × 100%，保留一位小数。"
        ),
    ),
    (
        gettext_lazy("书记信箱回复率"),
        gettext_lazy(
            "统计期内（至统计日）收到的来信中，至统计日已回复的比例，四舍五入到整数百分比；累计 = 全部来信中现已回复的比例；没有来信时为 100%。"
        ),
    ),
]


@dataclass(frozen=True)
class Period:
    """A year, one of its quarters, or one of its months."""

    year: int
    quarter: int | None = None
    month: int | None = None

    @property
    def start(self) -> dt.date:
        if self.month:
            return dt.date(self.year, self.month, 1)
        if self.quarter:
            return dt.date(self.year, 3 * self.quarter - 2, 1)
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        if self.month:
            last_month = self.month
        elif self.quarter:
            last_month = 3 * self.quarter
        else:
            last_month = 12
        if last_month == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, last_month + 1, 1) - dt.timedelta(days=1)

    @property
    def part(self) -> str:
        """The form's value for the part of the year: "", "q2", "m7"."""
        if self.month:
            return f"m{self.month}"
        if self.quarter:
            return f"q{self.quarter}"
        return ""

    @property
    def slug(self) -> str:
        return f"{self.year}-{self.part.upper()}" if self.part else str(self.year)

    @property
    def label(self) -> str:
        if self.month:
            return _("%(year)s年%(month)s月") % {"year": self.year, "month": self.month}
        if self.quarter:
            return _("%(year)s年第%(quarter)s季度") % {"year": self.year, "quarter": self.quarter}
        return _("%(year)s年") % {"year": self.year}


@dataclass(frozen=True)
class StageRow:
    state: str
    label: str
    count: int


@dataclass
class BodyRow:
    code: str
    name: str
    meetings: int = 0
    decided: int = 0
    resolutions: int = 0
    median_days: Decimal | None = None


@dataclass
class NoticeRow:
    level: str
    label: str
    notices: int = 0
    receipts: int = 0
    unread: int = 0

    @property
    def unread_rate(self) -> Decimal | None:
        return rate(self.unread, self.receipts)


@dataclass(frozen=True)
class Mailbox:
    letters: int
    replied: int
    all_letters: int
    all_replied: int

    @property
    def percent(self) -> int:
        return percent(self.replied, self.letters)

    @property
    def all_percent(self) -> int:
        return percent(self.all_replied, self.all_letters)


@dataclass
class SchoolFigures:
    period: Period
    department: Department | None
    as_of: dt.date
    generated_at: dt.datetime
    stages: list[StageRow]
    resolutions: int
    median_days: Decimal | None
    bodies: list[BodyRow]
    by_track: list[Tally]
    by_department: list[Tally]
    tasks_total: Tally
    notices: list[NoticeRow]
    notices_total: NoticeRow
    mailbox: Mailbox
    definitions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def items_total(self) -> int:
        return sum(s.count for s in self.stages)


def median_days(durations: list[dt.timedelta]) -> Decimal | None:
    """The median of `durations` in days (hours ÷ 24), rounded half up to one decimal."""
    if not durations:
        return None
    middle = statistics.median(Decimal(d.total_seconds()) / Decimal(86400) for d in durations)
    return round1(Decimal(middle))


def _stages(w: Window) -> list[StageRow]:
    counts = dict(
        scopes.submitted_items(w).order_by().values("state").annotate(n=Count("id")).values_list("state", "n")
    )
    return [StageRow(s.value, str(s.label), counts.get(s.value, 0)) for s in STAGES]


def _bodies(w: Window) -> tuple[list[BodyRow], list]:
    """Per meeting body: meetings held, items decided, resolutions and their median days. Two
    queries: the bodies with their counts, then the resolutions' times."""
    rows = {}
    for b in MeetingBody.objects.order_by("sort_order", "code").annotate(
        held=SubqueryCount(scopes.held_meetings(w).filter(body=OuterRef("pk"))),
        decided=SubqueryCount(scopes.decided_entries(w).filter(meeting__body=OuterRef("pk"))),
    ):
        rows[b.pk] = BodyRow(b.code, b.name)
        rows[b.pk].meetings = b.held
        rows[b.pk].decided = b.decided
    resolved = list(scopes.resolutions(w).order_by().values_list("body_id", "issued_at", "item__submitted_at"))
    for pk, row in rows.items():
        durations = [issued - submitted for body_id, issued, submitted in resolved if body_id == pk]
        row.resolutions = len(durations)
        row.median_days = median_days(durations)
    return list(rows.values()), [issued - submitted for _b, issued, submitted in resolved]


def _supervision(w: Window):
    """Tasks by track and by lead department, counted as the quarterly report counts them (its
    task scope and its Tally), for any period; counted in the database. One query."""
    return task_tallies(scopes.tasks(w), w.as_of, w.until)


def _notices(w: Window):
    """Receipts and unread receipts per notice level, counted in the database per notice (one row
    a notice, so no DISTINCT over the receipts). One query."""
    per_notice = (
        scopes.receipts(w)
        .order_by()
        .values("notice_id", "notice__level")
        .annotate(receipts=Count("id"), unread=Count("id", filter=scopes.unread_condition(w)))
    )
    rows = {value: NoticeRow(value, str(label)) for value, label in Notice.Level.choices}
    for n in per_notice:
        row = rows.get(n["notice__level"])
        if row is not None:
            row.notices += 1
            row.receipts += n["receipts"]
            row.unread += n["unread"]
    total = NoticeRow("total", _("合计"))
    for row in rows.values():
        total.notices += row.notices
        total.receipts += row.receipts
        total.unread += row.unread
    return list(rows.values()), total


def _mailbox(w: Window) -> Mailbox:
    """The period's letters and replies, and the reply rate over all letters. One query."""
    counts = Letter.objects.aggregate(
        total=Count("id", filter=scopes.letter_condition(w)),
        replied=Count("id", filter=scopes.letter_condition(w, replied=True)),
        **reply_rate_counts(),
    )
    return Mailbox(counts["total"], counts["replied"], counts["all_total"], counts["all_replied"])


def school_figures(
    user: User, period: Period, *, department: Department | None = None, today: dt.date | None = None
) -> SchoolFigures:
    """Every figure of the leaders' dashboard for `period` (and `department`), as `user` may see them."""
    w = Window.of(user, period, department=department, today=today)
    bodies, durations = _bodies(w)
    by_track, by_department, tasks_total = _supervision(w)
    notices, notices_total = _notices(w)
    return SchoolFigures(
        period=period,
        department=department,
        as_of=w.as_of,
        generated_at=timezone.now(),
        stages=_stages(w),
        resolutions=len(durations),
        median_days=median_days(durations),
        bodies=bodies,
        by_track=by_track,
        by_department=by_department,
        tasks_total=tasks_total,
        notices=notices,
        notices_total=notices_total,
        mailbox=_mailbox(w),
        definitions=[(str(term), str(text)) for term, text in DEFINITIONS],
    )
