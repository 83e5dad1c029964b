"""Jobs follow their change through the outbox: written in its transaction, handed over on
commit, and replayed once by the sweep when the process died between COMMIT and the hand-over."""

import datetime
import functools
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from core import checks, jobs
from core.models import Notification, OutboxJob
from decisions import services
from decisions.models import AgendaItem, State
from tests.factories import draft


class Runs:
    """Counts the runs of `decisions.services.notify_item_step`, however it is reached (this
    process, or a worker importing it by its dotted path)."""

    def __init__(self, monkeypatch):
        self.count = 0
        real = services.notify_item_step

        @functools.wraps(real)  # the same dotted path: enqueue and the worker take it for the job
        def counted(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(services, "notify_item_step", counted)


@pytest.fixture
def runs(monkeypatch):
    return Runs(monkeypatch)


def _waiting() -> list[str]:
    return list(OutboxJob.objects.filter(sent_at__isnull=True).values_list("func", flat=True))


def _after_grace():
    return time_machine.travel(timezone.now() + jobs.GRACE + datetime.timedelta(seconds=1), tick=False)


@pytest.mark.django_db(transaction=True)  # real commits: the hand-over comes after COMMIT
def test_a_job_lost_between_commit_and_hand_over_is_run_by_the_sweep_exactly_once(people, settings, runs, monkeypatch):
    settings.REDIS_URL = ""  # jobs run in this process
    staff, depthead = people("staff"), people("depthead")
    item = draft(staff)
    real_hand_over = jobs._hand_over
    lost = []
    monkeypatch.setattr(jobs, "_hand_over", lost.append)  # killed right after COMMIT

    services.item_submit(actor=staff, item_id=item.pk)

    assert AgendaItem.objects.get(pk=item.pk).state == State.DEPT_REVIEW  # the change is committed
    assert _waiting() == ["decisions.services.notify_item_step"]  # and its job with it
    assert runs.count == 0 and not Notification.objects.filter(recipient=depthead).exists()
    monkeypatch.setattr(jobs, "_hand_over", real_hand_over)  # the next process

    assert jobs.flush_outbox() == {"sent": 0, "kept": 0}  # too young: its own process may yet hand it over
    with _after_grace():
        assert jobs.flush_outbox() == {"sent": 1, "kept": 0}
        assert jobs.flush_outbox() == {"sent": 0, "kept": 0}  # a second sweep does nothing
    for row in lost:
        jobs._hand_over(row)  # the lost hand-over, coming late after all: finds the job done

    assert runs.count == 1
    assert Notification.objects.filter(recipient=depthead).count() == 1
    assert _waiting() == []


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_job_lost_between_commit_and_hand_over_goes_to_redis_once_and_runs_once(people, settings, runs, monkeypatch):
    from rq import SimpleWorker

    queue = jobs.queue()
    queue.empty()
    redis_url = settings.REDIS_URL
    settings.REDIS_URL = ""  # the draft's own job runs here, before the test proper
    staff, depthead = people("staff"), people("depthead")
    item = draft(staff)
    settings.REDIS_URL = redis_url
    real_hand_over = jobs._hand_over
    lost = []
    monkeypatch.setattr(jobs, "_hand_over", lost.append)  # killed right after COMMIT

    services.item_submit(actor=staff, item_id=item.pk)

    assert _waiting() == ["decisions.services.notify_item_step"] and queue.count == 0
    monkeypatch.setattr(jobs, "_hand_over", real_hand_over)
    with _after_grace():
        assert jobs.flush_outbox() == {"sent": 1, "kept": 0}
        assert jobs.flush_outbox() == {"sent": 0, "kept": 0}
    for row in lost:
        jobs._hand_over(row)  # late: the row is marked, and RQ has the job under its id
    (job,) = queue.get_jobs()
    row = OutboxJob.objects.get(func="decisions.services.notify_item_step")
    assert job.id == jobs._job_id(row) and job.retries_left == jobs.RETRY.max

    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    assert runs.count == 1
    assert Notification.objects.filter(recipient=depthead).count() == 1
    queue.empty()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_late_hand_over_and_the_sweep_give_redis_the_job_once(people, settings, runs, monkeypatch):
    """The hand-over reaches Redis but dies before marking the row: the sweep finds the job by
    its id and only marks the row."""
    from rq import SimpleWorker

    queue = jobs.queue()
    queue.empty()
    staff = people("staff")
    redis_url, settings.REDIS_URL = settings.REDIS_URL, ""
    item = draft(staff)
    settings.REDIS_URL = redis_url
    real_mark_sent = jobs._mark_sent
    monkeypatch.setattr(jobs, "_mark_sent", lambda row: False)  # killed after RQ took it
    services.item_submit(actor=staff, item_id=item.pk)
    monkeypatch.setattr(jobs, "_mark_sent", real_mark_sent)
    assert queue.count == 1 and _waiting() == ["decisions.services.notify_item_step"]

    with _after_grace():
        assert jobs.flush_outbox() == {"sent": 1, "kept": 0}

    assert queue.count == 1 and _waiting() == []
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert runs.count == 1
    queue.empty()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_job_and_runs_nothing(people, settings, runs):
    settings.REDIS_URL = ""
    staff, depthead = people("staff"), people("depthead")
    item = draft(staff)
    before = OutboxJob.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        services.item_submit(actor=staff, item_id=item.pk)
        raise RuntimeError("the page failed after the step")

    assert AgendaItem.objects.get(pk=item.pk).state == State.DRAFT
    assert OutboxJob.objects.count() == before and _waiting() == []
    with _after_grace():
        assert jobs.flush_outbox() == {"sent": 0, "kept": 0}
    assert runs.count == 0 and not Notification.objects.filter(recipient=depthead).exists()


def test_every_job_is_written_with_its_change_and_marked_when_handed_over(
    people, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    staff = people("staff")
    item = draft(staff)
    OutboxJob.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.item_submit(actor=staff, item_id=item.pk)
    (row,) = OutboxJob.objects.all()
    assert (row.func, row.args, row.sent_at) == (
        "decisions.services.notify_item_step",
        [item.pk, "submit", State.DEPT_REVIEW, item.version + 1],
        None,
    )

    for callback in callbacks:
        callback()
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1 and row.last_error == ""


def test_a_job_that_raises_in_process_keeps_its_row_waiting_with_the_error(
    people, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    staff = people("staff")
    item = draft(staff)
    OutboxJob.objects.all().delete()

    def broken(*args, **kwargs):
        Notification.objects.create(recipient=staff, key="half-done", text="半途")
        raise RuntimeError("mail server said no")

    real = services.notify_item_step
    monkeypatch.setattr(services, "notify_item_step", functools.wraps(real)(broken))
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        services.item_submit(actor=staff, item_id=item.pk)

    (row,) = OutboxJob.objects.all()
    assert row.sent_at is None and row.attempts == 1 and "mail server said no" in row.last_error
    assert not Notification.objects.filter(key="half-done").exists()  # the job's writes rolled back
    monkeypatch.setattr(services, "notify_item_step", real)
    assert jobs.flush_outbox() == {"sent": 1, "kept": 0}  # a failed row waits no grace period


def test_the_sweep_deletes_rows_handed_over_long_ago(db):
    old = OutboxJob.objects.create(func="search.services.index_object", args=["item", 1])
    OutboxJob.objects.filter(pk=old.pk).update(sent_at=timezone.now() - jobs.KEEP - datetime.timedelta(days=1))
    recent = OutboxJob.objects.create(func="search.services.index_object", args=["item", 2])
    OutboxJob.objects.filter(pk=recent.pk).update(sent_at=timezone.now())

    jobs.flush_outbox()

    assert list(OutboxJob.objects.values_list("pk", flat=True)) == [recent.pk]


def test_enqueue_refuses_a_job_not_listed_and_writes_nothing(db, settings):
    settings.REDIS_URL = ""
    with pytest.raises(LookupError, match=r"did you mean notices\.services\.automatic\.notice_for_resolution\?"):
        jobs.enqueue("notices.services.notice_for_resolutoin", resolution_id=1)
    with pytest.raises(LookupError, match="not a job listed in config/jobs.py"):
        jobs.enqueue(jobs.flush_outbox)  # importable, but a periodic job, not an event
    assert not OutboxJob.objects.exists()


def test_the_start_up_check_finds_a_mistyped_or_unlisted_job_in_the_source(tmp_path, monkeypatch):
    package = tmp_path / "typoapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text(
        "from core import jobs\n"
        "from core.jobs import enqueue, flush_outbox\n"
        "from search.services import index_object\n\n\n"
        "def decide(resolution_id):\n"
        '    enqueue("notices.services.notice_for_resolutoin", resolution_id=resolution_id)\n'
        '    jobs.enqueue(index_object, "resolution", resolution_id)\n'
        "    enqueue(flush_outbox)\n"
        '    enqueue("search.services.index_object", "resolution", resolution_id)\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    app = SimpleNamespace(name="typoapp", path=str(package))

    errors = checks.enqueued_jobs([app])

    assert [(e.id, e.obj) for e in errors] == [
        ("yishi.E011", "typoapp/services.py:7"),
        ("yishi.E011", "typoapp/services.py:9"),
    ]
    assert "did you mean notices.services.automatic.notice_for_resolution?" in errors[0].msg
    assert "core.jobs.flush_outbox is not a job listed" in errors[1].msg


def test_every_job_the_apps_enqueue_is_listed_and_importable():
    assert checks.enqueued_jobs() == []
    assert jobs.registered() >= {"notices.services.automatic.notice_for_resolution", "search.services.index_object"}
    call_command("check")  # raises SystemCheckError on any error
