"""纪委半年督查报告 and key-area supervision: pages for the discipline secretary (the leaders read)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from core.http import refuse
from supervision import access
from supervision.forms_patrols import CommentaryForm, FileReportForm, HalfYearForm, KeyAreaForm, ReportActionForm
from supervision.models import CommitteeReport, KeyAreaCheck
from supervision.selectors.halfyear import half_of, halfyear_report
from supervision.services import committee as services


def _refused(request):
    return refuse(request, _("只有纪委书记、党委书记、党委办公室和校领导可以查看纪委督查报告"))


@login_required
def report_page(request):
    user = request.user
    if not access.can_read_report(user):
        return _refused(request)
    current = half_of(timezone.localdate())
    form = HalfYearForm(
        request.GET if "year" in request.GET else None, initial={"year": current.year, "half": current.half}
    )
    year, half = current.year, current.half
    if form.is_bound:
        if not form.is_valid():
            return render(request, "supervision/committee_report.html", {"form": form, "figures": None}, status=400)
        year, half = form.cleaned_data["year"], form.cleaned_data["half"]
    here = f"{reverse('committee:page')}?year={year}&half={half}"
    compiler = access.can_compile_report(user)
    report = CommitteeReport.objects.filter(year=year, half=half).select_related("item").first()
    status = 200
    commentary_form = None
    if compiler and request.method == "POST":
        chosen = ReportActionForm(request.POST)
        action = chosen.cleaned_data["action"] if chosen.is_valid() else "edit"
        try:
            if report is None:
                report = services.report_open(actor=user, year=year, half=half)
            if action == "file":
                file_form = FileReportForm(request.POST)
                if file_form.is_valid():
                    services.report_file(actor=user, report_id=report.pk, version=file_form.cleaned_data["version"])
                    messages.success(request, _("报告已作为议题提交党委会。"))
                    return redirect(here)
                status = 400
            else:
                commentary_form = CommentaryForm(request.POST)
                if commentary_form.is_valid():
                    d = commentary_form.cleaned_data
                    services.report_edit(
                        actor=user, report_id=report.pk, version=d["version"], commentary=d["commentary"]
                    )
                    messages.success(request, _("工作评述已保存。"))
                    return redirect(here)
                status = 400
        except InvalidTransition as e:
            messages.error(request, e.reason)
            status = e.status
            report = CommitteeReport.objects.filter(year=year, half=half).select_related("item").first()
    elif request.method == "POST":
        return refuse(request, _("只有纪委书记可以编写半年督查报告"))
    if compiler and report is not None and report.state == CommitteeReport.State.DRAFT and commentary_form is None:
        commentary_form = CommentaryForm(initial={"version": report.version, "commentary": report.commentary})
    elif compiler and report is None:
        commentary_form = CommentaryForm(initial={"version": 1, "commentary": ""})
    context = {
        "form": form,
        "figures": halfyear_report(year, half),
        "report": report,
        "compiler": compiler,
        "commentary_form": commentary_form,
    }
    return render(request, "supervision/committee_report.html", context, status=status)


@login_required
def key_areas(request):
    user = request.user
    if not access.can_read_report(user):
        return _refused(request)
    can_record = access.can_record_key_area(user)
    form = (
        KeyAreaForm(request.POST or None, initial={"held_on": timezone.localdate(), "present": True})
        if can_record
        else None
    )
    status = 200
    if request.method == "POST":
        if not can_record:
            return refuse(request, _("只有纪委书记可以记录重点领域监督"))
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.key_area_record(
                    actor=user,
                    area=d["area"],
                    process=d["process"],
                    held_on=d["held_on"],
                    present=d["present"],
                    findings=d["findings"],
                )
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                messages.success(request, _("重点领域监督已记录。"))
                return redirect("committee:key_areas")
        else:
            status = 400
    checks = list(KeyAreaCheck.objects.select_related("recorded_by").order_by("-held_on", "-id")[:100])
    return render(request, "supervision/key_areas.html", {"form": form, "checks": checks}, status=status)
