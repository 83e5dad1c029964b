"""Enqueueing background work.

With REDIS_URL set, jobs go to RQ (django-rq enqueues when the transaction
commits). Without it, the same function runs in this process right after the
commit, so the embedded demo behaves the same with no server.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import transaction


def enqueue(func: Callable, *args, **kwargs) -> None:
    if settings.REDIS_URL:
        import django_rq

        django_rq.get_queue("default").enqueue(func, *args, **kwargs)
    else:
        transaction.on_commit(lambda: func(*args, **kwargs))
