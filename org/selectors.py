"""Reads about people and meeting bodies, cached on the user object for one request."""

from django.db.models import Q, QuerySet

from org.models import BodyMember, MeetingBody, Role, User


def body_ids_attended_by(user: User) -> frozenset[int]:
    """Bodies whose meetings this person attends: member, observer, chair or meeting secretary."""
    cache = getattr(user, "_attended_body_ids", None)
    if cache is not None:
        return cache
    ids = set(BodyMember.objects.filter(user=user).values_list("body_id", flat=True))
    ids.update(MeetingBody.objects.filter(chair=user).values_list("id", flat=True))
    office_roles = [r for r in user.roles if r in (Role.PARTY_OFFICE, Role.AFFAIRS_OFFICE)]
    if office_roles:
        ids.update(MeetingBody.objects.filter(secretary_role__in=office_roles).values_list("id", flat=True))
    user._attended_body_ids = frozenset(ids)
    return user._attended_body_ids


def bodies_attended_by(user: User) -> QuerySet:
    """The same bodies as body_ids_attended_by, as a subquery of their ids (no query of its own),
    for filters that join through a body."""
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
