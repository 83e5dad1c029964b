"""Reads of supervision tasks: visibility from supervision.access, progress rolled up from milestones."""

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from org.models import User
from supervision.access import task_visibility_filter
from supervision.models import Evidence, Milestone, ProgressReport, Task, TaskEscalation


@dataclass(frozen=True)
class Progress:
    done_weight: int
    total_weight: int
    closed: bool

    @property
    def percent(self) -> int:
        """Done weight over total weight, rounded down; a closed task is 100, a task without
        milestones 0 until it closes."""
        if self.closed:
            return 100
        if not self.total_weight:
            return 0
        return self.done_weight * 100 // self.total_weight


def progress_of(task: Task) -> Progress:
    """From annotations when the queryset has them, else from the milestones (prefetched or not)."""
    if hasattr(task, "done_weight"):
        return Progress(task.done_weight, task.total_weight, task.state == Task.State.CLOSED)
    milestones = list(task.milestones.all())
    done = sum(m.weight for m in milestones if m.done_at)
    return Progress(done, sum(m.weight for m in milestones), task.state == Task.State.CLOSED)


def visible_tasks(user: User) -> QuerySet[Task]:
    return Task.objects.filter(task_visibility_filter(user))


def with_progress(qs: QuerySet[Task]) -> QuerySet[Task]:
    total = Milestone.objects.filter(task=OuterRef("pk")).values("task").annotate(s=Sum("weight")).values("s")
    done = (
        Milestone.objects.filter(task=OuterRef("pk"), done_at__isnull=False)
        .values("task")
        .annotate(s=Sum("weight"))
        .values("s")
    )
    return qs.annotate(
        total_weight=Coalesce(total, Value(0), output_field=IntegerField()),
        done_weight=Coalesce(done, Value(0), output_field=IntegerField()),
    )


def tasks_with_progress(user: User) -> QuerySet[Task]:
    """Every task `user` may see, with what a list shows: department, leader, progress, whether
    it is overdue, and whether a report waits for review."""
    waiting = ProgressReport.objects.filter(task=OuterRef("pk"), review__isnull=True)
    return with_progress(
        visible_tasks(user)
        .select_related("lead_department", "responsible_leader", "resolution", "item")
        .annotate(waiting=Exists(waiting))
    )


def is_overdue(task: Task, today=None) -> bool:
    today = today or timezone.localdate()
    return task.state != Task.State.CLOSED and task.deadline < today


def overdue_q(today=None) -> Q:
    return ~Q(state=Task.State.CLOSED) & Q(deadline__lt=today or timezone.localdate())


def task_detail(user: User, task_id: int) -> Task | None:
    reports = Prefetch(
        "reports",
        queryset=ProgressReport.objects.select_related("author", "review__reviewer")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
        .order_by("created_at", "id"),
    )
    return (
        visible_tasks(user)
        .select_related(
            "lead_department",
            "responsible_leader",
            "created_by",
            "resolution__meeting",
            "item",
            "letter",
            "finding__leader",
            "occurrence__duty",
        )
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("position", "due", "id")),
            reports,
            Prefetch("escalations", queryset=TaskEscalation.objects.select_related("by").order_by("created_at", "id")),
        )
        .filter(pk=task_id)
        .first()
    )


def visible_evidence(user: User, evidence_id: int) -> Evidence | None:
    return (
        Evidence.objects.filter(report__task__in=visible_tasks(user).values("pk"))
        .select_related("report__task")
        .filter(pk=evidence_id)
        .first()
    )


def counts_by_state(qs: QuerySet[Task]) -> dict[str, int]:
    rows = qs.order_by().values("state").annotate(n=Count("id"))
    return {r["state"]: r["n"] for r in rows}
