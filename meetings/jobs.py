"""Background work for meetings. Jobs take ids (or nothing), call services, and are safe to repeat."""

from datetime import timedelta

from django.utils import timezone

from meetings import services
from meetings.models import Meeting


def check_materials_due() -> int:
    """Drop, from every meeting whose materials deadline has passed, the items still without
    materials (the submitter is told). Returns how many items left an agenda. Meant to run
    every few minutes; a second run finds nothing more to do."""
    now = timezone.now()
    due = Meeting.objects.filter(
        state__in=[Meeting.State.PLANNING, Meeting.State.PUBLISHED],
        starts_at__lte=now + timedelta(days=31),  # no body asks for materials a month ahead
    ).only("pk", "starts_at", "materials_days")
    dropped = 0
    for meeting in due:
        if now >= services.materials_deadline(meeting):
            dropped += services.meeting_check_materials(meeting_id=meeting.pk)
    return dropped
