"""Reads of the campus patrol （校园周巡查）： who sees which finding, and the list with its tasks.

Leaders and the offices see every finding; a department head the findings about the departments
they head; the leader who patrolled their own. A finding's tasks are shown with it: patrol tasks are made not
confidential (services.tasks._source_of); one marked so later is listed without its title.
"""

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from org.models import Department, User
from supervision import access
from supervision.models import PatrolFinding, Task

# Who sees which finding is supervision.access's rule; the pages ask it through these names too.
sees_all_findings = access.sees_all_findings
can_see_patrols = access.can_see_patrols
finding_visibility_filter = access.finding_visibility_filter


def can_task_finding(user: User, finding: PatrolFinding) -> bool:
    """The finding's leader, or an assigner （督查部门）： access.can_create_task, as the service asks."""
    return access.can_create_task(user, "patrol", finding_leader_id=finding.leader_id)


def visible_findings(user: User) -> QuerySet[PatrolFinding]:
    return PatrolFinding.objects.filter(finding_visibility_filter(user))


def _with_tasks(qs: QuerySet[PatrolFinding]) -> QuerySet[PatrolFinding]:
    tasks = Task.objects.only("id", "title", "state", "deadline", "confidential", "finding_id").order_by("id")
    return qs.select_related("leader", "department").prefetch_related(Prefetch("tasks", queryset=tasks))


def findings_list(
    user: User,
    *,
    week: dt.date | None = None,
    leader_id: int | None = None,
    department_id: int | None = None,
    q: str = "",
    tasked: bool | None = None,
) -> QuerySet[PatrolFinding]:
    """The findings `user` may see, latest patrol first; `week` is the Monday of an ISO week."""
    qs = visible_findings(user)
    if week:
        qs = qs.filter(patrolled_on__gte=week, patrolled_on__lt=week + dt.timedelta(days=7))
    if leader_id:
        qs = qs.filter(leader_id=leader_id)
    if department_id:
        qs = qs.filter(department_id=department_id)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(place__icontains=q) | Q(text__icontains=q))
    if tasked is not None:
        has_task = Exists(Task.objects.filter(finding=OuterRef("pk")))
        qs = qs.filter(has_task if tasked else ~has_task)
    return _with_tasks(qs).order_by("-patrolled_on", "-id")


def finding_detail(user: User, finding_id: int) -> PatrolFinding | None:
    return _with_tasks(visible_findings(user)).filter(pk=finding_id).first()


def filter_choices(user: User) -> tuple[QuerySet[User], QuerySet[Department]]:
    """The leaders and departments that occur in the findings `user` sees (for the filter bar)."""
    visible = visible_findings(user)
    leaders = User.objects.filter(pk__in=visible.values("leader_id")).order_by("username")
    departments = Department.objects.filter(pk__in=visible.values("department_id"))
    return leaders, departments
