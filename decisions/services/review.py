"""The review chain before screening (审阅 → 审核 → 审批) and 三重一大 routing.

A submission opens the chain that fits the item (ReviewChain: department and category, the most
specific first; without one, the department head's 审阅 alone, as before chains were configured).
Each step is an ItemReview row with its own table (decisions.review_models.REVIEW_TRANSITIONS):
it opens when the one before is approved, names who holds it then (the department's head, the
leader in charge of the department that day, the office of the requested body), and is approved,
returned with comments or — where the chain allows it — sent to other departments to countersign.
The last approval moves the item to screening (the item's step dept_approve)."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import audit
from core.errors import conflict
from core.jobs import enqueue
from core.text import check_no_nul, clean_text, required
from decisions import access
from decisions.models import (
    ALL_STEPS,
    REVIEW_TRANSITIONS,
    AgendaItem,
    Countersign,
    ItemReview,
    MajorKind,
    MajorRoute,
    ReviewChain,
    Reviewer,
    State,
)
from decisions.services import SELF_APPROVAL_REASON, _check, _locked, _move, join_names, notify_item_step
from org.access import leader_in_charge
from org.models import Department, MeetingBody, User

R = ItemReview.State
DEFAULT_STEPS = [(Reviewer.DEPT_HEAD, gettext_noop("审阅"), False)]
SKIP_NO_LEADER = gettext_noop("本部门当日无在册分管校领导，本环节跳过")
SKIP_SELF = SELF_APPROVAL_REASON


def chain_for(item: AgendaItem) -> list[tuple[str, str, bool]]:
    """The steps (reviewer, label, may countersign) of the chain that fits the item."""
    chains = {
        (c.department_id, c.category): c
        for c in ReviewChain.objects.filter(
            Q(department_id=item.department_id) | Q(department__isnull=True)
        ).prefetch_related("steps")
    }
    for key in ((item.department_id, item.category), (item.department_id, ""), (None, item.category), (None, "")):
        chain = chains.get(key)
        if chain is not None and chain.steps.all():
            return [(s.reviewer, s.label, s.may_countersign) for s in chain.steps.all()]
    return list(DEFAULT_STEPS)


def chain_open(*, actor: User, item: AgendaItem) -> None:
    """On submission (item locked, now in dept_review): write this round's steps and open the first."""
    round_ = (item.reviews.order_by("-round").values_list("round", flat=True).first() or 0) + 1
    ItemReview.objects.bulk_create(
        [
            ItemReview(item=item, round=round_, position=n, reviewer=who, label=label, may_countersign=cs)
            for n, (who, label, cs) in enumerate(chain_for(item), start=1)
        ]
    )
    item.__dict__.pop("_current_review", None)
    _advance(actor=actor, item=item, round_=round_)


def _set(review: ItemReview, action: str, to: str, fields: tuple[str, ...] = ()) -> None:
    """Move a locked step along its table; the row keeps who, when and what (the item's audit event
    names the step)."""
    refused = REVIEW_TRANSITIONS.state_refuses(review, action)
    if refused:
        raise conflict(refused)
    review.state = to
    review.save(update_fields=["state", *fields])


def _holder_fields(review: ItemReview) -> dict:
    item = review.item
    if review.reviewer == Reviewer.DEPT_HEAD:
        return {"department": item.department}
    if review.reviewer == Reviewer.LEADER_IN_CHARGE:
        return {"department": item.department, "assignee": leader_in_charge(item.department_id)}
    return {"role": access.office_for(item.requested_body)}


def _advance(*, actor: User, item: AgendaItem, round_: int, label: str = "", comment: str = "") -> None:
    """Open the next waiting step; skip what no one can hold or what the submitter's own post
    settles; after the last one, the item goes to screening."""
    skipped = ""
    for review in item.reviews.filter(round=round_, state=R.WAITING).order_by("position"):
        review.item = item
        for name, value in _holder_fields(review).items():
            setattr(review, name, value)
        skip = ""
        if review.reviewer == Reviewer.LEADER_IN_CHARGE and review.assignee is None:
            skip = SKIP_NO_LEADER
        elif review.reviewer == Reviewer.DEPT_HEAD and access.heads_department_of(item.submitter, item):
            skip = SKIP_SELF
        review.opened_at = timezone.now()
        if skip:
            review.acted_at, review.comment = review.opened_at, skip
            _set(review, "open", R.SKIPPED, ("department", "assignee", "role", "opened_at", "acted_at", "comment"))
            skipped = skip
            continue
        _set(review, "open", R.PENDING, ("department", "assignee", "role", "opened_at"))
        item.__dict__["_current_review"] = review
        return
    item.__dict__["_current_review"] = None
    data = {"chain": "done", "label": label} if label else {"chain": "done"}
    _move(item, actor=actor, step="dept_approve", to=State.SCREENING, reason=comment or skipped, data=data)


def _locked_review(item: AgendaItem) -> ItemReview:
    review = (
        ItemReview.objects.select_for_update()
        .filter(item=item, state__in=[R.PENDING, R.COUNTERSIGNING])
        .order_by("-round", "position")
        .first()
    )
    if review is None:
        raise conflict(_("议题当前没有待办理的审批环节"))
    review.item = item
    return review


