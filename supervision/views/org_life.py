"""A branch's own pages: 三会一课 against their required frequency, their records, and the
branch's monthly self-check (自查)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from core.http import refuse
from supervision import access, services
from supervision.forms_branches import OrgLifeForm, SelfCheckForm
from supervision.selectors import branches as selectors
from supervision.selectors import org_life
from supervision.views.branches import year_of

KEEPERS_ONLY = _("只有党委办公室、校领导和党支部书记可以查看三会一课")


def _readable_ids(user):
    """None: every branch (the party office, leaders); else the branches the person keeps."""
    if selectors.can_read_branches(user):
        return None
    return user.headed_department_ids


@login_required
def org_life_year(request):
    """Each branch × 支部党员大会, 支委会, 党小组会, 党课: held, required by today, and where short."""
    user = request.user
    ids = _readable_ids(user)
    if ids is not None and not ids:
        return refuse(request, KEEPERS_ONLY)
    year = year_of(request)
    today = timezone.localdate()
    context = {
        "year": year,
        "years": list(range(today.year, today.year - 5, -1)),
        "rows": org_life.org_life_year(year, today, ids),
        "can_record": access.can_check_branches(user) or bool(user.headed_department_ids),
    }
    return render(request, "supervision/org_life_year.html", context)


@login_required
def org_life_new(request):
    user = request.user
    ids = access.branches_kept_by(user)
    if ids is not None and not ids:
        return refuse(request, _("只有本支部书记或党委办公室可以登记三会一课"))
    form = OrgLifeForm(request.POST or None, branch_ids=ids)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                row = services.org_life_record(
                    actor=user,
                    branch_id=d["branch"].pk,
                    kind=d["kind"],
                    held_on=d["held_on"],
                    topic=d["topic"],
                    attendees=d["attendees"],
                )
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                messages.success(request, _("已登记：%(row)s。") % {"row": row})
                return redirect(f"{reverse('branches:org_life')}?year={row.held_on.year}")
        else:
            status = 400
    return render(request, "supervision/org_life_form.html", {"form": form}, status=status)


@login_required
def self_check_new(request):
    """A branch secretary's monthly self-check on the party office's checklist."""
    user = request.user
    if not user.headed_department_ids:
        return refuse(request, _("只有本支部书记可以填报支部自查"))
    items = selectors.active_items()
    if not items:
        return render(request, "supervision/branch_check_form.html", {"form": None, "items": items, "self": True})
    form = SelfCheckForm(request.POST or None, items=items, branch_ids=user.headed_department_ids)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                check = services.branch_self_check(
                    actor=user,
                    branch_id=d["branch"].pk,
                    year=d["year"],
                    month=d["month"],
                    met=form.met(),
                    note=d["note"],
                )
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                messages.success(
                    request,
                    _("%(branch)s %(year)s年%(month)s月自查已记录：%(score)s / %(full)s 分。")
                    % {
                        "branch": check.branch,
                        "year": check.year,
                        "month": check.month,
                        "score": check.score,
                        "full": check.full_score,
                    },
                )
                return redirect("branches:detail", check.pk)
        else:
            status = 400
    return render(
        request, "supervision/branch_check_form.html", {"form": form, "items": items, "self": True}, status=status
    )
