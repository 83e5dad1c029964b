"""The navigation bar's figures and menus, for every page.

The badges (unread notifications, the review, screening and consultation queues) and whether the
person chairs a body are asked in ONE query; the other menus follow from the roles, which
org.backends.YishiBackend loads with the user. A page therefore pays one query for its navigation.
"""

from core.notify import unread_count_expression
from dashboard import access
from decisions import access as decisions_access
from decisions import selectors as decisions_selectors
from org.models import User


def navigation_row(user: User) -> dict:
    """The navigation's figures, asked once per request (remembered on the user object)."""
    row = getattr(user, "_navigation_row", None)
    if row is None:
        row = (
            User.objects.filter(pk=user.pk)
            .values(unread=unread_count_expression(user), **decisions_selectors.queue_count_expressions(user))
            .get()
        )
        user._navigation_row = row
        decisions_selectors.read_queue_counts(user, row)
    return row


def nav(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    row = navigation_row(user)
    return {
        "unread_notifications": row["unread"],
        "queue_counts": decisions_selectors.read_queue_counts(user, row),
        "can_review": decisions_access.can_use_review_queue(user),
        "can_screen": decisions_access.can_use_screening_queue(user),
        "can_consult": decisions_access.can_use_consultation_inbox(user),
        "nav_school_figures": access.can_read_school_figures(user),
    }
