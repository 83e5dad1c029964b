"""Before the day: scheduling a meeting, its agenda (including the chair's emergency item on the
day), publishing or cancelling it, and the materials deadline."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import audit
from core.errors import InvalidTransition, conflict, forbidden
from core.jobs import enqueue
from core.text import clean_text, required
from decisions import access as item_access
from decisions import services as item_services
from decisions.models import AgendaItem, Attachment, Category
from decisions.models import State as ItemState
from meetings import access, rules
from meetings.models import (
    AgendaEntry,
    Attendance,
    Meeting,
)
from meetings.services.base import (
    _check,
    _entry,
    _meeting,
    _move,
    _recorded,
    _require_open_entry,
    notify_attendees,
)
from meetings.transitions import MEETING_TRANSITIONS
from org.models import BodyMember, MeetingBody, Role, User


@transaction.atomic
def meeting_schedule(
    *, actor: User, body: MeetingBody, starts_at: datetime, place: str, title: str = "", secretary: User | None = None
) -> Meeting:
    if not access.organizes(actor, body):
        # Scheduling creates the meeting: there is no row (and no state) for the table to ask yet.
        raise forbidden(_("只有%(body)s的会务部门或主持人可以安排会议") % {"body": body.name})
    if body.chair_id is None:
        raise conflict(_("%(body)s尚未设置主持人，请先在系统管理中设置") % {"body": body.name})
    if starts_at <= timezone.now():
        raise conflict(_("会议时间须晚于现在"))
    place = clean_text(place)
    if not place:
        raise conflict(_("请填写会议地点。"))
    year = timezone.localtime(starts_at).year
    title = clean_text(title) or _recorded(
        gettext_noop("%(body)s%(year)s年第%(n)s次会议"),
        body=body.name,
        year=year,
        n=Meeting.objects.filter(body=body, starts_at__year=year).exclude(state=Meeting.State.CANCELLED).count() + 1,
    )
    meeting = Meeting.objects.create(
        body=body,
        title=title,
        starts_at=starts_at,
        place=place,
        chair_id=body.chair_id,
        secretary=secretary or actor,
        materials_days=body.materials_days,
        created_by=actor,
    )
    members = {m.user_id: m.kind for m in BodyMember.objects.filter(body=body)}
    members.setdefault(body.chair_id, BodyMember.Kind.MEMBER)
    if body.decides:
        # The discipline secretary observes every meeting that decides.
        for uid in User.objects.filter(role_assignments__role=Role.DISCIPLINE, is_active=True).values_list(
            "pk", flat=True
        ):
            members.setdefault(uid, BodyMember.Kind.OBSERVER)
    Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=meeting,
                person_id=uid,
                kind=Attendance.Kind.MEMBER if kind == BodyMember.Kind.MEMBER else Attendance.Kind.OBSERVER,
            )
            for uid, kind in members.items()
        ]
    )
    audit.record(actor=actor, verb="meeting.schedule", target=meeting, to_state=meeting.state, data={"title": title})
    # Notices waiting for this body's next meeting (三通报) join it.
    enqueue("notices.services.automatic.attach_pending_to_meeting", meeting_id=meeting.pk)
    return meeting


def materials_deadline(meeting: Meeting) -> datetime:
    return access.materials_deadline(meeting)


@transaction.atomic
def agenda_add(*, actor: User, meeting_id: int, item_id: int) -> AgendaEntry:
    meeting = _meeting(meeting_id)
    _check(actor, meeting, "agenda_add")
    return _put_on_agenda(actor, meeting, item_id, emergency_reason="")


def _put_on_agenda(actor: User, meeting: Meeting, item_id: int, *, emergency_reason: str) -> AgendaEntry:
    # An item the actor may not see is answered as one that does not exist: no word of its body or state.
    item = (
        AgendaItem.objects.select_related("requested_body")
        .filter(item_access.visibility_filter(actor), pk=item_id)
        .first()
    )
    if item is None:
        raise InvalidTransition(_("议题不存在"), status=404)
    if item.requested_body_id != meeting.body_id:
        raise conflict(
            _("该议题拟提交%(requested)s，不能列入%(body)s")
            % {"requested": item.requested_body.name, "body": meeting.body.name}
        )
    problem = item_services.scope_problem(body=meeting.body, category=item.category, major_kind=item.major_kind)
    if problem:
        raise conflict(problem)
    if meeting.entries.filter(item=item, dropped_at__isnull=True).exists():
        # An item deferred (缓议) at this meeting keeps its entry: it comes back at a later meeting.
        raise conflict(_("该议题已在本次会议的议程上（含已缓议），不能再次列入；请列入下次会议"))
    item_services.item_schedule(actor=actor, item_id=item.pk, meeting_title=meeting.title)
    position = (meeting.entries.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    entry = AgendaEntry.objects.create(
        meeting=meeting,
        item=item,
        position=position,
        emergency=bool(emergency_reason),
        emergency_reason=emergency_reason,
    )
    audit.record(
        actor=actor,
        verb="meeting.emergency_item" if emergency_reason else "meeting.agenda_add",
        target=meeting,
        reason=emergency_reason,
        data={"entry": entry.pk, "item": item.pk, "title": item.title},
    )
    return entry


@transaction.atomic
def agenda_drop(*, actor: User, entry_id: int, reason: str) -> AgendaEntry:
    entry, meeting = _entry(entry_id)
    _check(actor, meeting, "agenda_drop")
    _require_open_entry(entry)
    return _drop(actor, meeting, entry, reason)


def _drop(actor: User | None, meeting: Meeting, entry: AgendaEntry, reason: str) -> AgendaEntry:
    reason = required(reason, missing=_("撤出议程须填写理由"))
    entry.dropped_at = timezone.now()
    entry.dropped_reason = reason
    entry.save(update_fields=["dropped_at", "dropped_reason"])
    item_services.item_unschedule(actor=actor, item_id=entry.item_id, reason=f"{meeting.title}:{reason}")
    audit.record(
        actor=actor,
        verb="meeting.agenda_drop",
        target=meeting,
        reason=reason,
        data={"entry": entry.pk, "item": entry.item_id},
    )
    return entry


@transaction.atomic
def agenda_move(*, actor: User, entry_id: int, up: bool) -> None:
    entry, meeting = _entry(entry_id)
    _check(actor, meeting, "agenda_order")
    _require_open_entry(entry)
    live = list(meeting.entries.filter(dropped_at__isnull=True).order_by("position", "id"))
    i = next(i for i, e in enumerate(live) if e.pk == entry.pk)
    j = i - 1 if up else i + 1
    if not 0 <= j < len(live):
        return
    live[i], live[j] = live[j], live[i]
    for n, e in enumerate(live, start=1):
        if e.position != n:
            AgendaEntry.objects.filter(pk=e.pk).update(position=n)
    audit.record(actor=actor, verb="meeting.agenda_order", target=meeting, data={"order": [e.item_id for e in live]})


@transaction.atomic
def meeting_publish(*, actor: User, meeting_id: int, exception_reason: str = "") -> Meeting:
    """The agenda goes out. 第一议题: where the body's policy says so, the first item is theory
    study, or the exception's reason is recorded on the meeting and in the audit row."""
    meeting = _meeting(meeting_id)
    _check(actor, meeting, "publish")
    first = meeting.entries.filter(dropped_at__isnull=True).select_related("item").order_by("position", "id").first()
    if first is None:
        raise conflict(_("议程为空，请先列入议题"))
    exception_reason = clean_text(exception_reason)
    problem = rules.first_item_problem(meeting.body, first.item.category, exception_reason=exception_reason)
    if problem:
        raise conflict(problem)
    fields = ()
    if exception_reason and meeting.body.study_first and first.item.category != Category.STUDY:
        meeting.first_item_exception = exception_reason
        fields = ("first_item_exception",)
    meeting.version += 1
    MEETING_TRANSITIONS.apply(
        meeting,
        actor=actor,
        action="publish",
        reason=meeting.first_item_exception,
        data={"first_item": first.item_id},
        fields=("version", *fields),
    )
    enqueue(notify_attendees, meeting.pk, "publish")
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting_id: int, reason: str) -> Meeting:
    meeting = _meeting(meeting_id)
    _check(actor, meeting, "cancel")
    reason = required(reason, missing=_("取消会议须写明理由"))
    for entry in meeting.entries.filter(dropped_at__isnull=True, outcome=""):
        _drop(actor, meeting, entry, _recorded(gettext_noop("会议取消：%(reason)s"), reason=reason))
    _move(meeting, actor=actor, action="cancel", reason=reason)
    enqueue("notices.services.automatic.attach_pending_to_meeting", meeting_id=meeting.pk)
    enqueue(notify_attendees, meeting.pk, "cancel", reason)
    return meeting


