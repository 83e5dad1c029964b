"""The supervision sweep: tasks due soon are reminded, overdue ones escalated, once each."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from core.models import AuditEvent, Delivery, Reminder
from org.models import Department
from supervision import services
from supervision.jobs import remind_tasks
from supervision.models import Task, TaskEscalation
from supervision.services.patrols import finding_record
from tests import races
from tests.factories import closed_task

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 9, minute: int = 0):
    """The clock stopped at `hour`:`minute` of `day`, school time."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI), tick=False)


def patrol_task(people, *, days: int = 10, department: str = "教务处", title: str = "清理实训楼消防通道", **kw) -> Task:
    """A task from a campus patrol finding of member1 （副校长）， who answers for it; the lead
    department's head is depthead （教务处）. Due `days` from today."""
    leader = people("member1")
    today = timezone.localdate()
    finding = finding_record(actor=leader, patrolled_on=today, place="实训楼", text="消防通道堆放杂物")
    return services.task_create(
        actor=leader,
        finding_id=finding.pk,
        track=kw.pop("track", "task"),
        title=title,
        lead_department_id=Department.objects.get(name=department).pk,
        responsible_leader_id=leader.pk,
        deadline=today + dt.timedelta(days=days),
        **kw,
    )


def reminded(task: Task, prefix: str) -> set[str]:
    """Usernames reminded under keys starting with `prefix:<task id>:`."""
    rows = Reminder.objects.filter(key__startswith=f"{prefix}:{task.pk}:").select_related("recipient")
    return {r.recipient.username for r in rows}


NOTHING = {"found": 0, "created": 0, "skipped": 0, "escalated": 0}


# --- due soon ---------------------------------------------------------------------------------


def test_a_task_due_within_three_days_reminds_its_leader_and_heads_once(people):
    task = patrol_task(people, days=10)

    assert remind_tasks() == NOTHING  # ten days off
    with at(task.deadline - dt.timedelta(days=4)):
        assert remind_tasks() == NOTHING
    with at(task.deadline - dt.timedelta(days=3)):
        assert remind_tasks() == {"found": 2, "created": 2, "skipped": 0, "escalated": 0}
        assert remind_tasks() == {"found": 2, "created": 0, "skipped": 2, "escalated": 0}
    with at(task.deadline):  # due today: still "due soon", not overdue
        assert remind_tasks() == {"found": 2, "created": 0, "skipped": 2, "escalated": 0}

    assert reminded(task, "task-due") == {"member1", "depthead"}
    row = Reminder.objects.get(key=f"task-due:{task.pk}:{task.deadline.isoformat()}:{people('depthead').pk}")
    assert "督查任务即将到期" in row.text and task.title in row.text
    assert row.url == f"/supervision/tasks/{task.pk}/"
    assert Delivery.objects.filter(reminder__key__startswith=f"task-due:{task.pk}:").count() == 4  # in-app + e-mail


def test_a_moved_deadline_reminds_again(people):
    task = patrol_task(people, days=2)
    assert remind_tasks()["created"] == 2

    Task.objects.filter(pk=task.pk).update(deadline=task.deadline + dt.timedelta(days=1))

    assert remind_tasks()["created"] == 2
    assert Reminder.objects.filter(key__startswith=f"task-due:{task.pk}:").count() == 4


def test_the_window_is_a_setting(people, settings):
    patrol_task(people, days=6)
    assert remind_tasks()["found"] == 0

    settings.SUPERVISION_DUE_SOON_DAYS = 7

    assert remind_tasks()["created"] == 2


def test_a_confidential_task_is_not_named_in_its_reminders(people):
    task = patrol_task(people, days=1, title="某干部问题线索核查")
    Task.objects.filter(pk=task.pk).update(confidential=True)

    remind_tasks()
    with at(task.deadline + dt.timedelta(days=5)):
        remind_tasks()

    texts = list(Reminder.objects.filter(route="supervision:detail", args=[task.pk]).values_list("text", flat=True))
    assert len(texts) == 2 + 2 + 1  # due soon, level 1, level 2
    assert all("涉密" in t and "问题线索" not in t for t in texts)


# --- overdue ------------------------------------------------------------------------------------


def test_an_overdue_task_is_escalated_to_level_one_once(people):
    task = patrol_task(people, days=5)

    with at(task.deadline + dt.timedelta(days=1)):
        assert remind_tasks() == {"found": 2, "created": 2, "skipped": 0, "escalated": 1}
        assert remind_tasks() == NOTHING  # a task at its level is not looked at again

    task.refresh_from_db()
    assert task.escalation_level == 1
    escalation = TaskEscalation.objects.get(task=task)
    assert (escalation.level, escalation.by) == (1, None)
    assert "逾期未办结" in escalation.reason
    assert AuditEvent.objects.filter(verb="task.escalate", target_id=task.pk, actor=None).count() == 1
    assert reminded(task, "task-escalation") == {"member1", "depthead"}
    assert Reminder.objects.filter(key=f"task-escalation:{task.pk}:1:{people('member1').pk}").exists()


def test_still_overdue_after_three_more_days_the_supervisors_are_told(people):
    task = patrol_task(people, days=5)

    with at(task.deadline + dt.timedelta(days=1)):
        assert remind_tasks()["escalated"] == 1
    with at(task.deadline + dt.timedelta(days=3)):
        assert remind_tasks() == NOTHING
    with at(task.deadline + dt.timedelta(days=4)):
        assert remind_tasks() == {"found": 1, "created": 1, "skipped": 0, "escalated": 1}
    with at(task.deadline + dt.timedelta(days=30)):
        assert remind_tasks() == NOTHING  # level 2 is the sweep's last word

    task.refresh_from_db()
    assert task.escalation_level == 2
    assert list(task.escalations.values_list("level", flat=True)) == [1, 2]
    assert Reminder.objects.get(key=f"task-escalation:{task.pk}:2:{people('discipline').pk}")
    assert reminded(task, "task-escalation") == {"member1", "depthead", "discipline"}


