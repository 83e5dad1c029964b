"""Every write to an agenda item goes through here.

Each public function is one action: it locks the item row, checks the step
against STEPS and the actor against decisions.access, writes the change and one
audit event, and enqueues notifications on commit. Anything not allowed raises
InvalidTransition with a reason the page can show.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from core import audit
from core.errors import InvalidTransition, conflict, forbidden
from core.files import extension, sniffed_type, store_upload
from core.jobs import enqueue
from core.text import check_text, clean_text, require_text
from decisions import access
from decisions.models import (
    ALL_STEPS,
    MATERIALS_STATES,
    SETTLED_FIELDS,
    STEPS,
    AgendaItem,
    Attachment,
    Category,
    Consultation,
    DecisionPolicy,
    MajorKind,
    ScopeRule,
    State,
)
from org.models import LEADER_ROLES, MeetingBody, User

# Categories that may go to a meeting without a pre-meeting consultation.
NO_CONSULTATION_NEEDED = frozenset({Category.STUDY, Category.BRIEFING, Category.REPORT})

ITEM_FIELDS = ("title", "category", "background", "proposal", "amount", "major_kind", "requested_body", "confidential")

# Kept in the record untranslated; selectors.item_history translates it for the page.
SELF_APPROVAL_REASON = gettext_noop("提交人为本部门负责人")
LEADER_SUBMISSION_REASON = gettext_noop("提交人为校领导班子成员,免部门审核")


def join_names(names: Iterable[str]) -> str:
    """Names run together the way the current language lists them (、 in Chinese)."""
    return pgettext("list separator", "、").join(str(n) for n in names)


# --- rules shared by several actions ------------------------------------------


def scope_problem(*, body: MeetingBody, category: str, major_kind: str) -> str | None:
    """一定: the reason this meeting may not take up such an item, or None."""
    if not ScopeRule.objects.filter(body=body, category=category).exists():
        return _("“%(category)s”类议题不在%(body)s的议事范围内") % {
            "category": Category(category).label,
            "body": body.name,
        }
    if major_kind and not body.decides:
        return _("“三重一大”事项须由党委会集体决策,不能提交%(body)s") % {"body": body.name}
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


def _require_state(item: AgendaItem, step: str) -> None:
    rule = ALL_STEPS[step]
    if item.state not in rule.sources:
        raise conflict(
            _("议题当前状态为“%(state)s”,不能%(step)s(可能已被他人处理,请刷新)")
            % {"state": item.get_state_display(), "step": rule.label}
        )


def _move(
    item: AgendaItem, *, actor: User, step: str, to: str, reason: str = "", data: dict | None = None
) -> AgendaItem:
    """Apply one step to a locked item: state check, reason check, write, record."""
    rule = ALL_STEPS[step]
    _require_state(item, step)
    if to not in rule.targets:
        raise conflict(_("%(step)s不能使议题进入“%(state)s”") % {"step": rule.label, "state": State(to).label})
    reason = clean_text(reason)
    if rule.needs_reason and not reason:
        raise conflict(_("%(step)s须填写理由") % {"step": rule.label})
    before = item.state
    item.state = to
    item.version += 1
    item.save(update_fields=["state", "version", "updated_at", "submitted_at", "consultation_round"])
    audit.record(
        actor=actor, verb=f"item.{step}", target=item, from_state=before, to_state=to, reason=reason, data=data
    )
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
    from core.notify import message, notify

    item = AgendaItem.objects.select_related("requested_body__chair", "submitter").get(pk=item_id)
    url = reverse("decisions:detail", args=[item.pk])
    key = f"item:{item.pk}:v{version or item.version}:{step}"
    secret = item.confidential
    if state == State.DEPT_REVIEW:
        heads = User.objects.filter(role_assignments__role="dept_head", role_assignments__department=item.department_id)
        text = message("item.dept_review", confidential=secret, title=item.title)
        return notify(recipients=heads, key=key, text=text, url=url)
    screener = access.screener_of(item)
    if state == State.SCREENING and screener:
        text = message("item.screening", confidential=secret, title=item.title)
        return notify(recipients=[screener], key=key, text=text, url=url)
    if state == State.CONSULTING:
        people = [
            c.consultee for c in item.consultations.filter(round=item.consultation_round).select_related("consultee")
        ]
        text = message("item.consulting", confidential=secret, title=item.title)
        return notify(recipients=people, key=key, text=text, url=url)
    reason = ""
    if ALL_STEPS[step].needs_reason:
        event = audit.history_of(item).filter(verb=f"item.{step}").order_by("-id").first()
        reason = event.reason if event else ""
    text = message("item.step", confidential=secret, details=reason, title=item.title, state=State(state).label)
    return notify(recipients=[item.submitter], key=key, text=text, url=url)


# --- creating and editing --------------------------------------------------------


def _clean_fields(fields: dict) -> dict:
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"unknown item fields: {sorted(unknown)}")
    problem = amount_problem(fields.get("amount"))
    if problem:
        raise conflict(problem)
    cleaned = dict(fields)
    cleaned.update(require_text(AgendaItem, **{name: fields.get(name) for name in ("title", "background", "proposal")}))
    cleaned["major_kind"] = major_kind_for(amount=cleaned.get("amount"), major_kind=cleaned.get("major_kind") or "")
    problem = scope_problem(
        body=cleaned["requested_body"], category=cleaned["category"], major_kind=cleaned["major_kind"]
    )
    if problem:
        raise conflict(problem)
    return cleaned


@transaction.atomic
def item_create(*, actor: User, **fields) -> AgendaItem:
    if actor.department_id is None:
        raise forbidden(_("您尚未分配部门,请联系管理员后再提交议题"))
    cleaned = _clean_fields(fields)
    item = AgendaItem.objects.create(submitter=actor, department_id=actor.department_id, state=State.DRAFT, **cleaned)
    audit.record(actor=actor, verb="item.create", target=item, to_state=item.state, data={"title": item.title})
    enqueue("search.services.index_object", "item", item.pk)
    return item


@transaction.atomic
def item_update(*, actor: User, item_id: int, version: int, **fields) -> AgendaItem:
    """Edit the content. `version` is what the editor loaded: a stale form is refused, never merged."""
    item = _locked(item_id)
    access.check(actor, item, "edit")
    if not item.is_editable:
        raise conflict(_("议题当前状态为“%(state)s”,不能修改") % {"state": item.get_state_display()})
    if item.version != version:
        raise conflict(_("议题已被他人修改,您的修改未保存。请刷新后重新编辑"))
    cleaned = _clean_fields(fields)
    if item.state == State.REVISING:
        # The screener accepted this meeting, category, weight and secrecy; a revision after
        # consultation changes the content only. (Adding secrecy is always allowed.)
        moved = [
            name
            for name in SETTLED_FIELDS
            if getattr(item, name) != cleaned[name] and not (name == "confidential" and cleaned[name])
        ]
        if moved:
            labels = join_names(str(AgendaItem._meta.get_field(name).verbose_name) for name in moved)
            raise conflict(
                _("会前酝酿阶段只能修改议题内容,不能改变%(fields)s;如需改变,请撤回后重新提交") % {"fields": labels}
            )
    changed = {}
    for name, value in cleaned.items():
        old = getattr(item, name)
        if old != value:
            changed[name] = [_plain(old), _plain(value)]
            setattr(item, name, value)
    if not changed:
        return item
    item.version += 1
    item.save()
    enqueue("search.services.index_object", "item", item.pk)
    audit.record(
        actor=actor,
        verb="item.edit",
        target=item,
        from_state=item.state,
        to_state=item.state,
        data={"changed": changed},
    )
    return item


def _plain(value):
    if isinstance(value, MeetingBody):
        return value.code
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- attachments -------------------------------------------------------------------


def attachment_problem(upload: UploadedFile) -> str | None:
    ext = extension(upload.name)
    if ext not in settings.ATTACHMENT_EXTENSIONS:
        return _("不支持的文件类型“.%(ext)s”,允许:%(allowed)s") % {
            "ext": ext or "?",
            "allowed": join_names(settings.ATTACHMENT_EXTENSIONS),
        }
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        return _("文件“%(name)s”超过 %(mb)s MB 的上限") % {
            "name": upload.name,
            "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        }
    if upload.size == 0:
        return _("文件“%(name)s”是空文件") % {"name": upload.name}
    if sniffed_type(upload, ext) is None:
        return _("文件“%(name)s”的内容与扩展名不符，请上传真实的 %(kind)s 文件。") % {
            "name": upload.name,
            "kind": ext.upper(),
        }
    return None


@transaction.atomic
def attachment_add(*, actor: User, item_id: int, upload: UploadedFile) -> Attachment:
    item = _locked(item_id)
    access.check(actor, item, "edit")
    if item.state not in MATERIALS_STATES:
        raise conflict(_("议题当前状态为“%(state)s”,不能添加附件") % {"state": item.get_state_display()})
    problem = attachment_problem(upload)
    if problem:
        raise conflict(problem)
    attachment = Attachment(item=item, uploaded_by=actor)
    store_upload(attachment, upload)
    attachment.save()
    audit.record(
        actor=actor,
        verb="item.attach",
        target=item,
        data={"attachment": attachment.pk, "name": attachment.name, "size": upload.size},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.select_related("item").get(pk=attachment_id)
    item = _locked(attachment.item_id)
    access.check(actor, item, "edit")
    if not item.is_editable:
        raise conflict(_("议题当前状态为“%(state)s”,不能撤下附件") % {"state": item.get_state_display()})
    if attachment.removed_at:
        raise conflict(_("该附件已撤下"))
    attachment.removed_at = timezone.now()
    attachment.save(update_fields=["removed_at"])
    audit.record(
        actor=actor, verb="item.detach", target=item, data={"attachment": attachment.pk, "name": attachment.name}
    )
    return attachment


# --- the steps ------------------------------------------------------------------------


@transaction.atomic
def item_submit(*, actor: User, item_id: int) -> AgendaItem:
    item = _locked(item_id)
    access.check(actor, item, "submit")
    _require_state(item, "submit")
    problem = scope_problem(body=item.requested_body, category=item.category, major_kind=item.major_kind)
    if problem:
        raise conflict(problem)
    if item.submitted_at is None:
        item.submitted_at = timezone.now()
    _move(item, actor=actor, step="submit", to=State.DEPT_REVIEW)
    if access.heads_department_of(actor, item):
        # The head of the department is the submitter: their submission is their approval.
        _move(item, actor=actor, step="dept_approve", to=State.SCREENING, reason=SELF_APPROVAL_REASON)
    elif actor.is_leader:
        # A member of the leadership answers to no department head; the screener is the next check.
        _move(item, actor=actor, step="dept_approve", to=State.SCREENING, reason=LEADER_SUBMISSION_REASON)
    return item


@transaction.atomic
def item_dept_approve(*, actor: User, item_id: int, comment: str = "") -> AgendaItem:
    item = _locked(item_id)
    access.check(actor, item, "dept_approve")
    return _move(item, actor=actor, step="dept_approve", to=State.SCREENING, reason=comment)


@transaction.atomic
def item_dept_return(*, actor: User, item_id: int, reason: str) -> AgendaItem:
    item = _locked(item_id)
    access.check(actor, item, "dept_return")
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
        raise conflict(_("会前酝酿只能征求班子成员意见:%(names)s 不是班子成员") % {"names": join_names(not_leaders)})
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
    access.check(actor, item, "screen_accept")
    _require_state(item, "screen_accept")
    people = _consultees(consultees, item, screener=actor)
    if not people:
        if item.is_major or item.category not in NO_CONSULTATION_NEEDED:
            raise conflict(_("“三重一大”及提议、决定类议题须先征求班子成员意见(会前酝酿),请至少选择一人"))
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
    access.check(actor, item, "screen_return")
    return _move(item, actor=actor, step="screen_return", to=State.RETURNED, reason=reason)


@transaction.atomic
def item_screen_reject(*, actor: User, item_id: int, reason: str) -> AgendaItem:
    item = _locked(item_id)
    access.check(actor, item, "screen_reject")
    return _move(item, actor=actor, step="screen_reject", to=State.REJECTED, reason=reason)


@transaction.atomic
def item_consult_answer(*, actor: User, item_id: int, agree: bool, text: str = "") -> AgendaItem:
    """A named leader answers. 意见不一不上会: any concern sends the item back for revision;
    it is ready only when everyone of the round has agreed."""
    item = _locked(item_id)
    if item.state not in STEPS["consult_answer"].sources:
        raise conflict(_("议题当前状态为“%(state)s”,不在会前酝酿阶段") % {"state": item.get_state_display()})
    pending = access.pending_consultation_for(actor, item)
    access.check(actor, item, "consult_answer", pending_consultation=pending)
    text = clean_text(text)
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
    access.check(actor, item, "resubmit")
    _require_state(item, "resubmit")
    reason = clean_text(reason)
    if not reason:
        raise conflict(_("重新酝酿须说明修改情况"))
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
    access.check(actor, item, "withdraw")
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
    return _move(item, actor=actor, step="schedule", to=State.SCHEDULED, reason=meeting_title)


@transaction.atomic
def item_unschedule(*, actor: User | None, item_id: int, reason: str) -> AgendaItem:
    """Off the agenda and back in the queue. `actor` is None when a job drops it (materials late)."""
    item = _locked(item_id)
    return _move(item, actor=actor, step="unschedule", to=State.READY, reason=reason)


@transaction.atomic
def item_decide(*, actor: User, item_id: int, to: str, reason: str, data: dict | None = None) -> AgendaItem:
    item = _locked(item_id)
    return _move(item, actor=actor, step="decide", to=to, reason=reason, data=data)


@transaction.atomic
def item_forward_to_pc(*, actor: User, item_id: int, reason: str) -> AgendaItem:
    """两议: the principal's office has deliberated; the Party committee resolves. The item joins
    the committee's queue as one chain (its history keeps the office meeting's step)."""
    item = _locked(item_id)
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
    """办结: every supervision task of the item's resolutions is closed. `actor` is the supervisor
    whose acceptance closed the last task."""
    item = _locked(item_id)
    return _move(item, actor=actor, step="close", to=State.CLOSED, reason=reason, data=data)
