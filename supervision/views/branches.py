"""党支部建设： the party office's monthly check of each branch and the year's table."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from core.http import refuse
from supervision import access, services
from supervision.forms_followup import BranchCheckForm
from supervision.selectors import branches as selectors
from supervision.selectors import org_life


def year_of(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


@login_required
def branch_year(request):
    """Each branch × 12 months with the month's score, and the annual score."""
    user = request.user
    if not selectors.can_read_branches(user):
        return refuse(request, _("只有党委办公室和校领导可以查看党支部建设检查"))
    year = year_of(request)
    today = timezone.localdate()
    table = selectors.branch_year(year)
    self_checks, rectify = org_life.self_check_counts(year), org_life.rectification_counts(year)
    context = {
        "table": table,
        "rows": [(row, self_checks.get(row.branch.pk, 0), rectify.get(row.branch.pk, (0, 0))) for row in table.rows],
        "year": year,
        "years": list(range(today.year, today.year - 5, -1)),
        "can_check": access.can_check_branches(user),
        "open_months": selectors.open_months(year, today),
        "has_items": bool(selectors.active_items()),
    }
    return render(request, "supervision/branch_year.html", context)


@login_required
def branch_check_new(request):
    """One branch's monthly check; the checklist is the admin's BranchCheckItem rows."""
    user = request.user
    if not access.can_check_branches(user):
        return refuse(request, _("只有党委办公室可以开展支部月度检查"))
    items = selectors.active_items()
    if not items:
        return render(request, "supervision/branch_check_form.html", {"form": None, "items": items})
    initial = {k: request.GET[k] for k in ("branch", "year", "month") if request.GET.get(k)}
    form = BranchCheckForm(request.POST or None, items=items, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                check = services.branch_check_record(
                    actor=user,
                    branch_id=d["branch"].pk,
                    year=d["year"],
                    month=d["month"],
                    met=form.met(),
                    note=d["note"],
                    rectify_by=d.get("rectify_by"),
                )
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                messages.success(
                    request,
                    _("%(branch)s %(year)s年%(month)s月检查已记录：%(score)s / %(full)s 分。")
                    % {
                        "branch": check.branch,
                        "year": check.year,
                        "month": check.month,
                        "score": check.score,
                        "full": check.full_score,
                    },
                )
                return redirect(f"{reverse('branches:year')}?year={check.year}")
        else:
            status = 400
    return render(request, "supervision/branch_check_form.html", {"form": form, "items": items}, status=status)


@login_required
def branch_check_detail(request, pk: int):
    if not selectors.can_read_branches(request.user):
        return refuse(request, _("只有党委办公室和校领导可以查看党支部建设检查"))
    check = selectors.check_detail(pk)
    if check is None:
        raise Http404
    context = {"check": check, "percent": selectors.month_percent(check)}
    return render(request, "supervision/branch_check_detail.html", context)
