import os
from urllib.parse import urlsplit, urlunsplit

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


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_record():
    """Record tables refuse TRUNCATE (core.records), and pytest-django empties the database with
    one after each transactional test. The flush alone runs with triggers off, which only a
    superuser may ask for (as the tests connect); the application's role cannot."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return original(self, ["SET LOCAL session_replication_role = replica;", *sql_list])

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The demo accounts are created per test; a slow hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_queries_from_templates(monkeypatch):
    """Templates never query: pages hand them evaluated data. Every template rendered in any test
    runs with queries disabled (django-zen-queries) once the context processors have run, so a
    lazy queryset, a related object not loaded or a form's choices read while rendering fails the
    test with zen_queries.QueriesDisabledError."""
    from contextlib import contextmanager, nullcontext

    from django.template.context import Context, RequestContext
    from zen_queries import queries_disabled

    ours = str(settings.BASE_DIR / "templates")

    def guard(template):
        # Yishi's templates and templates made from strings; not those of Django's admin or django-rq.
        name = getattr(template.origin, "name", "") or ""
        return queries_disabled() if name.startswith(ours) or name == "<unknown source>" else nullcontext()

    for cls in (Context, RequestContext):
        original = cls.bind_template

        def guarded(self, template, _original=original):
            @contextmanager
            def bound():
                with _original(self, template), guard(template):
                    yield

            return bound()

        monkeypatch.setattr(cls, "bind_template", guarded)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


# The rows seed_org writes, by the content of the tables it reads before it runs: seeding through
# the ORM costs ~250 queries, a copy of its rows a dozen. Kept per worker process; a state not seen
# yet (a test changed the defaults first, or a transactional test emptied the tables) is seeded
# for real and kept too.
_SEEDED: dict = {}


def _rows(model) -> dict:
    fields = [f.attname for f in model._meta.concrete_fields]
    return {row["pk"]: row for row in model.objects.order_by("pk").values("pk", *fields)}


def _seed_school() -> None:
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import transaction

    from decisions.models import DecisionPolicy, ScopeRule
    from org.models import BodyMember, Department, MeetingBody, RoleAssignment

    reads = [Department, User, RoleAssignment, MeetingBody, BodyMember, ScopeRule, DecisionPolicy]
    key = repr([sorted(_rows(m).items()) for m in reads])
    if key not in _SEEDED:
        models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
        before = {m: _rows(m) for m in models}
        seed_org()
        after = {m: _rows(m) for m in models}
        touched = [m for m in models if after[m] != before[m]]
        # Only a seeding that wrote to the tables the key reads can be copied.
        _SEEDED[key] = [(m, before[m], after[m]) for m in touched] if set(touched) <= set(reads) else None
        return
    if _SEEDED[key] is None:
        seed_org()
        return
    with transaction.atomic():  # foreign keys are checked at the end (deferred), in any order
        for model, before, after in _SEEDED[key]:
            new = []
            for pk, row in after.items():
                fields = {k: v for k, v in row.items() if k != "pk"}
                if pk not in before:
                    new.append(model(**fields))
                elif before[pk] != row:
                    model.objects.filter(pk=pk).update(**fields)
            model.objects.bulk_create(new)
        sql = connection.ops.sequence_reset_sql(no_style(), [m for m, _b, _a in _SEEDED[key]])
        if sql:
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)


@pytest.fixture
def school(db):
    """The demo school's departments, the demo accounts and the meeting bodies (demo.people.seed_org)."""
    _seed_school()
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def people(school):
    """Fresh user objects (no cached roles) by username."""

    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


def _redis_db_of_worker(url: str, worker: str) -> str:
    """gw0 keeps the configured database, gw1 the one below it, and so on (Redis has 16)."""
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db - int(worker[2:])) % 16}"))


@pytest.fixture(scope="session", autouse=True)
def _redis_database_per_worker():
    """With pytest-xdist every worker has a Redis database of its own, so a burst worker in one
    process never takes the jobs another process queued: each worker runs as the suite would alone."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if settings.REDIS_URL and worker.startswith("gw"):
        settings.REDIS_URL = _redis_db_of_worker(settings.REDIS_URL, worker)
        settings.RQ_QUEUES = {
            name: {**queue, "URL": _redis_db_of_worker(queue["URL"], worker)}
            for name, queue in settings.RQ_QUEUES.items()
        }
        for cache in settings.CACHES.values():
            if str(cache.get("LOCATION", "")).startswith("redis"):
                cache["LOCATION"] = _redis_db_of_worker(cache["LOCATION"], worker)
    yield


def pytest_collection_modifyitems(config, items):
    # The embedded demo's own SQLite behaviour is tested on SQLite only: against another database
    # those tests are left out here (not skipped), and `make test` runs them in a second pass on
    # SQLite (`-m sqlite_demo` without DATABASE_URL).
    if connection.vendor == "sqlite":
        return
    kept, left = [], []
    for item in items:
        (left if item.get_closest_marker("sqlite_demo") else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept
