"""Sessions read from the Redis cache, the forgiving cache when Redis is away, and the roles
loaded with the signed-in person (org.backends.YishiBackend)."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from org.models import RoleAssignment

CACHED_DB = "django.contrib.sessions.backends.cached_db"


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


@pytest.mark.redis
def test_with_redis_a_page_reads_its_session_from_the_cache(school, settings):
    settings.CACHES = _redis_cache(django_settings.REDIS_URL)
    settings.SESSION_ENGINE = CACHED_DB
    caches["default"].clear()
    client = Client()
    client.force_login(school["staff"])
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    assert not [q for q in _sql(captured) if "django_session" in q]
    # Signing out removes the session from the cache as well: the old cookie is signed out everywhere.
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/logout/")
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert stale.get("/").status_code == 302


def test_with_redis_unreachable_pages_carry_on_from_the_database(school, settings, caplog):
    settings.CACHES = _redis_cache("redis://127.0.0.1:6390/0")  # nothing listens there
    settings.SESSION_ENGINE = CACHED_DB
    client = Client()
    client.force_login(school["staff"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    assert [q for q in _sql(captured) if "django_session" in q]  # the database answered instead
    assert "Redis unreachable" in caplog.text
    client.post("/logout/")
    assert client.get("/").status_code == 302


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
