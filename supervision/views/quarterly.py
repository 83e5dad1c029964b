"""季度督查报告： the discipline committee's quarterly supervision report, as a page, PDF and Excel."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.http import refuse
from supervision.forms_followup import QuarterForm
from supervision.selectors import quarterly as selectors
from supervision.selectors.quarterly_figures import report_context

OVERDUE_PAGE = 50

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refused(request):
    return refuse(request, _("只有纪委书记、党委书记、党委办公室和校领导可以查看季度督查报告"))


@login_required
def report_page(request):
    if not selectors.can_read_report(request.user):
        return _refused(request)
    current = selectors.quarter_of(timezone.localdate())
    data = request.GET if "year" in request.GET or "quarter" in request.GET else None
    form = QuarterForm(data, initial={"year": current.year, "quarter": current.quarter})
    if data is None:
        year, quarter = current.year, current.quarter
    elif form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    else:
        return render(request, "supervision/quarterly_report.html", {"form": form, "report": None}, status=400)
    report = selectors.quarterly_report(year, quarter)
    # The page lists the overdue tasks OVERDUE_PAGE at a time; the PDF and Excel files list them all.
    context = {"form": form} | report_context(
        report, links=True, overdue_page=request.GET.get("overdue_page"), per_page=OVERDUE_PAGE
    )
    return render(request, "supervision/quarterly_report.html", context)


def _document(request, year: int, quarter: int):
    """The report for a download, compiled in the site's language (a document of record)."""
    form = QuarterForm({"year": year, "quarter": quarter})
    if not form.is_valid():
        reasons = [e for errors in form.errors.values() for e in errors]
        return None, refuse(request, " ".join(reasons), status=400)
    with translation.override(settings.LANGUAGE_CODE):
        return selectors.quarterly_report(year, quarter), None


@login_required
def report_pdf(request, year: int, quarter: int):
    if not selectors.can_read_report(request.user):
        return _refused(request)
    report, refused = _document(request, year, quarter)
    if refused:
        return refused
    from supervision.quarterly_pdf import report_pdf as render_pdf

    response = HttpResponse(render_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="supervision-{year}-Q{quarter}.pdf"'
    return response


@login_required
def report_xlsx(request, year: int, quarter: int):
    if not selectors.can_read_report(request.user):
        return _refused(request)
    report, refused = _document(request, year, quarter)
    if refused:
        return refused
    from supervision.quarterly_excel import report_xlsx as render_xlsx

    response = HttpResponse(render_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="supervision-{year}-Q{quarter}.xlsx"'
    return response
