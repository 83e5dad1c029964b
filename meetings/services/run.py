"""The day itself: opening, attendance, recusal, opinions, each item's outcome (and the
resolution it issues), and adjourning. The vote is in meetings.services.vote."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import audit
from core.errors import conflict
from core.jobs import enqueue
from core.sequences import next_number
from core.text import check_no_nul, check_text, clean_text, required
from decisions import services as item_services
from decisions.models import State as ItemState
from meetings import access, rules
from meetings.models import (
    AgendaEntry,
    Attendance,
    Meeting,
    Minutes,
    Opinion,
    Recusal,
    Resolution,
)
from meetings.selectors import entry_facts, tally
from meetings.services.base import (
    DELIBERATED,
    FINAL_PASSES,
    Outcome,
    _check,
    _entry,
    _meeting,
    _move,
    _opinions_missing,
    _recorded,
    _require_open_entry,
    _require_quorum,
)
from meetings.services.minutes import draft_minutes_text
from meetings.services.schedule import drop_items_without_materials
from meetings.services.vote import vote_required
from org.models import MeetingBody, User


@transaction.atomic
def meeting_open(*, actor: User, meeting_id: int) -> Meeting:
    meeting = _meeting(meeting_id)
    _check(actor, meeting, "open")
    drop_items_without_materials(meeting=meeting, opening=True)
    meeting.opened_at = timezone.now()
    _move(meeting, actor=actor, action="open")
    return meeting


@transaction.atomic
def attendance_mark(*, actor: User, meeting_id: int, person_id: int, present: bool, reason: str = "") -> Attendance:
    meeting = _meeting(meeting_id)
    _check(actor, meeting, "attendance")
    row = meeting.attendance.filter(person_id=person_id).first()
    if row is None:
        raise conflict(_("此人不在本次会议的出席名单中"))
    reason = clean_text(reason)
    check_no_nul(reason=reason)
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
        raise conflict(_("已有议题作出决定，不能再将出席成员改为缺席"))
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
                _("议题“%(title)s”正在审议中，请在其作出结论后再变更成员出席情况") % {"title": busy.item.title}
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
    _check(actor, meeting, "recuse")
    _require_open_entry(entry)
    if not meeting.attendance.filter(person_id=member_id, kind=Attendance.Kind.MEMBER).exists():
        raise conflict(_("只有本次会议的成员需要登记回避"))
    if entry.opinions.exists() or entry.vote_state:
        # Recusal comes before deliberation: afterwards it would change who counts, and so the result.
        raise conflict(_("本议题已开始表态或表决，不能再登记回避；回避须在审议开始前提出"))
    if meeting.attendance.filter(person_id=member_id, status=Attendance.Status.ABSENT).exists():
        raise conflict(_("缺席成员不参加本议题审议，无需登记回避"))
    reason = required(reason, missing=_("回避须写明原因"))
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
    """Every member present states an opinion; the chair's （一把手末位表态） only after all the others."""
    entry, meeting = _entry(entry_id)
    _check(actor, meeting, "opinion", member_id=member_id)
    _require_open_entry(entry)
    if stance not in Opinion.Stance.values:
        raise conflict(_("请选择表态意见"))
    check_text(Opinion, text=text)
    facts = _require_quorum(entry, meeting)
    if member_id in facts["recused"]:
        raise conflict(_("该成员已回避此议题，不发表意见"))
    if member_id not in facts["present"]:
        raise conflict(_("只有出席会议的成员可以表态"))
    if access.chairs(member_id, meeting):
        given = set(entry.opinions.values_list("member_id", flat=True))
        waiting = [pid for pid in facts["present"] if not access.chairs(pid, meeting) and pid not in given]
        if waiting:
            names = item_services.join_names(User.objects.filter(pk__in=waiting))
            raise conflict(_("主持人末位表态：请先记录 %(names)s 的意见") % {"names": names})
    try:
        with transaction.atomic():
            opinion = Opinion.objects.create(
                entry=entry, member_id=member_id, stance=stance, text=clean_text(text), recorded_by=actor
            )
    except IntegrityError as exc:
        # Two recorders at once: the second is shown what the first recorded.
        earlier = Opinion.objects.select_related("recorded_by").filter(entry=entry, member_id=member_id).last()
        raise conflict(
            _("该成员已就此议题表态：%(stance)s（%(who)s记录）。如记录有误，请更正。")
            % {"stance": earlier.get_stance_display(), "who": earlier.recorded_by}
        ) from exc
    audit.record(
        actor=actor,
        verb="meeting.opinion",
        target=meeting,
        reason=text,
        data={"entry": entry.pk, "member": member_id, "stance": stance},
    )
    return opinion


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
    _check(actor, meeting, "decide")
    _require_open_entry(entry)
    if outcome not in allowed_outcomes(entry, meeting):
        if outcome in _outcomes_by_body(entry, meeting):
            # Allowed by the body, refused by the vote's result.
            if outcome == Outcome.NOT_PASSED:
                raise conflict(_("表决已获通过，不能宣布未通过"))
            raise conflict(_("表决赞成票未超过应到会成员半数，不能宣布通过"))
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
            raise conflict(_("尚有出席成员未表态：%(names)s") % {"names": names})
        # (A closed vote's result is checked by allowed_outcomes above.)
        if vote_required(entry) and entry.vote_state != AgendaEntry.VoteState.CLOSED:
            raise conflict(_("此议题须经表决（票决），请先完成表决"))
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
        enqueue("notices.services.automatic.notice_for_resolution", resolution_id=resolution.pk)
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
                gettext_noop("%(meeting)s商议通过，提交党委会决议。%(note)s"), meeting=where, note=note
            ).strip(),
        )
    elif outcome == Outcome.NOT_PASSED:
        item_services.item_decide(
            actor=actor,
            item_id=entry.item_id,
            to=ItemState.NOT_PASSED,
            reason=_recorded(gettext_noop("%(meeting)s：未通过。%(note)s"), meeting=where, note=note),
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
            reason=_recorded(gettext_noop("%(meeting)s：暂缓。%(note)s"), meeting=where, note=note),
        )
    return entry


