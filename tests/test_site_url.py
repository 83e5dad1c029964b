"""Every absolute link Yishi sends or shows is built from SITE_URL (core.links.absolute), the
address people reach it at, whatever port the server itself listens on; stored links are paths."""

import re
import subprocess
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

from core.models import Notification, Reminder
from core.reminders import deliver_due
from decisions.jobs import remind_consultations
from decisions.models import State
from supervision.models import CalendarToken
from tests.factories import at_state
from tests.test_settings import ROOT, manage

SITE = "https://yishi.example.edu.cn"
LINK = re.compile(r"[a-z]+://[^\s\"'<>]+")


def test_e_mail_links_start_with_the_site_url(people, settings):
    settings.SITE_URL = SITE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    member1 = people("member1")
    at_state(State.CONSULTING, submitter=people("staff"), consultees=[member1])
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert remind_consultations()["created"] == 1
        deliver_due()

    (message,) = mail.outbox
    links = LINK.findall(message.body)
    assert links and all(link.startswith(f"{SITE}/items/") for link in links)
    assert ":8000" not in message.body and ":8000" not in str(message.message())


def test_stored_links_are_route_names_reversed_to_paths(people):
    at_state(State.CONSULTING, submitter=people("staff"), consultees=[people("member1")])
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        remind_consultations()
        deliver_due()
    rows = [*Notification.objects.all(), *Reminder.objects.all()]
    assert rows and all(row.route and row.url == reverse(row.route, args=row.args) for row in rows)
    assert all(row.url.startswith("/") and "://" not in row.url for row in rows)


def test_the_calendar_feed_link_starts_with_the_site_url(client, people, settings):
    settings.SITE_URL = SITE + "/"
    client.force_login(people("member1"))

    text = client.get("/calendar/").content.decode()

    token = CalendarToken.objects.get(person=people("member1")).token
    assert f"{SITE}/calendar/{token}.ics" in text
    assert f"webcal://yishi.example.edu.cn/calendar/{token}.ics" in text
    assert "testserver" not in text


def test_a_site_url_on_this_machine_or_outside_allowed_hosts_is_reported_in_production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["yishi.example.edu.cn"]
    settings.SITE_URL = "http://127.0.0.1:8000"
    ids = {m.id for m in run_checks(include_deployment_checks=True)}
    assert "yishi.W001" in ids

    settings.SITE_URL = "https://other.example.edu.cn"
    assert "yishi.W002" in {m.id for m in run_checks(include_deployment_checks=True)}

    settings.SITE_URL = SITE
    assert not {m.id for m in run_checks(include_deployment_checks=True)} & {"yishi.W001", "yishi.W002"}


def test_a_malformed_site_url_stops_the_start():
    result = manage("check", SITE_URL="yishi.example.edu.cn")
    assert result.returncode != 0
    assert "SITE_URL='yishi.example.edu.cn'" in result.stderr


@pytest.mark.parametrize("port", ["8000", "9123"])
def test_make_run_links_to_the_port_it_serves(port):
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "-n", "run", f"PORT={port}"],  # noqa: S607 - make from PATH, as the README says
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert f"SITE_URL=http://127.0.0.1:{port}" in result.stdout