def review_approve(*, actor: User, item: AgendaItem, comment: str = "") -> AgendaItem:
    """This step approves (item locked and checked by item_dept_approve); the next one opens."""
    review = _locked_review(item)
    REVIEW_TRANSITIONS.check(actor, review, "approve")
    comment = clean_text(comment)
    check_no_nul(comment=comment)
    review.acted_by, review.acted_at, review.comment = actor, timezone.now(), comment
    _set(review, "approve", R.APPROVED, ("acted_by", "acted_at", "comment"))
    before = item.version
    _advance(actor=actor, item=item, round_=review.round, label=review.label, comment=comment)
    if item.version == before:  # the item stays in the chain: its record says which step passed
        _move(
            item,
            actor=actor,
            step="dept_approve",
            to=State.DEPT_REVIEW,
            reason=comment,
            data={"review": review.pk, "label": review.label},
        )
    return item


def review_return(*, actor: User, item: AgendaItem, reason: str) -> AgendaItem:
    review = _locked_review(item)
    REVIEW_TRANSITIONS.check(actor, review, "return")
    reason = required(reason, missing=_("%(step)s须填写理由") % {"step": ALL_STEPS["dept_return"].label})
    review.acted_by, review.acted_at, review.comment = actor, timezone.now(), reason
    _set(review, "return", R.RETURNED, ("acted_by", "acted_at", "comment"))
    item.__dict__["_current_review"] = None
    return _move(item, actor=actor, step="dept_return", to=State.RETURNED, reason=reason, data={"label": review.label})


@transaction.atomic
def review_countersign(*, actor: User, item_id: int, departments: Iterable[Department], note: str = "") -> ItemReview:
    """会签: the holder of a step that allows it (the leader in charge) asks other departments first."""
    item = _locked(item_id)
    _check(actor, item, "dept_approve")
    review = _locked_review(item)
    REVIEW_TRANSITIONS.check(actor, review, "countersign")
    depts = [d for d in departments if d.pk != item.department_id]
    if not depts:
        raise conflict(_("请至少选择一个提交部门以外的会签部门"))
    note = clean_text(note)
    check_no_nul(note=note)
    Countersign.objects.bulk_create([Countersign(review=review, department=d, requested_by=actor) for d in depts])
    _set(review, "countersign", R.COUNTERSIGNING)
    audit.record(
        actor=actor,
        verb="item.countersign",
        target=item,
        reason=note,
        data={"departments": join_names(d.name for d in depts)},
    )
    _notify_countersign(item, depts)
    return review


@transaction.atomic
def review_countersign_answer(*, actor: User, item_id: int, opinion: str) -> Countersign:
    """A countersigning department's head gives its view; when the last has, the step returns to its holder."""
    item = _locked(item_id)
    review = _locked_review(item)
    sign = access.countersign_pending_for(actor, review)
    if sign is None:
        raise conflict(_("您所在部门没有待办的会签"))
    opinion = required(opinion, missing=_("会签须填写意见"))
    updated = Countersign.objects.filter(pk=sign.pk, answered_at__isnull=True).update(
        answered_by=actor, answered_at=timezone.now(), opinion=opinion
    )
    if not updated:
        raise conflict(_("本部门已会签"))
    audit.record(
        actor=actor,
        verb="item.countersign_answer",
        target=item,
        reason=opinion,
        data={"department": sign.department_id},
    )
    if not review.countersigns.filter(answered_at__isnull=True).exists():
        _set(review, "countersign_done", R.PENDING)
        _notify_holders(item, review)
    return sign


def _notify_countersign(item: AgendaItem, depts: list[Department]) -> None:
    enqueue(notify_item_step, item.pk, "countersign", State.DEPT_REVIEW, item.version)


def _notify_holders(item: AgendaItem, review: ItemReview) -> None:
    enqueue(notify_item_step, item.pk, "countersign_done", State.DEPT_REVIEW, item.version)


# --- 三重一大 and the right body --------------------------------------------------------------------


def route_major(*, actor: User, item: AgendaItem) -> None:
    """An item of a 三重一大 kind asking for the principal's office only is not silently accepted:
    it goes to the Party committee, or, where the rules say so (两议), to the office first and then
    the committee. The reason is kept on the item and shown on its page."""
    if not item.major_kind or item.requested_body.code != MeetingBody.Code.PO:
        return
    kind = MajorKind(item.major_kind).label
    route = MajorRoute.objects.filter(major_kind=item.major_kind).first()
    if route is not None and route.po_first:
        reason = _(
            "“三重一大”事项（%(kind)s）：按规定先经校长办公会商议，再提交党委会集体决策（两议），校长办公会不能作出最终决定。"
        ) % {"kind": kind}
        item.routing_reason = reason
        item.save(update_fields=["routing_reason"])
        audit.record(actor=actor, verb="item.route", target=item, reason=reason, data={"po_first": True})
        return
    pc = MeetingBody.objects.get(code=MeetingBody.Code.PC)
    reason = _("“三重一大”事项（%(kind)s）须由党委会集体决策：拟提交会议由校长办公会改为党委会。") % {"kind": kind}
    item.requested_body = pc
    item.routing_reason = reason
    item.save(update_fields=["requested_body", "routing_reason"])
    audit.record(actor=actor, verb="item.route", target=item, reason=reason, data={"from_body": "PO", "to_body": "PC"})
