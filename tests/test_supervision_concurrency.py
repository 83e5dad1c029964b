"""Two people (or two workers) act on the same supervision task at the same moment.

Runs on PostgreSQL with real connections, one per thread (tests/races.py): the calls are held on
the row locks they need until every one is blocked, then let go together. SQLite has no row locks.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from core.errors import InvalidTransition
from core.models import AuditEvent, Notification, Reminder
from decisions.models import AgendaItem
from decisions.models import State as ItemState
from org.models import Department, Role, RoleAssignment, User
from supervision import services
from supervision.models import Evidence, ProgressReport, ReportReview, Task, TaskEscalation
from tests import races
from tests.factories import at_state, evidence_file, reported_task, resolution_task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _jobs_in_process(settings):
    # The on-commit jobs (notifications) run in each caller's thread, so they race too.
    settings.REDIS_URL = ""


def user(username: str) -> User:
    return User.objects.get(username=username)


def resolved_item() -> AgendaItem:
    return at_state(ItemState.RESOLVED, submitter=user("staff"))


def split(results, kind):
    wins = [r for r in results if isinstance(r, kind)]
    losses = [r for r in results if isinstance(r, InvalidTransition)]
    others = [r for r in results if not isinstance(r, (kind, InvalidTransition))]
    assert not others, others
    return wins, losses


def on_task(*calls, task: Task):
    return races.race(*calls, locked=Task.objects.filter(pk=task.pk))


def second_supervisor() -> User:
    """Another member of the discipline committee （纪委）， who supervises the same track."""
    other = User.objects.create_user(
        "discipline2", name="钱纪", department=Department.objects.get(name="纪委办公室"), password="x"
    )
    RoleAssignment.objects.create(user=other, role=Role.DISCIPLINE)
    return other


# --- reviews ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("decisions", [("accept", "accept"), ("accept", "close"), ("close", "return")])
def test_two_supervisors_reviewing_the_same_report_at_once_write_one_review(people, decisions):
    task = reported_task(resolution_task(resolved_item().resolutions.get()), final=True)
    second_supervisor()
    first, second = decisions

    wins, losses = split(
        on_task(
            lambda: services.task_review(actor=user("discipline"), task_id=task.pk, decision=first, comment="甲"),
            lambda: services.task_review(actor=user("discipline2"), task_id=task.pk, decision=second, comment="乙"),
            task=task,
        ),
        ReportReview,
    )

    assert len(wins) == 1 and len(losses) == 1
    assert losses[0].status == 409
    (review,) = ReportReview.objects.filter(report__task=task)
    assert review.pk == wins[0].pk
    task.refresh_from_db()
    expected = {"accept": Task.State.IN_PROGRESS, "close": Task.State.CLOSED, "return": Task.State.RETURNED}
    assert task.state == expected[review.decision]
    assert task.version == 3  # created 1, reported 2, one review 3
    steps = AuditEvent.objects.filter(target_id=task.pk, verb__in=["task.accept", "task.close", "task.return"])
    assert steps.count() == 1


def test_the_same_supervisor_clicking_twice_reviews_once(people):
    task = reported_task(resolution_task(resolved_item().resolutions.get()))
    report = ProgressReport.objects.get(task=task)

    def accept():
        return services.task_review(actor=user("discipline"), task_id=task.pk, decision="accept", report_id=report.pk)

    wins, losses = split(on_task(accept, accept, task=task), ReportReview)

    assert len(wins) == 1 and len(losses) == 1
    assert ReportReview.objects.filter(report=report).count() == 1


# --- reports ----------------------------------------------------------------------------------------


def test_two_reports_submitted_at_once_make_one(people, tmp_path):
    task = resolution_task(resolved_item().resolutions.get())

    wins, losses = split(
        on_task(
            lambda: services.task_report(actor=user("depthead"), task_id=task.pk, text="进展甲"),
            lambda: services.task_report(
                actor=user("depthead"), task_id=task.pk, text="办结乙", is_final=True, files=[evidence_file()]
            ),
            task=task,
        ),
        ProgressReport,
    )

    assert len(wins) == 1 and len(losses) == 1
    assert "尚待审核" in losses[0].reason
    (report,) = ProgressReport.objects.filter(task=task)
    assert report.pk == wins[0].pk
    assert Evidence.objects.filter(report__task=task).count() == (1 if report.is_final else 0)
    stored = [p for p in (tmp_path / "private" / "evidence").rglob("*") if p.is_file()]
    assert len(stored) == (1 if report.is_final else 0)  # the loser left no file behind
    task.refresh_from_db()
    assert (task.state, task.version) == (Task.State.REPORTED, 2)


# --- the item's closure (办结) ---------------------------------------------------------------------------


def test_closing_the_last_two_tasks_at_once_closes_the_item_once(people):
    item = resolved_item()
    resolution = item.resolutions.get()
    ours = reported_task(resolution_task(resolution, title="纪委督查的任务"), final=True)
    theirs = reported_task(resolution_task(resolution, title="校务办督查的项目", track="project"), final=True)

    wins, losses = split(
        races.race(
            lambda: services.task_review(actor=user("discipline"), task_id=ours.pk, decision="close"),
            lambda: services.task_review(actor=user("affairsoffice"), task_id=theirs.pk, decision="close"),
            locked=Task.objects.filter(pk__in=[ours.pk, theirs.pk]),
        ),
        ReportReview,
    )

    assert len(wins) == 2 and not losses
    assert set(Task.objects.filter(item=item).values_list("state", flat=True)) == {Task.State.CLOSED}
    item.refresh_from_db()
    assert item.state == ItemState.CLOSED
    assert AuditEvent.objects.filter(verb="item.close", target_id=item.pk).count() == 1


def test_a_task_made_while_the_last_one_closes_keeps_the_item_open_or_is_refused(people):
    item = resolved_item()
    resolution = item.resolutions.get()
    last = reported_task(resolution_task(resolution, title="最后一项"), final=True)

    def close():
        return services.task_review(actor=user("discipline"), task_id=last.pk, decision="close")

    def create():
        return resolution_task(resolution, title="补充任务", actor=user("discipline"))

    # The new task waits on the item's row; the closing review reaches it after closing its task.
    results = races.race(create, close, locked=AgendaItem.objects.filter(pk=item.pk))

    made, review = results
    assert isinstance(review, ReportReview), review
    item.refresh_from_db()
    if isinstance(made, Task):
        assert item.state == ItemState.RESOLVED  # the new task is open: the item is not done
        assert AuditEvent.objects.filter(verb="item.close", target_id=item.pk).count() == 0
    else:
        assert isinstance(made, InvalidTransition) and "已办结" in made.reason, made
        assert item.state == ItemState.CLOSED
    assert not (item.state == ItemState.CLOSED and Task.objects.filter(item=item).exclude(state="closed").exists())


# --- escalating, urging, bulk ------------------------------------------------------------------------------


def test_two_escalations_at_once_escalate_once(people):
    task = resolution_task(resolved_item().resolutions.get())
    second_supervisor()

    wins, losses = split(
        on_task(
            lambda: services.task_escalate(actor=user("discipline"), task_id=task.pk, reason="不落实甲"),
            lambda: services.task_escalate(actor=user("discipline2"), task_id=task.pk, reason="不落实乙"),
            task=task,
        ),
        TaskEscalation,
    )

    assert len(wins) == 1 and len(losses) == 1
    assert "已升级" in losses[0].reason
    assert list(TaskEscalation.objects.filter(task=task).values_list("level", flat=True)) == [3]
    assert Task.objects.get(pk=task.pk).escalation_level == 3
    secretary = user("secretary")
    assert Reminder.objects.filter(key=f"task-escalation:{task.pk}:3:{secretary.pk}").count() == 1


def test_two_urges_at_once_remind_once(people):
    task = resolution_task(resolved_item().resolutions.get())

    results = on_task(
        lambda: services.task_urge(actor=user("discipline"), task_id=task.pk),
        lambda: services.task_urge(actor=user("discipline"), task_id=task.pk),
        task=task,
    )

    assert sorted(results) == [0, 2], results
    assert Reminder.objects.filter(key__startswith=f"task-urge:{task.pk}:").count() == 2


def test_two_overlapping_bulk_accepts_review_each_task_once(people):
    resolution = resolved_item().resolutions.get()
    tasks = [reported_task(resolution_task(resolution, title=f"任务{n}")) for n in range(3)]
    second_supervisor()
    ids = [t.pk for t in tasks]

    results = races.race(
        lambda: services.tasks_bulk(actor=user("discipline"), action="accept", task_ids=ids),
        lambda: services.tasks_bulk(actor=user("discipline2"), action="accept", task_ids=list(reversed(ids))),
        locked=Task.objects.filter(pk__in=ids),
    )

    assert all(isinstance(r, list) for r in results), results
    refused_ids = sorted(pk for r in results for pk, _ in r)
    assert refused_ids == sorted(ids)  # each task accepted by one call and refused to the other
    for task in tasks:
        assert ReportReview.objects.filter(report__task=task).count() == 1
        assert Task.objects.get(pk=task.pk).state == Task.State.IN_PROGRESS


# --- notifications --------------------------------------------------------------------------------------


def test_the_same_notification_job_run_by_two_workers_at_once_notifies_once(people):
    item = resolved_item()
    services.item_follow(actor=user("vice"), item_id=item.pk, follow=True)
    task = resolution_task(item.resolutions.get())  # the on-commit job notified the creation already
    key = f"task:{task.pk}:v1:create"
    expected = {"member1", "depthead", "staff", "vice"}
    assert set(Notification.objects.filter(key=key).values_list("recipient__username", flat=True)) == expected
    Notification.objects.filter(key=key).delete()  # as if the job had not run yet

    def job():
        return services.notify_task_step(task.pk, "create", 1, Task.State.ASSIGNED)

    # Both workers insert behind an uncommitted row of the same key, then go on together.
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(job())
        except Exception as exc:  # noqa: BLE001 - the exception is the result
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    with transaction.atomic():
        Notification.objects.create(recipient=user("member1"), key=key, text="占位")
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while races.waiting_on_locks() < 2:
            assert time.monotonic() < deadline, "the jobs never queued on the key"
            time.sleep(0.01)
        transaction.set_rollback(True)
    for t in threads:
        t.join(timeout=30)

    assert all(isinstance(r, int) for r in results), results
    rows = Notification.objects.filter(key=key)
    assert sorted(rows.values_list("recipient__username", flat=True)) == sorted(expected)
    assert job() == 0  # and a third run, later, creates nothing
