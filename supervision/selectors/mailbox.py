"""Reads of the secretary's mailbox, already limited to what the user may see."""

import datetime as dt

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from org.models import User
from supervision.access import visibility_filter
from supervision.models import Letter, LetterForward, LetterReply


def visible_letters(user: User) -> QuerySet[Letter]:
    return Letter.objects.filter(visibility_filter(user))


def my_letters(user: User) -> QuerySet[Letter]:
    """The letters `user` wrote, the latest first, with how many replies each has."""
    return Letter.objects.filter(author=user).annotate(reply_count=Count("replies")).order_by("-created_at", "-id")


def forwarded_letters(user: User) -> QuerySet[Letter]:
    """The letters forwarded to the departments `user` heads, the latest first (no writer: a
    department is never told who wrote)."""
    return (
        Letter.objects.filter(forwards__department__in=user.headed_department_ids)
        .distinct()
        .annotate(reply_count=Count("replies", distinct=True))
        .order_by("-created_at", "-id")
    )


def all_letters(user: User) -> QuerySet[Letter]:
    """Every letter `user` may see (the secretary and party office: all), unreplied first."""
    unreplied_first = Case(When(state=Letter.State.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        visible_letters(user)
        .select_related("author", "author__department")
        .annotate(reply_count=Count("replies"), waiting=unreplied_first)
        .order_by("waiting", "-created_at", "-id")
    )


def letter_detail(user: User, letter_id: int) -> Letter | None:
    replies = Prefetch("replies", queryset=LetterReply.objects.select_related("author").order_by("created_at", "id"))
    return (
        visible_letters(user)
        .select_related("author", "author__department")
        .prefetch_related(replies, Prefetch("forwards", queryset=LetterForward.objects.select_related("department")))
        .filter(pk=letter_id)
        .first()
    )


def letter_by_code(code: str) -> Letter | None:
    """The anonymous letter whose query code is `code` (compared by its SHA-256), with its replies."""
    from supervision.services.mailbox import code_hash

    if not code.strip():
        return None
    replies = Prefetch("replies", queryset=LetterReply.objects.select_related("author").order_by("created_at", "id"))
    return Letter.objects.filter(anonymous=True, code_hash=code_hash(code)).prefetch_related(replies).first()


def on_time_counts(today: dt.date) -> dict[str, int]:
    """回复及时率, anonymous letters counted like any: replied on or before the reply deadline
    (school date) over the letters replied or already past their deadline."""
    replied_day = TruncDate("replied_at", tzinfo=timezone.get_default_timezone())
    replied = Q(state=Letter.State.REPLIED)
    return Letter.objects.filter(reply_due__isnull=False).aggregate(
        on_time=Count("id", filter=replied & Q(LessThanOrEqual(replied_day, F("reply_due")))),
        judged=Count("id", filter=replied | Q(reply_due__lt=today)),
        overdue_open=Count("id", filter=Q(state=Letter.State.OPEN, reply_due__lt=today)),
    )


def reply_rate_counts() -> dict:
    """The aggregates behind reply_rate, for a query that counts other letters too."""
    return {"all_total": Count("id"), "all_replied": Count("id", filter=Q(state=Letter.State.REPLIED))}


def reply_rate() -> tuple[int, int]:
    """(replied, total) over all letters: the mailbox's reply rate （回复百分百）."""
    counts = Letter.objects.aggregate(**reply_rate_counts())
    return counts["all_replied"], counts["all_total"]


def percent(replied: int, total: int) -> int:
    """The reply rate as a whole percentage, rounded half up; 100 when there are no letters."""
    if not total:
        return 100
    return (replied * 200 + total) // (total * 2)
