"""Reads about people and meeting bodies."""

from org.models import User


def leaders():
    """People who can be asked for a view before a meeting （班子成员）."""
    from org.models import LEADER_ROLES

    return (
        User.objects.filter(is_active=True, role_assignments__role__in=list(LEADER_ROLES))
        .distinct()
        .order_by("username")
    )
