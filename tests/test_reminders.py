"""Reminders: one per key however often a sweep runs; every channel delivered, retried, never lost."""

import http.server
import json
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core.links import Link
from core.models import Delivery, Notification, Reminder
from core.reminders import deliver_due, remind
from decisions.models import State
from meetings import jobs as meeting_jobs
from tests.factories import at_state, meeting_for, running_meeting


def test_it_reminds_once_per_key(people):
    staff = people("staff")
    assert remind(recipient=staff, key="k1", text="请处理", link=Link("decisions:detail", (1,))) is True
    assert remind(recipient=staff, key="k1", text="请处理", link=Link("decisions:detail", (1,))) is False
    assert Reminder.objects.count() == 1
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == ["email", "in_app"]


def test_it_delivers_in_app_and_by_email_once(people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    staff = people("staff")
    remind(recipient=staff, key="k2", text="会议明天召开", link=Link("meetings:detail", (1,)))

    assert deliver_due() == {"sent": 2, "retried": 0, "gave_up": 0}
    assert deliver_due() == {"sent": 0, "retried": 0, "gave_up": 0}

    assert Notification.objects.filter(recipient=staff, text="会议明天召开").count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [staff.email]
    assert "/meetings/1/" in mail.outbox[0].body


def test_no_email_for_someone_who_turned_it_off(people):
    staff = people("staff")
    staff.email_reminders = False
    staff.save(update_fields=["email_reminders"])
    remind(recipient=staff, key="k3", text="x")
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["in_app"]


class FlakyRobot(http.server.BaseHTTPRequestHandler):
    """A local stand-in for the DingTalk robot: fails the first `failures` posts."""

    failures = 1
    received: list = []

    def do_POST(self):  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append(body)
        ok = len(type(self).received) > type(self).failures
        self.send_response(200 if ok else 500)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"errcode": 0} if ok else {"errcode": 500}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def robot(settings):
    FlakyRobot.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FlakyRobot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.DINGTALK_WEBHOOK_URL = f"http://127.0.0.1:{server.server_address[1]}/robot/send?access_token=test"
    yield FlakyRobot
    server.shutdown()


def test_a_failing_channel_is_retried_with_backoff_without_loss_or_duplication(people, robot, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    robot.failures = 2
    remind(recipient=people("member1"), key="k4", text="纪要待您会签")
    dingtalk = Delivery.objects.get(channel="dingtalk")

    assert deliver_due()["retried"] == 1  # in-app and e-mail sent, the robot failed
    dingtalk.refresh_from_db()
    assert (dingtalk.state, dingtalk.attempts) == ("pending", 1)
    assert "HTTP Error 500" in dingtalk.last_error
    assert deliver_due()["sent"] == 0  # not due again before its backoff

    with time_machine.travel(timezone.now() + timedelta(minutes=1, seconds=5)):
        assert deliver_due()["retried"] == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=4)):
        assert deliver_due() == {"sent": 1, "retried": 0, "gave_up": 0}
        assert deliver_due() == {"sent": 0, "retried": 0, "gave_up": 0}

    dingtalk.refresh_from_db()
    assert (dingtalk.state, dingtalk.attempts) == ("sent", 3)
    # The group reads whom a reminder waits for, never what it is about (core.reminders.group_text).
    assert (
        len(robot.received) == 3
        and robot.received[-1]["text"]["content"] == "【决策一件事】张卫东，您有一条新的待办提醒，请登录查看。"
    )
    assert Notification.objects.filter(text="纪要待您会签").count() == 1


def test_after_the_last_attempt_a_delivery_is_kept_for_a_person(people, robot, settings):
    settings.REMINDER_MAX_ATTEMPTS = 2
    robot.failures = 99
    remind(recipient=people("member1"), key="k5", text="x")
    deliver_due()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert deliver_due()["gave_up"] == 1
    assert Delivery.objects.get(channel="dingtalk").state == "gave_up"


