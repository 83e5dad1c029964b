"""The agenda item's steps (decisions.models.ITEM_TRANSITIONS): its own page's, the ones a meeting
takes (called by meetings.services, which checks the meeting itself) and the one supervision
takes when the item's last task closes."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict
from core.text import check_no_nul, check_text, clean_text, required
from decisions import access
from decisions.models import (
    ITEM_TRANSITIONS,
    AgendaItem,
    Consultation,
    State,
)
from decisions.services import (
    LEADER_SUBMISSION_REASON,
    NO_CONSULTATION_NEEDED,
    _check,
    _locked,
    _move,
    _require_state,
    join_names,
    scope_problem,
)
from org.models import LEADER_ROLES, MeetingBody, User


@transaction.atomic
def item_submit(*, actor: User, item_id: int) -> AgendaItem:
    from decisions.services.review import chain_open, route_major

    item = _locked(item_id)
    _check(actor, item, "submit")
    # 三重一大 asked for the principal's office only goes where the rules send it, with the reason.
    route_major(actor=actor, item=item)
    problem = scope_problem(body=item.requested_body, category=item.category, major_kind=item.major_kind)
    if problem:
        raise conflict(problem)
    if item.submitted_at is None:
        item.submitted_at = timezone.now()
    _move(item, actor=actor, step="submit", to=State.DEPT_REVIEW)
    if actor.is_leader and not access.heads_department_of(actor, item):
        # A member of the leadership answers to no department head; the screener is the next check.
        _move(item, actor=actor, step="dept_approve", to=State.SCREENING, reason=LEADER_SUBMISSION_REASON)
    else:
        # The review chain (审阅 → 审核 → 审批); a head's own submission is his 审阅.
        chain_open(actor=actor, item=item)
    return item


@transaction.atomic
def item_dept_approve(*, actor: User, item_id: int, comment: str = "") -> AgendaItem:
    from decisions.services.review import review_approve

    item = _locked(item_id)
    _check(actor, item, "dept_approve")
    if access.current_review(item) is not None:
        return review_approve(actor=actor, item=item, comment=comment)
    return _move(item, actor=actor, step="dept_approve", to=State.SCREENING, reason=comment)


@transaction.atomic
def item_dept_return(*, actor: User, item_id: int, reason: str) -> AgendaItem:
    from decisions.services.review import review_return

    item = _locked(item_id)
    _check(actor, item, "dept_return")
    if access.current_review(item) is not None:
        return review_return(actor=actor, item=item, reason=reason)
    return _move(item, actor=actor, step="dept_return", to=State.RETURNED, reason=reason)


def _consultees(consultees: Iterable[User], item: AgendaItem, *, screener: User) -> list[User]:
    people = {u.pk: u for u in consultees}
    if item.submitter_id in people:
        raise conflict(_("提交人不能作为本议题的征求意见对象"))
    if screener.pk in people:
        # 会前酝酿: the screener, who will chair the meeting, sounds out the other leaders.
        raise conflict(_("研判人不能征求本人意见，会前酝酿须征求其他班子成员的意见。"))
    ids = list(people)
    leader_ids = set(
        User.objects.filter(pk__in=ids, is_active=True, role_assignments__role__in=list(LEADER_ROLES)).values_list(
            "pk", flat=True
        )
    )
    not_leaders = [str(people[i]) for i in ids if i not in leader_ids]
    if not_leaders:
        raise conflict(_("会前酝酿只能征求班子成员意见：%(names)s 不是班子成员") % {"names": join_names(not_leaders)})
    return list(people.values())


def _open_round(item: AgendaItem, *, actor: User, consultees: list[User]) -> None:
    item.consultation_round += 1
    Consultation.objects.bulk_create(
        [Consultation(item=item, round=item.consultation_round, consultee=u, requested_by=actor) for u in consultees]
    )


@transaction.atomic
def item_screen_accept(*, actor: User, item_id: int, consultees: Iterable[User] = (), comment: str = "") -> AgendaItem:
    """研判同意上会. Named leaders are consulted first; without any, the item is ready at once,
    which only a study, report or briefing item that is not 三重一大 may be."""
    item = _locked(item_id)
    _check(actor, item, "screen_accept")
    people = _consultees(consultees, item, screener=actor)
    if not people:
        if item.is_major or item.category not in NO_CONSULTATION_NEEDED:
            raise conflict(_("“三重一大”及提议、决定类议题须先征求班子成员意见（会前酝酿），请至少选择一人"))
        return _move(item, actor=actor, step="screen_accept", to=State.READY, reason=comment, data={"consultees": []})
    _open_round(item, actor=actor, consultees=people)
    return _move(
        item,
        actor=actor,
        step="screen_accept",
        to=State.CONSULTING,
        reason=comment,
        data={"consultees": [u.pk for u in people], "round": item.consultation_round},
    )


@transaction.atomic
def item_screen_return(*, actor: User, item_id: int, reason: str) -> AgendaItem:
    item = _locked(item_id)
    _check(actor, item, "screen_return")
    return _move(item, actor=actor, step="screen_return", to=State.RETURNED, reason=reason)


@transaction.atomic
def item_screen_reject(*, actor: User, item_id: int, reason: str) -> AgendaItem:
    item = _locked(item_id)
    _check(actor, item, "screen_reject")
    return _move(item, actor=actor, step="screen_reject", to=State.REJECTED, reason=reason)


@transaction.atomic
def item_consult_answer(*, actor: User, item_id: int, agree: bool, text: str = "") -> AgendaItem:
    """A named leader answers. 意见不一不上会： any concern sends the item back for revision;
    it is ready only when everyone of the round has agreed."""
    item = _locked(item_id)
    # The consultees are named by the round that screening opens: before it nobody is one, so
    # here the state answers before who is asking.
    if item.state not in ITEM_TRANSITIONS["consult_answer"].sources:
        raise conflict(_("议题当前状态为“%(state)s”，不在会前酝酿阶段") % {"state": item.get_state_display()})
    pending = access.pending_consultation_for(actor, item)
    _check(actor, item, "consult_answer", pending_consultation=pending)
    text = clean_text(text)
    check_no_nul(text=text)
    if not agree and not text:
        raise conflict(_("有不同意见时须写明意见内容"))
    check_text(Consultation, text=text)
    answer = Consultation.Answer.AGREE if agree else Consultation.Answer.CONCERN
    # Compare-and-set: an answer is given once.
    updated = Consultation.objects.filter(pk=pending.pk, answer=Consultation.Answer.PENDING).update(
        answer=answer, text=text, answered_at=timezone.now()
    )
    if not updated:
        raise conflict(_("您已答复过本轮意见"))
    answers = list(
        Consultation.objects.filter(item=item, round=item.consultation_round).values_list("answer", flat=True)
    )
    if Consultation.Answer.CONCERN in answers:
        to = State.REVISING
    elif Consultation.Answer.PENDING in answers:
        to = State.CONSULTING
    else:
        to = State.READY
    return _move(
        item,
        actor=actor,
        step="consult_answer",
        to=to,
        reason=text,
        data={"answer": answer, "round": item.consultation_round, "consultation": pending.pk},
    )


@transaction.atomic
def item_resubmit(*, actor: User, item_id: int, reason: str) -> AgendaItem:
    """After revising, the same leaders are asked again in a new round."""
    item = _locked(item_id)
    _check(actor, item, "resubmit")
    reason = required(reason, missing=_("重新酝酿须说明修改情况"))
    previous = list(
        User.objects.filter(consultations__item=item, consultations__round=item.consultation_round).distinct()
    )
    _open_round(item, actor=actor, consultees=previous)
    return _move(
        item,
        actor=actor,
        step="resubmit",
        to=State.CONSULTING,
        reason=reason,
        data={"consultees": [u.pk for u in previous], "round": item.consultation_round},
    )


@transaction.atomic
def item_withdraw(*, actor: User, item_id: int, reason: str) -> AgendaItem:
    item = _locked(item_id)
    _check(actor, item, "withdraw")
    return _move(item, actor=actor, step="withdraw", to=State.WITHDRAWN, reason=reason)


def item_viewed(*, actor: User, item: AgendaItem) -> None:
    """Every view of a confidential item is on record."""
    if item.confidential:
        audit.record(actor=actor, verb="item.view", target=item)


# --- the steps a meeting takes (called by meetings.services, which checks the meeting itself) ---------
# Who may take them is the meeting's rule (meetings.access: its recorded chair, its recorder, its
# body's secretary office), asked by the meeting service before it calls these; it is not asked
# again here in another shape (the body's chair today may not be the meeting's chair).


@transaction.atomic
def item_schedule(*, actor: User, item_id: int, meeting_title: str) -> AgendaItem:
    item = _locked(item_id)
    _require_state(item, "schedule")
    return _move(item, actor=actor, step="schedule", to=State.SCHEDULED, reason=meeting_title)


@transaction.atomic
def item_unschedule(*, actor: User | None, item_id: int, reason: str) -> AgendaItem:
    """Off the agenda and back in the queue. `actor` is None when a job drops it (materials late)."""
    item = _locked(item_id)
    _require_state(item, "unschedule")
    return _move(item, actor=actor, step="unschedule", to=State.READY, reason=reason)


@transaction.atomic
def item_decide(*, actor: User, item_id: int, to: str, reason: str, data: dict | None = None) -> AgendaItem:
    item = _locked(item_id)
    _require_state(item, "decide")
    return _move(item, actor=actor, step="decide", to=to, reason=reason, data=data)


@transaction.atomic
def item_forward_to_pc(*, actor: User, item_id: int, reason: str) -> AgendaItem:
    """两议： the principal's office has deliberated; the Party committee resolves. The item joins
    the committee's queue as one chain (its history keeps the office meeting's step)."""
    item = _locked(item_id)
    _require_state(item, "forward_to_pc")
    pc = MeetingBody.objects.get(code=MeetingBody.Code.PC)
    before = item.requested_body.code
    item.requested_body = pc
    item.save(update_fields=["requested_body"])
    return _move(
        item,
        actor=actor,
        step="forward_to_pc",
        to=State.READY,
        reason=reason,
        data={"from_body": before, "to_body": pc.code},
    )


# --- the step supervision takes (called by supervision.services when an item's last task closes) ----


@transaction.atomic
def item_close(*, actor: User | None, item_id: int, reason: str, data: dict | None = None) -> AgendaItem:
    """办结： every supervision task of the item's resolutions is closed. `actor` is the supervisor
    whose acceptance closed the last task (its right was asked by that review)."""
    item = _locked(item_id)
    _check(None, item, "close")
    return _move(item, actor=actor, step="close", to=State.CLOSED, reason=reason, data=data)
