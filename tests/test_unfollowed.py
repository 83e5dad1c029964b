"""决而未果: every passed resolution that calls for action has a supervision task or a reason on
record; otherwise it waits, with its age, on the party office's and 纪委's screens, and is escalated."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from core.errors import InvalidTransition
from core.models import AuditEvent, Reminder
from decisions.models import Category, DecisionPolicy, State
from supervision.jobs import remind_unfollowed
from supervision.models import NoTaskReason
from supervision.selectors.unfollowed import unfollowed_resolutions
from supervision.services.followup import resolution_no_task
from tests.factories import at_state, resolution_task


@pytest.fixture
def resolution(school, people):
    item = at_state(State.RESOLVED, submitter=people("staff"), category=Category.DECISION)
    return item.resolutions.get()


def test_a_passed_decision_without_task_or_reason_is_in_the_queue_until_a_task_is_assigned(resolution):
    assert list(unfollowed_resolutions()) == [resolution]
    resolution_task(resolution)
    assert list(unfollowed_resolutions()) == []


def test_a_noted_study_item_calls_for_no_action(school, people):
    at_state(State.NOTED, submitter=people("staff"))
    assert list(unfollowed_resolutions()) == []


def test_the_party_office_records_why_none_is_needed_and_it_leaves_the_queue(resolution, people):
    row = resolution_no_task(actor=people("partyoffice"), resolution_id=resolution.pk, reason="制度已印发执行。")
    assert (row.reason, row.recorded_by) == ("制度已印发执行。", people("partyoffice"))
    assert list(unfollowed_resolutions()) == []
    assert AuditEvent.objects.filter(verb="resolution.no_task", target_id=resolution.pk).exists()
    with pytest.raises(InvalidTransition) as e:
        resolution_no_task(actor=people("discipline"), resolution_id=resolution.pk, reason="再登记一次")
    assert e.value.status == 409 and "已登记" in e.value.reason


def test_others_may_not_record_a_reason_and_a_blank_reason_is_refused(resolution, people):
    with pytest.raises(InvalidTransition) as e:
        resolution_no_task(actor=people("depthead"), resolution_id=resolution.pk, reason="不需要")
    assert e.value.status == 403 and "党委办公室或纪委" in e.value.reason
    with pytest.raises(InvalidTransition) as e:
        resolution_no_task(actor=people("discipline"), resolution_id=resolution.pk, reason="\u3000 ")
    assert e.value.status == 409
    assert not NoTaskReason.objects.exists()


def test_a_resolution_with_a_task_needs_no_reason(resolution, people):
    resolution_task(resolution)
    with pytest.raises(InvalidTransition) as e:
        resolution_no_task(actor=people("partyoffice"), resolution_id=resolution.pk, reason="无需")
    assert "已布置督查任务" in e.value.reason


def test_it_is_escalated_once_after_the_configured_days(resolution, people):
    policy = DecisionPolicy.current()
    policy.unfollowed_escalate_days = 5
    policy.save()
    assert remind_unfollowed()["created"] == 0
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=5, hours=1)):
        result = remind_unfollowed()
        assert remind_unfollowed()["created"] == 0
    recipients = set(
        Reminder.objects.filter(key__startswith="unfollowed:").values_list("recipient__username", flat=True)
    )
    assert recipients == {"partyoffice", "discipline", "secretary"}
    assert result["created"] == 3
    assert resolution.number in Reminder.objects.filter(key__startswith="unfollowed:").first().text


def test_the_queue_page_shows_age_to_the_party_office_and_refuses_others(resolution, people, client):
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=3, hours=1)):
        client.force_login(people("discipline"))
        response = client.get(reverse("supervision:unfollowed"))
    assert response.status_code == 200
    html = response.content.decode()
    assert resolution.number in html and "已 3 天" in html
    client.force_login(people("staff"))
    assert client.get(reverse("supervision:unfollowed")).status_code == 403


def test_the_page_records_a_reason_and_refuses_an_empty_one(resolution, people, client):
    client.force_login(people("partyoffice"))
    url = reverse("supervision:no_task", args=[resolution.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert not NoTaskReason.objects.exists()
    response = client.post(url, {"reason": "通报类决议，已在校务会通报。"})
    assert response.status_code == 302
    assert NoTaskReason.objects.get(resolution=resolution).reason == "通报类决议，已在校务会通报。"


def test_the_personal_screen_of_the_party_office_lists_it(resolution, people, client):
    client.force_login(people("partyoffice"))
    html = client.get("/").content.decode()
    assert "决而未果" in html and resolution.number in html
    client.force_login(people("depthead"))
    assert "决而未果" not in client.get("/").content.decode()
