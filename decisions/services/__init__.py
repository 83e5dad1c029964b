"""Every write to an agenda item goes through here (this package).

Each public function is one action: it locks the item row, checks the step
against STEPS and the actor against decisions.access, writes the change and one
audit event, and enqueues notifications on commit. Anything not allowed raises
InvalidTransition with a reason the page can show.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from core import audit
from core.errors import InvalidTransition, conflict
from core.jobs import enqueue
from core.text import check_no_nul, clean_text
from decisions import access
from decisions.models import (
    ALL_STEPS,
    ITEM_TRANSITIONS,
    AgendaItem,
    Category,
    DecisionPolicy,
    MajorKind,
    ScopeRule,
    State,
)
from org.models import MeetingBody, User

# Categories that may go to a meeting without a pre-meeting consultation.
NO_CONSULTATION_NEEDED = frozenset({Category.STUDY, Category.BRIEFING, Category.REPORT})

ITEM_FIELDS = ("title", "category", "background", "proposal", "amount", "major_kind", "requested_body", "confidential")

# Kept in the record untranslated; selectors.item_history translates it for the page.
SELF_APPROVAL_REASON = gettext_noop("提交人为本部门负责人")
LEADER_SUBMISSION_REASON = gettext_noop("提交人为校领导班子成员，免部门审核")


def join_names(names: Iterable[str]) -> str:
    """Names run together the way the current language lists them （、 in Chinese）."""
    return pgettext("list separator", "、").join(str(n) for n in names)


# --- rules shared by several actions ------------------------------------------


def scope_problem(*, body: MeetingBody, category: str, major_kind: str) -> str | None:
    """一定： the reason this meeting may not take up such an item, or None."""
    if not ScopeRule.objects.filter(body=body, category=category).exists():
        return _("“%(category)s”类议题不在%(body)s的议事范围内") % {
            "category": Category(category).label,
            "body": body.name,
        }
    if major_kind and not body.decides:
        return _("“三重一大”事项须由党委会集体决策，不能提交%(body)s") % {"body": body.name}
    return None


def amount_problem(amount: Decimal | None) -> str | None:
    """The reason an item's amount cannot be kept, or None (the column refuses it too, in words
    nobody should read)."""
    if amount is not None and amount < 0:
        return _("金额不能为负数。")
    return None


def major_kind_for(*, amount: Decimal | None, major_kind: str) -> str:
    """Funds at or above the policy threshold make an item 三重一大 by themselves."""
    if not major_kind and amount is not None and amount >= DecisionPolicy.current().major_amount_threshold:
        return MajorKind.FUNDS
    return major_kind


def _locked(item_id: int) -> AgendaItem:
    try:
        return AgendaItem.objects.select_for_update().select_related("requested_body").get(pk=item_id)
    except AgendaItem.DoesNotExist as exc:
        raise InvalidTransition(_("议题不存在"), status=404) from exc


def _check(actor: User | None, item: AgendaItem, step: str, **context) -> None:
    """The item's table (decisions.models.ITEM_TRANSITIONS): who first (403), then the state (409)."""
    ITEM_TRANSITIONS.check(actor, item, step, **context)


def _require_state(item: AgendaItem, step: str) -> None:
    reason = ITEM_TRANSITIONS.state_refuses(item, step)
    if reason:
        raise conflict(reason)


def _move(
    item: AgendaItem, *, actor: User, step: str, to: str, reason: str = "", data: dict | None = None
) -> AgendaItem:
    """Apply one step to a locked item: state check, reason check, write, record."""
    rule = ALL_STEPS[step]
    _require_state(item, step)
    if to not in rule.targets:
        raise conflict(_("%(step)s不能使议题进入“%(state)s”") % {"step": rule.label, "state": State(to).label})
    reason = clean_text(reason)
    check_no_nul(reason=reason)
    if rule.needs_reason and not reason:
        raise conflict(_("%(step)s须填写理由") % {"step": rule.label})
    before = item.state
    item.state = to
    item.version += 1
    item.save(update_fields=["state", "version", "updated_at", "submitted_at", "consultation_round"])
    audit.record(actor=actor, verb=rule.verb, target=item, from_state=before, to_state=to, reason=reason, data=data)
    enqueue(notify_item_step, item.pk, step, to, item.version)
    return item


