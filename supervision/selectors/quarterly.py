"""The discipline committee's quarterly supervision report to the Party committee （季度督查报告）.

One function, `quarterly_report`, compiles every figure from the data into plain dataclasses;
the page, the PDF and the Excel file all show what it returns, so they cannot disagree.

The figures are taken as of one day, `as_of`: the quarter's last day once the quarter is over,
otherwise today. A report of a past quarter therefore says the same whenever it is made: what
happened after the quarter (a later closure, reply or escalation) is not counted. Dates are
school dates (settings.TIME_ZONE). The definitions on the page are DEFINITIONS below.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision import access
from supervision.models import Letter, PatrolFinding, Task, TaskEscalation, Track
from supervision.selectors.branches import BranchAverage, period_average, round1

can_read_report = access.can_read_report  # the rule lives in supervision.access


ESCALATION_LABELS = {
    0: gettext_lazy("未督办"),
    1: gettext_lazy("逾期提醒责任领导"),
    2: gettext_lazy("提请督查部门督办"),
    3: gettext_lazy("升级督办（不落实）"),
}

CONFIDENTIAL_TITLE = gettext_lazy("（涉密任务）")

# How each figure is computed: shown on the page, in the PDF and as the Excel file's last sheet.
DEFINITIONS = [
    (
        gettext_lazy("统计日"),
        gettext_lazy(
            "季度已结束的，按季度最后一天统计；季度未结束的，按今天统计。统计日之后的办结、回复、督办不计入。"
        ),
    ),
    (
        gettext_lazy("纳入统计的任务"),
        gettext_lazy(
            "至统计日已下达，且完成时限在本季度内、或在本季度内办结、或在本季度内仍在办理（季度开始前未办结）的督查任务，四类督查全部计入。"
        ),
    ),
    (gettext_lazy("已办结"), gettext_lazy("统计日当天或之前办结的任务（含季度开始前提前办结、时限在本季度的任务）。")),
    (gettext_lazy("按期办结"), gettext_lazy("已办结，且办结日期不晚于完成时限。")),
    (gettext_lazy("在办"), gettext_lazy("统计日尚未办结的任务（含逾期未办结的）。已办结 + 在办 = 任务总数。")),
    (gettext_lazy("逾期未办结"), gettext_lazy("在办任务中，完成时限早于统计日的；逾期天数 = 统计日 − 完成时限。")),
    (
        gettext_lazy("按时办结率"),
        gettext_lazy(
            "按期办结数 ÷（已办结数 + 逾期未办结数）× 100%，保留一位小数；尚未到期的在办任务不计入；分母为 0 时显示“—”。"
        ),
    ),
    (
        gettext_lazy("督办等级"),
        gettext_lazy(
            "统计日时任务达到的最高督办等级：1 逾期提醒责任领导，2 提请督查部门督办，3 升级督办（不落实，报党委书记）。"
        ),
    ),
    (
        gettext_lazy("本季度督办"),
        gettext_lazy("本季度内（至统计日）记录的每一次督办升级，含系统自动督办和督查部门升级督办。"),
    ),
    (
        gettext_lazy("书记信箱"),
        gettext_lazy(
            "本季度内（至统计日）收到的来信；回复率 = 至统计日已回复的来信 ÷ 来信总数；转为任务 = 至统计日已据此下达督查任务的来信。"
        ),
    ),
    (
        gettext_lazy("校园周巡查"),
        gettext_lazy("巡查日期在本季度内（至统计日）的巡查发现；转为任务 = 至统计日已据此下达督查任务的发现。"),
    ),
    (
        gettext_lazy("支部建设"),
        gettext_lazy(
            "本季度三个月的支部月度检查（按检查所属月份）；平均得分 = 各次检查“得分 ÷ 满分 × 100”的平均值，保留一位小数；未检查的月份不计入。"
        ),
    ),
    (gettext_lazy("涉密任务"), gettext_lazy("计入各项数字，但在任务清单中不显示名称和督办理由。")),
]


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        if self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    @property
    def months(self) -> list[int]:
        return [3 * self.quarter - 2, 3 * self.quarter - 1, 3 * self.quarter]

    @property
    def label(self) -> str:
        return _("%(year)s年第%(quarter)s季度") % {"year": self.year, "quarter": self.quarter}


def quarter_of(day: dt.date) -> Period:
    return Period(day.year, (day.month - 1) // 3 + 1)


def rate(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a percentage, rounded half up to one decimal; None when whole is 0."""
    if not whole:
        return None
    return round1(Decimal(part) * 100 / Decimal(whole))


@dataclass
class Tally:
    """One row of the per-track or per-department table."""

    key: str
    label: str
    total: int = 0
    closed: int = 0
    on_time: int = 0
    overdue_open: int = 0
    still_open: int = 0

    @property
    def judged(self) -> int:
        return self.closed + self.overdue_open

    @property
    def on_time_rate(self) -> Decimal | None:
        return rate(self.on_time, self.judged)


