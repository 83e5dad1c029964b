"""An RQ worker killed in the middle of a job: the job runs again, and no reminder is sent twice.

Real worker processes (`manage.py rqworker --burst`) against the real Redis and this test's
PostgreSQL database. The job is `deliver_due` for three reminders (in-app and e-mail each); the
mail backend below writes each message to a file and holds the second person's: the mail server
has that message, Yishi has not heard back yet. That is when the worker is killed with SIGKILL.

What rq 3 does then (rq/registry.py, StartedJobRegistry.cleanup): nothing at first. The job stays
"started" until its heartbeat expires (the job timeout's monitoring interval + 60 s, 90 s here);
the next worker's maintenance (at its start, then every 10 minutes) finds it abandoned and, as it
was enqueued with `Retry`, schedules it again. The test moves the clock over those waits
(time-machine) and runs rq's own maintenance and scheduler code at the later time.

A killed work horse alone (the kernel's OOM killer picks the biggest process) is seen at once by
its worker (rq/worker/worker_classes.py, monitor_work_horse) and retried the same way.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from rq.job import Job, JobStatus
from rq.registry import clean_registries
from rq.scheduler import RQScheduler

from core import jobs
from core.models import Delivery, Notification
from core.reminders import INTERRUPTED_AFTER, deliver_due, remind

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
HELD = "member2"  # the second of the three: one reminder before it is done, one after it waits
RECIPIENTS = ("member1", "member2", "staff")
HOLD_AT_MOST = 60  # seconds: a forgotten worker gives up instead of waiting for ever


class HoldingFileBackend(BaseEmailBackend):
    """Writes each message to YISHI_TEST_MAIL_DIR (one .eml file each). For the address in
    YISHI_TEST_MAIL_HOLD, once its message is written, the send does not return until the file
    YISHI_TEST_MAIL_RELEASE exists; meanwhile YISHI_TEST_MAIL_DIR/held.pid names the process.
    Configured by the environment: it runs in the worker processes the test starts."""

    def send_messages(self, messages):
        folder = Path(os.environ["YISHI_TEST_MAIL_DIR"])
        for message in messages:
            (folder / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
            if os.environ.get("YISHI_TEST_MAIL_HOLD") in message.to:
                self._hold(folder)
        return len(messages)

    def _hold(self, folder: Path) -> None:
        release = Path(os.environ["YISHI_TEST_MAIL_RELEASE"])
        if release.exists():
            return
        partial = folder / "held.pid.partial"
        partial.write_text(str(os.getpid()))
        partial.rename(folder / "held.pid")  # whole or absent, never half written
        deadline = time.monotonic() + HOLD_AT_MOST
        while not release.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the held message was never released")
            time.sleep(0.02)


class Workers:
    """Starts `manage.py rqworker default --burst` processes that see this test's database."""

    def __init__(self, tmp_path: Path):
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.release = tmp_path / "release"
        self.logs: list[Path] = []
        self.running: list[subprocess.Popen] = []
        db = settings.DATABASES["default"]
        auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "EMAIL_BACKEND": f"{__name__}.HoldingFileBackend",
            "YISHI_TEST_MAIL_DIR": str(self.mail_dir),
            "YISHI_TEST_MAIL_HOLD": f"{HELD}@school.example",
            "YISHI_TEST_MAIL_RELEASE": str(self.release),
        }

    def start(self) -> subprocess.Popen:
        log = self.mail_dir.parent / f"worker-{len(self.logs) + 1}.log"
        self.logs.append(log)
        process = subprocess.Popen(  # noqa: S603 - this interpreter and this checkout's manage.py
            [sys.executable, "manage.py", "rqworker", jobs.QUEUE, "--burst"],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as one (the horse makes its own)
        )
        self.running.append(process)
        return process

    def run(self, timeout: float = 20) -> str:
        """A worker that runs until the queue is empty; its log."""
        process = self.start()
        assert process.wait(timeout=timeout) == 0, self.logs[-1].read_text()
        return self.logs[-1].read_text()

    def wait_until_held(self, process: subprocess.Popen, timeout: float = 20) -> int:
        """The pid of the work horse holding the message, once it holds it."""
        held = self.mail_dir / "held.pid"
        deadline = time.monotonic() + timeout
        while not held.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker never reached the held message:\n{self.logs[-1].read_text()}")
            time.sleep(0.02)
        return int(held.read_text())

    def messages(self) -> list[str]:
        """The recipient of every message the mail server received, in any order."""
        found = []
        for path in self.mail_dir.glob("*.eml"):
            found.append(str(make_header(decode_header(message_from_bytes(path.read_bytes())["To"]))))
        return sorted(found)

    def stop_all(self):
        """After a failed test too: a horse left holding a message would hold its row lock."""
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        held = self.mail_dir / "held.pid"
        if held.exists():
            with contextlib.suppress(ProcessLookupError):
                kill(int(held.read_text()))


def kill(pid: int) -> None:
    """SIGKILL, and wait until the process is gone (or a zombie nobody has reaped yet)."""
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return
        if "\nState:\tZ" in status:
            return
        time.sleep(0.02)
    pytest.fail(f"process {pid} survived SIGKILL")


@pytest.fixture
def queue():
    queue = jobs.queue()

    def clear():
        queue.empty()
        queue.connection.delete(
            queue.started_job_registry.key, queue.scheduled_job_registry.key, queue.failed_job_registry.key
        )

    clear()
    yield queue
    clear()


