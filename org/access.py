"""Who chairs, organizes and attends a meeting body: answered here only.

The body's chair is today's chair: he screens the items requested for the body and arranges its
next meetings. A meeting already scheduled keeps the chair it was scheduled with
(`meetings.access.chairs`), whoever chairs the body afterwards.
"""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from org.models import MeetingBody, Portfolio, Role, User


def chairs_body(user: User, body: MeetingBody) -> bool:
    return body.chair_id is not None and body.chair_id == user.pk


def chaired_bodies(user: User) -> QuerySet:
    """The bodies `user` chairs now, as a queryset (a subquery where it is used in a filter)."""
    return MeetingBody.objects.filter(chair=user)


def chair_of(body: MeetingBody) -> User | None:
    """Who chairs the body now: the screener of its items, and the chair of a meeting scheduled now."""
    return body.chair


def is_secretary_office(user: User, body: MeetingBody) -> bool:
    """The body's secretary office （PC → 党委办公室， PO/SA/AS → 校务办）."""
    return bool(body.secretary_role) and user.has_role(body.secretary_role)


def organizes_body(user: User, body: MeetingBody) -> bool:
    """Who arranges a body's meetings: its secretary office and its chair."""
    # Not the superuser: the administrator keeps the system, not the meetings (and their secrets).
    return chairs_body(user, body) or is_secretary_office(user, body)


def bodies_attended_by(user: User) -> QuerySet:
    """Bodies whose meetings this person attends (member, observer, chair or meeting secretary),
    as a subquery of their ids: no query of its own, for filters that join through a body."""
    offices = [r for r in user.roles if r in (Role.PARTY_OFFICE, Role.AFFAIRS_OFFICE)]
    return MeetingBody.objects.filter(Q(members__user=user) | Q(chair=user) | Q(secretary_role__in=offices)).values(
        "pk"
    )


def leader_in_charge(department_id: int, on: date | None = None) -> User | None:
    """分管: the school leader in charge of the department on that day (today if not given)."""
    on = on or timezone.localdate()
    row = (
        Portfolio.objects.filter(department_id=department_id, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("leader")
        .order_by("-starts_on")
        .first()
    )
    return row.leader if row else None


def departments_in_charge(user: User, on: date | None = None) -> QuerySet:
    """The departments `user` is in charge of on that day, as a queryset."""
    on = on or timezone.localdate()
    return Portfolio.objects.filter(leader=user, starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def may_assign_portfolio(user: User) -> bool:
    """The party office keeps who is in charge of what (the administrator through the admin)."""
    return user.is_superuser or user.has_role(Role.PARTY_OFFICE)


def may_import_people(user: User) -> bool:
    """Who loads the staff workbook (人员导入) and the directory sync: the system administrator,
    who keeps departments, people and roles; nobody else changes who is who."""
    return user.is_active and user.is_superuser