def test_the_number_of_days_before_level_two_is_a_setting(people, settings):
    settings.SUPERVISION_ESCALATE_DAYS = 0
    task = patrol_task(people, days=5)

    with at(task.deadline + dt.timedelta(days=1)):
        assert remind_tasks()["escalated"] == 2


def test_a_sweep_that_missed_days_raises_both_levels_at_once(people):
    task = patrol_task(people, days=5, track="project")

    with at(task.deadline + dt.timedelta(days=10)):
        assert remind_tasks() == {"found": 3, "created": 3, "skipped": 0, "escalated": 2}

    assert reminded(task, "task-escalation") == {"member1", "depthead", "affairsoffice"}  # 项目建设: 校务办


def test_overdue_is_by_the_school_date_not_utc(people):
    task = patrol_task(people, days=5)
    deadline_evening_utc = dt.datetime.combine(task.deadline, dt.time(15, 30), tzinfo=dt.timezone.utc)

    # 23:30 in Shanghai on the deadline day: not overdue yet, though UTC and Shanghai agree on the date.
    with time_machine.travel(deadline_evening_utc, tick=False):
        assert remind_tasks()["escalated"] == 0
    # 00:30 the next day in Shanghai, still the deadline day in UTC: overdue.
    with time_machine.travel(deadline_evening_utc + dt.timedelta(hours=1), tick=False):
        assert remind_tasks()["escalated"] == 1


def test_a_closed_task_is_neither_reminded_nor_escalated(people):
    task = closed_task(patrol_task(people, days=2))

    assert remind_tasks() == NOTHING
    with at(task.deadline + dt.timedelta(days=10)):
        assert remind_tasks() == NOTHING
    assert not TaskEscalation.objects.filter(task=task).exists()


def test_a_task_the_supervisor_escalated_is_not_lowered(people):
    task = patrol_task(people, days=5)
    services.task_escalate(actor=people("discipline"), task_id=task.pk, reason="多次催办仍未落实")

    with at(task.deadline + dt.timedelta(days=10)):
        assert remind_tasks()["escalated"] == 0

    task.refresh_from_db()
    assert task.escalation_level == 3
    assert list(task.escalations.values_list("level", flat=True)) == [3]


# --- the schedule --------------------------------------------------------------------------------


def test_both_sweeps_are_on_the_schedule_in_school_time():
    from core.management.commands.run_jobs import load_schedule

    jobs = {job.name: job for job in load_schedule("config.cron")}
    sweep, calendar = jobs["supervision tasks: due soon, overdue"], jobs["responsibility calendar"]
    assert (sweep.func.__module__, sweep.func.__name__, sweep.cron) == ("supervision.jobs", "remind_tasks", "0 8 * * *")
    assert (calendar.func.__name__, calendar.cron) == ("sweep_calendar", "30 7 * * *")

    calendar.latest_enqueue_time = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)  # 20:00 in Shanghai
    following = calendar.get_next_enqueue_time()
    assert following.astimezone(SHANGHAI) == dt.datetime(2026, 11, 24, 7, 30, tzinfo=SHANGHAI)


def test_run_jobs_runs_both_sweeps(people):
    patrol_task(people, days=1)
    out = StringIO()

    call_command("run_jobs", "--once", stdout=out)

    text = out.getvalue()
    assert "supervision tasks: due soon, overdue: {'found': 2, 'created': 2" in text
    assert "responsibility calendar: {" in text
    assert "failed" not in text


@pytest.mark.redis
def test_a_real_worker_runs_the_sweep_from_the_queue(people, django_capture_on_commit_callbacks):
    import django_rq
    from rq import SimpleWorker

    task = patrol_task(people, days=1)
    queue = django_rq.get_queue("default")
    queue.empty()
    with django_capture_on_commit_callbacks(execute=True):  # django-rq enqueues on commit
        queue.enqueue(remind_tasks)
    assert queue.count == 1
    (job,) = queue.get_jobs()
    assert not Reminder.objects.filter(key__startswith=f"task-due:{task.pk}:").exists()

    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    assert queue.count == 0
    job.refresh()
    assert job.return_value() == {"found": 2, "created": 2, "skipped": 0, "escalated": 0}
    assert reminded(task, "task-due") == {"member1", "depthead"}


# --- two sweeps at once ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_remind_and_escalate_exactly_once(people):
    late = patrol_task(people, days=5, title="逾期任务")
    soon = patrol_task(people, days=2, title="临期任务")
    Task.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - dt.timedelta(days=10))

    # Both sweeps queue on the late task's row (its compare-and-set) before either may go on.
    results = races.race(remind_tasks, remind_tasks, locked=Task.objects.filter(pk=late.pk))

    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["escalated"] for r in results) == 2  # level 1 and level 2, once each
    assert sum(r["created"] for r in results) == 2 + 1 + 2  # level 1, level 2, due soon
    assert sorted(TaskEscalation.objects.filter(task=late).values_list("level", flat=True)) == [1, 2]
    assert Task.objects.get(pk=late.pk).escalation_level == 2
    assert reminded(late, "task-escalation") == {"member1", "depthead", "discipline"}
    assert reminded(soon, "task-due") == {"member1", "depthead"}
    assert Reminder.objects.count() == 5
    assert Delivery.objects.count() == 10  # in-app and e-mail each, none twice