def notify_item_step(item_id: int, step: str, state: str, version: int | None = None) -> int:
    """Tell the people who must act next. Safe to run twice (keyed per item, step and the
    version the step produced).

    The text is stored, so it is written in the site's language, whoever took the step.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _notify_item_step(item_id, step, state, version)


def _notify_item_step(item_id: int, step: str, state: str, version: int | None) -> int:
    from core.notify import link_for, message, notify
    from core.reminders import work_notice

    item = AgendaItem.objects.select_related("requested_body__chair", "submitter").get(pk=item_id)
    link = link_for("item.step", item.pk)
    key = f"item:{item.pk}:v{version or item.version}:{step}"
    secret = item.confidential
    if state == State.DEPT_REVIEW:
        # The step of the review chain open now: its holders, or the departments asked to countersign.
        if item.state != State.DEPT_REVIEW:
            return 0
        review = access.current_review(item)
        if review is None:
            people = User.objects.filter(
                role_assignments__role="dept_head", role_assignments__department=item.department_id
            )
        elif review.state == review.State.COUNTERSIGNING:
            depts = review.countersigns.filter(answered_at__isnull=True).values("department_id")
            people = User.objects.filter(role_assignments__role="dept_head", role_assignments__department__in=depts)
            key += f":r{review.pk}"
        else:
            people = access.review_holders(review)
            key += f":r{review.pk}:{review.state}"
        text = message("item.dept_review", confidential=secret, title=item.title)
        return notify(recipients=people, key=key, text=text, link=link)
    screener = access.screener_of(item)
    if state == State.SCREENING and screener:
        text = message("item.screening", confidential=secret, title=item.title)
        return notify(recipients=[screener], key=key, text=text, link=link)
    if state == State.CONSULTING:
        people = [
            c.consultee for c in item.consultations.filter(round=item.consultation_round).select_related("consultee")
        ]
        text = message("item.consulting", confidential=secret, title=item.title)
        work_notice(recipients=people, key=f"work:{key}", text=text, link=link)
        return notify(recipients=people, key=key, text=text, link=link)
    reason = ""
    if ALL_STEPS[step].needs_reason:
        event = audit.history_of(item).filter(verb=f"item.{step}").order_by("-id").first()
        reason = event.reason if event else ""
    text = message("item.step", confidential=secret, details=reason, title=item.title, state=State(state).label)
    return notify(recipients=[item.submitter], key=key, text=text, link=link)


# The actions, one module per part of the item's life; imported last, since they use the helpers above.
from decisions.services.editing import (  # noqa: E402
    attachment_add,
    attachment_problem,
    attachment_remove,
    item_create,
    item_update,
)
from decisions.services.steps import (  # noqa: E402
    item_close,
    item_consult_answer,
    item_decide,
    item_dept_approve,
    item_dept_return,
    item_forward_to_pc,
    item_resubmit,
    item_schedule,
    item_screen_accept,
    item_screen_reject,
    item_screen_return,
    item_submit,
    item_unschedule,
    item_viewed,
    item_withdraw,
)

__all__ = [
    "ITEM_FIELDS",
    "LEADER_SUBMISSION_REASON",
    "NO_CONSULTATION_NEEDED",
    "SELF_APPROVAL_REASON",
    "amount_problem",
    "attachment_add",
    "attachment_problem",
    "attachment_remove",
    "item_close",
    "item_consult_answer",
    "item_create",
    "item_decide",
    "item_dept_approve",
    "item_dept_return",
    "item_forward_to_pc",
    "item_resubmit",
    "item_schedule",
    "item_screen_accept",
    "item_screen_reject",
    "item_screen_return",
    "item_submit",
    "item_unschedule",
    "item_update",
    "item_viewed",
    "item_withdraw",
    "join_names",
    "major_kind_for",
    "notify_item_step",
    "scope_problem",
]
