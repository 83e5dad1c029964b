"""Enqueueing background work, through an outbox written with the change.

`enqueue(job, *args)` writes a row to the database outbox (core.OutboxJob) in the caller's
transaction: the job exists exactly when the change it follows does (a rolled-back transaction
leaves neither). When the transaction commits, the job is handed over and its row marked: to RQ
with REDIS_URL, or run in this process without it (in one transaction with the mark, so the demo
behaves the same with no server). If Redis does not answer then (stopped, restarting,
unreachable), the row stays waiting with the error and the page still succeeds.

`flush_outbox` (on rq's cron every minute; `manage.py flush_outbox`) is the sweep: it hands over
every row still waiting, the ones Redis refused at once and the others after GRACE, which are
rows whose hand-over never came (the process was killed between COMMIT and the hand-over). A job
runs once whoever hands it over first: in RQ it is the unique job `outbox-<id>-<created>`, and in
this process the run claims the row by compare-and-set, in the transaction that runs it.

Jobs are listed in config/jobs.py: a job is passed as the function, or, from an app below the
job's own (which cannot import it), as its dotted path; `enqueue` refuses a job not listed, and
the system check yishi.E011 finds an unlisted one in the source at start-up. Jobs take JSON
arguments (ids, short strings), so a job can wait in the outbox.

Every job is enqueued with `RETRY`: a job that raises, or whose worker is killed mid-job, runs
again (rq re-runs an abandoned job once its heartbeat expires, see docs/architecture.md, Jobs).
That is why every job must be safe to run twice.
"""

import difflib
import json
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from importlib import import_module

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from rq import Retry

log = logging.getLogger(__name__)

# Three more runs, 10 s, 1 min and 5 min after a failure. For a killed worker rq first waits for
# the job's heartbeat to expire (about 90 s with the 300 s job timeout) before the first retry.
RETRY = Retry(max=3, interval=[10, 60, 300])
QUEUE = "default"
# A web request waits at most this long (seconds) per try for Redis before the job waits in the
# outbox; after a failure, this process sends jobs straight to the outbox for REDIS_AWAY seconds,
# so a page that starts several jobs waits once, not once per job, for a Redis that hangs.
REDIS_TIMEOUT = 2.0
REDIS_AWAY = 10.0
_away_until: dict[str, float] = {}
# A row not handed over this long after it was written lost its hand-over (the process died after
# COMMIT): the sweep hands it over. Younger rows are left to their own process, which is about to.
GRACE = timedelta(minutes=2)
# Rows handed over are kept this long (admin: 待投递任务), then the sweep deletes them.
KEEP = timedelta(days=14)
# The table of jobs (config/jobs.py), as ROOT_URLCONF is the table of pages.
JOBS_MODULE = "config.jobs"


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


@lru_cache(maxsize=1)
def registered() -> frozenset[str]:
    """The dotted paths of the jobs listed in config/jobs.py."""
    return frozenset(job_path(func) for func in import_module(JOBS_MODULE).JOBS)


