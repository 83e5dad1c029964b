"""行事历： recurring duties become occurrences, reminders and supervision tasks, once each."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from core.models import Reminder
from demo.people import DEPARTMENTS
from org.models import Department, Role, User
from supervision.jobs import sweep_calendar
from supervision.models import Duty, DutyOccurrence, Task, Track
from supervision.services.calendar import calendar_sweep, default_duties
from tests import races

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEXT_YEAR = timezone.localdate().year + 1


def at(day: dt.date, hour: int = 7, minute: int = 30):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI), tick=False)


def duty(**fields) -> Duty:
    data = {
        "title": "党支部建设月度检查",
        "role": Role.PARTY_OFFICE,
        "track": Track.BRANCH,
        "rhythm": Duty.Rhythm.MONTHLY,
        "day": 25,
        "lead_days": 7,
        "lead_department": Department.objects.get(name="党委办公室"),
        "responsible_leader": User.objects.get(username="secretary"),
        **fields,
    }
    return Duty.objects.create(**data)


def test_a_period_within_its_lead_days_becomes_a_task_and_reminders_once(people):
    d = duty(description="按检查表逐项检查")
    day = dt.date(NEXT_YEAR, 3, 18)  # the 25th, seven days ahead

    with at(day - dt.timedelta(days=1)):
        assert sweep_calendar()["occurrences"] == 0
    with at(day):
        first = sweep_calendar()
        again = sweep_calendar()
    with at(day + dt.timedelta(days=3)):
        later = sweep_calendar()

    assert first == {"found": 1, "created": 1, "skipped": 0, "occurrences": 1, "tasks": 1, "refused": 0}
    assert again == later == {"found": 0, "created": 0, "skipped": 0, "occurrences": 0, "tasks": 0, "refused": 0}
    occurrence = DutyOccurrence.objects.get(duty=d)
    assert (occurrence.period, occurrence.due) == (f"{NEXT_YEAR}-03", dt.date(NEXT_YEAR, 3, 25))
    task = Task.objects.get(occurrence=occurrence)
    assert task.title == f"党支部建设月度检查（{NEXT_YEAR}-03）"
    assert (task.source, task.track, task.deadline) == ("duty", "branch", occurrence.due)
    assert (task.lead_department.name, task.responsible_leader.username) == ("党委办公室", "secretary")
    assert task.created_by is None  # the calendar hands it out, not a person
    assert task.description == "按检查表逐项检查"
    reminder = Reminder.objects.get(key=f"duty:{occurrence.pk}:{people('partyoffice').pk}")
    assert "党支部建设月度检查" in reminder.text and f"{NEXT_YEAR}-03-25" in reminder.text
    assert reminder.url == f"/supervision/tasks/{task.pk}/"


def test_a_duty_without_a_lead_department_only_reminds_every_holder_of_its_role(people):
    d = duty(
        title="督查任务季度复盘",
        role=Role.DISCIPLINE,
        rhythm=Duty.Rhythm.QUARTERLY,
        month=3,
        day=20,
        lead_days=10,
        lead_department=None,
        responsible_leader=None,
    )

    figures = calendar_sweep(today=dt.date(NEXT_YEAR, 3, 10))

    assert figures == {"found": 1, "created": 1, "skipped": 0, "occurrences": 1, "tasks": 0, "refused": 0}
    occurrence = DutyOccurrence.objects.get(duty=d)
    assert (occurrence.period, occurrence.due) == (f"{NEXT_YEAR}-Q1", dt.date(NEXT_YEAR, 3, 20))
    assert not Task.objects.exists()
    assert Reminder.objects.get(key=f"duty:{occurrence.pk}:{people('discipline').pk}").url == "/calendar/"


def test_the_holders_are_everyone_with_the_role(people):
    duty(title="部门工作总结", role=Role.DEPT_HEAD, lead_department=None, responsible_leader=None)

    figures = calendar_sweep(today=dt.date(NEXT_YEAR, 5, 20))

    heads = set(User.objects.filter(role_assignments__role=Role.DEPT_HEAD).values_list("pk", flat=True))
    assert figures["created"] == len(heads) > 1
    assert {r.recipient_id for r in Reminder.objects.all()} == heads


def test_an_inactive_duty_is_left_alone(people):
    duty(active=False)

    assert calendar_sweep(today=dt.date(NEXT_YEAR, 3, 20))["occurrences"] == 0
    assert not DutyOccurrence.objects.exists()


def test_half_yearly_and_yearly_duties_fall_in_their_month(people):
    half = duty(title="部门工作绩效半年评价", rhythm=Duty.Rhythm.HALF_YEARLY, month=6, day=20, lead_days=14)
    year = duty(title="党支部书记述职评议", rhythm=Duty.Rhythm.YEARLY, month=12, day=20, lead_days=21)

    calendar_sweep(today=dt.date(NEXT_YEAR, 6, 10))
    calendar_sweep(today=dt.date(NEXT_YEAR, 12, 1))

    assert list(half.occurrences.values_list("period", "due")) == [(f"{NEXT_YEAR}-H1", dt.date(NEXT_YEAR, 6, 20))]
    assert list(year.occurrences.values_list("period", "due")) == [(f"{NEXT_YEAR}", dt.date(NEXT_YEAR, 12, 20))]


def test_a_refused_task_is_tried_again_the_next_day_without_reminding_twice(people, caplog):
    leader = people("secretary")
    d = duty()
    User.objects.filter(pk=leader.pk).update(is_active=False)  # the responsible leader has left

    first = calendar_sweep(today=dt.date(NEXT_YEAR, 3, 18))
    assert (first["occurrences"], first["tasks"], first["refused"], first["created"]) == (1, 0, 1, 1)
    assert "no task" in caplog.text

    User.objects.filter(pk=leader.pk).update(is_active=True)
    second = calendar_sweep(today=dt.date(NEXT_YEAR, 3, 19))

    assert (second["occurrences"], second["tasks"], second["refused"], second["created"]) == (0, 1, 0, 0)
    assert Task.objects.filter(occurrence__duty=d).count() == 1
    assert Reminder.objects.count() == 1


# --- the school's duties --------------------------------------------------------------------------


def test_the_default_duties_load_once(school):
    from supervision.services.calendar import duties_load_defaults

    assert duties_load_defaults() == len(default_duties())
    assert duties_load_defaults() == 0
    assert Duty.objects.filter(lead_department__isnull=False, responsible_leader__isnull=False).exists()


def load(data: dict) -> Duty:
    """What duties_load_defaults does with one of default_duties()."""
    fields = {k: v for k, v in data.items() if k not in ("lead_department", "responsible_leader_role")}
    if data["lead_department"]:
        fields["lead_department"] = Department.objects.get(name=data["lead_department"])
        fields["responsible_leader"] = User.objects.filter(
            is_active=True, role_assignments__role=data["responsible_leader_role"]
        ).first()
    d = Duty(**fields)
    d.full_clean()
    d.save()
    return d


def test_the_default_duties_are_the_four_tracks_rhythms(school):
    duties = default_duties()
    titles = [d["title"] for d in duties]
    assert len(titles) == len(set(titles)) >= 8
    assert {"党支部建设月度检查", "督查任务完成情况季度复盘", "部门工作绩效半年评价", "全教会月度通报"} <= set(titles)
    assert {d["track"] for d in duties} == set(Track.values)
    assert {d["rhythm"] for d in duties} == set(Duty.Rhythm.values)
    names = {name for name, _kind, _order in DEPARTMENTS}
    for d in duties:
        assert d["role"] in Role.values
        assert (d["lead_department"] is None) == (d["responsible_leader_role"] is None), d["title"]
        assert d["lead_department"] is None or d["lead_department"] in names, d["title"]


def test_a_year_of_daily_sweeps_makes_every_period_once(school):
    duties = [load(d) for d in default_duties()]
    start, end = dt.date(NEXT_YEAR, 1, 1), dt.date(NEXT_YEAR, 12, 31)
    expected = sum(len(d.due_dates(start, end)) for d in duties)
    expected_tasks = sum(len(d.due_dates(start, end)) for d in duties if d.lead_department_id)

    day, made = start, 0
    while day <= end:
        made += calendar_sweep(today=day)["occurrences"]
        day += dt.timedelta(days=1)

    assert made == expected == DutyOccurrence.objects.count() > 40
    assert Task.objects.filter(source="duty").count() == expected_tasks
    assert not Task.objects.filter(source="duty", deadline__gt=end).exists()
    leaders = set(Task.objects.values_list("responsible_leader__username", flat=True))
    assert leaders == {"secretary", "discipline", "principal"}


# --- two sweeps at once ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_make_the_period_its_task_and_reminders_once(people):
    d = duty()
    partyoffice = people("partyoffice")
    sweep = lambda: calendar_sweep(today=dt.date(NEXT_YEAR, 3, 18))  # noqa: E731

    # Both sweeps queue on the duty's row before either may go on.
    results = races.race(sweep, sweep, locked=Duty.objects.filter(pk=d.pk))

    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["occurrences"] for r in results) == 1
    assert sum(r["tasks"] for r in results) == 1
    assert sum(r["created"] for r in results) == 1
    assert DutyOccurrence.objects.filter(duty=d).count() == 1
    assert Task.objects.filter(occurrence__duty=d).count() == 1
    assert Reminder.objects.filter(recipient=partyoffice, key__startswith="duty:").count() == 1
