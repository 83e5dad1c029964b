"""Reads about people and meeting bodies."""

from django.db.models import Q, QuerySet

from org.models import MeetingBody, Role, User


def bodies_attended_by(user: User) -> QuerySet:
    """Bodies whose meetings this person attends (member, observer, chair or meeting secretary),
    as a subquery of their ids: no query of its own, for filters that join through a body."""
    offices = [r for r in user.roles if r in (Role.PARTY_OFFICE, Role.AFFAIRS_OFFICE)]
    return MeetingBody.objects.filter(Q(members__user=user) | Q(chair=user) | Q(secretary_role__in=offices)).values(
        "pk"
    )


def leaders():
    """People who can be asked for a view before a meeting (班子成员)."""
    from org.models import LEADER_ROLES

    return (
        User.objects.filter(is_active=True, role_assignments__role__in=list(LEADER_ROLES))
        .distinct()
        .order_by("username")
    )


def organizes_body(user: User, body: MeetingBody) -> bool:
    """Who arranges a body's meetings: its secretary office (PC → 党委办公室, PO/SA/AS → 校务办) and its chair."""
    # Not the superuser: the administrator keeps the system, not the meetings (and their secrets).
    return body.chair_id == user.pk or (bool(body.secretary_role) and user.has_role(body.secretary_role))
