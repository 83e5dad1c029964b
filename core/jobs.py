"""Enqueueing background work.

With REDIS_URL set, jobs go to RQ (django-rq enqueues when the transaction
commits). Without it, the same function runs in this process right after the
commit, so the embedded demo behaves the same with no server.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string


def enqueue(func: Callable | str, *args, **kwargs) -> None:
    """`func` may be a dotted path: a lower app can start work in an app above it
    (a resolution → its notice) without importing it."""
    if settings.REDIS_URL:
        import django_rq

        django_rq.get_queue("default").enqueue(func, *args, **kwargs)
    else:
        target = import_string(func) if isinstance(func, str) else func
        transaction.on_commit(lambda: target(*args, **kwargs))
