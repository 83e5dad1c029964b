"""党建工作年度报表: every flagged value of a stage with the reason it is flagged, a link to its
department's entry, and the department's explanations (异常说明), which are kept."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from core.http import refuse
from reports import access, selectors, selectors_flags, services
from reports.forms import FlagAnswerForm
from reports.models import Stage


@login_required
def flag_list(request, year: int, stage: str):
    user = request.user
    if not access.can_read(user):
        return refuse(request, _("党建工作年度报表只对校领导、党委办公室和部门负责人开放"))
    try:
        stage = Stage(stage)
    except ValueError as exc:
        raise Http404 from exc
    if not 2000 <= year <= 2100:
        raise Http404
    form = FlagAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.flag_answer(
                    actor=user,
                    department_id=d["department"],
                    indicator_id=d["indicator"],
                    year=year,
                    stage=stage,
                    text=d["text"],
                )
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                messages.success(request, _("说明已保存。"))
                url = reverse("party_building:flags", args=[year, stage])
                return redirect(f"{url}#flag-{d['department']}-{d['indicator']}")
        else:
            status = 400
    table = selectors.stage_table(year, stage)
    flagged = selectors_flags.flagged_values(table)
    context = {
        "year": year,
        "stage": stage,
        "table": table,
        "flagged": flagged,
        "answerable": access.enterable_department_ids(user, table.department_ids),
        "form": form,
        "rule_text": selectors.rule_text(table.settings),
        "table_url": f"{reverse('party_building:table')}?year={year}&stage={stage}",
    }
    return render(request, "reports/flags.html", context, status=status)