@dataclass(frozen=True)
class OverdueTask:
    pk: int
    title: str  # "(涉密任务)" for a confidential task
    confidential: bool
    track: str
    department: str
    leader: str
    deadline: dt.date
    days_overdue: int
    level: int
    level_label: str


@dataclass(frozen=True)
class EscalationRow:
    at: dt.datetime
    task_pk: int
    title: str
    department: str
    level: int
    level_label: str
    by: str
    reason: str


@dataclass
class QuarterReport:
    period: Period
    as_of: dt.date
    generated_at: dt.datetime
    by_track: list[Tally]
    by_department: list[Tally]
    total: Tally
    overdue: list[OverdueTask]
    escalations: list[EscalationRow]
    escalation_counts: list[tuple[int, str, int]]  # (level, label, how many in the quarter)
    letters: int
    letters_replied: int
    letters_tasked: int
    findings: int
    findings_tasked: int
    branch_checks: int
    branch_average: Decimal | None
    branch_rows: list[BranchAverage] = field(default_factory=list)
    definitions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def letters_reply_rate(self) -> Decimal | None:
        return rate(self.letters_replied, self.letters)

    @property
    def findings_task_rate(self) -> Decimal | None:
        return rate(self.findings_tasked, self.findings)


def school_midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in school time."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def tasks_in_scope(start: dt.date, end: dt.date, until: dt.datetime):
    """The tasks counted for a period from `start` to `end`, as of the day before `until`: given by
    then, and due in the period, closed in it or still open at its start. Unordered."""
    return Task.objects.filter(created_at__lt=until).filter(
        Q(deadline__gte=start, deadline__lte=end) | Q(closed_at__isnull=True) | Q(closed_at__gte=school_midnight(start))
    )


def escalations_in(start_at: dt.datetime, until: dt.datetime):
    """The escalations recorded in the period up to `until` (automatic and by hand). Unordered."""
    return TaskEscalation.objects.filter(created_at__gte=start_at, created_at__lt=until)


def letters_in(start_at: dt.datetime, until: dt.datetime):
    """The letters received in the period up to `until`. Unordered."""
    return Letter.objects.filter(created_at__gte=start_at, created_at__lt=until)


def letter_conditions(until: dt.datetime) -> dict[str, Q]:
    """Of those letters, the ones replied and the ones turned into a task, as of `until`."""
    # (An Exists annotation referred to in an aggregate's filter is dropped from the SQL by
    # Django 5.2; inside Q it stays.)
    tasks = Task.objects.filter(letter=OuterRef("pk"), created_at__lt=until)
    return {"replied": Q(replied_at__lt=until), "tasked": Q(Exists(tasks))}


def findings_in(start: dt.date, as_of: dt.date):
    """The patrol findings of the period's days up to `as_of`. Unordered."""
    return PatrolFinding.objects.filter(patrolled_on__gte=start, patrolled_on__lte=as_of)


def finding_tasked(until: dt.datetime) -> Q:
    """A finding turned into a task by `until`."""
    return Q(Exists(Task.objects.filter(finding=OuterRef("pk"), created_at__lt=until)))


def level_then(until: dt.datetime) -> Coalesce:
    """A task's highest escalation level recorded before `until` (0 if none), as a subquery."""
    levels = TaskEscalation.objects.filter(task=OuterRef("pk"), created_at__lt=until).order_by("-level").values("level")
    return Coalesce(Subquery(levels[:1]), Value(0))


def task_conditions(as_of: dt.date, until: dt.datetime) -> dict[str, Q]:
    """Each Tally count's condition on a task, as of `as_of` (`until` is the next school midnight)."""
    closed = Q(closed_at__lt=until)
    # The school date of the closure is not after the deadline.
    closed_day = TruncDate("closed_at", tzinfo=timezone.get_default_timezone())
    still_open = Q(closed_at__isnull=True) | Q(closed_at__gte=until)
    return {
        "closed": closed,
        "on_time": closed & Q(LessThanOrEqual(closed_day, F("deadline"))),
        "overdue_open": still_open & Q(deadline__lt=as_of),
        "still_open": still_open,
    }


TALLY_GROUP = ("track", "lead_department_id", "lead_department__name", "lead_department__sort_order")


def tally_counts(conditions: dict[str, Q]) -> dict:
    return {"total": Count("id")} | {name: Count("id", filter=q) for name, q in conditions.items()}


