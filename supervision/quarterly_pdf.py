"""The quarterly supervision report as a PDF (WeasyPrint, in the fonts shipped under static/fonts/)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from core.pdf import render_pdf
from supervision.selectors.quarterly import QuarterReport
from supervision.selectors.quarterly_figures import report_context


def report_pdf(report: QuarterReport) -> bytes:
    # A document for the Party committee: in the site's language, whoever downloads it.
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("supervision/quarterly_report_pdf.html", report_context(report, links=False))
    return render_pdf(html)
