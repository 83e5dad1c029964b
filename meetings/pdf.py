"""The meeting archive as one PDF (WeasyPrint; Chinese text in Debian's Noto CJK fonts)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from meetings.models import Minutes
from meetings.selectors import meeting_record


def archive_pdf(meeting_id: int) -> bytes:
    from weasyprint import HTML

    record = meeting_record(meeting_id)
    minutes = list(Minutes.objects.filter(meeting_id=meeting_id).prefetch_related("signatures__member").order_by("id"))
    for m in minutes:
        m.current_signatures = [s for s in m.signatures.all() if s.round == m.signing_round]
    # The archive is a document of record: in the site's language, whoever downloads it.
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "meetings/archive_pdf.html",
            {"record": record, "meeting": record.meeting, "minutes": minutes, "generated_at": timezone.now()},
        )
    return HTML(string=html).write_pdf()
