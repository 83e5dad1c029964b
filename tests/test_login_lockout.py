"""Brute-force lockout on the login page (django-axes): per username and IP address."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

from org.models import User

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PASSWORD = "Correct-horse-42"


@pytest.fixture
def person(db):
    return User.objects.create_user(username="wanglaoshi", password=PASSWORD)


def _login(client, password, username="wanglaoshi", ip="10.0.0.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _fail(client, times, **kwargs):
    for _ in range(times):
        response = _login(client, "wrong", **kwargs)
    return response


def test_it_lets_four_failures_pass_and_then_accepts_the_right_password(client, person):
    response = _fail(client, 4)
    assert response.status_code == 200  # the login form again, with its error
    assert _login(client, PASSWORD).status_code == 302
    # A success clears the count: the next mistakes start again from one.
    assert not AccessAttempt.objects.exists()


def test_it_locks_out_at_the_fifth_failure_with_a_chinese_page(client, person):
    response = _fail(client, 5)
    assert response.status_code == 429
    page = response.content.decode()
    assert 'data-testid="lockout"' in page
    assert "登录已暂时锁定" in page
    assert "连续 5 次登录失败" in page
    assert "请在 15 分钟后再试" in page


def test_the_sixth_attempt_and_then_the_right_password_are_refused_until_the_cool_off_passes(client, person):
    with time_machine.travel(START, tick=False) as traveller:
        _fail(client, 5)
        assert _login(client, "wrong").status_code == 429  # the sixth
        assert _login(client, PASSWORD).status_code == 429
        assert "_auth_user_id" not in client.session

        traveller.shift(dt.timedelta(minutes=14))
        assert _login(client, PASSWORD).status_code == 429  # attempts while locked do not extend it

        traveller.shift(dt.timedelta(minutes=1, seconds=1))
        response = _login(client, PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(person.pk)


def test_it_locks_the_pair_not_the_person_everywhere_nor_the_address_for_everyone(client, person):
    User.objects.create_user(username="lilaoshi", password=PASSWORD)
    _fail(client, 5)
    assert _login(client, PASSWORD, ip="10.0.0.8").status_code == 302  # same person, other machine
    client.logout()
    assert _login(client, PASSWORD, username="lilaoshi").status_code == 302  # same machine, other person


def test_the_limit_and_the_cool_off_come_from_settings(client, person, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
    response = _fail(client, 2)
    assert response.status_code == 429
    assert "请在 30 分钟后再试" in response.content.decode()


def test_force_login_is_not_counted_or_refused(client, person):
    _fail(client, 5)
    client.force_login(person)
    assert client.get(reverse("home"), REMOTE_ADDR="10.0.0.7").status_code == 200


def _via_proxy(client, password, client_ip, proxy="127.0.0.1", forwarded_prefix=""):
    forwarded = f"{forwarded_prefix}{client_ip}"
    return client.post(
        reverse("login"),
        {"username": "wanglaoshi", "password": password},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_a_trusted_proxy_the_lockout_counts_the_clients_address(client, person, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(5):
        _via_proxy(client, "wrong", "10.0.0.7")
    assert _via_proxy(client, PASSWORD, "10.0.0.7").status_code == 429
    # Another client through the same proxy is not locked out with them.
    assert _via_proxy(client, PASSWORD, "10.0.0.8").status_code == 302
    # A client cannot pick its address: only the entry the proxy appended counts.
    client.logout()
    assert _via_proxy(client, PASSWORD, "10.0.0.7", forwarded_prefix="10.0.0.99, ").status_code == 429


def test_the_forwarded_header_of_an_untrusted_sender_is_ignored(client, person, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for n in range(5):
        _via_proxy(client, "wrong", f"10.0.1.{n}", proxy="10.0.0.50")  # a different header each time
    # All five counted against 10.0.0.50 itself: the header did not spread them.
    assert _via_proxy(client, PASSWORD, "10.0.2.1", proxy="10.0.0.50").status_code == 429
