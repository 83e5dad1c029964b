"""Search jobs: thin wrappers over search.services, safe to run twice.

Single objects are indexed by `search.services.index_object`, enqueued by dotted path from the
apps below (they cannot import this app): core.jobs.enqueue("search.services.index_object", kind, id).
"""

from search import services


def reindex_changed() -> int:
    """Periodic (config/cron.py): index what changed since the last run. Returns how many were indexed."""
    return services.reindex_changed().total
