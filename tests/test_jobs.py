"""Notifications after a step: enqueued on commit, delivered by a worker, once."""

import pytest

from core.models import Notification
from decisions import services
from decisions.models import State
from tests.factories import at_state


def test_it_runs_jobs_in_process_after_commit_without_redis(people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""
    staff, depthead = people("staff"), people("depthead")
    item = at_state(State.DRAFT, submitter=staff)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.item_submit(actor=staff, item_id=item.pk)
    assert not Notification.objects.filter(recipient=depthead).exists()  # nothing before the commit

    for callback in callbacks:
        callback()
    note = Notification.objects.get(recipient=depthead)
    assert item.title in note.text
    assert note.url == f"/items/{item.pk}/"


def test_it_notifies_once_however_often_the_job_runs(people, settings):
    settings.REDIS_URL = ""
    staff = people("staff")
    item = at_state(State.DEPT_REVIEW, submitter=staff)

    first = services.notify_item_step(item.pk, "submit", State.DEPT_REVIEW)
    again = services.notify_item_step(item.pk, "submit", State.DEPT_REVIEW)

    assert (first, again) == (1, 0)
    assert Notification.objects.filter(recipient=people("depthead")).count() == 1


@pytest.mark.redis
def test_it_delivers_through_redis_and_a_burst_worker(people, django_capture_on_commit_callbacks):
    import django_rq
    from rq import SimpleWorker

    queue = django_rq.get_queue("default")
    queue.empty()
    staff, secretary = people("staff"), people("secretary")
    item = at_state(State.DEPT_REVIEW, submitter=staff)

    with django_capture_on_commit_callbacks(execute=True):
        services.item_dept_approve(actor=people("depthead"), item_id=item.pk)

    assert queue.count == 1  # waiting in Redis, not yet delivered
    assert not Notification.objects.filter(recipient=secretary).exists()

    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    assert queue.count == 0
    note = Notification.objects.get(recipient=secretary)
    assert "待研判" in note.text


def test_the_submitter_is_told_why_an_item_left_the_agenda(people, settings, django_capture_on_commit_callbacks):
    from meetings import services as meeting_services
    from tests.factories import meeting_for

    settings.REDIS_URL = ""
    staff = people("staff")
    item = at_state(State.READY, submitter=staff, consultees=[people("member1")])
    meeting = meeting_for("PC")
    entry = meeting_services.agenda_add(actor=people("partyoffice"), meeting_id=meeting.pk, item_id=item.pk)

    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.agenda_drop(actor=people("partyoffice"), entry_id=entry.pk, reason="材料需补充财务测算")

    note = Notification.objects.filter(recipient=staff).latest("id")
    assert item.title in note.text and "材料需补充财务测算" in note.text
