"""一屏晾晒， 一键掌控： the personal dashboard （工作台， the home page）， the leaders' dashboard
（学校数据） and its Excel exports."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.http import refuse
from core.pages import get_page
from dashboard import access, charts, exports, tables
from dashboard.forms import FilterForm, ReportStageForm
from dashboard.selectors import drill, personal_dashboard, school_figures
from dashboard.selectors.school import Period
from dashboard.selectors.scopes import Window
from reports import access as reports_access
from reports.models import Stage
from supervision import access as supervision_access
from supervision.selectors.org_life import branch_panel

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def home(request):
    """工作台： what waits on me, my next meetings, my overdue tasks, unread notices, my items."""
    context = {
        "dash": personal_dashboard(request.user),
        "school_figures": access.can_read_school_figures(request.user),
        "branch_panel": None,
    }
    if access.sees_branch_panel(request.user):
        today = timezone.localdate()
        context["branch_panel"] = branch_panel(today.year, today)
    return render(request, "home.html", context)


def _refused(request):
    return refuse(request, _("只有校领导、党委办公室和校务办可以查看学校数据"))


@login_required
def leaders(request):
    if not access.can_read_school_figures(request.user):
        return _refused(request)
    form = FilterForm(request.GET)
    if not form.is_valid():
        return render(request, "dashboard/leaders.html", {"form": form, "figures": None}, status=400)
    figures = school_figures(request.user, form.period, department=form.selected_department)
    page_tables = tables.tables(figures)
    for key, svg in charts.charts(figures).items():
        page_tables[key].chart = svg
    context = {"form": form, "figures": figures, "tables": page_tables, "query": form.query()}
    return render(request, "dashboard/leaders.html", context)


@login_required
def export(request, table: str):
    if not access.can_read_school_figures(request.user):
        return _refused(request)
    if table not in tables.BUILDERS:
        raise Http404
    form = FilterForm(request.GET)
    if not form.is_valid():
        reasons = [e for errors in form.errors.values() for e in errors]
        return refuse(request, " ".join(reasons), status=400)
    # A document of record: compiled in the site's language, whatever the reader's.
    with translation.override(settings.LANGUAGE_CODE):
        figures = school_figures(request.user, form.period, department=form.selected_department)
        content = exports.table_xlsx(tables.BUILDERS[table](figures), figures)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="dashboard-{table}-{form.period.slug}.xlsx"'
    return response


@dataclass(frozen=True)
class FigurePage:
    """A page whose figures link to their lists: who reads it (its own rule), the filters its links
    carry, and the way back to it."""

    may_read: Callable
    refusal: str
    back_label: str
    form: Callable  # the filters, from the query string
    window: Callable  # (user, valid form) → Window
    back_url: Callable  # valid form → the page with the same filters
    subtitle: Callable  # valid form → what the list is filtered by, in words


def _school_window(user, form):
    return Window.of(user, form.period, department=form.selected_department)


def _school_subtitle(form) -> str:
    if form.selected_department is None:
        return form.period.label
    return f"{form.period.label} · " + _("部门：%(name)s") % {"name": form.selected_department.name}


def _quarterly_url(form) -> str:
    quarter = form.period.quarter or ((form.period.month or 1) - 1) // 3 + 1
    return f"{reverse('quarterly_report:page')}?year={form.period.year}&quarter={quarter}"


def _report_url(form) -> str:
    return f"{reverse('party_building:table')}?year={form.cleaned_data['year']}&stage={form.cleaned_data['stage']}"


def _report_subtitle(form) -> str:
    year, stage = form.cleaned_data["year"], Stage(form.cleaned_data["stage"])
    return _("%(year)s年度%(stage)s") % {"year": year, "stage": stage.label}


PAGES = {
    drill.SCHOOL: FigurePage(
        access.can_read_school_figures,
        gettext_lazy("只有校领导、党委办公室和校务办可以查看学校数据"),
        gettext_lazy("返回学校数据"),
        FilterForm,
        _school_window,
        lambda form: f"{reverse('dashboard:leaders')}?{form.query()}",
        _school_subtitle,
    ),
    drill.QUARTERLY: FigurePage(
        supervision_access.can_read_report,
        gettext_lazy("只有纪委书记、党委书记、党委办公室和校领导可以查看季度督查报告"),
        gettext_lazy("返回季度督查报告"),
        FilterForm,
        _school_window,
        _quarterly_url,
        _school_subtitle,
    ),
    drill.PARTY_BUILDING: FigurePage(
        reports_access.can_read,
        gettext_lazy("党建工作年度报表只对校领导、党委办公室和部门负责人开放"),
        gettext_lazy("返回党建工作年度报表"),
        ReportStageForm,
        lambda user, form: Window.of(user, Period(form.cleaned_data["year"])),
        _report_url,
        _report_subtitle,
    ),
}


@login_required
def figure_list(request, kind: str):
    """The rows a figure counts, with the same filters (数字可点开): of 学校数据, or of a report
    whose figures link here, for whoever may read that page."""
    try:
        page_kind = PAGES[drill.page_of(kind)]
    except drill.UnknownFigure:
        # No such figure: those who may not read 学校数据 are refused as for any list of it.
        if not PAGES[drill.SCHOOL].may_read(request.user):
            return refuse(request, str(PAGES[drill.SCHOOL].refusal))
        raise Http404 from None
    if not page_kind.may_read(request.user):
        return refuse(request, str(page_kind.refusal))
    form = page_kind.form(request.GET)
    if not form.is_valid():
        reasons = [e for errors in form.errors.values() for e in errors]
        return refuse(request, " ".join(reasons), status=400)
    window = page_kind.window(request.user, form)
    try:
        figure = drill.drill(kind, window, request.GET)
    except drill.UnknownFigure:
        raise Http404 from None
    page = get_page(figure.rows, 50, request.GET.get("page"))
    context = {
        "figure": figure,
        "page": page,
        "rows": figure.present(page.object_list),
        "subtitle": page_kind.subtitle(form),
        "back_url": page_kind.back_url(form),
        "back_label": page_kind.back_label,
    }
    return render(request, "dashboard/figure_list.html", context)