@transaction.atomic
def meeting_reschedule(
    *, actor: User, meeting_id: int, starts_at: datetime, reason: str, version: int | None = None
) -> Meeting:
    """改期: a planned or published meeting moves to another time, with the reason on record;
    its attendees are told. Items without materials by the new deadline will leave the agenda
    (materials_shortfall says which, before the arranger confirms)."""
    meeting = _meeting(meeting_id)
    _check(actor, meeting, "reschedule")
    if version is not None and version != meeting.version:
        raise conflict(_("会议已被他人修改（现为第 %(version)s 版），请刷新后重试。") % {"version": meeting.version})
    reason = required(reason, missing=_("改期须写明理由"))
    if starts_at <= timezone.now():
        raise conflict(_("会议时间须晚于现在"))
    if starts_at == meeting.starts_at:
        raise conflict(_("新的召开时间与原时间相同"))
    before = meeting.starts_at
    meeting.starts_at = starts_at
    meeting.version += 1
    meeting.save(update_fields=["starts_at", "version"])
    audit.record(
        actor=actor,
        verb="meeting.reschedule",
        target=meeting,
        reason=reason,
        data={"from": before.isoformat(), "to": starts_at.isoformat()},
    )
    # Notices waiting for this body's next meeting follow the new order of meetings.
    enqueue("notices.services.automatic.attach_pending_to_meeting", meeting_id=meeting.pk)
    enqueue(notify_attendees, meeting.pk, "reschedule", reason)
    return meeting


