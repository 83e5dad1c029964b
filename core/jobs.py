"""Enqueueing background work.

With REDIS_URL set, a job goes to RQ when the transaction commits. If Redis does not answer then
(stopped, restarting, unreachable), the job is written to the database outbox (core.OutboxJob)
instead and the page still succeeds; `flush_outbox` (on rq's cron, and `manage.py flush_outbox`)
hands the kept jobs to RQ once Redis is back. Without REDIS_URL, the same function runs in this
process right after the commit, so the embedded demo behaves the same with no server.

Jobs are named by dotted path and take JSON arguments (ids, short strings), so a job can wait in
the outbox and a lower app can start work in an app above it without importing it.

Every job is enqueued with `RETRY`: a job that raises, or whose worker is killed mid-job, runs
again (rq re-runs an abandoned job once its heartbeat expires, see docs/architecture.md, Jobs).
That is why every job must be safe to run twice.
"""

import json
import logging
import time
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from rq import Retry

log = logging.getLogger(__name__)

# Three more runs, 10 s, 1 min and 5 min after a failure. For a killed worker rq first waits for
# the job's heartbeat to expire (about 90 s with the 300 s job timeout) before the first retry.
RETRY = Retry(max=3, interval=[10, 60, 300])
QUEUE = "default"
# A web request waits at most this long (seconds) per try for Redis before the job goes to the
# outbox; after a failure, this process sends jobs straight to the outbox for REDIS_AWAY seconds,
# so a page that starts several jobs waits once, not once per job, for a Redis that hangs.
REDIS_TIMEOUT = 2.0
REDIS_AWAY = 10.0
_away_until: dict[str, float] = {}


def job_path(func: Callable | str) -> str:
    """The dotted path a job is stored under; refuses what cannot be imported back."""
    if isinstance(func, str):
        return func
    path = f"{func.__module__}.{func.__qualname__}"
    try:
        found = import_string(path)
    except ImportError:
        found = None
    if found is not func:
        raise ValueError(f"{path} is not importable by that name: a job must be a module-level function")
    return path


def enqueue(func: Callable | str, *args, **kwargs) -> None:
    """Run `func(*args, **kwargs)` after the current transaction commits, on a worker if there is
    Redis. `func` may be a dotted path: a lower app can start work in an app above it (a resolution
    → its notice) without importing it."""
    path = job_path(func)
    try:
        json.dumps([args, kwargs])
    except TypeError as exc:
        raise TypeError(f"{path}: job arguments must be JSON (ids and short strings): {exc}") from exc
    if settings.REDIS_URL:
        transaction.on_commit(lambda: _send_or_keep(path, list(args), kwargs))
    else:
        target = import_string(path)
        transaction.on_commit(lambda: target(*args, **kwargs))


@lru_cache(maxsize=4)
def _redis(url: str):
    from redis import Redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry as RedisRetry

    # One quick retry (a pooled connection may be stale after Redis restarted), then give up.
    return Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT, retry=RedisRetry(NoBackoff(), 1)
    )


def queue():
    """The RQ queue the workers listen on (RQ_QUEUES), enqueueing at once: the caller has committed."""
    import django_rq

    return django_rq.get_queue(QUEUE, commit_mode="auto", connection=_redis(settings.RQ_QUEUES[QUEUE]["URL"]))


def _redis_errors() -> tuple[type[Exception], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def _to_rq(path: str, args: list, kwargs: dict, job_id: str | None = None) -> None:
    # enqueue_call: a job's own keyword arguments never collide with rq's options (timeout, …).
    queue().enqueue_call(func=path, args=args, kwargs=kwargs, retry=RETRY, job_id=job_id, unique=job_id is not None)


def _send_or_keep(path: str, args: list, kwargs: dict) -> None:
    from core.models import OutboxJob

    url = settings.RQ_QUEUES[QUEUE]["URL"]
    tried = time.monotonic() >= _away_until.get(url, 0.0)
    if not tried:
        error = "Redis was unreachable moments ago; not tried"
    else:
        try:
            _to_rq(path, args, kwargs)
            return
        except _redis_errors() as exc:
            _away_until[url] = time.monotonic() + REDIS_AWAY
            error = f"{type(exc).__name__}: {exc}"
    log.warning("Redis unreachable, job %s kept in the outbox: %s", path, error)
    OutboxJob.objects.create(func=path, args=args, kwargs=kwargs, attempts=int(tried), last_error=error[:2000])


def flush_outbox(*, limit: int = 500) -> dict[str, int]:
    """Job: hand the jobs kept in the outbox to RQ, oldest first, at most `limit` of them.

    The rows are locked (SKIP LOCKED on PostgreSQL) so two flushes never hand over the same job.
    If Redis is still away, the run stops at the first failure and the rest wait for the next.
    Without REDIS_URL (Redis was given up), the kept jobs run here, in this process.
    Each row becomes the RQ job `outbox-<id>-<created>`, enqueued as unique: if a crash came
    between handing it over and marking it sent, the next run finds the job in Redis and only
    marks the row (once the job's record has expired it is handed over again; jobs are safe to
    run twice).
    """
    from rq.exceptions import DuplicateJobError

    from core.models import OutboxJob

    counts = {"sent": 0, "kept": 0}
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        qs = OutboxJob.objects.filter(sent_at__isnull=True).order_by("created_at", "id")
        qs = qs.select_for_update(skip_locked=True) if skip_locked else qs.select_for_update()
        sent = []
        for row in qs[:limit]:
            try:
                if settings.REDIS_URL:
                    job_id = f"outbox-{row.pk}-{row.created_at:%Y%m%d%H%M%S}"
                    try:
                        _to_rq(row.func, row.args, row.kwargs, job_id=job_id)
                    except DuplicateJobError:
                        log.info("outbox job %s was already handed over as %s", row.pk, job_id)
                else:
                    with transaction.atomic():  # a failing job rolls back alone
                        import_string(row.func)(*row.args, **row.kwargs)
            except Exception as exc:  # noqa: BLE001 - recorded on the row, tried again next run
                row.attempts += 1
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                row.save(update_fields=["attempts", "last_error"])
                counts["kept"] += 1
                log.warning("outbox job %s (%s) not handed over: %s", row.pk, row.func, row.last_error)
                if isinstance(exc, _redis_errors()):
                    break  # Redis is still away: the rest wait for the next run
                continue
            sent.append(row.pk)
        if sent:
            from django.db.models import F

            OutboxJob.objects.filter(pk__in=sent).update(sent_at=timezone.now(), attempts=F("attempts") + 1)
        counts["sent"] = len(sent)
    return counts
