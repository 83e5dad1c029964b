"""Accounts: a person changes their own password or resets a forgotten one (Django's views, in
Chinese); a session ends after a working day without a request; pages for a signed-in person
and attachment downloads are never cached."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from decisions import services
from tests.factories import draft

NEW_PASSWORD = "Xinmima-2026-tushu"


def sign_in(client, username, password) -> int:
    return client.post("/login/", {"username": username, "password": password}).status_code


# --- changing one's own password ----------------------------------------------------------------


def test_it_changes_ones_own_password_and_signs_out_the_other_devices(client, people):
    staff = people("staff")
    staff.set_password("old-Password-2025")
    staff.save()
    other_device = Client()
    other_device.force_login(staff)
    client.force_login(staff)
    home = client.get("/").content.decode()
    assert 'href="/password/change/"' in home and "修改密码" in home

    page = client.get("/password/change/")
    assert page.status_code == 200
    assert "请先输入当前密码" in page.content.decode()
    response = client.post(
        "/password/change/",
        {"old_password": "old-Password-2025", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302 and response.url == "/password/change/done/"
    assert "密码已修改" in client.get(response.url).content.decode()
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200  # this device stays signed in
    assert other_device.get("/").status_code == 302  # the others are signed out
    assert AuditEvent.objects.filter(verb="account.password_change", actor=staff).count() == 1


def test_a_wrong_current_password_changes_nothing(client, people):
    staff = people("staff")
    client.force_login(staff)
    response = client.post(
        "/password/change/", {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert "你的旧密码不正确" in response.content.decode()
    staff.refresh_from_db()
    assert not staff.check_password(NEW_PASSWORD)
    assert not AuditEvent.objects.filter(verb="account.password_change").exists()


def test_changing_a_password_needs_a_signed_in_person(client):
    response = client.get("/password/change/")
    assert response.status_code == 302 and response.url.startswith("/login/")


# --- resetting a forgotten one -----------------------------------------------------------------


def test_the_login_page_offers_the_reset(client, school):
    page = client.get("/login/").content.decode()
    assert 'href="/password/reset/"' in page and "忘记密码？" in page


def test_a_reset_link_arrives_in_chinese_from_site_url_and_sets_the_new_password(client, people, settings):
    settings.SITE_URL = "https://yishi.school.example/"
    staff = people("staff")

    response = client.post("/password/reset/", {"email": staff.email})

    assert response.status_code == 302 and response.url == "/password/reset/sent/"
    (message,) = mail.outbox
    assert message.to == [staff.email]
    assert message.subject == "决策一件事：重设密码"
    assert "您好" in message.body and "staff" in message.body
    (link,) = re.findall(r"https://yishi\.school\.example(/password/reset/\S+/)", message.body)

    form = client.get(link, follow=True)
    assert form.status_code == 200 and "设置新密码" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302 and done.url == "/password/reset/done/"
    assert "密码已重设" in client.get(done.url).content.decode()
    assert sign_in(Client(), "staff", NEW_PASSWORD) == 302
    assert AuditEvent.objects.filter(verb="account.password_reset", actor=staff).count() == 1
    again = client.get(link, follow=True)
    assert "链接已失效" in again.content.decode()


def test_a_reset_for_an_unknown_address_is_answered_as_for_a_known_one(client, people):
    known = client.post("/password/reset/", {"email": people("staff").email}, follow=True)
    unknown = client.post("/password/reset/", {"email": "nobody@elsewhere.example"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [("/password/reset/sent/", 302)]
    strip = re.compile(r"[A-Za-z0-9]{64}")  # the CSRF tokens in the form and in htmx's headers
    assert strip.sub("", known.content.decode()) == strip.sub("", unknown.content.decode())
    assert len(mail.outbox) == 1


# --- idle sessions ------------------------------------------------------------------------------


def test_a_session_ends_after_a_working_day_without_a_request(people, settings):
    assert settings.SESSION_COOKIE_AGE == 9 * 3600
    start = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
    client = Client()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(people("staff"))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(hours=8, minutes=50))  # busy all day: each request keeps it alive
        assert client.get("/").status_code == 200
        clock.shift(timedelta(hours=8, minutes=50))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(hours=9, minutes=1))  # then nothing for a working day
        response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_idle_time_comes_from_session_idle_hours():
    from tests.test_settings import manage

    shown = manage(
        "shell", "-c", "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)", SESSION_IDLE_HOURS="2.5"
    )
    assert shown.stdout.split()[-1] == "9000", shown.stderr
    refused = manage("check", SESSION_IDLE_HOURS="0")
    assert refused.returncode != 0 and "SESSION_IDLE_HOURS" in refused.stderr


def test_a_page_within_the_refresh_interval_writes_no_session(client, people):
    client.force_login(people("staff"))
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    writes = [q["sql"] for q in captured.captured_queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]
    assert writes == []


# --- nothing kept in a cache -------------------------------------------------------------------


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def test_a_confidential_item_and_its_attachment_are_never_cached(client, people):
    staff = people("staff")
    item = draft(staff, confidential=True)
    upload = SimpleUploadedFile("名单.pdf", b"%PDF-1.4 secret", "application/pdf")
    attachment = services.attachment_add(actor=staff, item_id=item.pk, upload=upload)
    client.force_login(staff)

    page = client.get(f"/items/{item.pk}/")
    download = client.get(f"/items/attachments/{attachment.pk}/")

    assert page.status_code == 200 and download.status_code == 200
    assert {"no-store", "private"} <= cache_control(page)
    assert {"no-store", "private"} <= cache_control(download)


@pytest.mark.parametrize("url", ["/password/reset/", "/password/reset/sent/"])
def test_the_reset_pages_are_open_to_anonymous_visitors(client, school, url):
    assert client.get(url).status_code == 200
    assert django_settings.SITE_URL  # links are built from it
