"""Reads of notices, already limited to what the user may see."""

from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Prefetch, Q, QuerySet

from notices.access import visibility_filter
from notices.models import Notice, NoticeAttachment, NoticeAudience, NoticeRecipient
from org.models import User


def _audiences() -> Prefetch:
    return Prefetch(
        "audiences", queryset=NoticeAudience.objects.select_related("department", "person", "meeting").order_by("id")
    )


def inbox(user: User, *, q: str = "") -> QuerySet[NoticeRecipient]:
    """The notices addressed to `user`, as their receipts: unread first, then the latest first."""
    qs = NoticeRecipient.objects.filter(person=user, notice__state=Notice.State.PUBLISHED).select_related(
        "notice", "notice__meeting"
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(notice__title__icontains=q)
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return qs.annotate(unread=unread).order_by("-unread", "-notice__published_at", "-notice_id")


def visible_notices(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(visibility_filter(user))


def sent(user: User, *, q: str = "") -> QuerySet[Notice]:
    """Every notice the user may follow up (the party office: drafts too), with its read counts."""
    qs = (
        visible_notices(user)
        .select_related("meeting", "created_by")
        .annotate(
            recipient_count=Count("recipients"),
            read_count=Count("recipients", filter=Q(recipients__read_at__isnull=False)),
        )
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(title__icontains=q)
    # Drafts (not yet published) first: they wait on the sender.
    return qs.order_by(F("published_at").desc(nulls_first=True), "-id")


def notice_detail(user: User, notice_id: int) -> Notice | None:
    return (
        visible_notices(user)
        .select_related("meeting", "meeting__body", "resolution", "created_by")
        .prefetch_related(_audiences(), "attachments")
        .filter(pk=notice_id)
        .first()
    )


def receipt_of(user: User, notice: Notice) -> NoticeRecipient | None:
    return NoticeRecipient.objects.filter(notice=notice, person=user).first()


@dataclass(frozen=True)
class Receipts:
    total: int
    read: int
    unread: list[NoticeRecipient]  # who has not read it yet, by department

    @property
    def unread_count(self) -> int:
        return self.total - self.read


def receipts(notice: Notice) -> Receipts:
    """For the sender: how many have read it, and who has not."""
    counts = NoticeRecipient.objects.filter(notice=notice).aggregate(
        total=Count("id"), read=Count("id", filter=Q(read_at__isnull=False))
    )
    unread = list(
        NoticeRecipient.objects.filter(notice=notice, read_at__isnull=True)
        .select_related("person", "person__department")
        .order_by("person__department__sort_order", "person__department__name", "person__username")
    )
    return Receipts(total=counts["total"], read=counts["read"], unread=unread)


def unread_count(user: User) -> int:
    return NoticeRecipient.objects.filter(
        person=user, read_at__isnull=True, notice__state=Notice.State.PUBLISHED
    ).count()


def for_meeting(user: User, meeting_id: int) -> QuerySet[Notice]:
    """The notices to be read out at a meeting (for the meeting page), as far as `user` may see them."""
    return (
        visible_notices(user)
        .filter(meeting_id=meeting_id, state=Notice.State.PUBLISHED)
        .select_related("resolution")
        .prefetch_related("attachments")
        .annotate(
            recipient_count=Count("recipients"),
            read_count=Count("recipients", filter=Q(recipients__read_at__isnull=False)),
        )
        .order_by("level", "published_at", "id")
    )


def visible_attachment(user: User, attachment_id: int) -> NoticeAttachment | None:
    """A notice's file, for whoever may see the notice."""
    return (
        NoticeAttachment.objects.filter(notice__in=visible_notices(user), pk=attachment_id)
        .select_related("notice")
        .first()
    )
