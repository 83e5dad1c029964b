"""Working days for reply deadlines (书记信箱: 15 working days by default).

A day is a working day by the school's own table (supervision.Holiday, edited in the admin) when it
lists the day, else by the public calendar of China (chinese_calendar: holidays and the weekends
worked in their place), else, for a year that library does not know yet, Monday to Friday.
"""

import datetime as dt

import chinese_calendar
from django.conf import settings


def reply_working_days() -> int:
    return settings.MAILBOX_REPLY_WORKING_DAYS


def _public_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year past the library's table
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (the day a letter arrives does not count)."""
    from supervision.models import Holiday

    school = dict(
        Holiday.objects.filter(day__gt=start, day__lte=start + dt.timedelta(days=days * 3 + 30)).values_list(
            "day", "is_workday"
        )
    )
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if school[day] if day in school else _public_workday(day):
            left -= 1
    return day
