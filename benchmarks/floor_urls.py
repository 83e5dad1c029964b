"""The site's URLs plus the floor: a minimal view rendering a tiny template, behind the same
middleware and session as every page (bench.py measures it beside the real pages)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as site

TINY = engines["django"].from_string("<!doctype html><title>floor</title><p>{{ user.username }}</p>")


@login_required
def floor(request):
    return HttpResponse(TINY.render({"user": request.user}))


urlpatterns = [path("__bench__/floor/", floor), *site]
