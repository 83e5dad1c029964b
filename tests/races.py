"""Real races on PostgreSQL: each call in its own thread and connection, all in flight at once.

The test holds the row locks the calls will need until every call is blocked on them (seen in
pg_stat_activity), then lets go, so the calls truly overlap whatever the scheduler does.
"""

import threading
import time

from django.db import connection, transaction


def waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Statistics views are snapshotted once per transaction; take a fresh look each time.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def race(*calls, locked) -> list:
    """Run `calls` at once while `locked` (a queryset) is held; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the loser's exception is the result
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    with transaction.atomic():
        list(locked.select_for_update())
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while waiting_on_locks() < len(calls):
            assert time.monotonic() < deadline, "the calls never queued on the row lock"
            time.sleep(0.01)
    for t in threads:
        t.join(timeout=30)
    return results
