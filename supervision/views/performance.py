"""部门工作绩效: the ratings, a rating's ranking, one score's tasks, a department's plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition
from core.http import refuse
from org.models import Department
from supervision import access
from supervision.forms_performance import PlanQueryForm, RatingForm
from supervision.models.performance import POINTS_LATE, POINTS_ON_TIME, POINTS_OVERDUE
from supervision.selectors import performance as selectors
from supervision.services import performance as services

READERS_ONLY = _("部门绩效考评由校务办开展，发布后校领导和部门负责人可以查看")
RULE = {"on_time": POINTS_ON_TIME, "late": POINTS_LATE, "overdue": POINTS_OVERDUE}


@login_required
def rating_list(request):
    user = request.user
    if not access.can_read_performance(user):
        return refuse(request, READERS_ONLY)
    can_rate = access.can_rate_performance(user)
    form = RatingForm(request.POST or None) if can_rate else None
    status = 200
    if request.method == "POST":
        if not can_rate:
            return refuse(request, _("只有校务办可以开展部门绩效考评"))
        if form.is_valid():
            d = form.cleaned_data
            try:
                rating = services.performance_rate(
                    actor=user, year=d["year"], period_end=d["period_end"], title=d["title"], note=d["note"]
                )
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                messages.success(request, _("考评已生成，请核对后发布。"))
                return redirect("performance:detail", rating.pk)
        else:
            status = 400
    context = {"ratings": selectors.ratings_for(user), "form": form, "rule": RULE}
    return render(request, "supervision/performance_list.html", context, status=status)


@login_required
def rating_detail(request, pk: int):
    user = request.user
    rating = selectors.rating_for(user, pk)
    if rating is None:
        raise Http404
    context = {
        "rating": rating,
        "scores": selectors.ranking(rating, user),
        "can_publish": access.can_rate_performance(user) and rating.published_at is None,
        "rule": RULE,
    }
    return render(request, "supervision/performance_detail.html", context)


@login_required
@require_POST
def rating_publish(request, pk: int):
    if selectors.rating_for(request.user, pk) is None:
        raise Http404
    if not access.can_rate_performance(request.user):
        return refuse(request, _("只有校务办可以发布部门绩效考评"))
    try:
        services.performance_publish(actor=request.user, rating_id=pk)
    except InvalidTransition as e:
        messages.error(request, e.reason)
        return redirect("performance:detail", pk)
    messages.success(request, _("考评已发布，校领导已收到通知。"))
    return redirect("performance:detail", pk)


@login_required
def score_detail(request, pk: int, department_id: int):
    user = request.user
    rating = selectors.rating_for(user, pk)
    score = selectors.score_for(rating, user, department_id) if rating else None
    if score is None:
        raise Http404
    context = {"rating": rating, "score": score, "lines": selectors.score_lines(score, user), "rule": RULE}
    return render(request, "supervision/performance_score.html", context)


@login_required
def department_plan(request, department_id: int):
    """The department's plan of the year: its tasks due that year, and how each stands today."""
    user = request.user
    ids = access.performance_departments(user)
    if not access.can_read_performance(user) or (ids is not None and department_id not in ids):
        return refuse(request, READERS_ONLY)
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise Http404
    today = timezone.localdate()
    form = PlanQueryForm(request.GET or {"year": today.year})
    year = form.cleaned_data["year"] if form.is_valid() else today.year
    context = {
        "department": department,
        "year": year,
        "lines": selectors.department_plan(department, year, user, today),
        "rule": RULE,
    }
    return render(request, "supervision/performance_plan.html", context)
