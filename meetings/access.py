"""Who may see a meeting and who may run which part of it: answered here only.

The chair of a meeting is the chair recorded on it when it was scheduled (`Meeting.chair`),
whoever chairs its body later: the pages, the services and the reminders all ask `chairs`.
"""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from meetings.models import AgendaEntry, Attendance, Meeting, Minutes
from org.access import is_secretary_office, organizes_body
from org.models import OFFICE_ROLES, MeetingBody, User


def organizes(user: User, body: MeetingBody) -> bool:
    """Who may schedule a new meeting of `body`: its secretary office and its chair today."""
    return organizes_body(user, body)


def chairs(user: User | int, meeting: Meeting) -> bool:
    """主持人： the meeting's recorded chair (a person, or a person's id)."""
    pk = user if isinstance(user, int) else user.pk
    return meeting.chair_id is not None and meeting.chair_id == pk


def arranges(user: User, meeting: Meeting) -> bool:
    """Who arranges a scheduled meeting's agenda (publish, add, move, drop, cancel): its chair
    and its body's secretary office."""
    return chairs(user, meeting) or is_secretary_office(user, meeting.body)


def runs(user: User, meeting: Meeting) -> bool:
    """On the day: the chair, the recorder, and the body's secretary office."""
    return arranges(user, meeting) or user.pk == meeting.secretary_id


def speaks_for(user: User, meeting: Meeting, *, member_id: int) -> bool:
    """An opinion is recorded by the member who states it or by those who run the meeting."""
    return user.pk == member_id or runs(user, meeting)


def may_vote(user: User, meeting: Meeting, *, entry) -> str | None:
    """表决： a member present who has not recused on `entry`; else the reason why not."""
    from meetings.selectors import entry_facts

    facts = entry_facts(entry, meeting)
    if user.pk in facts["recused"]:
        return _("您已回避此议题，不参加表决")
    if user.pk not in facts["present"]:
        return _("只有出席会议的成员可以表决")
    return None


# --- how an item is voted on (表决方式) ---------------------------------------------------------

VoteMode = AgendaEntry.VoteMode
# The modes in which each member casts his own ballot; in the others the recorder enters them.
OWN_BALLOT = frozenset({VoteMode.NAMED, VoteMode.SECRET})
ENTERED = frozenset({VoteMode.HANDS, VoteMode.ORAL})


def default_vote_mode(entry: AgendaEntry) -> str:
    """Personnel matters (干部任免) are decided by secret ballot; everything else by named vote."""
    from decisions.models import MajorKind

    return VoteMode.SECRET if entry.item.major_kind == MajorKind.APPOINTMENT else VoteMode.NAMED


def chooses_vote_mode(user: User, meeting: Meeting) -> bool:
    """The chair decides how an item is voted on; whoever opens the vote otherwise takes the default."""
    return chairs(user, meeting)


def vote_mode_refusal(user: User, meeting: Meeting, *, entry: AgendaEntry, mode: str) -> str | None:
    """Why `user` may not open the vote on `entry` in `mode`, or None."""
    if mode not in VoteMode.values or not mode:
        return _("请选择表决方式")
    if mode != default_vote_mode(entry) and not chooses_vote_mode(user, meeting):
        return _("只有会议主持人可以改变表决方式")
    return None


def enters_votes(user: User, meeting: Meeting) -> bool:
    """A show of hands or an oral vote is entered member by member by those who run the meeting."""
    return runs(user, meeting)


def corrects(user: User, meeting: Meeting) -> bool:
    """A mistake in the record of the day (an opinion, attendance, an entered vote) is corrected by
    those who keep the record: the recorder and the body's secretary office."""
    return records(user, meeting)


def speaking_order(meeting: Meeting, member_ids) -> list[int]:
    """表态顺序: the members in the order given (the attendance list), the chair last
    (一把手末位表态)."""
    ids = list(dict.fromkeys(member_ids))
    return [pk for pk in ids if not chairs(pk, meeting)] + [pk for pk in ids if chairs(pk, meeting)]


def materials_deadline(meeting: Meeting) -> datetime:
    """材料截止: the body's days before the meeting; from then on the materials are open to attendees."""
    return meeting.starts_at - timedelta(days=meeting.materials_days)


def materials_open(user: User, meeting: Meeting) -> bool:
    """Who may read a meeting's materials (the meeting pack) now: those who run it, as they come
    in; everyone who sees the meeting from the deadline, or once it has begun (a meeting opened
    before its deadline)."""
    begun = meeting.state in (Meeting.State.IN_PROGRESS, Meeting.State.ADJOURNED)
    return begun or timezone.now() >= materials_deadline(meeting) or runs(user, meeting)


def visibility_filter(user: User) -> Q:
    """Leaders and the meeting offices see every meeting; others the meetings they attend."""
    if user.is_superuser or user.is_leader or user.roles & OFFICE_ROLES:
        return Q()
    return Q(attendance__person=user) | Q(chair=user) | Q(secretary=user)


def visible_meetings(user: User):
    return Meeting.objects.filter(pk__in=Meeting.objects.filter(visibility_filter(user)).values("pk"))


def records(user: User, meeting: Meeting) -> bool:
    """Who writes the minutes （纪要由会议秘书编写）： the meeting's recorder and its body's secretary
    office （PC → 党委办公室， PO/SA/AS → 校务办）. Not the chair, who signs them with the others."""
    return user.pk == meeting.secretary_id or is_secretary_office(user, meeting.body)


def attendance_of(meeting: Meeting, user: User) -> Attendance | None:
    return next((a for a in meeting.attendance.all() if a.person_id == user.pk), None)


