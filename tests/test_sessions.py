"""Sessions live in the database alone, so signing out is final whatever Redis does; the roles
are loaded with the signed-in person (org.backends.YishiBackend)."""

import importlib

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from org.models import RoleAssignment


def _redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.ForgivingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "yishi-test-sessions",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def _sql(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries]


def _project_session_engine() -> str:
    # The engine config/settings.py chooses for this environment (REDIS_URL set or not).
    return importlib.import_module("config.settings").SESSION_ENGINE


@pytest.mark.redis
def test_a_session_signed_out_while_redis_was_unreachable_stays_signed_out(school, settings):
    settings.CACHES = _redis_cache(django_settings.REDIS_URL)
    settings.SESSION_ENGINE = _project_session_engine()
    caches["default"].clear()
    client = Client()
    client.force_login(school["staff"])
    assert client.get("/").status_code == 200
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    settings.CACHES = _redis_cache("redis://127.0.0.1:6390/0")  # Redis unreachable: nothing listens there
    assert client.post("/logout/").status_code == 302
    settings.CACHES = _redis_cache(django_settings.REDIS_URL)  # and back, with its memory intact

    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = stale.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_a_signed_out_cookie_is_signed_out_for_every_process(school):
    client = Client()
    client.force_login(school["staff"])
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    client.post("/logout/")
    stale = Client()
    stale.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    assert stale.get("/").status_code == 302


def test_the_roles_come_with_the_user_in_one_query(school):
    client = Client()
    client.force_login(school["depthead"])
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    assert not [q for q in _sql(captured) if q.startswith('SELECT "org_roleassignment"')]
    assert [q for q in _sql(captured) if q.startswith('SELECT "org_user"') and "assignment_text" in q]
    request_user = client.get("/").wsgi_request.user
    expected = {(a.role, a.department_id) for a in RoleAssignment.objects.filter(user=school["depthead"])}
    assert {(a.role, a.department_id) for a in request_user.assignments} == expected
    assert request_user.headed_department_ids


def test_a_withdrawn_role_is_gone_on_the_next_request(school):
    client = Client()
    client.force_login(school["depthead"])
    assert client.get("/items/review/").status_code == 200
    RoleAssignment.objects.filter(user=school["depthead"], role="dept_head").delete()
    assert client.get("/items/review/").status_code == 403


def test_an_unreachable_redis_cache_is_a_miss_and_pages_carry_on(school, settings, caplog):
    settings.CACHES = _redis_cache("redis://127.0.0.1:6390/0")  # nothing listens there
    cache = caches["default"]
    cache.set("k", 1)
    assert cache.get("k", "missed") == "missed"
    assert "Redis unreachable" in caplog.text
    client = Client()
    client.force_login(school["staff"])
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302
