from django.conf import settings
from django.http import QueryDict
from django.utils import translation


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
