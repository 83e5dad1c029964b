"""Who may see an agenda item and who may take which step: answered here only.

Views, templates (through `actions_for`), selectors, exports and attachment
downloads all ask these functions; nothing re-derives the rules.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import forbidden
from decisions.models import (
    EDITABLE_STATES,
    MATERIALS_STATES,
    MEETING_STEPS,
    OPEN_REVIEW_STATES,
    STEPS,
    AgendaItem,
    Consultation,
    Countersign,
    ItemReview,
    Reviewer,
    State,
)
from org.access import bodies_attended_by, chair_of, chaired_bodies, chairs_body, leader_in_charge
from org.models import OFFICE_ROLES, MeetingBody, Role, User


def visibility_filter(user: User) -> Q:
    """根据权限均可阅可查： the Q that limits AgendaItem rows to what `user` may see."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    # Once submitted, an item is on record for those below; a draft, even a withdrawn one, never is.
    submitted = Q(submitted_at__isnull=False)
    q = Q(submitter=user)
    if user.is_superuser:
        # The administrator keeps the system, not the secrets: no confidential items.
        return q | (submitted & Q(confidential=False))
    # The items the person was consulted on, as one subquery (not an EXISTS per item row).
    q |= Q(pk__in=Consultation.objects.filter(consultee=user).values("item_id"))
    # Whoever holds or held a step of its review chain, and the departments asked to countersign.
    q |= Q(pk__in=ItemReview.objects.filter(review_holder_q(user)).values("item_id"))
    headed = user.headed_department_ids
    if headed:
        # A department sees its own items, confidential ones included: its head reviewed them.
        q |= submitted & Q(department_id__in=headed)
        # A department asked to countersign (会签) sees what it is asked about.
        q |= Q(pk__in=ItemReview.objects.filter(countersigns__department_id__in=headed).values("item_id"))
    # Attendees of the requested meeting see its items, confidential ones included (a subquery of
    # the bodies they attend, so the rule costs no query of its own).
    q |= submitted & Q(requested_body_id__in=bodies_attended_by(user))
    # Those a resolution names see its item, confidential or not: the responsible leader of a task
    # that implements it (supervision.Task.item, related name "tasks"; the model found through
    # that relation, so that decisions imports nothing above it). A subquery of the tasks alone:
    # joined back to every item, it cost a leader with 12,000 tasks a scan of all items per query.
    task = AgendaItem._meta.get_field("tasks").related_model
    q |= Q(pk__in=task.objects.filter(responsible_leader=user, item__isnull=False).values("item_id"))
    if user.is_leader:
        q |= submitted & Q(confidential=False)
    return q


def can_view(user: User, item: AgendaItem) -> bool:
    return AgendaItem.objects.filter(visibility_filter(user), pk=item.pk).exists()


def is_screener(user: User, item: AgendaItem) -> bool:
    """研判： the chair of the requested meeting's body today (PC → secretary, PO → principal)."""
    return chairs_body(user, item.requested_body)


def screener_of(item: AgendaItem) -> User | None:
    return chair_of(item.requested_body)


def screened_by(user: User) -> Q:
    """The Q on AgendaItem of the items `user` screens (whatever their state)."""
    return Q(requested_body__in=chaired_bodies(user))


def heads_department_of(user: User, item: AgendaItem) -> bool:
    return item.department_id in user.headed_department_ids


def may_take(
    user: User, item: AgendaItem, step: str, *, pending_consultation: Consultation | None = None
) -> str | None:
    """None if `user` may take `step` on `item` as far as *who* they are; else the reason why not.

    Whether the item's state allows the step is checked by the service against STEPS.
    """
    if step in ("submit", "withdraw", "resubmit", "edit"):
        if item.submitter_id != user.pk:
            return _("只有提交人可以进行此操作")
        return None
    if step in ("dept_approve", "dept_return"):
        review = current_review(item)
        if review is not None:
            return may_review(user, review)
        if not heads_department_of(user, item):
            return _("只有本部门负责人可以审核此议题")
        return None
    if step in ("screen_accept", "screen_return", "screen_reject"):
        if not is_screener(user, item):
            return _("此议题由%(body)s主持人研判") % {"body": item.requested_body.name}
        return None
    if step in MEETING_STEPS:
        # Taken at a meeting, by those meetings.access lets run it (meetings.services asks).
        return _("议题上会、撤出和会议结论在会议页面办理")
    if step == "consult_answer":
        if pending_consultation is None:
            return _("您不是本轮会前酝酿的征求意见对象，或已答复")
        return None
    return _("未知操作")


def check(user: User, item: AgendaItem, step: str, **kwargs) -> None:
    reason = may_take(user, item, step, **kwargs)
    if reason:
        raise forbidden(reason)


def pending_consultation_for(user: User, item: AgendaItem) -> Consultation | None:
    return (
        Consultation.objects.filter(
            item=item, round=item.consultation_round, consultee=user, answer=Consultation.Answer.PENDING
        )
        .order_by("id")
        .first()
    )


