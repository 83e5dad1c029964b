"""Who may see a meeting and who may run which part of it: answered here only."""

from django.db.models import Q
from django.utils.translation import gettext as _

from meetings.models import Attendance, Meeting
from org.models import OFFICE_ROLES, MeetingBody, User
from org.selectors import organizes_body


def organizes(user: User, body: MeetingBody) -> bool:
    return organizes_body(user, body)


def runs(user: User, meeting: Meeting) -> bool:
    """On the day: the chair, the recorder, and the body's secretary office."""
    return user.pk in (meeting.chair_id, meeting.secretary_id) or organizes(user, meeting.body)


def chairs(user: User, meeting: Meeting) -> bool:
    """The meeting's chair (主持人), as recorded when it was scheduled."""
    return user.pk == meeting.chair_id


def speaks_for(user: User, meeting: Meeting, *, member_id: int) -> bool:
    """An opinion is recorded by the member who states it or by those who run the meeting."""
    return user.pk == member_id or runs(user, meeting)


def may_vote(user: User, meeting: Meeting, *, entry) -> str | None:
    """表决: a member present who has not recused on `entry`; else the reason why not."""
    from meetings.selectors import entry_facts

    facts = entry_facts(entry, meeting)
    if user.pk in facts["recused"]:
        return _("您已回避此议题,不参加表决")
    if user.pk not in facts["present"]:
        return _("只有出席会议的成员可以表决")
    return None


def signs(user: User, minutes) -> bool:
    """会签: every member present at the meeting co-signs its minutes."""
    return user.pk in minutes_signers(minutes)


def minutes_signers(minutes, attendance=None) -> list[int]:
    """The members present (会签人). `attendance`: the meeting's rows, when already loaded."""
    if attendance is not None:
        return [
            a.person_id
            for a in attendance
            if a.kind == Attendance.Kind.MEMBER and a.status == Attendance.Status.PRESENT
        ]
    return list(
        minutes.meeting.attendance.filter(kind=Attendance.Kind.MEMBER, status=Attendance.Status.PRESENT).values_list(
            "person_id", flat=True
        )
    )


def visibility_filter(user: User) -> Q:
    """Leaders and the meeting offices see every meeting; others the meetings they attend."""
    if user.is_superuser or user.is_leader or user.roles & OFFICE_ROLES:
        return Q()
    return Q(attendance__person=user) | Q(chair=user) | Q(secretary=user)


def visible_meetings(user: User):
    return Meeting.objects.filter(pk__in=Meeting.objects.filter(visibility_filter(user)).values("pk"))


def records(user: User, meeting: Meeting) -> bool:
    """Who writes the minutes (纪要由会议秘书编写): the meeting's recorder and its body's secretary
    office (PC → 党委办公室, PO/SA/AS → 校务办). Not the chair, who signs them with the others."""
    body = meeting.body
    return user.pk == meeting.secretary_id or (bool(body.secretary_role) and user.has_role(body.secretary_role))


def attendance_of(meeting: Meeting, user: User) -> Attendance | None:
    return next((a for a in meeting.attendance.all() if a.person_id == user.pk), None)


def can_schedule(user: User) -> bool:
    return any(organizes(user, body) for body in MeetingBody.objects.all())


def has_confidential(meeting: Meeting) -> bool:
    """A meeting whose agenda holds a confidential item: its pages, minutes and archive are
    confidential as a whole (use with `entries__item` prefetched on a page)."""
    return any(e.item.confidential for e in meeting.entries.all())


def sees_confidential(user: User, meeting: Meeting) -> bool:
    """A confidential item is for the meeting's attendees: members, observers, and those who run it."""
    return runs(user, meeting) or attendance_of(meeting, user) is not None
