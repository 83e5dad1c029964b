"""The quarterly supervision report as a PDF (WeasyPrint; Chinese text in Debian's Noto CJK fonts)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from supervision.selectors.reports import QuarterReport


def report_pdf(report: QuarterReport) -> bytes:
    from weasyprint import HTML

    # A document for the Party committee: in the site's language, whoever downloads it.
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("supervision/report_pdf.html", {"report": report, "links": False})
    return HTML(string=html).write_pdf()
