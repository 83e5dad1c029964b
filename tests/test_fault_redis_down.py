"""Redis stops: pages keep working, the work waits in the database outbox and goes out once Redis is back.

"Redis stopped" is Redis's address pointed at a port where nothing listens: jobs, the queue the
workers read and (when it is Redis) the cache all lose their server at once, as in production.
"""

import logging
import socket
import time

import pytest
from django.core import mail
from django.db import transaction
from rq import SimpleWorker
from rq.cron import CronScheduler

from core import jobs
from core.links import Link
from core.models import Delivery, Notification, OutboxJob
from core.reminders import remind
from decisions.models import AgendaItem, State
from tests.factories import draft

DEAD_PORT = 6390
DEAD_URL = f"redis://127.0.0.1:{DEAD_PORT}/0"


def _nothing_listens_on_the_dead_port():
    try:
        socket.create_connection(("127.0.0.1", DEAD_PORT), timeout=1).close()
    except OSError:
        return
    pytest.fail(f"something listens on 127.0.0.1:{DEAD_PORT}; these tests need a port where Redis is not")


class Redis:
    """Stops and starts "Redis" for this process by moving its address."""

    def __init__(self, settings):
        self.settings = settings
        self.real = {name: getattr(settings, name) for name in ("REDIS_URL", "RQ_QUEUES", "CACHES")}

    def stop(self, url: str = DEAD_URL):
        if url == DEAD_URL:
            _nothing_listens_on_the_dead_port()
        self.settings.REDIS_URL = url
        self.settings.RQ_QUEUES = {name: {**conf, "URL": url} for name, conf in self.real["RQ_QUEUES"].items()}
        self.settings.CACHES = {
            name: {**conf, "LOCATION": url} if "redis" in conf["BACKEND"].lower() else conf
            for name, conf in self.real["CACHES"].items()
        }

    def start(self):
        for name, value in self.real.items():
            setattr(self.settings, name, value)


@pytest.fixture
def redis(settings):
    control = Redis(settings)
    queue = jobs.queue()
    queue.empty()
    yield control
    control.start()
    jobs.queue().empty()
    jobs._away_until.clear()  # this process's memory of the stopped Redis


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)  # real commits: the jobs are handed over when the page's transaction commits
def test_a_page_that_enqueues_work_succeeds_and_the_work_goes_out_once_redis_is_back(
    client, people, redis, settings, caplog
):
    staff, depthead = people("staff"), people("depthead")
    settings.REDIS_URL = ""  # the draft's own search-index job runs here, before the test proper
    item = draft(staff)
    redis.stop()
    client.force_login(staff)

    with caplog.at_level(logging.WARNING, logger="core.jobs"):
        response = client.post(f"/items/{item.pk}/act/submit/")

    assert response.status_code == 302
    assert AgendaItem.objects.get(pk=item.pk).state == State.DEPT_REVIEW  # the step is saved
    (kept,) = OutboxJob.objects.filter(sent_at__isnull=True)  # the draft's own job was handed over
    assert (kept.func, kept.args, kept.kwargs) == (
        "decisions.services.notify_item_step",
        [item.pk, "submit", "dept_review", item.version + 1],
        {},
    )
    assert kept.sent_at is None and "ConnectionError" in kept.last_error
    assert "kept in the outbox" in caplog.text
    assert not Notification.objects.filter(recipient=depthead).exists()  # not done yet: it waits

    # Still down: a flush keeps the job and says why.
    assert jobs.flush_outbox() == {"sent": 0, "kept": 1}
    kept.refresh_from_db()
    assert (kept.sent_at, kept.attempts) == (None, 2)

    redis.start()
    queue = jobs.queue()
    assert jobs.flush_outbox() == {"sent": 1, "kept": 0}
    assert queue.count == 1
    (job,) = queue.get_jobs()
    assert job.func_name == "decisions.services.notify_item_step" and job.retries_left == jobs.RETRY.max

    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    note = Notification.objects.get(recipient=depthead)
    assert item.title in note.text and note.url == f"/items/{item.pk}/"
    kept.refresh_from_db()
    assert kept.sent_at is not None and kept.attempts == 3

    assert jobs.flush_outbox() == {"sent": 0, "kept": 0}  # nothing twice
    assert queue.count == 0
    assert Notification.objects.filter(recipient=depthead).count() == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_job_handed_over_but_not_marked_is_not_queued_twice(people, redis):
    """A flush that died after RQ took the job and before the row was marked: the next flush
    finds the job in Redis by its id and only marks the row."""
    redis.stop()
    jobs.enqueue("search.services.index_object", "item", 1)  # no transaction: kept at once
    row = OutboxJob.objects.get()
    redis.start()
    queue = jobs.queue()
    queue.enqueue_call(func=row.func, args=row.args, job_id=jobs._job_id(row))  # as the dead flush did

    assert jobs.flush_outbox() == {"sent": 1, "kept": 0}
    assert queue.count == 1
    row.refresh_from_db()
    assert row.sent_at is not None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_redis_that_hangs_costs_a_request_one_wait_not_one_per_job(people, redis, settings):
    """A server that takes the connection and never answers (a hung or half-dead Redis)."""
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(16)  # the kernel completes the handshake; nobody ever reads
    try:
        staff = people("staff")
        settings.REDIS_URL = ""
        item = draft(staff)
        redis.stop(f"redis://127.0.0.1:{hung.getsockname()[1]}/0")

        started = time.monotonic()
        with transaction.atomic():  # a step that starts three jobs
            for _ in range(3):
                jobs.enqueue("search.services.index_object", "item", item.pk)
        took = time.monotonic() - started
    finally:
        hung.close()

    # One try and its one retry, each cut off after REDIS_TIMEOUT (4 s); the other two jobs are not
    # tried. Trying each job would wait 3 × 2 × REDIS_TIMEOUT = 12 s.
    assert 2 * jobs.REDIS_TIMEOUT <= took < 4 * jobs.REDIS_TIMEOUT, f"three jobs waited {took:.2f}s"
    kept = list(OutboxJob.objects.filter(sent_at__isnull=True).values_list("attempts", "last_error"))
    assert len(kept) == 3
    assert kept[0][0] == 1 and "Timeout" in kept[0][1]
    assert [attempts for attempts, _error in kept[1:]] == [0, 0]


