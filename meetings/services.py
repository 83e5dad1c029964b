"""Every write about a meeting goes through here: scheduling, the agenda, the day itself,
resolutions and minutes. Item state changes are delegated to decisions.services."""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from core import audit
from core.errors import InvalidTransition, conflict, forbidden
from core.jobs import enqueue
from core.sequences import next_number
from core.text import check_text, clean_text
from decisions import access as item_access
from decisions import services as item_services
from decisions.models import AgendaItem, Category
from decisions.models import State as ItemState
from meetings import access, rules
from meetings.models import (
    AgendaEntry,
    Attendance,
    Meeting,
    Minutes,
    MinutesSignature,
    Opinion,
    Recusal,
    Resolution,
    Vote,
)
from meetings.selectors import entry_facts, meeting_record, tally
from org.models import BodyMember, MeetingBody, Role, User

Outcome = AgendaEntry.Outcome
# Items that are discussed and decided: every member present states an opinion first.
DELIBERATED = frozenset({Category.PROPOSAL, Category.DECISION})
FINAL_PASSES = frozenset({Outcome.PASSED, Outcome.PASSED_WITH_CHANGES})


def _recorded(message: str, **values) -> str:
    """A text kept in a record (history, numbers, notes) is written in the site's language,
    whoever acts. `message` is marked with gettext_noop."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _(message)
        return text % values if values else text


# --- locking and small checks ------------------------------------------------------------


def _meeting(meeting_id: int) -> Meeting:
    try:
        return Meeting.objects.select_for_update().select_related("body").get(pk=meeting_id)
    except Meeting.DoesNotExist as exc:
        raise InvalidTransition(_("会议不存在"), status=404) from exc


def _entry(entry_id: int) -> tuple[AgendaEntry, Meeting]:
    try:
        meeting_id = AgendaEntry.objects.values_list("meeting_id", flat=True).get(pk=entry_id)
    except AgendaEntry.DoesNotExist as exc:
        raise InvalidTransition(_("议程不存在"), status=404) from exc
    meeting = _meeting(meeting_id)  # the meeting row is the lock for everything on its agenda
    entry = AgendaEntry.objects.select_related("item", "item__requested_body").get(pk=entry_id)
    return entry, meeting


def _require_state(meeting: Meeting, *states: str, doing: str) -> None:
    if meeting.state not in states:
        raise conflict(
            _("会议当前状态为“%(state)s”,不能%(doing)s") % {"state": meeting.get_state_display(), "doing": doing}
        )


def _require_runner(actor: User, meeting: Meeting) -> None:
    if not access.runs(actor, meeting):
        raise forbidden(_("只有会议主持人、记录人或会务部门可以进行此操作"))


def _require_open_entry(entry: AgendaEntry) -> None:
    if entry.dropped_at:
        raise conflict(_("该议题已撤出议程"))
    if entry.outcome:
        raise conflict(_("该议题已有结果:%(outcome)s") % {"outcome": entry.get_outcome_display()})


def _bump(meeting: Meeting) -> None:
    meeting.version += 1
    meeting.save(update_fields=["version", "state", "opened_at", "closed_at"])


# --- scheduling and the agenda ---------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *, actor: User, body: MeetingBody, starts_at: datetime, place: str, title: str = "", secretary: User | None = None
) -> Meeting:
    if not access.organizes(actor, body):
        raise forbidden(_("只有%(body)s的会务部门或主持人可以安排会议") % {"body": body.name})
    if body.chair_id is None:
        raise conflict(_("%(body)s尚未设置主持人,请先在系统管理中设置") % {"body": body.name})
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
    enqueue("notices.services.attach_pending_to_meeting", meeting_id=meeting.pk)
    return meeting


def materials_deadline(meeting: Meeting) -> datetime:
    return meeting.starts_at - timedelta(days=meeting.materials_days)


@transaction.atomic
def agenda_add(*, actor: User, meeting_id: int, item_id: int) -> AgendaEntry:
    meeting = _meeting(meeting_id)
    if not access.arranges(actor, meeting):
        raise forbidden(_("只有会务部门或主持人可以编排议程"))
    _require_state(
        meeting,
        Meeting.State.PLANNING,
        doing=pgettext("meeting step", "增加议题(议程已发布,只能由主持人按紧急议题列入)"),
    )
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
            _("该议题拟提交%(requested)s,不能列入%(body)s")
            % {"requested": item.requested_body.name, "body": meeting.body.name}
        )
    problem = item_services.scope_problem(body=meeting.body, category=item.category, major_kind=item.major_kind)
    if problem:
        raise conflict(problem)
    if meeting.entries.filter(item=item, dropped_at__isnull=True).exists():
        # An item deferred (缓议) at this meeting keeps its entry: it comes back at a later meeting.
        raise conflict(_("该议题已在本次会议的议程上(含已缓议),不能再次列入;请列入下次会议"))
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
    if not access.arranges(actor, meeting):
        raise forbidden(_("只有会务部门或主持人可以调整议程"))
    _require_state(meeting, Meeting.State.PLANNING, Meeting.State.PUBLISHED, doing=pgettext("meeting step", "撤出议题"))
    _require_open_entry(entry)
    return _drop(actor, meeting, entry, reason)


def _drop(actor: User | None, meeting: Meeting, entry: AgendaEntry, reason: str) -> AgendaEntry:
    reason = clean_text(reason)
    if not reason:
        raise conflict(_("撤出议程须填写理由"))
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
    if not access.arranges(actor, meeting):
        raise forbidden(_("只有会务部门或主持人可以调整议程"))
    _require_state(meeting, Meeting.State.PLANNING, doing=pgettext("meeting step", "调整议题顺序"))
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
def meeting_publish(*, actor: User, meeting_id: int) -> Meeting:
    meeting = _meeting(meeting_id)
    if not access.arranges(actor, meeting):
        raise forbidden(_("只有会务部门或主持人可以发布议程"))
    _require_state(meeting, Meeting.State.PLANNING, doing=pgettext("meeting step", "发布议程"))
    if not meeting.entries.filter(dropped_at__isnull=True).exists():
        raise conflict(_("议程为空,请先列入议题"))
    meeting.state = Meeting.State.PUBLISHED
    _bump(meeting)
    audit.record(actor=actor, verb="meeting.publish", target=meeting, from_state="planning", to_state=meeting.state)
    enqueue(notify_attendees, meeting.pk, "publish")
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting_id: int, reason: str) -> Meeting:
    meeting = _meeting(meeting_id)
    if not access.arranges(actor, meeting):
        raise forbidden(_("只有会务部门或主持人可以取消会议"))
    _require_state(meeting, Meeting.State.PLANNING, Meeting.State.PUBLISHED, doing=pgettext("meeting step", "取消"))
    reason = clean_text(reason)
    if not reason:
        raise conflict(_("取消会议须写明理由"))
    for entry in meeting.entries.filter(dropped_at__isnull=True, outcome=""):
        _drop(actor, meeting, entry, _recorded(gettext_noop("会议取消:%(reason)s"), reason=reason))
    before = meeting.state
    meeting.state = Meeting.State.CANCELLED
    _bump(meeting)
    audit.record(
        actor=actor, verb="meeting.cancel", target=meeting, from_state=before, to_state=meeting.state, reason=reason
    )
    enqueue("notices.services.attach_pending_to_meeting", meeting_id=meeting.pk)
    return meeting


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
    if meeting.state not in (Meeting.State.PLANNING, Meeting.State.PUBLISHED):
        return 0
    return len(drop_items_without_materials(meeting=meeting))


# --- the day ----------------------------------------------------------------------------------


@transaction.atomic
def meeting_open(*, actor: User, meeting_id: int) -> Meeting:
    meeting = _meeting(meeting_id)
    _require_runner(actor, meeting)
    _require_state(meeting, Meeting.State.PUBLISHED, doing=pgettext("meeting step", "开始会议"))
    drop_items_without_materials(meeting=meeting, opening=True)
    meeting.state = Meeting.State.IN_PROGRESS
    meeting.opened_at = timezone.now()
    _bump(meeting)
    audit.record(actor=actor, verb="meeting.open", target=meeting, from_state="published", to_state=meeting.state)
    return meeting


@transaction.atomic
def attendance_mark(*, actor: User, meeting_id: int, person_id: int, present: bool, reason: str = "") -> Attendance:
    meeting = _meeting(meeting_id)
    _require_runner(actor, meeting)
    _require_state(
        meeting, Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS, doing=pgettext("meeting step", "登记出席")
    )
    row = meeting.attendance.filter(person_id=person_id).first()
    if row is None:
        raise conflict(_("此人不在本次会议的出席名单中"))
    reason = clean_text(reason)
    if not present and not reason:
        raise conflict(_("缺席须登记原因"))
    status = Attendance.Status.PRESENT if present else Attendance.Status.ABSENT
    # What was decided was decided with this member counted present; the record stays true.
    if (
        not present
        and row.kind == Attendance.Kind.MEMBER
        and row.status == Attendance.Status.PRESENT
        and meeting.entries.filter(decided_at__isnull=False).exists()
    ):
        raise conflict(_("已有议题作出决定,不能再将出席成员改为缺席"))
    if row.kind == Attendance.Kind.MEMBER and row.status != status:
        # Mid-item, a change of who is present would change who must speak before the chair
        # and who counts in the vote: it waits until that item is concluded.
        busy = (
            meeting.entries.filter(dropped_at__isnull=True, outcome="")
            .filter(Q(opinions__isnull=False) | ~Q(vote_state=""))
            .select_related("item")
            .first()
        )
        if busy is not None:
            raise conflict(
                _("议题“%(title)s”正在审议中,请在其作出结论后再变更成员出席情况") % {"title": busy.item.title}
            )
    before = row.status
    row.status, row.absence_reason = status, ("" if present else reason)
    row.save(update_fields=["status", "absence_reason"])
    audit.record(
        actor=actor,
        verb="meeting.attendance",
        target=meeting,
        from_state=before,
        to_state=status,
        reason=reason,
        data={"person": person_id},
    )
    return row


def _require_quorum(entry: AgendaEntry, meeting: Meeting) -> dict:
    facts = entry_facts(entry, meeting)
    if not facts["quorum"]:
        if facts["appointment"]:
            text = _("到会人数不足:应到 %(should)s 人,实到 %(present)s 人,须三分之二以上成员到会方可议决")
        else:
            text = _("到会人数不足:应到 %(should)s 人,实到 %(present)s 人,须半数以上成员到会方可议决")
        raise conflict(text % {"should": len(facts["should_attend"]), "present": len(facts["present"])})
    return facts


def recusable(entry: AgendaEntry, meeting: Meeting) -> list[Attendance]:
    """The members entry_recuse accepts on `entry` now: nobody once deliberation has begun
    (an opinion stated or a vote opened), otherwise the members not absent and not yet recused.
    Reads prefetched rows (the entry page's)."""
    if entry.opinions.all() or entry.vote_state:
        return []
    recused = {r.member_id for r in entry.recusals.all()}
    return [
        a
        for a in meeting.attendance.all()
        if a.kind == Attendance.Kind.MEMBER and a.status != Attendance.Status.ABSENT and a.person_id not in recused
    ]


@transaction.atomic
def entry_recuse(*, actor: User, entry_id: int, member_id: int, reason: str) -> Recusal:
    entry, meeting = _entry(entry_id)
    _require_runner(actor, meeting)
    _require_state(
        meeting, Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS, doing=pgettext("meeting step", "登记回避")
    )
    _require_open_entry(entry)
    if not meeting.attendance.filter(person_id=member_id, kind=Attendance.Kind.MEMBER).exists():
        raise conflict(_("只有本次会议的成员需要登记回避"))
    if entry.opinions.exists() or entry.vote_state:
        # Recusal comes before deliberation: afterwards it would change who counts, and so the result.
        raise conflict(_("本议题已开始表态或表决,不能再登记回避;回避须在审议开始前提出"))
    if meeting.attendance.filter(person_id=member_id, status=Attendance.Status.ABSENT).exists():
        raise conflict(_("缺席成员不参加本议题审议,无需登记回避"))
    reason = clean_text(reason)
    if not reason:
        raise conflict(_("回避须写明原因"))
    try:
        with transaction.atomic():
            recusal = Recusal.objects.create(entry=entry, member_id=member_id, reason=reason, recorded_by=actor)
    except IntegrityError as exc:
        raise conflict(_("该成员已登记回避")) from exc
    audit.record(
        actor=actor, verb="meeting.recuse", target=meeting, reason=reason, data={"entry": entry.pk, "member": member_id}
    )
    return recusal


@transaction.atomic
def opinion_record(*, actor: User, entry_id: int, member_id: int, stance: str, text: str = "") -> Opinion:
    """Every member present states an opinion; the chair's (一把手末位表态) only after all the others."""
    entry, meeting = _entry(entry_id)
    _require_state(meeting, Meeting.State.IN_PROGRESS, doing=pgettext("meeting step", "记录表态"))
    _require_open_entry(entry)
    if actor.pk != member_id and not access.runs(actor, meeting):
        raise forbidden(_("只能由本人或会议记录人记录表态"))
    if stance not in Opinion.Stance.values:
        raise conflict(_("请选择表态意见"))
    check_text(Opinion, text=text)
    facts = _require_quorum(entry, meeting)
    if member_id in facts["recused"]:
        raise conflict(_("该成员已回避此议题,不发表意见"))
    if member_id not in facts["present"]:
        raise conflict(_("只有出席会议的成员可以表态"))
    if access.chairs(member_id, meeting):
        given = set(entry.opinions.values_list("member_id", flat=True))
        waiting = [pid for pid in facts["present"] if not access.chairs(pid, meeting) and pid not in given]
        if waiting:
            names = item_services.join_names(User.objects.filter(pk__in=waiting))
            raise conflict(_("主持人末位表态:请先记录 %(names)s 的意见") % {"names": names})
    try:
        with transaction.atomic():
            opinion = Opinion.objects.create(
                entry=entry, member_id=member_id, stance=stance, text=clean_text(text), recorded_by=actor
            )
    except IntegrityError as exc:
        raise conflict(_("该成员已就此议题表态")) from exc
    audit.record(
        actor=actor,
        verb="meeting.opinion",
        target=meeting,
        reason=text,
        data={"entry": entry.pk, "member": member_id, "stance": stance},
    )
    return opinion


def _opinions_missing(entry: AgendaEntry, facts: dict) -> list[int]:
    # Whatever is decided (not merely noted) is discussed first: 三重一大 of any category too.
    if entry.item.category not in DELIBERATED and not entry.item.major_kind:
        return []
    given = set(entry.opinions.values_list("member_id", flat=True))
    return [pid for pid in facts["present"] if pid not in given]


def vote_required(entry: AgendaEntry) -> bool:
    """三重一大 is decided by vote; any other item when the chair calls one."""
    return bool(entry.item.major_kind) or bool(entry.vote_state)


@transaction.atomic
def vote_open(*, actor: User, entry_id: int) -> AgendaEntry:
    entry, meeting = _entry(entry_id)
    _require_runner(actor, meeting)
    _require_state(meeting, Meeting.State.IN_PROGRESS, doing=pgettext("meeting step", "开始表决"))
    _require_open_entry(entry)
    if entry.vote_state:
        raise conflict(_("此议题的表决已经开始"))
    facts = _require_quorum(entry, meeting)
    missing = _opinions_missing(entry, facts)
    if missing:
        raise conflict(_("请先完成全体出席成员的表态,再进行表决"))
    entry.vote_state = AgendaEntry.VoteState.OPEN
    entry.save(update_fields=["vote_state"])
    audit.record(actor=actor, verb="meeting.vote_open", target=meeting, data={"entry": entry.pk})
    return entry


@transaction.atomic
def vote_cast(*, actor: User, entry_id: int, choice: str) -> Vote:
    entry, meeting = _entry(entry_id)
    _require_state(meeting, Meeting.State.IN_PROGRESS, doing=pgettext("meeting step", "表决"))
    _require_open_entry(entry)  # a vote left open on an item already concluded takes no more ballots
    if entry.vote_state != AgendaEntry.VoteState.OPEN:
        raise conflict(_("此议题当前不在表决中"))
    if choice not in Vote.Choice.values:
        raise conflict(_("请选择赞成、反对或弃权"))
    facts = entry_facts(entry, meeting)
    if actor.pk in facts["recused"]:
        raise forbidden(_("您已回避此议题,不参加表决"))
    if actor.pk not in facts["present"]:
        raise forbidden(_("只有出席会议的成员可以表决"))
    try:
        with transaction.atomic():
            vote = Vote.objects.create(entry=entry, member=actor, choice=choice)
    except IntegrityError as exc:
        raise conflict(_("您已就此议题投过票,每人只能投一次")) from exc
    # The choice is not in the audit data: votes stay secret until the vote closes.
    audit.record(actor=actor, verb="meeting.vote_cast", target=meeting, data={"entry": entry.pk})
    return vote


@transaction.atomic
def vote_close(*, actor: User, entry_id: int) -> rules.Tally:
    entry, meeting = _entry(entry_id)
    _require_runner(actor, meeting)
    # The record of an adjourned meeting stays as it was.
    _require_state(meeting, Meeting.State.IN_PROGRESS, doing=pgettext("meeting step", "结束表决"))
    if entry.vote_state != AgendaEntry.VoteState.OPEN:
        raise conflict(_("此议题当前不在表决中"))
    entry.vote_state = AgendaEntry.VoteState.CLOSED
    entry.save(update_fields=["vote_state"])
    facts = entry_facts(entry, meeting)
    result = tally(entry, facts)
    audit.record(
        actor=actor,
        verb="meeting.vote_close",
        target=meeting,
        data={
            "entry": entry.pk,
            "for": result.votes_for,
            "against": result.votes_against,
            "abstain": result.votes_abstain,
            "should_attend": result.should_attend,
            "passed": rules.vote_passes(meeting.body, result),
        },
    )
    return result


def allowed_outcomes(entry: AgendaEntry, meeting: Meeting) -> list[str]:
    """What the meeting may conclude on this item: by the body and the item, and once its vote
    has closed, by the result (no 通过 after a failed vote, no 未通过 after a passed one). The
    outcome form offers exactly these; entry_decide accepts nothing else."""
    outcomes = _outcomes_by_body(entry, meeting)
    passed = vote_result(entry, meeting)
    if passed is False:
        return [o for o in outcomes if o not in (*FINAL_PASSES, Outcome.PASSED_TO_PC)]
    if passed is True:
        return [o for o in outcomes if o != Outcome.NOT_PASSED]
    return outcomes


def vote_result(entry: AgendaEntry, meeting: Meeting) -> bool | None:
    """Whether the closed vote on `entry` passed; None while no vote has closed."""
    if entry.vote_state != AgendaEntry.VoteState.CLOSED:
        return None
    return rules.vote_passes(meeting.body, tally(entry, entry_facts(entry, meeting)))


def _outcomes_by_body(entry: AgendaEntry, meeting: Meeting) -> list[str]:
    item, body = entry.item, meeting.body
    if not body.decides:
        return [Outcome.NOTED, Outcome.DEFERRED]
    if item.category not in DELIBERATED and not item.major_kind:
        return [Outcome.NOTED, Outcome.DEFERRED]
    if body.code == MeetingBody.Code.PO:
        if item.major_kind:
            # 两议: PO deliberates an important matter; only PC resolves it.
            return [Outcome.PASSED_TO_PC, Outcome.DEFERRED, Outcome.NOT_PASSED]
        return [Outcome.PASSED, Outcome.PASSED_WITH_CHANGES, Outcome.PASSED_TO_PC, Outcome.DEFERRED, Outcome.NOT_PASSED]
    return [Outcome.PASSED, Outcome.PASSED_WITH_CHANGES, Outcome.DEFERRED, Outcome.NOT_PASSED]


@transaction.atomic
def entry_decide(*, actor: User, entry_id: int, outcome: str, note: str = "") -> AgendaEntry:
    entry, meeting = _entry(entry_id)
    _require_runner(actor, meeting)
    _require_state(meeting, Meeting.State.IN_PROGRESS, doing=pgettext("meeting step", "宣布议题结果"))
    _require_open_entry(entry)
    if outcome not in allowed_outcomes(entry, meeting):
        if outcome in _outcomes_by_body(entry, meeting):
            # Allowed by the body, refused by the vote's result.
            if outcome == Outcome.NOT_PASSED:
                raise conflict(_("表决已获通过,不能宣布未通过"))
            raise conflict(_("表决赞成票未超过应到会成员半数,不能宣布通过"))
        raise conflict(
            _("%(body)s对此议题不能作出“%(outcome)s”的结论")
            % {"body": meeting.body.name, "outcome": Outcome(outcome).label if outcome in Outcome.values else outcome}
        )
    note = clean_text(note)
    if outcome == Outcome.PASSED_WITH_CHANGES and not note:
        raise conflict(_("修改后通过须写明修改意见"))
    if outcome == Outcome.DEFERRED and not note:
        raise conflict(_("暂缓须写明理由"))
    facts = entry_facts(entry, meeting)
    if outcome != Outcome.DEFERRED:
        facts = _require_quorum(entry, meeting)
        missing = _opinions_missing(entry, facts)
        if missing:
            names = item_services.join_names(User.objects.filter(pk__in=missing))
            raise conflict(_("尚有出席成员未表态:%(names)s") % {"names": names})
        # (A closed vote's result is checked by allowed_outcomes above.)
        if vote_required(entry) and entry.vote_state != AgendaEntry.VoteState.CLOSED:
            raise conflict(_("此议题须经表决(票决),请先完成表决"))
    entry.outcome = outcome
    entry.outcome_note = note
    entry.decided_at = timezone.now()
    entry.decided_by = actor
    entry.save(update_fields=["outcome", "outcome_note", "decided_at", "decided_by"])
    audit.record(
        actor=actor,
        verb="meeting.decide",
        target=meeting,
        to_state=outcome,
        reason=note,
        data={"entry": entry.pk, "item": entry.item_id},
    )
    where = meeting.title
    if outcome in FINAL_PASSES:
        resolution = _issue_resolution(actor, meeting, entry, note)
        enqueue("search.services.index_object", "resolution", resolution.pk)
        # 三通报: a PC resolution is noticed (at the next school affairs meeting) once it is committed.
        enqueue("notices.services.notice_for_resolution", resolution_id=resolution.pk)
        item_services.item_decide(
            actor=actor,
            item_id=entry.item_id,
            to=ItemState.RESOLVED,
            reason=f"{where}:{resolution.number}",
            data={"resolution": resolution.pk},
        )
    elif outcome == Outcome.PASSED_TO_PC:
        item_services.item_forward_to_pc(
            actor=actor,
            item_id=entry.item_id,
            reason=_recorded(
                gettext_noop("%(meeting)s商议通过,提交党委会决议。%(note)s"), meeting=where, note=note
            ).strip(),
        )
    elif outcome == Outcome.NOT_PASSED:
        item_services.item_decide(
            actor=actor,
            item_id=entry.item_id,
            to=ItemState.NOT_PASSED,
            reason=_recorded(gettext_noop("%(meeting)s:未通过。%(note)s"), meeting=where, note=note),
        )
    elif outcome == Outcome.NOTED:
        item_services.item_decide(
            actor=actor,
            item_id=entry.item_id,
            to=ItemState.NOTED,
            reason=_recorded("%(meeting)s:%(outcome)s", meeting=where, outcome=Outcome.NOTED.label),
        )
    else:
        item_services.item_decide(
            actor=actor,
            item_id=entry.item_id,
            to=ItemState.READY,
            reason=_recorded(gettext_noop("%(meeting)s:暂缓。%(note)s"), meeting=where, note=note),
        )
    return entry


def _issue_resolution(actor: User, meeting: Meeting, entry: AgendaEntry, note: str) -> Resolution:
    year = timezone.localtime(meeting.starts_at).year
    seq = next_number(f"resolution:{meeting.body.code}", year)
    text = (
        entry.item.proposal
        if entry.outcome == Outcome.PASSED
        else _recorded(gettext_noop("%(proposal)s\n修改意见:%(note)s"), proposal=entry.item.proposal, note=note)
    )
    return Resolution.objects.create(
        body=meeting.body,
        year=year,
        seq=seq,
        number=_recorded(gettext_noop("%(body)s〔%(year)s〕%(seq)s号"), body=meeting.body.name, year=year, seq=seq),
        meeting=meeting,
        entry=entry,
        item=entry.item,
        outcome=entry.outcome,
        text=text,
        confidential=entry.item.confidential,
        issued_by=actor,
    )


@transaction.atomic
def emergency_add(*, actor: User, meeting_id: int, item_id: int, reason: str) -> AgendaEntry:
    """No item outside the published agenda is decided, except one the chair adds with a reason."""
    meeting = _meeting(meeting_id)
    if not access.chairs(actor, meeting):
        raise forbidden(_("只有会议主持人可以临时列入紧急议题"))
    _require_state(meeting, Meeting.State.IN_PROGRESS, doing=pgettext("meeting step", "列入紧急议题"))
    reason = clean_text(reason)
    if not reason:
        raise conflict(_("临时列入紧急议题须写明理由"))
    return _put_on_agenda(actor, meeting, item_id, emergency_reason=reason)


@transaction.atomic
def meeting_adjourn(*, actor: User, meeting_id: int) -> Meeting:
    """散会. Items not reached return to the queue; the minutes are drafted from the record."""
    meeting = _meeting(meeting_id)
    _require_runner(actor, meeting)
    _require_state(meeting, Meeting.State.IN_PROGRESS, doing=pgettext("meeting step", "散会"))
    not_reached = _recorded(gettext_noop("会议未及审议"))
    for entry in meeting.entries.filter(dropped_at__isnull=True, outcome="").select_related("item"):
        entry.outcome, entry.outcome_note = Outcome.DEFERRED, not_reached
        entry.decided_at, entry.decided_by = timezone.now(), actor
        entry.save(update_fields=["outcome", "outcome_note", "decided_at", "decided_by"])
        item_services.item_decide(
            actor=actor, item_id=entry.item_id, to=ItemState.READY, reason=f"{meeting.title}:{not_reached}"
        )
    meeting.state = Meeting.State.ADJOURNED
    meeting.closed_at = timezone.now()
    _bump(meeting)
    audit.record(actor=actor, verb="meeting.adjourn", target=meeting, from_state="in_progress", to_state=meeting.state)
    minutes = Minutes.objects.create(meeting=meeting, text=draft_minutes_text(meeting))
    audit.record(actor=actor, verb="minutes.draft", target=minutes, to_state=minutes.state)
    return meeting


# --- minutes ---------------------------------------------------------------------------------------


def draft_minutes_text(meeting: Meeting) -> str:
    """The first draft, written from the recorded facts only.

    The text is stored, so it is written in the site's language, whoever adjourns.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _draft_minutes_text(meeting)


def _draft_minutes_text(meeting: Meeting) -> str:
    record = meeting_record(meeting.pk)
    local = timezone.localtime(meeting.opened_at or meeting.starts_at)  # when it was held
    join, nobody = item_services.join_names, pgettext("nobody", "无")
    lines = [
        _("%(meeting)s纪要") % {"meeting": meeting.title},
        "",
        _("时间:%(year)s年%(month)s月%(day)s日 %(time)s")
        % {"year": f"{local:%Y}", "month": f"{local:%m}", "day": f"{local:%d}", "time": f"{local:%H:%M}"},
        _("地点:%(place)s") % {"place": meeting.place},
        _("主持:%(chair)s") % {"chair": meeting.chair},
        _("记录:%(secretary)s") % {"secretary": meeting.secretary},
        _("出席:%(names)s") % {"names": join(a.person for a in record.present_members) or nobody},
        _("缺席:%(names)s")
        % {"names": join(f"{a.person}({a.absence_reason})" for a in record.absent_members) or nobody},
        _("列席:%(names)s") % {"names": join(a.person for a in record.observers) or nobody},
        "",
    ]
    indent = "   "
    for n, row in enumerate(record.entries, start=1):
        e = row.entry
        heading = _("%(number)s. %(title)s(临时紧急议题)") if e.emergency else "%(number)s. %(title)s"
        lines.append(heading % {"number": n, "title": e.item.title})
        if e.emergency:
            lines.append(indent + _("紧急列入理由:%(reason)s") % {"reason": e.emergency_reason})
        for r in row.recusals:
            lines.append(indent + _("%(member)s回避(%(reason)s)。") % {"member": r.member, "reason": r.reason})
        for o in row.opinions:
            said = {"member": o.member, "stance": o.get_stance_display(), "text": o.text}
            lines.append(
                indent + (_("%(member)s:%(stance)s。%(text)s") if o.text else _("%(member)s:%(stance)s。")) % said
            )
        if row.tally:
            t = row.tally
            lines.append(
                indent
                + _("表决:应到 %(should)s 人,赞成 %(for)s 票,反对 %(against)s 票,弃权 %(abstain)s 票。")
                % {
                    "should": t.should_attend,
                    "for": t.votes_for,
                    "against": t.votes_against,
                    "abstain": t.votes_abstain,
                }
            )
        resolution = getattr(e, "resolution", None)
        outcome = e.get_outcome_display() + (f"({resolution.number})" if resolution else "")
        if e.outcome_note:
            lines.append(indent + _("结论:%(outcome)s。%(note)s") % {"outcome": outcome, "note": e.outcome_note})
        else:
            lines.append(indent + _("结论:%(outcome)s。") % {"outcome": outcome})
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _minutes(minutes_id: int) -> Minutes:
    try:
        minutes = Minutes.objects.select_related("meeting__body").get(pk=minutes_id)
    except Minutes.DoesNotExist as exc:
        raise InvalidTransition(_("纪要不存在"), status=404) from exc
    _meeting(minutes.meeting_id)
    return Minutes.objects.select_for_update().select_related("meeting__body").get(pk=minutes_id)


def _require_recorder(actor: User, meeting: Meeting) -> None:
    if not access.records(actor, meeting):
        raise forbidden(_("只有会议记录人或会务部门可以编辑纪要"))


@transaction.atomic
def minutes_edit(*, actor: User, minutes_id: int, text: str, version: int) -> Minutes:
    minutes = _minutes(minutes_id)
    _require_recorder(actor, minutes.meeting)
    if minutes.state != Minutes.State.DRAFT:
        raise conflict(
            _("纪要当前为“%(state)s”,不能修改;如需更正请起草更正纪要") % {"state": minutes.get_state_display()}
        )
    if minutes.version != version:
        raise conflict(_("纪要已被他人修改,您的修改未保存。请刷新后重新编辑"))
    text = clean_text(text)
    if not text:
        raise conflict(_("纪要正文不能为空"))
    minutes.text = text + "\n"
    minutes.version += 1
    minutes.save(update_fields=["text", "version"])
    audit.record(actor=actor, verb="minutes.edit", target=minutes, data={"version": minutes.version})
    return minutes


@transaction.atomic
def minutes_send(*, actor: User, minutes_id: int) -> Minutes:
    minutes = _minutes(minutes_id)
    _require_recorder(actor, minutes.meeting)
    if minutes.state != Minutes.State.DRAFT:
        raise conflict(_("纪要当前为“%(state)s”,不能送签") % {"state": minutes.get_state_display()})
    minutes.state = Minutes.State.SIGNING
    minutes.signing_round += 1
    minutes.version += 1
    minutes.save(update_fields=["state", "signing_round", "version"])
    audit.record(actor=actor, verb="minutes.send", target=minutes, from_state="draft", to_state=minutes.state)
    enqueue(notify_attendees, minutes.meeting_id, "sign")
    return minutes


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def minutes_sign(*, actor: User, minutes_id: int) -> Minutes:
    minutes = _minutes(minutes_id)
    if minutes.state != Minutes.State.SIGNING:
        raise conflict(_("纪要当前为“%(state)s”,不在会签阶段") % {"state": minutes.get_state_display()})
    required = access.signers(minutes)
    if actor.pk not in required:
        raise forbidden(_("只有出席会议的成员会签纪要"))
    try:
        with transaction.atomic():
            MinutesSignature.objects.create(
                minutes=minutes, member=actor, round=minutes.signing_round, text_sha256=text_digest(minutes.text)
            )
    except IntegrityError as exc:
        raise conflict(_("您已会签")) from exc
    audit.record(actor=actor, verb="minutes.sign", target=minutes, data={"round": minutes.signing_round})
    signed = set(minutes.signatures.filter(round=minutes.signing_round).values_list("member_id", flat=True))
    if set(required) <= signed:
        year = timezone.localtime(minutes.meeting.starts_at).year
        seq = next_number(f"minutes:{minutes.meeting.body.code}", year)
        minutes.number = _recorded(
            gettext_noop("%(body)s纪要〔%(year)s〕%(seq)s号"), body=minutes.meeting.body.name, year=year, seq=seq
        )
        minutes.state = Minutes.State.LOCKED
        minutes.locked_at = timezone.now()
        minutes.save(update_fields=["number", "state", "locked_at"])
        enqueue("search.services.index_object", "minutes", minutes.pk)
        audit.record(
            actor=actor,
            verb="minutes.lock",
            target=minutes,
            from_state="signing",
            to_state="locked",
            data={"number": minutes.number},
        )
    return minutes


@transaction.atomic
def minutes_object(*, actor: User, minutes_id: int, reason: str) -> Minutes:
    """A member who cannot sign sends the minutes back with the reason; signatures start over."""
    minutes = _minutes(minutes_id)
    if minutes.state != Minutes.State.SIGNING:
        raise conflict(_("纪要不在会签阶段"))
    if actor.pk not in access.signers(minutes):
        raise forbidden(_("只有出席会议的成员可以提出纪要修改意见"))
    reason = clean_text(reason)
    if not reason:
        raise conflict(_("请写明修改意见"))
    minutes.state = Minutes.State.DRAFT
    minutes.version += 1
    minutes.save(update_fields=["state", "version"])
    audit.record(
        actor=actor, verb="minutes.object", target=minutes, from_state="signing", to_state="draft", reason=reason
    )
    return minutes


@transaction.atomic
def minutes_amend(*, actor: User, minutes_id: int, text: str) -> Minutes:
    """A correction to locked minutes: a new, linked draft that goes through signing again."""
    original = _minutes(minutes_id)
    _require_recorder(actor, original.meeting)
    if original.state != Minutes.State.LOCKED:
        raise conflict(_("只有已签发的纪要需要更正;草稿请直接修改"))
    if Minutes.objects.filter(amends=original).exclude(state=Minutes.State.LOCKED).exists():
        raise conflict(_("已有一份更正纪要正在办理"))
    text = clean_text(text)
    if not text:
        raise conflict(_("请写明更正内容"))
    amendment = Minutes.objects.create(meeting=original.meeting, amends=original, text=text + "\n")
    audit.record(
        actor=actor, verb="minutes.amend", target=amendment, to_state=amendment.state, data={"amends": original.pk}
    )
    return amendment


def confidential_viewed(*, actor: User, entries) -> None:
    """A meeting page, the minutes or the archive that shows confidential items is a view of each."""
    secrets = [entry.item for entry in entries if entry.item.confidential]
    if secrets:
        audit.record_each(actor=actor, verb="item.view", targets=secrets)


# --- jobs ---------------------------------------------------------------------------------------------


def notify_attendees(meeting_id: int, event: str) -> int:
    """The text is stored, so it is written in the site's language, whoever acted."""
    with translation.override(settings.LANGUAGE_CODE):
        return _notify_attendees(meeting_id, event)


def _notify_attendees(meeting_id: int, event: str) -> int:
    from core.notify import message, notify

    meeting = Meeting.objects.select_related("body").get(pk=meeting_id)
    people = [a.person for a in meeting.attendance.select_related("person")]
    url = reverse("meetings:detail", args=[meeting.pk])
    if event == "publish":
        local = timezone.localtime(meeting.starts_at)
        # A meeting's title, time and place are not its items' content: named to its attendees.
        text = message(
            "meeting.published",
            confidential=False,
            meeting=meeting.title,
            month=f"{local:%m}",
            day=f"{local:%d}",
            time=f"{local:%H:%M}",
            place=meeting.place,
        )
        key = f"meeting:{meeting.pk}:publish"
    else:
        minutes = meeting.minutes.order_by("-id").first()
        if minutes is None:
            return 0
        people = [p for p in people if p.pk in access.signers(minutes)]
        url = reverse("meetings:minutes", args=[minutes.pk])
        text = message("minutes.cosign", confidential=access.has_confidential(meeting), meeting=meeting.title)
        key = f"minutes:{minutes.pk}:round{minutes.signing_round}"
    return notify(recipients=people, key=key, text=text, url=url)
