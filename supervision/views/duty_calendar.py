"""行事历 broken down: a year, a month, a week or a day of the duties of my roles (the party
office: of any role), each linked to the record that discharges it, flagged when overdue; and
the posts' duty descriptions (党建履职说明书)."""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from org.models import Role
from supervision import access
from supervision.forms_followup import DutyViewForm
from supervision.selectors import duty_calendar as selectors
from supervision.services.calendar import school_today


@login_required
@require_GET
def duties(request):
    user = request.user
    today = school_today()
    every = access.sees_every_duty(user)
    form = DutyViewForm(request.GET or None, roles=Role.choices if every else [])
    data = form.cleaned_data if form.is_valid() else {}
    # Phones open on the week; the year and month are a tap away.
    view = data.get("view") or "week"
    day = data.get("date") or today
    roles = None if every else user.roles
    if every and data.get("role"):
        roles = {data["role"]}
    start, end = selectors.span(view, day)
    entries = selectors.duty_entries(roles, start, end, today)
    context = {
        "form": form,
        "view": view,
        "day": day,
        "start": start,
        "end": end,
        "today": today,
        "role": data.get("role", "") if every else "",
        "every": every,
        "entries": entries,
        "overdue": sum(1 for e in entries if e.overdue),
        "previous": selectors.step(view, day, -1),
        "next": selectors.step(view, day, 1),
        "statements": selectors.statements_for(roles),
    }
    if view == "year":
        context["buckets"] = selectors.by_month(entries, day.year)
    elif view == "month":
        weeks = groupby(entries, key=lambda e: e.due.isocalendar()[:2])
        context["weeks"] = [(rows[0].due, rows) for _key, group in weeks for rows in [list(group)]]
    elif view == "week":
        context["buckets"] = selectors.by_day(entries, start, end)
    return render(request, "supervision/duty_calendar.html", context)
