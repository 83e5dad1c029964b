"""Who is in the room: 「全部出席」 for those not yet marked, and observers (列席) added for the
meeting, who attend without a vote (the discipline committee is added when a meeting is
scheduled; the department whose item is discussed is added here)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict
from core.text import clean_text, required
from meetings.models import Attendance, Meeting
from meetings.services.base import _check, _meeting
from meetings.services.run import attendance_mark
from org.models import Role, User


@transaction.atomic
def attendance_all_present(*, actor: User, meeting_id: int) -> list[Attendance]:
    """「全部出席」: everyone not yet marked (members and observers) is marked present; a
    recorded absence stays as it is. Each mark is its own audit row, as one by one."""
    meeting = _meeting(meeting_id)
    _check(actor, meeting, "attendance")
    unmarked = list(
        meeting.attendance.filter(status=Attendance.Status.UNKNOWN)
        .order_by("kind", "id")
        .values_list("person_id", flat=True)
    )
    if not unmarked:
        raise conflict(_("出席情况已全部登记。"))
    return [
        attendance_mark(actor=actor, meeting_id=meeting_id, person_id=person_id, present=True) for person_id in unmarked
    ]


def observer_candidates(meeting: Meeting) -> list[User]:
    """Who may be asked to attend as an observer: the heads of the departments whose items are on
    the agenda, not already on the list."""
    departments = {e.item.department_id for e in meeting.entries.all() if e.dropped_at is None}
    listed = {a.person_id for a in meeting.attendance.all()}
    heads = User.objects.filter(
        is_active=True, role_assignments__role=Role.DEPT_HEAD, role_assignments__department_id__in=departments
    ).distinct()
    return [u for u in heads.select_related("department").order_by("pk") if u.pk not in listed]


@transaction.atomic
def observer_add(*, actor: User, meeting_id: int, person_id: int, reason: str) -> Attendance:
    """列席: a person attends the meeting without a vote (an item's department, a guest), with why."""
    meeting = _meeting(meeting_id)
    _check(actor, meeting, "observer")
    reason = required(clean_text(reason), missing=_("请写明列席事由。"))
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        raise conflict(_("人员不存在"))
    try:
        with transaction.atomic():
            row = Attendance.objects.create(meeting=meeting, person=person, kind=Attendance.Kind.OBSERVER)
    except IntegrityError as exc:
        raise conflict(_("%(name)s已在本次会议的出席名单中。") % {"name": person}) from exc
    audit.record(actor=actor, verb="meeting.observer", target=meeting, reason=reason, data={"person": person.pk})
    return row
