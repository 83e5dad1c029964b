"""The chair of a meeting is the chair recorded on it when it was scheduled (meetings.access.chairs),
whoever chairs its body afterwards: the buttons a page shows him and the steps the services let
him take agree, before and after the body's chair changes."""

import pytest
from django.test import Client
from django.urls import reverse

from decisions.models import State
from meetings import access, services
from meetings.models import AgendaEntry
from org.models import MeetingBody
from tests.factories import at_state, meeting_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair_changed(people):
    """A planned PC meeting chaired by the secretary, one item on its agenda; then the Party
    committee's chair passes to member1."""
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member2")])
    meeting = meeting_for("PC")
    entry = services.agenda_add(actor=people("partyoffice"), meeting_id=meeting.pk, item_id=item.pk)
    MeetingBody.objects.filter(code="PC").update(chair=people("member1"))
    return meeting, entry


def _client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_the_meeting_keeps_the_chair_it_was_scheduled_with(people, chair_changed):
    meeting, _entry = chair_changed
    meeting.refresh_from_db()
    assert access.chairs(people("secretary"), meeting)
    assert not access.chairs(people("member1"), meeting)


def test_after_a_chair_change_the_meeting_chair_is_shown_the_drop_button_and_may_use_it(people, chair_changed):
    meeting, entry = chair_changed
    client = _client(people("secretary"))
    page = client.get(reverse("meetings:entry", args=[entry.pk])).content.decode()
    assert reverse("meetings:entry_act", args=[entry.pk, "drop"]) in page
    response = client.post(reverse("meetings:entry_act", args=[entry.pk, "drop"]), {"reason": "另行安排"})
    assert response.status_code == 302
    assert AgendaEntry.objects.get(pk=entry.pk).dropped_at is not None


def test_after_a_chair_change_the_meeting_chair_may_publish_the_agenda_he_is_shown(people, chair_changed):
    meeting, _entry = chair_changed
    client = _client(people("secretary"))
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert reverse("meetings:act", args=[meeting.pk, "publish"]) in page
    response = client.post(reverse("meetings:act", args=[meeting.pk, "publish"]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == "published"


def test_the_bodys_new_chair_does_not_run_a_meeting_scheduled_before(people, chair_changed):
    meeting, entry = chair_changed
    client = _client(people("member1"))
    page = client.get(reverse("meetings:entry", args=[entry.pk])).content.decode()
    assert reverse("meetings:entry_act", args=[entry.pk, "drop"]) not in page
    response = client.post(reverse("meetings:entry_act", args=[entry.pk, "drop"]), {"reason": "另行安排"})
    assert response.status_code == 403
    assert AgendaEntry.objects.get(pk=entry.pk).dropped_at is None
