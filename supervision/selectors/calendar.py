"""A person's calendar: what falls on their days, for the /calendar/ page and the iCal feed.

    person_events(person, start, end)   meetings they attend, deadlines and milestone dues of
                                        tasks they answer for, their roles' calendar duties
    feed_owner(token)                   the person whose private feed this token opens

A constant number of queries, however many events: one per kind (plus the person's roles).
A confidential task is only ever called "涉密任务" here: the feed leaves the school's system.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Meeting
from org.models import User
from supervision.models import CalendarToken, Duty, Milestone, Task

# A meeting has a start, not an end, on record; the feed shows it this long until it adjourns.
MEETING_LENGTH = dt.timedelta(hours=2)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    kind: str  # meeting, task, milestone, duty
    title: str
    start: dt.date | dt.datetime  # a datetime (aware) for a meeting, a date for an all-day event
    end: dt.date | dt.datetime
    url: str = ""
    location: str = ""
    description: str = ""

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)

    @property
    def day(self) -> dt.date:
        return timezone.localtime(self.start).date() if isinstance(self.start, dt.datetime) else self.start

    @property
    def sort_key(self) -> tuple:
        # All-day events first in their day, then meetings by time.
        at = timezone.localtime(self.start).time() if isinstance(self.start, dt.datetime) else dt.time.min
        return (self.day, not self.all_day, at, self.uid)


def feed_owner(token: str) -> User | None:
    row = CalendarToken.objects.select_related("person").filter(token=token, person__is_active=True).first()
    return row.person if row else None


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_default_timezone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return first, after


def _meetings(person: User, start: dt.date, end: dt.date) -> list[CalendarEvent]:
    first, after = _bounds(start, end)
    rows = (
        Meeting.objects.filter(attendance__person=person, starts_at__gte=first, starts_at__lt=after)
        .exclude(state=Meeting.State.CANCELLED)
        .select_related("body")
        .distinct()
    )
    return [
        CalendarEvent(
            uid=f"meeting-{m.pk}@yishi",
            kind="meeting",
            title=m.title,
            start=m.starts_at,
            end=m.closed_at if m.closed_at and m.closed_at > m.starts_at else m.starts_at + MEETING_LENGTH,
            url=reverse("meetings:detail", args=[m.pk]),
            location=m.place,
            description=m.body.name,
        )
        for m in rows
    ]


def _answers_for(person: User) -> Q:
    """Tasks the person answers for: as the responsible leader or a head of the lead department."""
    return Q(responsible_leader=person) | Q(lead_department__in=person.headed_department_ids)


def _tasks(person: User, start: dt.date, end: dt.date) -> list[CalendarEvent]:
    rows = (
        Task.objects.filter(_answers_for(person), deadline__gte=start, deadline__lte=end)
        .exclude(state=Task.State.CLOSED)
        .select_related("lead_department")
    )
    return [
        CalendarEvent(
            uid=f"task-{t.pk}@yishi",
            kind="task",
            title=_("涉密任务") if t.confidential else _("完成时限：%(title)s") % {"title": t.title},
            start=t.deadline,
            end=t.deadline + dt.timedelta(days=1),
            url=reverse("supervision:detail", args=[t.pk]),
            description="" if t.confidential else t.lead_department.name,
        )
        for t in rows
    ]


def _milestones(person: User, start: dt.date, end: dt.date) -> list[CalendarEvent]:
    rows = (
        Milestone.objects.filter(done_at__isnull=True, due__gte=start, due__lte=end)
        .filter(task__in=Task.objects.filter(_answers_for(person)).exclude(state=Task.State.CLOSED).values("pk"))
        .select_related("task")
    )
    return [
        CalendarEvent(
            uid=f"milestone-{m.pk}@yishi",
            kind="milestone",
            title=_("涉密任务")
            if m.task.confidential
            else _("节点时限：%(title)s · %(task)s") % {"title": m.title, "task": m.task.title},
            start=m.due,
            end=m.due + dt.timedelta(days=1),
            url=reverse("supervision:detail", args=[m.task_id]),
        )
        for m in rows
    ]


def _duties(person: User, start: dt.date, end: dt.date) -> list[CalendarEvent]:
    """Every period of the person's roles' duties, also those the sweep has not reached yet
    (it makes an occurrence only lead_days ahead): the UID names the duty and the period, so it
    is the same before and after."""
    roles = person.roles
    if not roles:
        return []
    events = []
    for duty in Duty.objects.filter(active=True, role__in=roles).order_by("pk"):
        for period, due in duty.due_dates(start, end):
            events.append(
                CalendarEvent(
                    uid=f"duty-{duty.pk}-{period}@yishi",
                    kind="duty",
                    title=_("行事历：%(title)s（%(period)s）") % {"title": duty.title, "period": period},
                    start=due,
                    end=due + dt.timedelta(days=1),
                    url=reverse("calendar:page"),
                    description=duty.description,
                )
            )
    return events


def person_events(person: User, start: dt.date, end: dt.date) -> list[CalendarEvent]:
    """Everything on the person's days from start to end (inclusive, school time), in order.
    Queries: the person's roles (once, cached on the user), meetings, tasks, milestones, duties."""
    events = [
        *_meetings(person, start, end),
        *_tasks(person, start, end),
        *_milestones(person, start, end),
        *_duties(person, start, end),
    ]
    return sorted(events, key=lambda e: e.sort_key)