def within_lead_time(starts_at: datetime, materials_days: int, now: datetime | None = None) -> bool:
    """Whether a meeting at `starts_at` leaves less than its materials lead time from now."""
    return starts_at - timedelta(days=materials_days) <= (now or timezone.now())


def materials_shortfall(
    *, meeting: Meeting | None = None, body: MeetingBody | None = None, starts_at: datetime
) -> list[AgendaItem]:
    """The items that would leave the agenda for want of materials if the meeting were held at
    `starts_at`: inside the lead time, every open, non-emergency item on the agenda (or, for a
    meeting not yet scheduled, every item of `body` waiting to be scheduled) with no materials in
    now. Empty when the deadline is still ahead."""
    days = meeting.materials_days if meeting is not None else body.materials_days
    if not within_lead_time(starts_at, days):
        return []
    if meeting is not None:
        items = AgendaItem.objects.filter(
            agenda_entries__meeting=meeting,
            agenda_entries__dropped_at__isnull=True,
            agenda_entries__outcome="",
            agenda_entries__emergency=False,
        )
    else:
        items = AgendaItem.objects.filter(requested_body=body, state=ItemState.READY)
    materials = Attachment.objects.filter(item=OuterRef("pk"), removed_at__isnull=True)
    return list(items.exclude(Exists(materials)).order_by("pk"))


def drop_items_without_materials(
    *, meeting: Meeting, now: datetime | None = None, opening: bool = False
) -> list[AgendaEntry]:
    """An item whose materials are not in by the deadline leaves the agenda, with the reason on
    record, and its submitter is told. A meeting opened before its deadline still decides
    nothing without materials. Runs inside the caller's transaction."""
    now = now or timezone.now()
    deadline = materials_deadline(meeting)
    if now < deadline and not opening:
        return []
    cutoff = min(now, deadline)
    dropped = []
    for entry in meeting.entries.filter(dropped_at__isnull=True, outcome="", emergency=False).select_related("item"):
        if not entry.item.attachments.filter(removed_at__isnull=True, uploaded_at__lte=cutoff).exists():
            if cutoff == deadline:
                reason = _recorded(
                    gettext_noop("会议材料未在 %(deadline)s 前提交"),
                    deadline=f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}",
                )
            else:
                reason = _recorded(gettext_noop("开会时仍无会议材料"))
            dropped.append(_drop(None, meeting, entry, reason))
    return dropped


@transaction.atomic
def meeting_check_materials(*, meeting_id: int) -> int:
    """Job: drop agenda items that missed the materials deadline. Safe to run any number of times."""
    meeting = _meeting(meeting_id)
    if MEETING_TRANSITIONS.state_refuses(meeting, "agenda_drop"):
        return 0
    return len(drop_items_without_materials(meeting=meeting))


@transaction.atomic
def emergency_add(*, actor: User, meeting_id: int, item_id: int, reason: str) -> AgendaEntry:
    """No item outside the published agenda is decided, except one the chair adds with a reason."""
    meeting = _meeting(meeting_id)
    _check(actor, meeting, "emergency_item")
    reason = required(reason, missing=_("临时列入紧急议题须写明理由"))
    return _put_on_agenda(actor, meeting, item_id, emergency_reason=reason)
