import contextlib

import pytest
from django.urls import NoReverseMatch, reverse

from core.links import Link
from core.models import Notification
from core.notify import KINDS, link_for, notify


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, people):
    staff = people("staff")
    notify(recipients=[staff], key="n1", text="议题已退回", link=Link("decisions:mine"))
    note = Notification.objects.get(recipient=staff)
    client.force_login(staff)

    response = client.post(f"/notifications/{note.pk}/open/")

    assert response.status_code == 302 and response.url == "/items/mine/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_nobody_opens_someone_elses_notification(client, people):
    notify(recipients=[people("staff")], key="n2", text="x", link=Link("home"))
    client.force_login(people("teacher"))
    assert client.post(f"/notifications/{Notification.objects.get().pk}/open/").status_code == 404


def test_a_link_to_a_page_that_no_longer_exists_opens_the_list(client, people):
    staff = people("staff")
    notify(recipients=[staff], key="n3", text="x", link=Link("items:gone", (1,)))
    client.force_login(staff)
    assert client.post(f"/notifications/{Notification.objects.get().pk}/open/").url == "/notifications/"


def test_a_notification_stores_its_page_as_a_route_and_arguments(people):
    staff = people("staff")
    notify(recipients=[staff], key="n4", text="议题已退回", link=link_for("item.step", 7))

    note = Notification.objects.get(recipient=staff)
    assert (note.route, note.args) == ("decisions:detail", [7])
    assert note.url == reverse("decisions:detail", args=[7]) == "/items/7/"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_of_message_names_a_page_that_exists(kind):
    route = KINDS[kind].route
    assert route
    opened = []
    for args in ([1], []):
        with contextlib.suppress(NoReverseMatch):
            opened.append(reverse(route, args=args))
    assert opened, route


def test_email_reminders_can_be_turned_off_and_on(client, people):
    staff = people("staff")
    client.force_login(staff)
    assert "checked" in client.get("/notifications/settings/").content.decode()
    client.post("/notifications/settings/", {})
    staff.refresh_from_db()
    assert staff.email_reminders is False
    client.post("/notifications/settings/", {"email_reminders": "on"})
    staff.refresh_from_db()
    assert staff.email_reminders is True
