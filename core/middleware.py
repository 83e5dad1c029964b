import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import QueryDict
from django.utils import translation
from django.utils.cache import patch_cache_control

# When the session's expiry was last pushed on (seconds since the epoch), kept in the session.
REFRESHED_KEY = "_refreshed_at"


class ChosenLanguageMiddleware:
    """The page language is the school's (LANGUAGE_CODE) unless the person chose another with
    the language switch (stored in the language cookie). The browser's Accept-Language is not
    consulted: a school office sees Chinese whatever the machine's locale."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class IdleSessionMiddleware:
    """A signed-in session lasts SESSION_COOKIE_AGE (SESSION_IDLE_HOURS) after the person's last
    request, not after signing in. Saving the session on every request (SESSION_SAVE_EVERY_REQUEST)
    would cost every page a write; the expiry is pushed on instead when more than
    SESSION_REFRESH_MINUTES have passed since it was last pushed, so an idle session ends between
    SESSION_IDLE_HOURS less those minutes and SESSION_IDLE_HOURS after the last request."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.every = settings.SESSION_REFRESH_MINUTES * 60

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "keeps_no_trace", False):
            # An anonymous letter's pages (supervision.views.mailbox_anonymous): no session row is
            # written at the moment a letter is sent or read, so none can be matched to it.
            return response
        session = getattr(request, "session", None)
        # Only a session the request has read anyway (every signed-in page reads it): no query here.
        if session is not None and session.accessed and session.get(SESSION_KEY):
            now = int(time.time())
            if now - session.get(REFRESHED_KEY, 0) >= self.every:
                session[REFRESHED_KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response


class PrivatePagesMiddleware:
    """Every response to a signed-in person (confidential pages, attachment downloads, exports)
    is kept out of every cache: the browser's, a shared computer's history, a proxy's.
    Static files never get here (WhiteNoise answers them earlier)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


def stamp_new_session(sender, request, user, **kwargs):
    """Signing in saves the session with a fresh expiry: note it, so the first page after signing
    in writes nothing. (A receiver of Django's user_logged_in, connected in core.apps: session
    housekeeping, not a business rule.)"""
    if getattr(request, "session", None) is not None:
        request.session[REFRESHED_KEY] = int(time.time())


# What a query parameter (a search box, a filter, a page number, an id in a link) may hold.
QUERY_VALUE_MAX_CHARS = 200
_CONTROL = dict.fromkeys([*range(0x00, 0x20), *range(0x7F, 0xA0)])


def clean_query_value(value: str) -> str:
    """Without control characters (NUL is refused by PostgreSQL in text) and at most
    QUERY_VALUE_MAX_CHARS long (a 100 kB LIKE pattern is too complex for SQLite)."""
    return value.translate(_CONTROL)[:QUERY_VALUE_MAX_CHARS]


class CleanQueryMiddleware:
    """Every query parameter reaches the views cleaned (clean_query_value): the one place where
    text from the address bar is made safe to search and filter with. Invalid percent-encoding is
    already decoded by Django with replacement characters; a form then refuses what is not a
    number, and views read numbers through forms or fall back to their defaults."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("QUERY_STRING"):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(clean_query_value(key), [clean_query_value(v) for v in values])
            cleaned._mutable = False
            request.GET = cleaned
            # Links built from the request (get_full_path: the language switch, ?next=) carry the cleaned query too.
            request.META["QUERY_STRING"] = cleaned.urlencode()
        return self.get_response(request)
