"""巡查面全覆盖: the term's rota, which campus areas were patrolled this term and which not, and the
patrol findings not yet closed (no task yet, or a task still open)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from supervision.models import PatrolArea, PatrolFinding, PatrolRecord, PatrolRota, Task
from supervision.selectors.patrols import visible_findings


@dataclass(frozen=True)
class Term:
    start: dt.date
    end: dt.date
    label: str


def term_of(day: dt.date) -> Term:
    """The school term: spring from 1 February to 31 July, autumn from 1 August to 31 January."""
    if 2 <= day.month <= 7:
        return Term(dt.date(day.year, 2, 1), dt.date(day.year, 7, 31), f"{day.year - 1}—{day.year}学年第二学期")
    year = day.year if day.month >= 8 else day.year - 1
    return Term(dt.date(year, 8, 1), dt.date(year + 1, 1, 31), f"{year}—{year + 1}学年第一学期")


@dataclass(frozen=True)
class AreaCoverage:
    area: PatrolArea
    patrols: int
    last: dt.datetime | None
    planned: int  # rota weeks this term that name the area

    @property
    def covered(self) -> bool:
        return self.patrols > 0


def area_coverage(term: Term) -> list[AreaCoverage]:
    """Every area in use, with its patrols in `term`. Two queries."""
    in_term = Q(records__patrolled_at__date__gte=term.start, records__patrolled_at__date__lte=term.end)
    areas = (
        PatrolArea.objects.filter(active=True)
        .annotate(patrols=Count("records", filter=in_term), last=Max("records__patrolled_at", filter=in_term))
        .order_by("position", "name")
    )
    planned = dict(
        PatrolRota.objects.filter(week__gte=term.start, week__lte=term.end)
        .values("areas")
        .annotate(n=Count("id"))
        .values_list("areas", "n")
    )
    return [AreaCoverage(a, a.patrols, a.last, planned.get(a.pk, 0)) for a in areas]


def open_findings(user) -> QuerySet[PatrolFinding]:
    """Findings `user` may see that are not closed: no task made from them, or a task still open."""
    open_task = Task.objects.filter(finding=OuterRef("pk")).exclude(state=Task.State.CLOSED)
    any_task = Task.objects.filter(finding=OuterRef("pk"))
    return (
        visible_findings(user)
        .filter(Q(Exists(open_task)) | ~Q(Exists(any_task)))
        .select_related("leader", "department", "area")
        .order_by("patrolled_on", "id")
    )


def term_rota(term: Term) -> QuerySet[PatrolRota]:
    return (
        PatrolRota.objects.filter(week__gte=term.start - dt.timedelta(days=6), week__lte=term.end)
        .select_related("leader")
        .prefetch_related("areas")
        .order_by("week", "leader__username")
    )


def records_of(user, *, since: dt.date | None = None) -> QuerySet[PatrolRecord]:
    """The patrol records (since `since`): all for those who see all findings; else their own."""
    from supervision.access import sees_all_findings

    qs = PatrolRecord.objects.all()
    if since:
        qs = qs.filter(patrolled_at__date__gte=since)
    if not sees_all_findings(user):
        qs = qs.filter(leader=user)
    return qs.select_related("leader", "area").prefetch_related("photos", "findings").order_by("-patrolled_at", "-id")


def coverage_counts(term: Term) -> tuple[int, int]:
    """(areas patrolled this term, areas in use): for the report."""
    rows = area_coverage(term)
    return sum(1 for r in rows if r.covered), len(rows)
