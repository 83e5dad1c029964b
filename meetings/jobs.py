"""Background work for meetings. Jobs take ids (or nothing), call services, and are safe to repeat."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation

from core.notify import link_for, message
from core.reminders import remind
from meetings import access, services
from meetings.models import Meeting, Minutes


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


def remind_meetings() -> dict[str, int]:
    """Materials open, meeting tomorrow, co-signature pending: each person reminded once of each."""
    now = timezone.now()
    found = created = 0

    def one(person, key, text, link):
        nonlocal found, created
        found += 1
        created += remind(recipient=person, key=key, text=text, link=link)

    with translation.override(settings.LANGUAGE_CODE):
        upcoming = Meeting.objects.filter(state=Meeting.State.PUBLISHED, starts_at__gt=now).prefetch_related(
            "attendance__person"
        )
        for meeting in upcoming:
            link = link_for("meeting.materials", meeting.pk)
            when = timezone.localtime(meeting.starts_at)
            # A meeting's title, time and place are not its items' content: named to its attendees.
            for a in meeting.attendance.all():
                if now >= services.materials_deadline(meeting):
                    one(
                        a.person,
                        f"materials:{meeting.pk}:{a.person_id}",
                        message("meeting.materials", confidential=False, title=meeting.title),
                        link,
                    )
                if meeting.starts_at - now <= timedelta(days=1):
                    one(
                        a.person,
                        f"tomorrow:{meeting.pk}:{a.person_id}",
                        message(
                            "meeting.tomorrow",
                            confidential=False,
                            title=meeting.title,
                            when=f"{when:%m-%d %H:%M}",
                            place=meeting.place,
                        ),
                        link,
                    )
        signing = Minutes.objects.filter(state=Minutes.State.SIGNING).select_related("meeting")
        for minutes in signing.prefetch_related("meeting__entries__item"):
            signed = set(minutes.signatures.filter(round=minutes.signing_round).values_list("member_id", flat=True))
            waiting = minutes.meeting.attendance.filter(access.SIGNS).exclude(person_id__in=signed)
            text = message(
                "minutes.cosign", confidential=access.has_confidential(minutes.meeting), meeting=minutes.meeting.title
            )
            for a in waiting.select_related("person"):
                one(
                    a.person,
                    f"cosign:{minutes.pk}:{minutes.signing_round}:{a.person_id}",
                    text,
                    link_for("minutes.cosign", minutes.pk),
                )
    return {"found": found, "created": created, "skipped": found - created}
