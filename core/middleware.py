from django.conf import settings
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