def test_the_meeting_sweep_reminds_each_attendee_once(people):
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    meeting = meeting_for("PC", days_ahead=3)
    from meetings import services

    services.agenda_add(actor=people("partyoffice"), meeting_id=meeting.pk, item_id=item.pk)
    services.meeting_publish(actor=people("partyoffice"), meeting_id=meeting.pk)
    attendees = meeting.attendance.count()

    assert meeting_jobs.remind_meetings()["found"] == 0  # materials not yet open, not tomorrow
    with time_machine.travel(meeting.starts_at - timedelta(hours=20)):
        first = meeting_jobs.remind_meetings()
        again = meeting_jobs.remind_meetings()
    assert first == {"found": 2 * attendees, "created": 2 * attendees, "skipped": 0}
    assert again == {"found": 2 * attendees, "created": 0, "skipped": 2 * attendees}


def test_the_sweep_reminds_members_who_have_not_co_signed(people):
    from meetings import services
    from tests.factories import all_opinions

    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="passed")
    services.meeting_adjourn(actor=people("partyoffice"), meeting_id=meeting.pk)
    minutes = meeting.minutes.get()
    services.minutes_send(actor=people("partyoffice"), minutes_id=minutes.pk)
    services.minutes_sign(actor=people("secretary"), minutes_id=minutes.pk)

    result = meeting_jobs.remind_meetings()

    assert result["created"] == 3  # principal, member1, member2
    assert set(Reminder.objects.values_list("recipient__username", flat=True)) == {"principal", "member1", "member2"}


def test_a_consultation_unanswered_for_a_day_is_reminded_once(people):
    from decisions.jobs import remind_consultations

    item = at_state(State.CONSULTING, submitter=people("staff"), consultees=[people("member1"), people("member2")])
    assert remind_consultations()["found"] == 0
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert remind_consultations() == {"found": 2, "created": 2, "skipped": 0}
        assert remind_consultations() == {"found": 2, "created": 0, "skipped": 2}
    assert Reminder.objects.filter(route="decisions:detail", args=[item.pk]).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_remind_once(people):
    from django.db import connection

    from decisions.models import Consultation

    # Asked 25 hours ago (a consultation is on record: it is made in the past, not back-dated).
    with time_machine.travel(timezone.now() - timedelta(hours=25)):
        item = at_state(State.CONSULTING, submitter=people("staff"), consultees=[people("member1"), people("member2")])
    assert Consultation.objects.filter(item=item).count() == 2
    results, barrier = [], threading.Barrier(2)

    def sweep():
        from decisions.jobs import remind_consultations

        try:
            barrier.wait(timeout=10)
            results.append(remind_consultations())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sum(r["created"] for r in results) == 2
    assert Reminder.objects.filter(route="decisions:detail", args=[item.pk]).count() == 2
    assert (
        Delivery.objects.filter(reminder__route="decisions:detail", reminder__args=[item.pk]).count() == 4
    )  # in-app + e-mail each


@pytest.mark.redis
def test_a_real_worker_delivers_the_queued_job(people, settings, django_capture_on_commit_callbacks):
    import django_rq
    from rq import SimpleWorker

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queue = django_rq.get_queue("default")
    queue.empty()
    remind(recipient=people("staff"), key="k6", text="通过队列发送")
    with django_capture_on_commit_callbacks(execute=True):  # django-rq enqueues on commit
        queue.enqueue(deliver_due)
    assert queue.count == 1

    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    assert Delivery.objects.filter(state="sent").count() == 2
    assert Notification.objects.filter(text="通过队列发送").count() == 1


@pytest.mark.redis
def test_the_cron_configuration_loads(settings):
    from django_rq.cron import DjangoCronScheduler

    scheduler = DjangoCronScheduler()
    scheduler.load_config_from_file("config/cron.py")
    names = {job.name for job in scheduler.get_jobs()}
    assert {"deliver reminders", "consultations pending", "meetings: materials, tomorrow, co-signature"} <= names
