from core.models import Notification
from core.notify import notify


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, people):
    staff = people("staff")
    notify(recipients=[staff], key="n1", text="议题已退回", url="/items/mine/")
    note = Notification.objects.get(recipient=staff)
    client.force_login(staff)

    response = client.post(f"/notifications/{note.pk}/open/")

    assert response.status_code == 302 and response.url == "/items/mine/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_nobody_opens_someone_elses_notification(client, people):
    notify(recipients=[people("staff")], key="n2", text="x", url="/")
    client.force_login(people("teacher"))
    assert client.post(f"/notifications/{Notification.objects.get().pk}/open/").status_code == 404


def test_an_outside_link_is_not_followed(client, people):
    staff = people("staff")
    notify(recipients=[staff], key="n3", text="x", url="https://evil.example/")
    client.force_login(staff)
    assert client.post(f"/notifications/{Notification.objects.get().pk}/open/").url == "/notifications/"


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
