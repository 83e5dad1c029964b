"""Reads of supervision tasks: visibility from supervision.access, progress rolled up from milestones."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from org.models import User
from supervision.access import task_visibility_filter
from supervision.models import (
    Evidence,
    Milestone,
    PartEvidence,
    PartReport,
    ProgressReport,
    ReportReview,
    Task,
    TaskEscalation,
    TaskPartner,
)


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
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")), "links")
        .order_by("created_at", "id"),
    )
    parts = Prefetch(
        "part_reports",
        queryset=PartReport.objects.select_related("author", "department")
        .prefetch_related("evidence", "links")
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
            parts,
            Prefetch("partners", queryset=TaskPartner.objects.select_related("department").order_by("id")),
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


def visible_part_evidence(user: User, evidence_id: int) -> PartEvidence | None:
    return (
        PartEvidence.objects.filter(part__task__in=visible_tasks(user).values("pk"))
        .select_related("part__task")
        .filter(pk=evidence_id)
        .first()
    )


def counts_by_state(qs: QuerySet[Task]) -> dict[str, int]:
    rows = qs.order_by().values("state").annotate(n=Count("id"))
    return {r["state"]: r["n"] for r in rows}


def waiting_report_ids(task_ids: list[int]) -> dict[int, int]:
    """The report waiting for review, per task (one query)."""
    rows = ProgressReport.objects.filter(task_id__in=task_ids, review__isnull=True).values_list("task_id", "pk")
    return dict(rows)


def filter_tasks(qs: QuerySet[Task], f: dict) -> QuerySet[Task]:
    """The list filters: title search, track, state, lead department, overdue only."""
    if f.get("q"):
        qs = qs.filter(title__icontains=f["q"])
    if f.get("track"):
        qs = qs.filter(track=f["track"])
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    if f.get("department"):
        qs = qs.filter(lead_department=f["department"])
    if f.get("overdue"):
        qs = qs.filter(overdue_q())
    return qs


def department_summary(qs: QuerySet[Task]) -> list[dict]:
    """Per lead department: tasks, closed, closed on time, overdue, and the ratings given."""
    rows = list(
        qs.order_by()
        .values("lead_department", "lead_department__name")
        .annotate(
            tasks=Count("id"),
            closed=Count("id", filter=Q(state=Task.State.CLOSED)),
            on_time=Count("id", filter=Q(state=Task.State.CLOSED, closed_at__date__lte=F("deadline"))),
            overdue=Count("id", filter=overdue_q()),
        )
        .order_by("lead_department__sort_order", "lead_department__name")
    )
    ratings: dict[int, dict[str, int]] = defaultdict(dict)
    given = (
        ReportReview.objects.filter(report__task__in=qs.values("pk"))
        .exclude(rating="")
        .values("report__task__lead_department", "rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in given:
        ratings[r["report__task__lead_department"]][r["rating"]] = r["n"]
    scale = [(value, label) for value, label in ReportReview.Rating.choices if value]
    for row in rows:
        mine = ratings.get(row["lead_department"], {})
        row["ratings"] = [(label, mine.get(value, 0)) for value, label in scale]
    return rows
