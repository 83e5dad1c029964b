"""Creating in-app notifications, once per (recipient, key)."""

from collections.abc import Iterable

from core.models import Notification


def notify(*, recipients: Iterable, key: str, text: str, url: str = "") -> int:
    """Create one notification per recipient unless that key was already used.

    Returns how many were created; a repeated call creates none.
    """
    rows = [
        Notification(recipient=r, key=key, text=text[:500], url=url) for r in {r.pk: r for r in recipients}.values()
    ]
    before = Notification.objects.filter(key=key, recipient__in=[r.recipient for r in rows]).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    after = Notification.objects.filter(key=key, recipient__in=[r.recipient for r in rows]).count()
    return after - before


def unread_count_expression(user):
    """How many notifications this person has not read, as an expression for the navigation's query."""
    from core.db import SubqueryCount

    return SubqueryCount(Notification.objects.filter(recipient=user, read_at__isnull=True))
