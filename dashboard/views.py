"""一屏晾晒， 一键掌控： the personal dashboard （工作台， the home page）， the leaders' dashboard
（学校数据） and its Excel exports."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.http import refuse
from core.pages import get_page
from dashboard import access, charts, exports, tables
from dashboard.forms import FilterForm
from dashboard.selectors import drill, personal_dashboard, school_figures
from dashboard.selectors.scopes import Window
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


@login_required
def figure_list(request, kind: str):
    """The rows a figure of 学校数据 counts, with the same filters (数字可点开)."""
    if not access.can_read_school_figures(request.user):
        return _refused(request)
    form = FilterForm(request.GET)
    if not form.is_valid():
        reasons = [e for errors in form.errors.values() for e in errors]
        return refuse(request, " ".join(reasons), status=400)
    window = Window.of(request.user, form.period, department=form.selected_department)
    try:
        figure = drill.drill(kind, window, request.GET)
    except drill.UnknownFigure:
        raise Http404 from None
    page = get_page(figure.rows, 50, request.GET.get("page"))
    context = {
        "form": form,
        "figure": figure,
        "page": page,
        "rows": figure.present(page.object_list),
        "period": form.period,
        "department": form.selected_department,
        "query": form.query(),
    }
    return render(request, "dashboard/figure_list.html", context)
