"""The live room: small fragments every open screen polls (htmx, plain GET requests that any
reverse proxy passes), and the projector view (大屏). A poll sends the fingerprint of what it
shows; when nothing changed the answer is 204 and nothing is redrawn.

Confidential items follow the meeting's rule on every fragment and on the projector: their
title is shown only to those who may see it (meetings.access.sees_confidential)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from meetings import access, selectors, services
from meetings.models import Meeting
from meetings.views import _meeting_or_404
from meetings.views.entry import _entry_context, _entry_or_404

POLL_SECONDS = 3


def _unchanged(request, sig: str) -> bool:
    return request.GET.get("sig", "") == sig


def _no_change() -> HttpResponse:
    return HttpResponse(status=204)


def _room(request, meeting) -> dict:
    record = selectors.build_record(meeting)
    row = selectors.current_row(record) if meeting.state == Meeting.State.IN_PROGRESS else None
    return {
        "meeting": meeting,
        "record": record,
        "current": row,
        "speakers": selectors.speaking_order(row, meeting) if row else [],
        "sees_confidential": access.sees_confidential(request.user, meeting),
        "decided": sum(1 for r in record.entries if r.entry.outcome),
        "poll": POLL_SECONDS,
        "sig": selectors.live_signature(record),
    }


@login_required
def meeting_live(request, pk: int):
    """The meeting page's 当前议题 panel."""
    context = _room(request, _meeting_or_404(request, pk))
    if _unchanged(request, context["sig"]):
        return _no_change()
    return render(request, "meetings/_meeting_live.html", context)


@login_required
def meeting_screen(request, pk: int):
    """大屏: the room's projector. Who has spoken, never what; the count once the vote has closed."""
    meeting = _meeting_or_404(request, pk)
    context = _room(request, meeting)
    if context["sees_confidential"]:
        services.confidential_viewed(actor=request.user, entries=meeting.entries.all())
    return render(request, "meetings/screen.html", context)


@login_required
def meeting_screen_live(request, pk: int):
    context = _room(request, _meeting_or_404(request, pk))
    if _unchanged(request, context["sig"]):
        return _no_change()
    return render(request, "meetings/_screen_live.html", context)


def entry_live_extras(meeting, entry, context: dict) -> dict:
    """What the item page's live parts add to its context (meetings.views._entry_context)."""
    record = selectors.build_record(meeting)
    row = context["row"]
    can_vote = context["vote_form"] is not None
    mine = context["my_vote"].pk if context["my_vote"] else 0
    return {
        "speakers": selectors.speaking_order(row, meeting) if row else [],
        "poll": POLL_SECONDS,
        "live_sig": selectors.live_signature(record, entry.pk, mine),
        "ballot_sig": f"{entry.vote_state}-{entry.outcome}-{mine}-{can_vote}",
    }


@login_required
def entry_live(request, pk: int):
    """The item page's record panel: speaking order, opinions, the vote's progress and tally."""
    meeting, entry = _entry_or_404(request, pk)
    context = _entry_context(request, meeting, entry)
    if _unchanged(request, context["live_sig"]):
        return _no_change()
    return render(request, "meetings/_entry_live.html", context)


@login_required
def entry_ballot(request, pk: int):
    """The member's own ballot: appears when the vote opens, without a reload."""
    meeting, entry = _entry_or_404(request, pk)
    context = _entry_context(request, meeting, entry)
    if _unchanged(request, context["ballot_sig"]):
        return _no_change()
    return render(request, "meetings/_ballot.html", context)
