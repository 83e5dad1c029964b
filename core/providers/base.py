"""What the platform clients share: the access token, its cache, and the errcode check."""

import logging

import httpx
from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

# Tokens live 7200 s on both platforms; kept a little shorter so none is used as it runs out.
TOKEN_MARGIN = 300
# The token was refused as invalid or expired: fetch a new one and ask once more.
EXPIRED_CODES = frozenset({40001, 40014, 42001})
# The platform is busy or limits the rate: nothing happened, trying later may help.
RATE_LIMIT_CODES = frozenset({-1, 429, 45009, 45033, 88, 90002, 90018})


class ProviderError(Exception):
    """The platform answered with an error. `code` is its errcode (or the HTTP status)."""

    def __init__(self, platform: str, code, message: str = ""):
        self.platform, self.code, self.message = platform, code, message
        super().__init__(f"{platform} errcode {code}: {message}")

    @property
    def rate_limited(self) -> bool:
        return self.code in RATE_LIMIT_CODES


class TokenClient:
    """A platform's app: `token()` and `call()`. Subclasses say how a token is fetched."""

    platform = ""
    base_url = ""

    def _fetch_token(self, http: httpx.Client) -> tuple[str, int]:
        raise NotImplementedError

    def _cache_key(self) -> str:
        raise NotImplementedError

    def client(self) -> httpx.Client:
        return httpx.Client(timeout=settings.PROVIDER_TIMEOUT_SECONDS)

    def token(self, http: httpx.Client, *, fresh: bool = False) -> str:
        key = self._cache_key()
        if not fresh:
            cached = cache.get(key)
            if cached:
                return cached
        token, expires_in = self._fetch_token(http)
        cache.set(key, token, max(60, int(expires_in or 7200) - TOKEN_MARGIN))
        return token

    def call(self, http: httpx.Client, method: str, url: str, *, params=None, json=None) -> dict:
        """Call `url` (on the platform's server) with the app's token; once more with a fresh
        token if the platform says the token expired."""
        for attempt in (0, 1):
            query = dict(params or {}, access_token=self.token(http, fresh=bool(attempt)))
            answer = checked(self.platform, http.request(method, url, params=query, json=json), raise_for=())
            code = answer.get("errcode", 0)
            if code in EXPIRED_CODES and not attempt:
                log.info("%s token refused (%s); fetching a new one", self.platform, code)
                continue
            if code != 0:
                raise ProviderError(self.platform, code, str(answer.get("errmsg", "")))
            return answer
        raise AssertionError("unreachable")


def checked(platform: str, response: httpx.Response, *, raise_for=frozenset({"errcode"})) -> dict:
    """The JSON of a platform's answer; an HTTP error or a non-zero errcode raises ProviderError."""
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code >= 400 or not isinstance(answer, dict):
        code = (answer or {}).get("code") if isinstance(answer, dict) else None
        message = (answer or {}).get("message", "") if isinstance(answer, dict) else response.text[:200]
        raise ProviderError(platform, code or response.status_code, message)
    if "errcode" in raise_for and answer.get("errcode", 0) != 0:
        raise ProviderError(platform, answer["errcode"], str(answer.get("errmsg", "")))
    return answer
