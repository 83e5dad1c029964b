import os

import pytest
from django.conf import settings
from django.db import connection

from demo.people import seed_org
from org.models import User

# In CI every service is present and nothing may be skipped: a missing one fails the run.
REQUIRE_SERVICES = os.environ.get("YISHI_REQUIRE_SERVICES") == "1"


def _missing(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"YISHI_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _services(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("redis") and not settings.REDIS_URL:
        _missing("needs Redis: set REDIS_URL=redis://...")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The demo accounts are created per test; a slow hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture
def school(db):
    """The demo school's departments, the demo accounts and the meeting bodies."""
    seed_org()
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def people(school):
    """Fresh user objects (no cached roles) by username."""

    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get