def can_schedule(user: User) -> bool:
    return any(organizes(user, body) for body in MeetingBody.objects.all())


# --- confidential meetings -------------------------------------------------------------------


def has_confidential(meeting: Meeting) -> bool:
    """A meeting whose agenda holds a confidential item: its pages, minutes and archive are
    confidential as a whole (use with `entries__item` prefetched on a page)."""
    return any(e.item.confidential for e in meeting.entries.all())


def has_confidential_expression(meeting_ref: str = "pk") -> Exists:
    """`has_confidential` for querysets: the meeting at `meeting_ref` has a confidential item on its
    agenda (dropped ones too, as the pages count them)."""
    return Exists(AgendaEntry.objects.filter(meeting=OuterRef(meeting_ref), item__confidential=True))


def sees_confidential(user: User, meeting: Meeting) -> bool:
    """A confidential item is for the meeting's attendees: members, observers, and those who run it."""
    return runs(user, meeting) or attendance_of(meeting, user) is not None


# --- co-signing the minutes (会签) ------------------------------------------------------------

# The attendance rows that co-sign: every member present.
SIGNS = Q(kind=Attendance.Kind.MEMBER, status=Attendance.Status.PRESENT)


def signers(minutes: Minutes, attendance=None) -> list[int]:
    """Every member present co-signs （会签）. `attendance`: the meeting's rows, when already loaded."""
    if attendance is not None:
        return [
            a.person_id
            for a in attendance
            if a.kind == Attendance.Kind.MEMBER and a.status == Attendance.Status.PRESENT
        ]
    return list(minutes.meeting.attendance.filter(SIGNS).values_list("person_id", flat=True))


def signs(user: User, minutes: Minutes, attendance=None) -> bool:
    return user.pk in signers(minutes, attendance)


# --- who may take which step on a meeting's pages --------------------------------------------


def is_member_present_or_absent(user: User, meeting: Meeting) -> bool:
    """A member of this meeting (not an observer): may state their own opinion."""
    row = attendance_of(meeting, user)
    return row is not None and row.kind == Attendance.Kind.MEMBER


def _states_opinions(user: User, meeting: Meeting) -> bool:
    """A member states their own opinion; the chair, the recorder or the office records anyone's."""
    return runs(user, meeting) or is_member_present_or_absent(user, meeting)


# action → (who may, why not). The services ask the same functions; the views ask this table
# first, so that who is asking is answered (403) before the form (400) and the state (409).
RUNS = gettext_noop("只有会议主持人、记录人或会务部门可以进行此操作")
RECORDS = gettext_noop("只有会议记录人或会务部门可以编辑纪要")
CORRECTS = gettext_noop("只有会议记录人或会务部门可以更正会议记录")
STEP_RULES = {
    "publish": (arranges, gettext_noop("只有会务部门或主持人可以发布议程")),
    "add": (arranges, gettext_noop("只有会务部门或主持人可以调整议程")),
    "cancel": (arranges, gettext_noop("只有会务部门或主持人可以取消会议")),
    "drop": (arranges, gettext_noop("只有会务部门或主持人可以调整议程")),
    "up": (arranges, gettext_noop("只有会务部门或主持人可以调整议程")),
    "down": (arranges, gettext_noop("只有会务部门或主持人可以调整议程")),
    "reschedule": (arranges, gettext_noop("只有会务部门或主持人可以改期")),
    "all_present": (runs, RUNS),
    "observer": (runs, RUNS),
    "open": (runs, RUNS),
    "adjourn": (runs, RUNS),
    "present": (runs, RUNS),
    "absent": (runs, RUNS),
    "recuse": (runs, RUNS),
    "vote_open": (runs, RUNS),
    "vote_enter": (enters_votes, RUNS),
    "vote_close": (runs, RUNS),
    "decide": (runs, RUNS),
    "emergency": (chairs, gettext_noop("只有会议主持人可以临时列入紧急议题")),
    "opinion": (_states_opinions, gettext_noop("只能由本人或会议记录人记录表态")),
    "correct_opinion": (corrects, CORRECTS),
    "correct_vote": (corrects, CORRECTS),
    "correct_attendance": (corrects, CORRECTS),
    "edit": (records, RECORDS),
    "send": (records, RECORDS),
    "amend": (records, RECORDS),
}


def step_refusal(user: User, meeting: Meeting, action: str) -> str | None:
    """Why `user` may not take `action` on `meeting`, or None (also for an action the table does
    not hold: its service decides)."""
    rule = STEP_RULES.get(action)
    if rule is None or rule[0](user, meeting):
        return None
    return _(rule[1])


# --- 第一议题 and 中心组学习: the study records ------------------------------------------------


def records_study(user: User, session) -> bool:
    """A meeting's study is recorded, corrected and archived by those who run the meeting."""
    return runs(user, session.meeting)


def may_reflect(user: User, session) -> bool | str:
    """心得体会 are written by the participants of the study, each their own."""
    if any(p.person_id == user.pk for p in session.participants.all()):
        return True
    return _("只有参加本次学习的人员可以提交心得体会")


def sees_all_study(user: User) -> bool:
    """The yearly study figures of every body and every person: leaders and the offices. Anyone
    else sees their own line (sessions, reflections) only."""
    return user.is_authenticated and (user.is_superuser or user.is_leader or bool(user.roles & OFFICE_ROLES))


def study_visibility_filter(user: User) -> Q:
    """The study records `user` may open: those of the meetings they may see, or took part in."""
    if sees_all_study(user):
        return Q()
    return Q(meeting__in=visible_meetings(user).values("pk")) | Q(participants__person=user)
