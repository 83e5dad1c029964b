"""校园周巡查： the findings of the leaders' weekly campus patrol, and recording one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import InvalidTransition
from core.http import refuse
from core.pages import get_page
from supervision import access, services
from supervision.forms_followup import PatrolFilterForm, PatrolFindingForm
from supervision.selectors import patrols as selectors

PAGE_SIZE = 20
REFUSED = gettext_lazy("只有校领导、办公室和部门负责人可以查看校园巡查")


def _refused(request):
    return refuse(request, str(REFUSED))


@login_required
def finding_list(request):
    """Every finding the user may see, filtered by week, leader, department, search."""
    user = request.user
    if not selectors.can_see_patrols(user):
        return _refused(request)
    leaders, departments = selectors.filter_choices(user)
    form = PatrolFilterForm(request.GET or None, leaders=leaders, departments=departments)
    form.is_valid()  # a bad value is shown on the form and left out of the filter
    filters = form.filters()
    page = get_page(selectors.findings_list(user, **filters), PAGE_SIZE, request.GET.get("page"))
    for finding in page.object_list:
        finding.can_task = selectors.can_task_finding(user, finding)
    context = {
        "form": form,
        "page": page,
        "filtered": any(v not in (None, "") for v in filters.values()),
        "can_record": access.can_record_patrol(user),
    }
    template = "supervision/patrol_list.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        template += "#results"
    return render(request, template, context)


@login_required
def finding_new(request):
    user = request.user
    if not access.can_record_patrol(user):
        return refuse(request, _("只有校领导或办公室可以记录校园巡查"))
    form = PatrolFindingForm(request.POST or None, for_leader=user.is_leader)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                finding = services.finding_record(
                    actor=user,
                    patrolled_on=d["patrolled_on"],
                    place=d["place"],
                    text=d["text"],
                    department_id=d["department"].pk if d["department"] else None,
                    leader_id=d["leader"].pk if d.get("leader") else None,
                )
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                messages.success(request, _("巡查发现已记录。"))
                return redirect("patrols:detail", finding.pk)
        else:
            status = 400
    return render(request, "supervision/patrol_form.html", {"form": form}, status=status)


@login_required
def finding_detail(request, pk: int):
    user = request.user
    if not selectors.can_see_patrols(user):
        return _refused(request)
    finding = selectors.finding_detail(user, pk)
    if finding is None:
        raise Http404
    context = {"finding": finding, "can_task": selectors.can_task_finding(user, finding)}
    return render(request, "supervision/patrol_detail.html", context)
