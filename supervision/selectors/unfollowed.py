"""决而未果: passed resolutions that call for action, with no supervision task and no reason on record."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from decisions.models import Category
from meetings.models import AgendaEntry, Resolution
from supervision.models import NoTaskReason, Task

# What a resolution calls for: a proposal or a decision passed (study, reports and briefings are heard).
PASSED = (AgendaEntry.Outcome.PASSED, AgendaEntry.Outcome.PASSED_WITH_CHANGES)
ACTION_CATEGORIES = (Category.PROPOSAL, Category.DECISION)


def unfollowed_q() -> Q:
    return (
        Q(outcome__in=PASSED, item__category__in=ACTION_CATEGORIES)
        & ~Exists(Task.objects.filter(resolution=OuterRef("pk")))
        & ~Exists(NoTaskReason.objects.filter(resolution=OuterRef("pk")))
    )


def unfollowed_resolutions() -> QuerySet[Resolution]:
    """Oldest first: the longer a resolution waits, the higher it stands."""
    return (
        Resolution.objects.filter(unfollowed_q())
        .select_related("item", "item__department", "body", "meeting")
        .order_by("issued_at", "id")
    )


def age_days(resolution: Resolution, now: dt.datetime | None = None) -> int:
    return ((now or timezone.now()) - resolution.issued_at).days
