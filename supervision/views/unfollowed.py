"""决而未果: the queue of passed resolutions without a task or a reason, for the party office and 纪委."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition
from core.http import refuse
from core.pages import get_page
from decisions.models import DecisionPolicy
from supervision import access
from supervision.forms_unfollowed import NoTaskForm
from supervision.selectors.unfollowed import age_days, unfollowed_resolutions
from supervision.services.followup import resolution_no_task


def _page(request, status=200, form=None, form_for=None):
    page = get_page(unfollowed_resolutions(), 20, request.GET.get("page"))
    now = timezone.now()
    limit = DecisionPolicy.current().unfollowed_escalate_days
    for r in page.object_list:
        r.age = age_days(r, now)
        r.overdue = r.age >= limit
        r.shows_title = not (r.confidential or r.item.confidential)
    context = {"page": page, "limit": limit, "form": form or NoTaskForm(), "form_for": form_for}
    return render(request, "supervision/unfollowed.html", context, status=status)


@login_required
def unfollowed(request):
    if not access.watches_unfollowed(request.user):
        return refuse(request, _("只有党委办公室和纪委可以查看决而未果清单"))
    return _page(request)


@login_required
@require_POST
def no_task(request, pk: int):
    if not access.watches_unfollowed(request.user):
        return refuse(request, _("只有党委办公室或纪委可以登记无需督查的理由"))
    form = NoTaskForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, form=form, form_for=pk)
    try:
        resolution_no_task(actor=request.user, resolution_id=pk, reason=form.cleaned_data["reason"])
    except InvalidTransition as e:
        messages.error(request, e.reason)
        return _page(request, status=e.status, form=form, form_for=pk)
    messages.success(request, _("已登记无需督查的理由，该决议移出决而未果清单。"))
    return redirect("supervision:unfollowed")
