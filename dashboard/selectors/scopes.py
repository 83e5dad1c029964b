"""What each figure of 学校数据 counts, as a queryset: the page counts these and its figures link to
lists of exactly these rows (`dashboard.selectors.drill`), so a number and its list cannot differ.

Every function takes the same `Window`: who looks, the period's bounds as school times, and the
department filter. DEFINITIONS in dashboard.selectors.school says in words what each one is.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from decisions.access import visibility_filter as item_visibility_filter
from decisions.models import AgendaItem, State
from meetings.access import visible_meetings
from meetings.models import AgendaEntry, Meeting, Resolution
from notices.models import Notice, NoticeRecipient
from org.models import Department, User
from supervision.models import Letter
from supervision.selectors.branches import period_checks
from supervision.selectors.quarterly import (
    escalations_in,
    finding_tasked,
    findings_in,
    letter_conditions,
    letters_in,
    school_midnight,
    task_conditions,
    tasks_in_scope,
)

# The stages of an agenda item in the order it moves through them; a draft is nobody's figure.
STAGES = [
    State.DEPT_REVIEW,
    State.RETURNED,
    State.SCREENING,
    State.CONSULTING,
    State.REVISING,
    State.READY,
    State.SCHEDULED,
    State.RESOLVED,
    State.CLOSED,
    State.NOT_PASSED,
    State.NOTED,
    State.REJECTED,
    State.WITHDRAWN,
]

# The counts of a task tally, in the order of its columns.
TASK_MEASURES = ("total", "closed", "on_time", "still_open", "overdue_open")


@dataclass(frozen=True)
class Window:
    user: User
    start: dt.date  # the period's first day
    end: dt.date  # its last day
    as_of: dt.date  # the day figures are taken on: the period's last day once over, else today
    department: Department | None = None

    @classmethod
    def of(cls, user: User, period, *, department=None, today: dt.date | None = None) -> "Window":
        today = today or timezone.localdate()
        return cls(user, period.start, period.end, min(today, period.end), department)

    @property
    def start_at(self) -> dt.datetime:
        return school_midnight(self.start)

    @property
    def until(self) -> dt.datetime:
        """The school midnight after the as-of day: nothing at or after it is counted."""
        return school_midnight(self.as_of + dt.timedelta(days=1))


def items(w: Window) -> QuerySet:
    """The agenda items the viewer may see (and of the chosen department): the base of the item,
    meeting-entry and resolution figures."""
    rows = AgendaItem.objects.filter(item_visibility_filter(w.user))
    if w.department is not None:
        rows = rows.filter(department=w.department)
    return rows


def submitted_items(w: Window, state: str | None = None) -> QuerySet:
    rows = items(w).filter(submitted_at__gte=w.start_at, submitted_at__lt=w.until, state__in=STAGES)
    return rows.filter(state=state) if state else rows


def held_meetings(w: Window, body_id=None) -> QuerySet:
    rows = visible_meetings(w.user).filter(
        state=Meeting.State.ADJOURNED, opened_at__gte=w.start_at, opened_at__lt=w.until
    )
    return rows.filter(body_id=body_id) if body_id is not None else rows


def decided_entries(w: Window, body_id=None) -> QuerySet:
    rows = AgendaEntry.objects.filter(
        dropped_at__isnull=True,
        decided_at__gte=w.start_at,
        decided_at__lt=w.until,
        item__in=items(w).values("pk"),
    ).exclude(outcome="")
    return rows.filter(meeting__body_id=body_id) if body_id is not None else rows


def resolutions(w: Window, body_id=None) -> QuerySet:
    rows = Resolution.objects.filter(
        issued_at__gte=w.start_at,
        issued_at__lt=w.until,
        item__in=items(w).values("pk"),
        item__submitted_at__isnull=False,
    )
    return rows.filter(body_id=body_id) if body_id is not None else rows


def tasks(w: Window, *, track=None, lead_department_id=None, measure: str = "total") -> QuerySet:
    """The supervision tasks counted as the quarterly report counts them, and of one of its counts."""
    rows = tasks_in_scope(w.start, w.end, w.until)
    if w.department is not None:
        rows = rows.filter(lead_department=w.department)
    if track is not None:
        rows = rows.filter(track=track)
    if lead_department_id is not None:
        rows = rows.filter(lead_department_id=lead_department_id)
    if measure != "total":
        rows = rows.filter(task_conditions(w.as_of, w.until)[measure])
    return rows


def unread_condition(w: Window) -> Q:
    return Q(read_at__isnull=True) | Q(read_at__gte=w.until)


def receipts(w: Window, *, level=None, unread: bool = False) -> QuerySet:
    rows = NoticeRecipient.objects.filter(
        notice__state=Notice.State.PUBLISHED, notice__published_at__gte=w.start_at, notice__published_at__lt=w.until
    )
    if w.department is not None:
        rows = rows.filter(person__department=w.department)
    if level is not None:
        rows = rows.filter(notice__level=level)
    return rows.filter(unread_condition(w)) if unread else rows


def letters(w: Window, *, all_time: bool = False, replied: bool = False, tasked: bool = False) -> QuerySet:
    """The period's letters (and of them, those replied or turned into a task by the as-of day),
    or every letter (and of them, those replied now): the mailbox's reply rates and the quarterly
    report's 书记信箱."""
    if all_time:
        return Letter.objects.filter(letter_condition(w, all_time=True, replied=replied))
    rows = letters_in(w.start_at, w.until)
    conditions = letter_conditions(w.until)
    if replied:
        rows = rows.filter(conditions["replied"])
    return rows.filter(conditions["tasked"]) if tasked else rows


def letter_condition(w: Window, *, all_time: bool = False, replied: bool = False) -> Q:
    if all_time:
        return Q(state=Letter.State.REPLIED) if replied else Q()
    in_period = Q(created_at__gte=w.start_at, created_at__lt=w.until)
    return in_period & letter_conditions(w.until)["replied"] if replied else in_period


def escalations(w: Window, *, level: int | None = None) -> QuerySet:
    """The escalations recorded in the period up to the as-of day (of one level)."""
    rows = escalations_in(w.start_at, w.until)
    if w.department is not None:
        rows = rows.filter(task__lead_department=w.department)
    return rows.filter(level=level) if level is not None else rows


def findings(w: Window, *, tasked: bool = False) -> QuerySet:
    """The patrol findings of the period's days up to the as-of day (and of them, those turned into
    a task by then)."""
    rows = findings_in(w.start, w.as_of)
    if w.department is not None:
        rows = rows.filter(department=w.department)
    return rows.filter(finding_tasked(w.until)) if tasked else rows


def branch_checks(w: Window, *, branch_id: int | None = None) -> QuerySet:
    """The party office's monthly branch checks of the period's months (of one branch)."""
    rows = period_checks(w.start.year, list(range(w.start.month, w.end.month + 1)))
    if w.department is not None:
        rows = rows.filter(branch=w.department)
    return rows.filter(branch_id=branch_id) if branch_id is not None else rows