def registered_path(func: Callable | str) -> str:
    """`func`'s dotted path, if it is a listed job; LookupError (naming the nearest) if not."""
    path = job_path(func)
    if path not in registered():
        near = difflib.get_close_matches(path, registered(), n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise LookupError(f"{path} is not a job listed in config/jobs.py{hint}")
    return path


def _job_id(row) -> str:
    """The RQ job a row becomes, whoever hands it over: RQ takes it once."""
    return f"outbox-{row.pk}-{row.created_at:%Y%m%d%H%M%S%f}"


def enqueue(func: Callable | str, *args, **kwargs) -> None:
    """Run `func(*args, **kwargs)` after the current transaction commits, on a worker if there is
    Redis, and at the latest at the next sweep if this process dies first. `func` may be a dotted
    path: a lower app can start work in an app above it (a resolution → its notice) without
    importing it. Either must be listed in config/jobs.py."""
    from core.models import OutboxJob

    path = registered_path(func)
    try:
        json.dumps([args, kwargs])
    except TypeError as exc:
        raise TypeError(f"{path}: job arguments must be JSON (ids and short strings): {exc}") from exc
    row = OutboxJob.objects.create(func=path, args=list(args), kwargs=kwargs)
    # `_hand_over` is looked up when the transaction commits (a test replaces it to die there).
    transaction.on_commit(lambda: _hand_over(row))


def _hand_over(row) -> None:
    """Right after COMMIT: the row's job to RQ (or run here without Redis), and the row marked."""
    if not settings.REDIS_URL:
        _run_here(row)
        return
    from core.models import OutboxJob

    if OutboxJob.objects.filter(pk=row.pk, sent_at__isnull=False).exists():
        return  # the sweep handed it over already
    url = settings.RQ_QUEUES[QUEUE]["URL"]
    tried = time.monotonic() >= _away_until.get(url, 0.0)
    if not tried:
        error = "Redis was unreachable moments ago; not tried"
    else:
        try:
            _to_rq_once(row)
            _mark_sent(row)
            return
        except _redis_errors() as exc:
            _away_until[url] = time.monotonic() + REDIS_AWAY
            error = f"{type(exc).__name__}: {exc}"
    log.warning("Redis unreachable, job %s kept in the outbox: %s", row.func, error)
    OutboxJob.objects.filter(pk=row.pk).update(attempts=F("attempts") + int(tried), last_error=error[:2000])


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


def _to_rq_once(row) -> None:
    """The row's job to RQ as its unique job: if the sweep (or a hand-over that died before it
    marked the row) gave it to RQ already, RQ refuses the second and nothing more is done."""
    from rq.exceptions import DuplicateJobError

    try:
        _to_rq(row.func, row.args, row.kwargs, job_id=_job_id(row))
    except DuplicateJobError:
        log.info("outbox job %s was already handed over as %s", row.pk, _job_id(row))


def _mark_sent(row) -> bool:
    from core.models import OutboxJob

    marked = OutboxJob.objects.filter(pk=row.pk, sent_at__isnull=True)
    return bool(marked.update(sent_at=timezone.now(), attempts=F("attempts") + 1))


def _run_here(row) -> bool:
    """Run the row's job in this process, in one transaction with the row's mark: the first to
    mark it runs it (the others find it marked), and a job that raises leaves it waiting."""
    from core.models import OutboxJob

    try:
        with transaction.atomic():
            if not _mark_sent(row):
                return False  # handed over already (the sweep, or a late hand-over)
            import_string(registered_path(row.func))(*row.args, **row.kwargs)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        OutboxJob.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, last_error=error)
        raise
    return True


def flush_outbox(*, limit: int = 500, grace: timedelta = GRACE) -> dict[str, int]:
    """Job: the sweep. Hand over the rows still waiting, oldest first, at most `limit` of them:
    those Redis refused, and those older than `grace` whose hand-over never came.

    The rows are locked (SKIP LOCKED on PostgreSQL) so two sweeps never hand over the same job.
    If Redis is still away, the run stops at the first failure and the rest wait for the next.
    Without REDIS_URL (the demo, or Redis given up) the jobs run here, each claiming its row.
    Each row becomes the RQ job `outbox-<id>-<created>`, enqueued as unique: if a crash came
    between handing it over and marking it sent, the next run finds the job in Redis and only
    marks the row (once the job's record has expired it is handed over again; jobs are safe to
    run twice). Rows handed over more than KEEP ago are deleted.
    """
    from core.models import OutboxJob

    counts = {"sent": 0, "kept": 0}
    now = timezone.now()
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        qs = OutboxJob.objects.filter(Q(created_at__lte=now - grace) | ~Q(last_error=""), sent_at__isnull=True)
        qs = qs.order_by("created_at", "id")
        qs = qs.select_for_update(skip_locked=True) if skip_locked else qs.select_for_update()
        for row in qs[:limit]:
            try:
                if settings.REDIS_URL:
                    _to_rq_once(row)
                    counts["sent"] += _mark_sent(row)
                else:
                    counts["sent"] += _run_here(row)
            except Exception as exc:  # noqa: BLE001 - recorded on the row, tried again next run
                counts["kept"] += 1
                error = f"{type(exc).__name__}: {exc}"[:2000]
                if settings.REDIS_URL:  # (a job run here recorded its own error)
                    OutboxJob.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, last_error=error)
                log.warning("outbox job %s (%s) not handed over: %s", row.pk, row.func, error)
                if isinstance(exc, _redis_errors()):
                    break  # Redis is still away: the rest wait for the next run
    OutboxJob.objects.filter(sent_at__lt=now - KEEP).delete()
    return counts
