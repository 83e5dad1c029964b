"""The responsibility calendar (行事历) broken down by year, month, week and day, each period of a
duty linked to the record that discharges it, and flagged when its day passes undischarged.

What discharges a period is the duty's `discharge`: its supervision task closed (task); every
active branch checked by the party office in the period's months (branch_check); every active
branch holding the duty's kind of 三会一课 in those months (org_life). Five queries whatever the
range: the duties, their occurrences with tasks, the active branches, the checks, the meetings.
"""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from org.models import Department
from supervision.models import BranchCheck, BranchMeeting, Duty, DutyOccurrence, DutyStatement, Task

VIEWS = ("year", "month", "week", "day")


@dataclass(frozen=True)
class DutyEntry:
    duty: Duty
    period: str
    due: dt.date
    discharged: bool
    overdue: bool
    record_url: str
    record_label: str

    @property
    def state(self) -> str:
        return "done" if self.discharged else "overdue" if self.overdue else "open"


def span(view: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the year, month, ISO week or day around `day`."""
    if view == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if view == "month":
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if view == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    return day, day


def step(view: str, day: dt.date, sign: int) -> dt.date:
    """The same view one period earlier (sign −1) or later (+1)."""
    if view == "year":
        return dt.date(day.year + sign, 1, 1)
    if view == "month":
        month = day.month - 1 + sign
        return dt.date(day.year + month // 12, month % 12 + 1, 1)
    return day + dt.timedelta(days=7 * sign if view == "week" else sign)


def _months(duty: Duty, due: dt.date) -> list[tuple[int, int]]:
    first, last = duty.period_months(due)
    return [(due.year, m) for m in range(first, last + 1)]


def duty_entries(roles, start: dt.date, end: dt.date, today: dt.date) -> list[DutyEntry]:
    """Every period of the duties of `roles` (None: every role) due from start to end."""
    duties = Duty.objects.filter(active=True).order_by("pk")
    if roles is not None:
        duties = duties.filter(role__in=list(roles))
    duties = list(duties)
    occurrences = {
        (o.duty_id, o.period): o
        for o in DutyOccurrence.objects.filter(duty__in=duties, due__gte=start, due__lte=end).select_related("task")
    }
    branches = set(Department.objects.filter(kind=Department.Kind.BRANCH, active=True).values_list("pk", flat=True))
    years = range(start.year, end.year + 1)
    checked = defaultdict(set)
    for branch_id, year, month in BranchCheck.objects.filter(kind=BranchCheck.Kind.OFFICE, year__in=years).values_list(
        "branch_id", "year", "month"
    ):
        checked[(year, month)].add(branch_id)
    held = defaultdict(set)
    for branch_id, kind, on in BranchMeeting.objects.filter(held_on__year__in=years).values_list(
        "branch_id", "kind", "held_on"
    ):
        held[(kind, on.year, on.month)].add(branch_id)
    out = []
    for duty in duties:
        for period, due in duty.due_dates(start, end):
            url, label, done = "", "", False
            if duty.discharge == Duty.Discharge.TASK:
                occurrence = occurrences.get((duty.pk, period))
                task = getattr(occurrence, "task", None) if occurrence else None
                if task is not None:
                    done = task.state == Task.State.CLOSED
                    url = reverse("supervision:detail", args=[task.pk])
                    label = _("督查任务：%(state)s") % {"state": task.get_state_display()}
            else:
                months = _months(duty, due)
                if duty.discharge == Duty.Discharge.BRANCH_CHECK:
                    found = set().union(*(checked[m] for m in months)) & branches
                    url = f"{reverse('branches:year')}?year={due.year}"
                    label = _("支部检查：%(n)s / %(total)s 个党支部") % {"n": len(found), "total": len(branches)}
                else:
                    found = set().union(*(held[(duty.org_life_kind, y, m)] for y, m in months)) & branches
                    url = f"{reverse('branches:org_life')}?year={due.year}"
                    label = _("%(kind)s：%(n)s / %(total)s 个党支部") % {
                        "kind": duty.get_org_life_kind_display(),
                        "n": len(found),
                        "total": len(branches),
                    }
                done = bool(branches) and found == branches
            out.append(DutyEntry(duty, period, due, done, not done and due < today, url, label))
    return sorted(out, key=lambda e: (e.due, e.duty.pk))


@dataclass(frozen=True)
class Bucket:
    """A month of the year view, or a day of the week view, with its entries' tallies."""

    first: dt.date
    entries: list[DutyEntry]

    @property
    def overdue(self) -> int:
        return sum(1 for e in self.entries if e.overdue)

    @property
    def done(self) -> int:
        return sum(1 for e in self.entries if e.discharged)


def by_month(entries: list[DutyEntry], year: int) -> list[Bucket]:
    return [Bucket(dt.date(year, m, 1), [e for e in entries if e.due.month == m]) for m in range(1, 13)]


def by_day(entries: list[DutyEntry], start: dt.date, end: dt.date) -> list[Bucket]:
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    return [Bucket(d, [e for e in entries if e.due == d]) for d in days]


def statements_for(roles) -> list[DutyStatement]:
    rows = DutyStatement.objects.filter(active=True)
    if roles is not None:
        rows = rows.filter(role__in=list(roles))
    return list(rows.order_by("role", "position", "id"))