@pytest.mark.redis
def test_pages_are_served_with_redis_down(client, people, redis):
    redis.stop()
    for username in ("staff", "secretary", "partyoffice"):
        client.force_login(people(username))
        response = client.get("/")
        assert response.status_code == 200, username
        assert 'class="navbar' in response.content.decode()
    assert not OutboxJob.objects.exists()  # reading a page starts no job


@pytest.mark.redis
def test_reminders_stay_pending_while_redis_is_down_and_go_out_when_the_cron_runs_again(people, redis, settings):
    import redis as redis_client

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    staff = people("staff")
    remind(recipient=staff, key="fault:redis-down", text="会议明天召开", link=Link("meetings:detail", (1,)))

    redis.stop()
    down = CronScheduler(connection=redis_client.Redis.from_url(DEAD_URL))
    down.load_config_from_file("config/cron.py")
    with pytest.raises(redis_client.exceptions.ConnectionError):
        down.enqueue_jobs()  # rq's cron cannot reach Redis: nothing is sent, nothing is lost
    assert set(Delivery.objects.values_list("state", flat=True)) == {"pending"}

    redis.start()
    queue = jobs.queue()
    up = CronScheduler(connection=queue.connection)
    up.load_config_from_file("config/cron.py")
    enqueued = {job.name for job in up.enqueue_jobs()}
    assert {"deliver reminders", "outbox: jobs not handed over"} <= enqueued

    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    assert Notification.objects.filter(recipient=staff, text="会议明天召开").count() == 1
    assert [m.to for m in mail.outbox] == [[staff.email]]


def test_without_redis_the_kept_jobs_run_in_process(people, settings, django_capture_on_commit_callbacks):
    """Redis given up (REDIS_URL emptied) while jobs waited: `manage.py flush_outbox` runs them here."""
    from io import StringIO

    from django.core.management import call_command

    staff, depthead = people("staff"), people("depthead")
    settings.REDIS_URL = ""
    item = draft(staff)
    with django_capture_on_commit_callbacks(execute=True):
        from decisions import services

        services.item_submit(actor=staff, item_id=item.pk)
    Notification.objects.all().delete()
    OutboxJob.objects.all().delete()  # the draft's job too: this test's transaction never commits
    OutboxJob.objects.create(
        func="decisions.services.notify_item_step", args=[item.pk, "submit", "dept_review", item.version + 1]
    )
    out = StringIO()

    call_command("flush_outbox", stdout=out)

    assert "sent 1, still waiting 0" in out.getvalue()
    assert Notification.objects.filter(recipient=depthead).count() == 1


def test_the_schedule_flushes_the_outbox_every_minute_before_delivering_reminders():
    from core.management.commands.run_jobs import load_schedule

    jobs_by_name = {job.name: job for job in load_schedule("config.cron")}
    names = list(jobs_by_name)
    flush = jobs_by_name["outbox: jobs not handed over"]
    assert (flush.func, flush.interval, flush.cron) == (jobs.flush_outbox, 60, None)
    assert names[-1] == "deliver reminders"  # last, so a run delivers what the sweeps before it made


def test_a_job_must_be_importable_by_its_path_and_take_json_arguments(settings):
    import datetime

    settings.REDIS_URL = ""
    with pytest.raises(ValueError, match="module-level function"):
        jobs.enqueue(lambda: None)
    with pytest.raises(TypeError, match="must be JSON"):
        jobs.enqueue("search.services.index_object", "item", datetime.date(2026, 9, 1))
    assert jobs.job_path(jobs.flush_outbox) == "core.jobs.flush_outbox"
