"""Reads of department performance (部门工作绩效): the ratings, a rating's ranking, one score's
tasks, and a department's plan of the year (its tasks due that year). Each a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from org.models import Department, User
from supervision import access
from supervision.models import DepartmentScore, PerformanceRating, ScoreLine, Task
from supervision.models.performance import outcome_of


def ratings_for(user: User) -> list[PerformanceRating]:
    rows = PerformanceRating.objects.select_related("rated_by")
    if not access.can_rate_performance(user):
        rows = rows.filter(published_at__isnull=False)
    return list(rows)


def rating_for(user: User, pk: int) -> PerformanceRating | None:
    """The rating, or None when it does not exist or `user` may not read it (answered as 404)."""
    rating = PerformanceRating.objects.select_related("rated_by").filter(pk=pk).first()
    if rating is None or not access.can_read_performance(user, rating):
        return None
    return rating


def _own(user: User) -> Q:
    ids = access.performance_departments(user)
    return Q() if ids is None else Q(department__in=ids)


def ranking(rating: PerformanceRating, user: User) -> list[DepartmentScore]:
    return list(
        rating.scores.filter(_own(user)).select_related("department").order_by("rank", "department__sort_order")
    )


def score_for(rating: PerformanceRating, user: User, department_id: int) -> DepartmentScore | None:
    return rating.scores.filter(_own(user), department_id=department_id).select_related("department").first()


@dataclass(frozen=True)
class Line:
    line: ScoreLine
    visible: bool  # a confidential task the reader may not see is named only "涉密任务"


def score_lines(score: DepartmentScore, user: User) -> list[Line]:
    """The tasks behind a score, with their points. Two queries."""
    lines = list(score.lines.select_related("task").order_by("task__deadline", "task_id"))
    seen = set(
        Task.objects.filter(access.task_visibility_filter(user), pk__in=[x.task_id for x in lines]).values_list(
            "pk", flat=True
        )
    )
    return [Line(x, x.task_id in seen) for x in lines]


@dataclass(frozen=True)
class PlanLine:
    task: Task
    visible: bool
    outcome: str | None


def department_plan(department: Department, year: int, user: User, today: dt.date) -> list[PlanLine]:
    """The department's tasks due in `year` (its plan), with how each stands by `today`. Two queries."""
    tasks = list(Task.objects.filter(lead_department=department, deadline__year=year).order_by("deadline", "pk"))
    seen = set(
        Task.objects.filter(access.task_visibility_filter(user), pk__in=[t.pk for t in tasks]).values_list(
            "pk", flat=True
        )
    )
    return [PlanLine(t, t.pk in seen, outcome_of(t, today)) for t in tasks]