def actions_for(user: User, item: AgendaItem) -> set[str]:
    """The steps (and 'edit') this user may take on this item right now, for the page."""
    pending = pending_consultation_for(user, item) if item.state in STEPS["consult_answer"].sources else None
    allowed = set()
    for name, step in STEPS.items():
        if item.state in step.sources and may_take(user, item, name, pending_consultation=pending) is None:
            allowed.add(name)
    if item.state in EDITABLE_STATES and may_take(user, item, "edit") is None:
        allowed.add("edit")
    if item.state in MATERIALS_STATES and may_take(user, item, "edit") is None:
        allowed.add("attach")
    return allowed


def can_use_review_queue(user: User) -> bool:
    """审批待办: department heads, the leaders in charge and the two offices hold chain steps."""
    return bool(user.headed_department_ids) or user.is_leader or bool(user.roles & OFFICE_ROLES)


# --- the review chain (审阅 → 审核 → 审批) ---------------------------------------------------------


def current_review(item: AgendaItem) -> ItemReview | None:
    """The step of the item's chain open now (cached on the item for the page's several asks)."""
    if "_current_review" not in item.__dict__:
        item.__dict__["_current_review"] = (
            ItemReview.objects.filter(item=item, state__in=OPEN_REVIEW_STATES).order_by("-round", "position").first()
            if item.state == State.DEPT_REVIEW
            else None
        )
    return item.__dict__["_current_review"]


def review_holder_q(user: User) -> Q:
    """The ItemReview rows `user` holds: his department's 审阅, his own 审核, his office's 审批."""
    offices = [r for r in user.roles if r in OFFICE_ROLES]
    return (
        Q(reviewer=Reviewer.DEPT_HEAD, department_id__in=user.headed_department_ids)
        | Q(reviewer=Reviewer.LEADER_IN_CHARGE, assignee=user)
        | Q(reviewer=Reviewer.BODY_OFFICE, role__in=offices)
    )


def reviews_waiting_on(user: User) -> Q:
    """Q on ItemReview: the open steps `user` must act on (his own, or a countersign of his department)."""
    countersign = Q(
        state=ItemReview.State.COUNTERSIGNING,
        pk__in=Countersign.objects.filter(
            answered_at__isnull=True, department_id__in=user.headed_department_ids
        ).values("review_id"),
    )
    return (Q(state=ItemReview.State.PENDING) & review_holder_q(user)) | countersign


def may_review(user: User, review: ItemReview, action: str = "") -> str | None:
    """None if `user` holds this step of the chain; else why not."""
    if review.reviewer == Reviewer.DEPT_HEAD:
        ok = review.department_id in user.headed_department_ids
        who = _("%(dept)s负责人") % {"dept": review.department}
    elif review.reviewer == Reviewer.LEADER_IN_CHARGE:
        ok = review.assignee_id == user.pk
        who = _("分管校领导%(name)s") % {"name": review.assignee}
    else:
        ok = bool(review.role) and user.has_role(review.role)
        who = Role(review.role).label if review.role else _("会务部门")
    if not ok:
        return _("此环节（%(step)s）由%(who)s办理") % {"step": review.label, "who": who}
    if action == "countersign" and not review.may_countersign:
        return _("此环节不能发起会签")
    return None


def review_holders(review: ItemReview) -> list[User]:
    """Who is told that a step waits on them."""
    if review.reviewer == Reviewer.LEADER_IN_CHARGE:
        return [review.assignee] if review.assignee_id else []
    if review.reviewer == Reviewer.DEPT_HEAD:
        return list(
            User.objects.filter(
                is_active=True, role_assignments__role=Role.DEPT_HEAD, role_assignments__department=review.department_id
            )
        )
    return list(User.objects.filter(is_active=True, role_assignments__role=review.role).distinct())


def review_escalation_to(review: ItemReview) -> list[User]:
    """督办: whom a step that waits too long is escalated to. A department head's 审阅 → the leader in
    charge of the department; the leader's 审核 and an office's 审批 → the requested body's chair."""
    if review.reviewer == Reviewer.DEPT_HEAD:
        leader = leader_in_charge(review.department_id)
        if leader is not None:
            return [leader]
    chair = chair_of(review.item.requested_body)
    return [chair] if chair else []


def countersign_pending_for(user: User, review: ItemReview) -> Countersign | None:
    if review.state != ItemReview.State.COUNTERSIGNING:
        return None
    return (
        review.countersigns.filter(answered_at__isnull=True, department_id__in=user.headed_department_ids)
        .order_by("id")
        .first()
    )


def office_for(body: MeetingBody) -> str:
    """审批 by the requested body: PC → 党委办公室, PO → 校长办公室(校务办)."""
    return body.secretary_role or Role.PARTY_OFFICE


def can_use_screening_queue(user: User) -> bool:
    cached = getattr(user, "_chairs_a_body", None)
    if cached is None:
        user._chairs_a_body = cached = chaired_bodies(user).exists()
    return cached


def can_use_consultation_inbox(user: User) -> bool:
    return user.is_leader