def tally_groups(groups) -> tuple[list[Tally], list[Tally], Tally]:
    """By track, by lead department (in department order) and in total, from rows of TALLY_GROUP
    with their counts (`tally_counts`); a track or department may come in several rows."""
    tracks = {value: Tally(value, str(label)) for value, label in Track.choices}
    departments: dict[int, tuple[tuple[int, str], Tally]] = {}
    total = Tally("total", _("合计"))
    for g in groups:
        pk, name = g["lead_department_id"], g["lead_department__name"]
        if pk not in departments:
            departments[pk] = ((g["lead_department__sort_order"], name), Tally(str(pk), name))
        for row in (tracks[g["track"]], departments[pk][1], total):
            row.total += g["total"]
            row.closed += g["closed"]
            row.on_time += g["on_time"]
            row.still_open += g["still_open"]
            row.overdue_open += g["overdue_open"]
    by_department = [t for _key, t in sorted(departments.values(), key=lambda kv: kv[0])]
    return list(tracks.values()), by_department, total


def task_tallies(tasks, as_of: dt.date, until: dt.datetime) -> tuple[list[Tally], list[Tally], Tally]:
    """`tally_groups` of `tasks` (from `tasks_in_scope`), counted in the database. One query."""
    groups = tasks.order_by().values(*TALLY_GROUP).annotate(**tally_counts(task_conditions(as_of, until)))
    return tally_groups(groups)


def quarterly_report(year: int, quarter: int, *, today: dt.date | None = None) -> QuarterReport:
    """Every figure of the quarter's report. Five queries, whatever the number of rows."""
    period = Period(year, quarter)
    today = today or timezone.localdate(timezone=timezone.get_default_timezone())
    as_of = min(today, period.end)
    start_at, until = school_midnight(period.start), school_midnight(as_of + dt.timedelta(days=1))

    # One query for the tallies and the overdue list: the tasks are counted in groups by track and
    # department, except that each overdue open task (listed) is a group of its own.
    conditions = task_conditions(as_of, until)
    late = conditions["overdue_open"]

    def if_late(expression):
        return Case(When(late, then=expression))

    groups = list(
        tasks_in_scope(period.start, period.end, until)
        .order_by()
        .values(
            *TALLY_GROUP,
            late_pk=if_late(F("pk")),
            late_title=if_late(F("title")),
            late_confidential=if_late(F("confidential")),
            late_deadline=if_late(F("deadline")),
            late_leader_name=if_late(F("responsible_leader__name")),
            late_leader_username=if_late(F("responsible_leader__username")),
        )
        .annotate(**tally_counts(conditions), late_level=Max(if_late(level_then(until))))
    )
    by_track, by_department, total = tally_groups(groups)
    track_labels = {value: str(label) for value, label in Track.choices}
    overdue = [
        OverdueTask(
            pk=g["late_pk"],
            title=str(CONFIDENTIAL_TITLE) if g["late_confidential"] else g["late_title"],
            confidential=g["late_confidential"],
            track=track_labels[g["track"]],
            department=g["lead_department__name"],
            leader=g["late_leader_name"] or g["late_leader_username"],
            deadline=g["late_deadline"],
            days_overdue=(as_of - g["late_deadline"]).days,
            level=g["late_level"],
            level_label=str(ESCALATION_LABELS.get(g["late_level"], g["late_level"])),
        )
        for g in groups
        if g["late_pk"] is not None
    ]
    overdue.sort(key=lambda t: (-t.days_overdue, t.department, t.pk))

    escalations = [
        EscalationRow(
            at=e.created_at,
            task_pk=e.task_id,
            title=str(CONFIDENTIAL_TITLE) if e.task.confidential else e.task.title,
            department=e.task.lead_department.name,
            level=e.level,
            level_label=str(ESCALATION_LABELS.get(e.level, e.level)),
            by=str(e.by) if e.by else _("系统自动督办"),
            reason="" if e.task.confidential else e.reason,
        )
        for e in escalations_in(start_at, until)
        .select_related("task__lead_department", "by")
        .order_by("created_at", "id")
    ]
    per_level = dict.fromkeys((1, 2, 3), 0)
    for e in escalations:
        per_level[e.level] = per_level.get(e.level, 0) + 1
    escalation_counts = [(lvl, str(ESCALATION_LABELS.get(lvl, lvl)), n) for lvl, n in sorted(per_level.items())]

    letters = letters_in(start_at, until).aggregate(
        total=Count("id"), **{name: Count("id", filter=q) for name, q in letter_conditions(until).items()}
    )
    findings = findings_in(period.start, as_of).aggregate(
        total=Count("id"), tasked=Count("id", filter=finding_tasked(until))
    )
    branch_checks, branch_average, branch_rows = period_average(year, period.months)

    return QuarterReport(
        period=period,
        as_of=as_of,
        generated_at=timezone.now(),
        by_track=by_track,
        by_department=by_department,
        total=total,
        overdue=overdue,
        escalations=escalations,
        escalation_counts=escalation_counts,
        letters=letters["total"],
        letters_replied=letters["replied"],
        letters_tasked=letters["tasked"],
        findings=findings["total"],
        findings_tasked=findings["tasked"],
        branch_checks=branch_checks,
        branch_average=branch_average,
        branch_rows=branch_rows,
        definitions=[(str(term), str(text)) for term, text in DEFINITIONS],
    )