@pytest.fixture
def workers(tmp_path):
    workers = Workers(tmp_path)
    yield workers
    workers.stop_all()


@pytest.fixture
def reminders(people):
    for username in RECIPIENTS:
        remind(recipient=people(username), key=f"fault:killed:{username}", text=f"纪要待您会签（{username}）")
    assert Delivery.objects.count() == 6  # in-app and e-mail for each


def _enqueued_delivery(queue) -> Job:
    with transaction.atomic():
        jobs.enqueue(deliver_due)  # as every Yishi job: on commit, with RETRY
    (job,) = queue.get_jobs()
    assert job.retries_left == jobs.RETRY.max
    return job


def _states() -> dict[tuple[str, str], str]:
    return {(d.reminder.recipient.username, d.channel): d.state for d in Delivery.objects.select_related("reminder")}


def _assert_mid_job(workers: Workers) -> None:
    # The first reminder is done, the second's in-app is done and its e-mail was claimed
    # (committed as "sending") before it went out; the third was not reached.
    assert _states() == {
        ("member1", "in_app"): "sent",
        ("member1", "email"): "sent",
        ("member2", "in_app"): "sent",
        ("member2", "email"): "sending",
        ("staff", "in_app"): "pending",
        ("staff", "email"): "pending",
    }
    assert workers.messages() == ["member1@school.example", "member2@school.example"]


def _promote_scheduled(queue, at: datetime) -> None:
    """What a worker's scheduler does once the retry interval has passed."""
    with time_machine.travel(at, tick=False):
        scheduler = RQScheduler([queue], connection=queue.connection)
        scheduler.acquire_locks()
        try:
            scheduler.enqueue_scheduled_jobs()
        finally:
            scheduler.release_locks()


def _assert_each_reminder_once(workers: Workers, job: Job) -> None:
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == {"sent": 2, "retried": 0, "gave_up": 0}  # the third reminder, both channels
    assert workers.messages() == [f"{u}@school.example" for u in RECIPIENTS]  # one e-mail each, none twice
    for username in RECIPIENTS:
        assert (
            Notification.objects.filter(recipient__username=username, key=f"reminder:fault:killed:{username}").count()
            == 1
        )
    states = _states()
    assert states.pop((HELD, "email")) == "sending"  # claimed and never confirmed: not sent again
    assert set(states.values()) == {"sent"}

    # Long after, the next run keeps the interrupted one for a person instead of sending it blindly.
    with time_machine.travel(datetime.now(timezone.utc) + INTERRUPTED_AFTER + timedelta(minutes=1)):
        assert deliver_due() == {"sent": 0, "retried": 0, "gave_up": 1}
    held = Delivery.objects.get(reminder__recipient__username=HELD, channel="email")
    assert held.state == "gave_up" and "无法确认是否已送达" in held.last_error
    assert mail.outbox == [] and len(workers.messages()) == 3


def test_a_worker_killed_mid_job_is_retried_and_no_reminder_goes_out_twice(queue, workers, reminders, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # this process sends nothing
    job = _enqueued_delivery(queue)
    first = workers.start()
    horse = workers.wait_until_held(first)
    _assert_mid_job(workers)

    # The machine or container goes: the worker and its work horse at once (the worker first, so
    # it cannot see its horse die and report it).
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    kill(horse)

    # rq has not noticed: the job is still "started", until its heartbeat runs out.
    job.refresh()
    assert job.get_status() == JobStatus.STARTED
    ((_entry, expires),) = queue.connection.zrange(queue.started_job_registry.key, 0, -1, withscores=True)
    expires_at = datetime.fromtimestamp(expires, timezone.utc)
    assert timedelta(seconds=60) < expires_at - datetime.now(timezone.utc) <= timedelta(seconds=91)
    workers.run()  # a worker started now finds nothing to do and leaves the job alone
    job.refresh()
    assert job.get_status() == JobStatus.STARTED

    # After the heartbeat: a worker's maintenance finds the job abandoned and schedules its retry.
    with time_machine.travel(expires_at + timedelta(seconds=1), tick=False):
        clean_registries(queue)
    job.refresh()
    assert (job.get_status(), job.retries_left) == (JobStatus.SCHEDULED, jobs.RETRY.max - 1)
    _promote_scheduled(queue, expires_at + timedelta(seconds=jobs.RETRY.intervals[0] + 2))
    assert job.get_status() == JobStatus.QUEUED

    workers.release.touch()
    workers.run()

    _assert_each_reminder_once(workers, job)


def test_a_work_horse_killed_mid_job_is_retried_and_no_reminder_goes_out_twice(queue, workers, reminders, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    job = _enqueued_delivery(queue)
    first = workers.start()
    horse = workers.wait_until_held(first)
    _assert_mid_job(workers)

    kill(horse)  # the OOM killer takes the work horse; its worker lives on
    assert first.wait(timeout=20) == 0
    assert "Work-horse terminated unexpectedly" in workers.logs[-1].read_text()

    # The worker saw it at once and scheduled the retry: no heartbeat to wait for.
    job.refresh()
    assert (job.get_status(), job.retries_left) == (JobStatus.SCHEDULED, jobs.RETRY.max - 1)
    _promote_scheduled(queue, datetime.now(timezone.utc) + timedelta(seconds=jobs.RETRY.intervals[0] + 2))
    assert job.get_status() == JobStatus.QUEUED

    workers.release.touch()
    workers.run()

    _assert_each_reminder_once(workers, job)