def _issue_resolution(actor: User, meeting: Meeting, entry: AgendaEntry, note: str) -> Resolution:
    year = timezone.localtime(meeting.starts_at).year
    seq = next_number(f"resolution:{meeting.body.code}", year)
    text = (
        entry.item.proposal
        if entry.outcome == Outcome.PASSED
        else _recorded(gettext_noop("%(proposal)s\n修改意见：%(note)s"), proposal=entry.item.proposal, note=note)
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
def meeting_adjourn(*, actor: User, meeting_id: int) -> Meeting:
    """散会. Items not reached return to the queue; the minutes are drafted from the record."""
    meeting = _meeting(meeting_id)
    _check(actor, meeting, "adjourn")
    not_reached = _recorded(gettext_noop("会议未及审议"))
    for entry in meeting.entries.filter(dropped_at__isnull=True, outcome="").select_related("item"):
        entry.outcome, entry.outcome_note = Outcome.DEFERRED, not_reached
        entry.decided_at, entry.decided_by = timezone.now(), actor
        entry.save(update_fields=["outcome", "outcome_note", "decided_at", "decided_by"])
        item_services.item_decide(
            actor=actor, item_id=entry.item_id, to=ItemState.READY, reason=f"{meeting.title}:{not_reached}"
        )
    meeting.closed_at = timezone.now()
    _move(meeting, actor=actor, action="adjourn")
    minutes = Minutes.objects.create(meeting=meeting, text=draft_minutes_text(meeting))
    audit.record(actor=actor, verb="minutes.draft", target=minutes, to_state=minutes.state)
    return meeting
