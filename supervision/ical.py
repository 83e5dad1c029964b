"""The iCal feed (RFC 5545) of a person's calendar, for their phone or desktop calendar.

Meetings carry their time in Asia/Shanghai (TZID with its VTIMEZONE) and their place; task
deadlines, milestone dues and calendar duties are all-day events. UIDs are stable
(meeting-<id>@yishi, task-<id>@yishi, milestone-<id>@yishi, duty-<duty>-<period>@yishi), so a
client that polls the feed updates an event instead of duplicating it.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from core.links import absolute
from org.models import User
from supervision.selectors.calendar import CalendarEvent

PRODID = "-//Yishi//决策一件事//ZH"


def _event(e: CalendarEvent, stamp: dt.datetime) -> Event:
    vevent = Event()
    vevent.add("uid", e.uid)
    vevent.add("dtstamp", stamp)
    vevent.add("summary", e.title)
    if e.all_day:
        vevent.add("dtstart", e.start)
        vevent.add("dtend", e.end)
        vevent.add("transp", "TRANSPARENT")  # a deadline does not make the person busy all day
    else:
        zone = timezone.get_default_timezone()
        vevent.add("dtstart", e.start.astimezone(zone))
        vevent.add("dtend", e.end.astimezone(zone))
    if e.location:
        vevent.add("location", e.location)
    if e.description:
        vevent.add("description", e.description)
    if e.url:
        vevent.add("url", absolute(e.url))
    vevent.add("categories", [e.kind])
    return vevent


def feed(person: User, events: Iterable[CalendarEvent]) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("决策一件事 · %(name)s") % {"name": str(person)})
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().astimezone(dt.timezone.utc).replace(microsecond=0)
    for e in events:
        cal.add_component(_event(e, stamp))
    cal.add_missing_timezones()
    return cal.to_ical()
