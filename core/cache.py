"""The Redis cache, forgiving when Redis is away.

The cache holds nothing the database does not, so a Redis that is down or unreachable must not
take pages with it: every read is then a miss and every write is dropped, with a warning in the
log, and the pages carry on from the database. Redis's own timeouts are kept short
(REDIS_CACHE_TIMEOUT seconds) so an unreachable server costs a request little.

Sessions are never kept here (config/settings.py): a delete dropped while Redis is away would let
a signed-out session come back with it.
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)


def _errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ForgivingRedisCache(RedisCache):
    def _forgive(self, what: str, call, fallback):
        try:
            return call()
        except _errors() as exc:
            log.warning("cache %s skipped, Redis unreachable: %s", what, exc)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive("add", lambda: super(ForgivingRedisCache, self).add(key, value, timeout, version), False)

    def get(self, key, default=None, version=None):
        return self._forgive("get", lambda: super(ForgivingRedisCache, self).get(key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive("set", lambda: super(ForgivingRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive("touch", lambda: super(ForgivingRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._forgive("delete", lambda: super(ForgivingRedisCache, self).delete(key, version), False)

    def get_many(self, keys, version=None):
        return self._forgive("get_many", lambda: super(ForgivingRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._forgive("has_key", lambda: super(ForgivingRedisCache, self).has_key(key, version), False)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive(
            "set_many", lambda: super(ForgivingRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys, version=None):
        return self._forgive("delete_many", lambda: super(ForgivingRedisCache, self).delete_many(keys, version), None)
