"""党建工作年度报表： the table of a year's stage, a department's form, its history, the workbook."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from core.http import refuse
from reports import access, selectors, services
from reports.forms import DepartmentValuesForm, TableQueryForm
from reports.models import Stage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refused(request):
    return refuse(request, _("党建工作年度报表只对校领导、党委办公室和部门负责人开放"))


def _table_url(year: int, stage: str) -> str:
    return f"{reverse('party_building:table')}?year={year}&stage={stage}"


@login_required
def report_table(request):
    """Departments × indicators for one year and stage; ?year=2026&stage=target|progress|result."""
    user = request.user
    if not access.can_read(user):
        return _refused(request)
    settings = selectors.report_settings()
    today = selectors.today()
    data = {
        "year": request.GET.get("year") or today.year,
        "stage": request.GET.get("stage") or selectors.default_stage(today, settings),
    }
    form = TableQueryForm(data)
    if not form.is_valid():
        return render(request, "reports/table.html", {"form": form, "table": None}, status=400)
    year, stage = form.cleaned_data["year"], form.cleaned_data["stage"]
    table = selectors.stage_table(year, stage, settings=settings)
    enterable = access.enterable_department_ids(user, table.department_ids)
    context = {
        "form": form,
        "table": table,
        "figures": selectors.table_figures(table),
        "stages": [(s, s.label) for s in Stage],
        "years": list(range(today.year + 1, today.year - 5, -1)),
        "window_status": table.window.status(today),
        "window_refusal": services.window_refusal(table.window, today),
        "open_elsewhere": [
            (w.opens.year, w.stage, Stage(w.stage).label, w.closes)
            for w in selectors.windows_open_on(today, settings)
            if (w.opens.year, w.stage) != (year, stage)
        ],
        "enterable": enterable,
        "can_enter_now": table.window.contains(today) and bool(enterable),
        "own": user.headed_department_ids,
        "rule_text": selectors.rule_text(settings),
        "k": selectors.plain(settings.outlier_k),
    }
    return render(request, "reports/table.html", context)


def _department(request, department_id: int):
    department = selectors.concerned_department(department_id)
    if department is None:
        raise Http404
    return department


def _stage(stage: str) -> Stage:
    try:
        return Stage(stage)
    except ValueError as exc:
        raise Http404 from exc


@login_required
def department_entry(request, year: int, stage: str, department_id: int):
    """A department's values for the year and stage: its head, or the party office."""
    user = request.user
    stage = _stage(stage)
    if not 2000 <= year <= 2100:
        raise Http404
    department = _department(request, department_id)
    if not access.can_enter(user, department):
        return refuse(
            request, _("只有本部门负责人或党委办公室可以填报%(department)s的报表") % {"department": department}
        )
    window = selectors.report_settings().window(year, stage)
    refusal = services.window_refusal(window, selectors.today())
    lines = selectors.department_lines(department, year, stage)
    form = DepartmentValuesForm(request.POST or None, lines=lines)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                written = services.department_values_record(
                    actor=user,
                    department_id=department.pk,
                    year=year,
                    stage=stage,
                    values=form.values(),
                    replaces=form.replaces(),
                    reason=form.cleaned_data["reason"],
                )
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                if written:
                    messages.success(
                        request,
                        _("%(department)s %(year)s年度%(stage)s已保存 %(n)s 项。")
                        % {"department": department, "year": year, "stage": stage.label, "n": len(written)},
                    )
                else:
                    messages.info(request, _("数值没有变化，未保存新的记录。"))
                return redirect(_table_url(year, stage))
        else:
            status = 400
    context = {
        "form": form,
        "department": department,
        "year": year,
        "stage": stage,
        "window": window,
        "refusal": refusal,
        "with_target": stage != Stage.TARGET,
        "table_url": _table_url(year, stage),
    }
    return render(request, "reports/entry_form.html", context, status=status)


@login_required
def department_history(request, year: int, stage: str, department_id: int):
    """Every value the department reported for the year and stage, corrections with who, when, why."""
    if not access.can_read(request.user):
        return _refused(request)
    stage = _stage(stage)
    department = _department(request, department_id)
    context = {
        "department": department,
        "year": year,
        "stage": stage,
        "history": selectors.department_history(department, year, stage),
        "can_enter": access.can_enter(request.user, department),
        "table_url": _table_url(year, stage),
    }
    return render(request, "reports/history.html", context)


@login_required
def report_xlsx(request, year: int):
    if not access.can_read(request.user):
        return _refused(request)
    if not 2000 <= year <= 2100:
        raise Http404
    from reports.exports import year_xlsx

    response = HttpResponse(year_xlsx(selectors.year_tables(year)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="party-building-{year}.xlsx"'
    return response
