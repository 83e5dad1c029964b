"""全教会通报: a month's board of major department work. Department heads submit; the party
office selects, declines and orders, then publishes the digest (or the nightly job does)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition
from core.http import refuse
from notices import access
from notices.forms_digest import MajorWorkForm, MonthForm, WorkStepForm
from notices.models import MajorWork, Notice
from notices.services import digest as services
from notices.services import month_bounds
from org.models import Department


def _month(request) -> tuple[int, int]:
    form = MonthForm(request.GET or request.POST or None)
    if form.is_valid():
        return form.cleaned_data["year"], form.cleaned_data["month"]
    today = timezone.localdate()
    return today.year, today.month


def _context(request, year: int, month: int, form=None):
    user = request.user
    period = dt.date(year, month, 1)
    works = list(
        MajorWork.objects.filter(access.major_work_filter(user), period=period)
        .select_related("department", "submitted_by")
        .order_by("state", "position", "submitted_at", "id")
    )
    departments = list(Department.objects.filter(pk__in=access.submits_work_for(user), active=True))
    digest = Notice.objects.filter(level=Notice.Level.MONTHLY_DIGEST, period=period).first()
    office = access.is_party_office(user)
    prev = period - dt.timedelta(days=1)
    nxt = (period + dt.timedelta(days=32)).replace(day=1)
    return {
        "year": year,
        "month": month,
        "prev": prev,
        "next": nxt,
        "works": works,
        "selected": [w for w in works if w.state == MajorWork.State.SELECTED],
        "others": [w for w in works if w.state != MajorWork.State.SELECTED],
        "digest": digest,
        "office": office,
        "can_submit": bool(departments) and digest is None,
        "can_publish": office and digest is None and timezone.now() >= month_bounds(year, month)[1],
        "form": form or MajorWorkForm(departments=departments),
    }


@login_required
def digest_board(request):
    if not access.sees_digest_board(request.user):
        return refuse(request, _("只有党委办公室和部门负责人可以报送、遴选部门重要工作"))
    year, month = _month(request)
    user = request.user
    departments = list(Department.objects.filter(pk__in=access.submits_work_for(user), active=True))
    form = MajorWorkForm(request.POST or None, departments=departments)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "notices/digest_board.html", _context(request, year, month, form), status=400)
        try:
            services.major_work_submit(
                actor=user,
                year=year,
                month=month,
                department_id=form.cleaned_data["department"],
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
            )
        except InvalidTransition as e:
            form.add_error(None, e.reason)
            return render(request, "notices/digest_board.html", _context(request, year, month, form), status=e.status)
        messages.success(request, _("已报送，待党委办公室遴选。"))
        return redirect(f"{request.path}?year={year}&month={month}")
    return render(request, "notices/digest_board.html", _context(request, year, month))


STEPS = ("select", "decline", "up", "down")


@login_required
@require_POST
def work_step(request, pk: int, action: str):
    if action not in STEPS:
        raise Http404
    work = MajorWork.objects.filter(access.major_work_filter(request.user), pk=pk).first()
    if work is None:
        raise Http404
    form = WorkStepForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if action in ("select", "decline"):
            services.major_work_select(actor=request.user, work_id=pk, selected=action == "select", reason=reason)
        else:
            services.major_work_move(actor=request.user, work_id=pk, up=action == "up")
    except InvalidTransition as e:
        messages.error(request, e.reason)
        context = _context(request, work.period.year, work.period.month)
        return render(request, "notices/digest_board.html", context, status=e.status)
    return redirect(f"{_board_url()}?year={work.period.year}&month={work.period.month}")


@login_required
@require_POST
def digest_publish(request):
    year, month = _month(request)
    try:
        notice = services.digest_publish(actor=request.user, year=year, month=month)
    except InvalidTransition as e:
        messages.error(request, e.reason)
        return render(request, "notices/digest_board.html", _context(request, year, month), status=e.status)
    messages.success(request, _("全教会通报已发布，已通知全体教职工。"))
    return redirect("notices:detail", notice.pk)


def _board_url() -> str:
    from django.urls import reverse

    return reverse("notices:digest_board")
