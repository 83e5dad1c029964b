"""部门工作绩效: the school affairs office rates every department from its tasks, and publishes.

    performance_rate      a rating for a year up to a day: each department with tasks counted
                          gets a score (the mean of its tasks' points) and a rank; each task's
                          points are kept as a line of the score
    performance_publish   the rating is shown to the leaders (and each head his own line)

The tasks of a department's year (its plan) are its supervision tasks due that year, of any
track and source. By the period's end a task closed on or before its deadline gives 100 points,
one closed late 70, one past its deadline and still open 40; a task not yet due and still open
is not counted. Departments with no task counted get no score.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict, forbidden
from core.jobs import enqueue
from core.notify import link_for, message, notify
from core.text import check_text, clean_text
from org.models import LEADER_ROLES, User
from supervision import access
from supervision.models import DepartmentScore, PerformanceRating, ScoreLine, Task
from supervision.models.performance import ONE_DECIMAL, OUTCOME_POINTS, outcome_of


def ranks(scores: list[Decimal]) -> list[int]:
    """Competition ranking, highest first: equal scores share a rank (1, 2, 2, 4)."""
    order = sorted(scores, reverse=True)
    return [order.index(s) + 1 for s in scores]


@transaction.atomic
def performance_rate(*, actor: User, year: int, period_end: dt.date, title: str, note: str = "") -> PerformanceRating:
    if not access.can_rate_performance(actor):
        raise forbidden(_("只有校务办可以开展部门绩效考评"))
    title = clean_text(title)
    if not title:
        raise conflict(_("请填写考评名称"))
    check_text(PerformanceRating, title=title, note=note)
    if period_end is None or period_end.year != year:
        raise conflict(_("考评截止日须在考评年度内"))
    if period_end > timezone.localdate():
        raise conflict(_("考评截止日不能晚于今天"))
    if PerformanceRating.objects.filter(year=year, period_end=period_end).exists():
        raise conflict(_("%(year)s年截至%(day)s的考评已做过") % {"year": year, "day": period_end.isoformat()})
    try:
        with transaction.atomic():
            rating = PerformanceRating.objects.create(
                year=year, period_end=period_end, title=title, note=clean_text(note), rated_by=actor
            )
    except IntegrityError as exc:
        raise conflict(_("%(year)s年截至%(day)s的考评已做过") % {"year": year, "day": period_end.isoformat()}) from exc
    by_department: dict = {}
    tasks = Task.objects.filter(deadline__year=year).select_related("lead_department").order_by("deadline", "pk")
    for task in tasks:
        outcome = outcome_of(task, period_end)
        if outcome is not None:
            by_department.setdefault(task.lead_department, []).append((task, outcome))
    departments = sorted(by_department, key=lambda d: (d.sort_order, d.name))
    values = [
        (Decimal(sum(OUTCOME_POINTS[o] for _t, o in by_department[d])) / len(by_department[d])).quantize(
            ONE_DECIMAL, rounding=ROUND_HALF_UP
        )
        for d in departments
    ]
    for department, value, rank in zip(departments, values, ranks(values)):
        score = DepartmentScore.objects.create(
            rating=rating, department=department, score=value, rank=rank, tasks=len(by_department[department])
        )
        ScoreLine.objects.bulk_create(
            [ScoreLine(score=score, task=t, outcome=o, points=OUTCOME_POINTS[o]) for t, o in by_department[department]]
        )
    audit.record(
        actor=actor,
        verb="performance.rate",
        target=rating,
        data={"year": year, "period_end": period_end.isoformat(), "departments": len(departments)},
    )
    return rating


@transaction.atomic
def performance_publish(*, actor: User, rating_id: int) -> PerformanceRating:
    """Publish once (compare-and-set on published_at); the leaders are told after commit."""
    if not access.can_rate_performance(actor):
        raise forbidden(_("只有校务办可以发布部门绩效考评"))
    rating = PerformanceRating.objects.filter(pk=rating_id).first()
    if rating is None:
        raise conflict(_("考评不存在"))
    now = timezone.now()
    if not PerformanceRating.objects.filter(pk=rating_id, published_at__isnull=True).update(published_at=now):
        raise conflict(_("该考评已发布"))
    rating.published_at = now
    audit.record(actor=actor, verb="performance.publish", target=rating, data={"year": rating.year})
    enqueue(notify_performance_published, rating.pk)
    return rating


def notify_performance_published(rating_id: int) -> int:
    """Tell the leaders a rating is published (once: keyed per rating). A rating names no task."""
    rating = PerformanceRating.objects.filter(pk=rating_id, published_at__isnull=False).first()
    if rating is None:
        return 0
    leaders = User.objects.filter(is_active=True, role_assignments__role__in=LEADER_ROLES).distinct()
    text = message("performance.published", confidential=False, title=rating.title)
    return notify(
        recipients=leaders,
        key=f"performance:{rating.pk}",
        text=text,
        link=link_for("performance.published", rating.pk),
    )
