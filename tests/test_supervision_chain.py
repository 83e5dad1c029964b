"""From a submitted item to its closure: resolution → notice → tasks → reports → closed item."""

from datetime import timedelta

from django.utils import timezone

from core.models import AuditEvent
from decisions.models import State
from notices.models import Notice
from supervision import services
from supervision.models import Task
from supervision.selectors import progress_of
from tests.factories import at_state, closed_task, evidence_file, head_of, reported_task, resolution_task


def test_it_closes_the_item_when_its_last_task_closes(people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""  # the on-commit jobs run here, in this process
    with django_capture_on_commit_callbacks(execute=True):
        item = at_state(State.RESOLVED, submitter=people("staff"), amount=1_280_000)
    resolution = item.resolutions.get()
    assert Notice.objects.filter(resolution=resolution).exists()
    first = resolution_task(resolution, milestones=[("完成招标", timezone.localdate() + timedelta(days=5), 1)])
    second = resolution_task(resolution, track="project", title="设备安装调试")
    assert first.milestones.count() == 1

    reported_task(first)
    services.task_review(actor=people("discipline"), task_id=first.pk, decision="accept", comment="继续推进")
    first.refresh_from_db()
    assert first.state == Task.State.IN_PROGRESS
    assert progress_of(first).percent == 0

    closed_task(first)
    item.refresh_from_db()
    assert item.state == State.RESOLVED  # the second task is still open

    closed_task(second)
    item.refresh_from_db()
    assert item.state == State.CLOSED
    assert AuditEvent.objects.filter(verb="item.close", target_id=item.pk).count() == 1


def test_closure_needs_evidence(people):
    import pytest

    from core.errors import InvalidTransition

    item = at_state(State.RESOLVED, submitter=people("staff"))
    task = resolution_task(item.resolutions.get())
    with pytest.raises(InvalidTransition, match="佐证材料"):
        services.task_report(actor=head_of(task), task_id=task.pk, text="完成", is_final=True)
    services.task_report(actor=head_of(task), task_id=task.pk, text="完成", is_final=True, files=[evidence_file()])
    task.refresh_from_db()
    assert task.state == Task.State.REPORTED
