"""纪委半年督查报告: the figures of the discipline committee's half-year report, compiled from the
data with the quarterly report's definitions (supervision.selectors.quarterly), over six months.

    tasks by track and by state; overdue and escalated; letters, replies (anonymous ones counted)
    and on-time replies; patrol coverage of the campus areas and findings not closed; 决而未果
    (tasks from resolutions still open past their deadline); key-area supervision.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from supervision.models import KeyArea, KeyAreaCheck, Letter, PatrolArea, PatrolFinding, Task, TaskEscalation
from supervision.selectors.quarterly import (
    CONFIDENTIAL_TITLE,
    Tally,
    rate,
    school_midnight,
    task_conditions,
    task_tallies,
    tasks_in_scope,
)


@dataclass(frozen=True)
class HalfYear:
    year: int
    half: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 6, 30) if self.half == 1 else dt.date(self.year, 12, 31)

    @property
    def label(self) -> str:
        half = _("上半年") if self.half == 1 else _("下半年")
        return _("%(year)s年%(half)s") % {"year": self.year, "half": half}


def half_of(day: dt.date) -> HalfYear:
    return HalfYear(day.year, 1 if day.month <= 6 else 2)


@dataclass(frozen=True)
class Unfulfilled:
    pk: int
    title: str
    department: str
    deadline: dt.date
    days_overdue: int


@dataclass
class HalfYearReport:
    period: HalfYear
    as_of: dt.date
    by_track: list[Tally]
    total: Tally
    by_state: list[tuple[str, int]]
    escalations: int
    letters: int
    letters_anonymous: int
    letters_replied: int
    letters_on_time: int
    areas_total: int
    areas_covered: int
    uncovered: list[str]
    findings: int
    findings_open: int
    unfulfilled: list[Unfulfilled]
    key_areas: list[tuple[str, int, int]]  # (area label, checks, with presence)
    key_area_checks: list[KeyAreaCheck] = field(default_factory=list)

    @property
    def letters_reply_rate(self):
        return rate(self.letters_replied, self.letters)

    @property
    def letters_on_time_rate(self):
        return rate(self.letters_on_time, self.letters)

    @property
    def coverage_rate(self):
        return rate(self.areas_covered, self.areas_total)


def halfyear_report(year: int, half: int, *, today: dt.date | None = None) -> HalfYearReport:
    period = HalfYear(year, half)
    today = today or timezone.localdate(timezone=timezone.get_default_timezone())
    as_of = min(today, period.end)
    start_at, until = school_midnight(period.start), school_midnight(as_of + dt.timedelta(days=1))

    tasks = tasks_in_scope(period.start, period.end, until)
    by_track, _by_department, total = task_tallies(tasks, as_of, until)
    states = dict(tasks.order_by().values_list("state").annotate(n=Count("id")))
    by_state = [(str(label), states.get(value, 0)) for value, label in Task.State.choices]
    escalations = TaskEscalation.objects.filter(created_at__gte=start_at, created_at__lt=until).count()

    replied_day = TruncDate("replied_at", tzinfo=timezone.get_default_timezone())
    replied = Q(replied_at__lt=until)
    letters = Letter.objects.filter(created_at__gte=start_at, created_at__lt=until).aggregate(
        total=Count("id"),
        anonymous=Count("id", filter=Q(anonymous=True)),
        replied=Count("id", filter=replied),
        on_time=Count("id", filter=replied & Q(LessThanOrEqual(replied_day, F("reply_due")))),
    )

    in_half = Q(records__patrolled_at__gte=start_at, records__patrolled_at__lt=until)
    areas = list(
        PatrolArea.objects.filter(active=True).annotate(n=Count("records", filter=in_half)).order_by("position", "name")
    )
    findings = PatrolFinding.objects.filter(patrolled_on__gte=period.start, patrolled_on__lte=as_of)
    any_task = Task.objects.filter(finding=OuterRef("pk"))
    open_task = Task.objects.filter(finding=OuterRef("pk")).exclude(state=Task.State.CLOSED)
    finding_counts = findings.aggregate(
        total=Count("id"), open=Count("id", filter=Q(Exists(open_task)) | ~Q(Exists(any_task)))
    )

    late = task_conditions(as_of, until)["overdue_open"]
    unfulfilled = [
        Unfulfilled(
            pk=t.pk,
            title=str(CONFIDENTIAL_TITLE) if t.confidential else t.title,
            department=t.lead_department.name,
            deadline=t.deadline,
            days_overdue=(as_of - t.deadline).days,
        )
        for t in tasks.filter(late, source=Task.Source.RESOLUTION)
        .select_related("lead_department")
        .order_by("deadline", "pk")
    ]

    checks = list(
        KeyAreaCheck.objects.filter(held_on__gte=period.start, held_on__lte=as_of)
        .select_related("recorded_by")
        .order_by("held_on", "id")
    )
    key_areas = [
        (str(label), sum(1 for c in checks if c.area == value), sum(1 for c in checks if c.area == value and c.present))
        for value, label in KeyArea.choices
    ]
    return HalfYearReport(
        period=period,
        as_of=as_of,
        by_track=by_track,
        total=total,
        by_state=by_state,
        escalations=escalations,
        letters=letters["total"],
        letters_anonymous=letters["anonymous"],
        letters_replied=letters["replied"],
        letters_on_time=letters["on_time"],
        areas_total=len(areas),
        areas_covered=sum(1 for a in areas if a.n),
        uncovered=[a.name for a in areas if not a.n],
        findings=finding_counts["total"],
        findings_open=finding_counts["open"],
        unfulfilled=unfulfilled,
        key_areas=key_areas,
        key_area_checks=checks,
    )


def summary_text(r: HalfYearReport) -> str:
    """The figures as plain text: the agenda item's background when the report is filed."""
    t = r.total
    lines = [
        _("%(period)s督查工作情况（统计日 %(as_of)s）") % {"period": r.period.label, "as_of": r.as_of.isoformat()},
        _(
            "一、督查任务 %(total)s 项：已办结 %(closed)s 项（按期 %(on_time)s 项），在办 %(open)s 项，逾期未办结 %(late)s 项；本期督办升级 %(esc)s 次。"
        )
        % {
            "total": t.total,
            "closed": t.closed,
            "on_time": t.on_time,
            "open": t.still_open,
            "late": t.overdue_open,
            "esc": r.escalations,
        },
        "  " + _(";").join(f"{x.label} {x.total}" for x in r.by_track),
        _("二、书记信箱来信 %(n)s 封（匿名 %(anon)s 封），已回复 %(replied)s 封，按期回复 %(on_time)s 封。")
        % {"n": r.letters, "anon": r.letters_anonymous, "replied": r.letters_replied, "on_time": r.letters_on_time},
        _("三、校园周巡查覆盖区域 %(covered)s / %(total)s 个，巡查发现 %(findings)s 条，未办结 %(open)s 条。")
        % {"covered": r.areas_covered, "total": r.areas_total, "findings": r.findings, "open": r.findings_open},
        _("四、决而未果（决议任务逾期未办结）%(n)s 项。") % {"n": len(r.unfulfilled)},
        _("五、重点领域监督：") + _(";").join(f"{label} {n} 次" for label, n, _p in r.key_areas),
    ]
    return "\n".join(lines)
