"""行事历 pages: my next 60 days, and my private iCal feed (by token, no login)."""

import datetime as dt
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.links import absolute
from supervision import ical
from supervision.selectors.calendar import feed_owner, person_events
from supervision.services.calendar import calendar_token_get, calendar_token_reset, school_today

PAGE_DAYS = 60
# The feed also keeps the last month, so a client still shows what just happened.
FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 365


@login_required
@require_GET
def calendar_page(request):
    today = school_today()
    events = person_events(request.user, today, today + dt.timedelta(days=PAGE_DAYS))
    token = calendar_token_get(person=request.user)
    feed_url = absolute(reverse("calendar:feed", args=[token.token]))
    context = {
        "days": [(day, list(rows)) for day, rows in groupby(events, key=lambda e: e.day)],
        "today": today,
        "page_days": PAGE_DAYS,
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
    }
    return render(request, "supervision/calendar_page.html", context)


@login_required
@require_POST
def token_reset(request):
    calendar_token_reset(person=request.user)
    messages.success(request, _("订阅链接已重新生成，原链接已失效。请在日历应用中改用新链接。"))
    return redirect("calendar:page")


@require_GET
def feed(request, token: str):
    person = feed_owner(token)
    if person is None:
        raise Http404
    today = school_today()
    events = person_events(
        person, today - dt.timedelta(days=FEED_PAST_DAYS), today + dt.timedelta(days=FEED_FUTURE_DAYS)
    )
    response = HttpResponse(ical.feed(person, events), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="yishi.ics"'
    # The URL is the secret: no shared cache keeps it, no search engine lists it.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
