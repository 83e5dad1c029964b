"""Two people act at the same moment on the SQLite demo (`make run`): one step wins and the other
is told why, as on PostgreSQL, never "database is locked".

SQLite has no row locks: its writers take the one database write lock. With deferred transactions
(SQLite's default) both requests read, then both try to write; the second cannot upgrade its read
to a write while the first holds the lock and is refused at once ("database is locked"). The
settings begin every transaction IMMEDIATE (the write lock first, waiting up to the busy timeout),
in WAL mode, so the second request waits, then reads the state the first one left and gets the
service's ordinary refusal.

The test database is in memory; the race runs on a copy of it in a file, one connection per thread,
opened with the project's own SQLite settings.
"""

import contextlib
import sqlite3
import threading

import pytest
from django.db import connection, connections

from core.errors import InvalidTransition
from core.models import AuditEvent
from decisions import access, services
from decisions.models import AgendaItem, State
from tests.factories import at_state

# Collected only against SQLite (tests/conftest.py); `make test` runs them on SQLite whatever
# DATABASE_URL says, so CI on PostgreSQL runs them too.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sqlite_demo]


@pytest.fixture
def file_database(tmp_path, monkeypatch):
    """Copy the test database to a file; connections opened from now on (each thread's) use it."""
    assert connection.vendor == "sqlite", "the SQLite demo's locking; PostgreSQL races are in tests/test_concurrency.py"

    def switch():
        path = tmp_path / "demo.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        monkeypatch.setitem(connections.settings["default"], "NAME", str(path))
        return path

    return switch


def race_on_file(*calls) -> list:
    """Run `calls` in threads, each on its own connection; every call reads the item and then
    waits (up to a second) for the others to have read it too before it writes."""
    read_by_all = threading.Barrier(len(calls), timeout=1)
    results: list = [None] * len(calls)
    check = access.check

    def check_then_wait(*args, **kwargs):
        check(*args, **kwargs)
        # The other call may still be waiting for the write lock: then go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            read_by_all.wait()

    def run(i, fn):
        try:
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the loser's exception is the result
            results[i] = exc
        finally:
            connections["default"].close()

    access.check = check_then_wait
    try:
        threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        access.check = check
    return results


def in_thread(fn):
    """The result of `fn` read on a fresh connection (the file, not the in-memory test database)."""
    box = []

    def run():
        try:
            box.append(fn())
        finally:
            connections["default"].close()

    t = threading.Thread(target=run)
    t.start()
    t.join()
    return box[0]


def test_two_screeners_clicks_at_once_on_sqlite_end_with_one_step_and_one_reason(people, file_database):
    item = at_state(State.SCREENING, submitter=people("staff"))
    secretary = people("secretary")
    file_database()

    results = race_on_file(
        lambda: services.item_screen_return(actor=secretary, item_id=item.pk, reason="请补充预算明细"),
        lambda: services.item_screen_reject(actor=secretary, item_id=item.pk, reason="不属于党委会议事范围"),
    )

    wins = [r for r in results if isinstance(r, AgendaItem)]
    refusals = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(wins) == 1 and len(refusals) == 1, results
    assert refusals[0].status == 409
    saved = in_thread(lambda: AgendaItem.objects.values("state", "version").get(pk=item.pk))
    assert saved == {"state": wins[0].state, "version": item.version + 1}
    steps = in_thread(lambda: AuditEvent.objects.filter(target_id=item.pk, verb__startswith="item.screen").count())
    assert steps == 1


def test_the_demo_database_is_in_wal_mode_with_a_busy_timeout(file_database):
    file_database()

    def pragmas():
        with connections["default"].cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
            cursor.execute("PRAGMA busy_timeout")
            return mode, cursor.fetchone()[0]

    assert in_thread(pragmas) == ("wal", 20000)
