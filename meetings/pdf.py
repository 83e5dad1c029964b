"""The meeting archive as one PDF (WeasyPrint, in the fonts shipped under static/fonts/)."""

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.pdf import render_pdf
from meetings.models import Meeting, MinutesSignature
from meetings.selectors import build_record


def archive_pdf(meeting: Meeting) -> bytes:
    """The archive of a meeting loaded by selectors.meeting_detail (its record and minutes already
    fetched); the minutes' signatures are the one query added here."""
    record = build_record(meeting)
    minutes = list(meeting.minutes.all())
    prefetch_related_objects(
        minutes, Prefetch("signatures", queryset=MinutesSignature.objects.select_related("member"))
    )
    by_pk = {m.pk: m for m in minutes}
    for m in minutes:
        m.current_signatures = [s for s in m.signatures.all() if s.round == m.signing_round]
        if m.amends_id in by_pk:
            m.amends = by_pk[m.amends_id]  # a correction names the minutes it corrects, from this list
    # The archive is a document of record: in the site's language, whoever downloads it.
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "meetings/archive_pdf.html",
            {"record": record, "meeting": record.meeting, "minutes": minutes, "generated_at": timezone.now()},
        )
    return render_pdf(html)
