"""Every write to a supervision task (四督查) goes through here.

    task_create      a resolution, letter, patrol finding or calendar duty becomes a task
    task_report      the lead department's head reports progress, with evidence
    task_review      the track's supervisor accepts, closes (办结, only with evidence) or returns
    item_follow      follow or stop following an agenda item's tasks

The supervisor's urging and escalation (and the overdue policy) are in supervision.services.supervising;
who is told, in supervision.services.task_notify.

Each locks the task row, asks TASK_TRANSITIONS (supervision.models: who, then the state), writes the rows
and one audit event, and tells people after commit. Closing the last task of a resolved item
closes the item (决策—执行—反馈—办结).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, conflict, forbidden
from core.jobs import enqueue
from core.text import check_text, clean_text, required
from decisions import services as item_services
from decisions.access import visibility_filter as item_visibility_filter
from decisions.models import AgendaItem
from decisions.models import State as ItemState
from meetings.models import Resolution
from org.models import Department, User
from supervision import access
from supervision.models import (
    TASK_TRANSITIONS,
    Evidence,
    Follow,
    Letter,
    Milestone,
    PatrolFinding,
    ProgressReport,
    ReportReview,
    Task,
    Track,
)
from supervision.services import evidence
from supervision.services.task_notify import notify_task_step


@dataclass(frozen=True)
class MilestoneSpec:
    title: str
    due: dt.date
    weight: int = 1


def today() -> dt.date:
    return timezone.localdate()


def _locked(task_id: int) -> Task:
    try:
        return Task.objects.select_for_update().get(pk=task_id)
    except Task.DoesNotExist as exc:
        raise InvalidTransition(_("督查任务不存在"), status=404) from exc


def _who(actor: User | None, task: Task, step: str) -> None:
    reason = TASK_TRANSITIONS.who_refuses(actor, task, step)
    if reason:
        raise forbidden(reason)


def _require(task: Task, step: str) -> None:
    reason = TASK_TRANSITIONS.state_refuses(task, step)
    if reason:
        raise conflict(reason)


def _move(task: Task, *, actor: User | None, step: str, reason: str = "", data: dict | None = None) -> Task:
    """A locked task takes the one state `step` leads to (supervision.models.TASK_TRANSITIONS)."""
    _require(task, step)
    target = TASK_TRANSITIONS.target(step)
    task.version += 1
    fields = ["version"]
    if target == Task.State.CLOSED:
        task.closed_at = timezone.now()
        fields.append("closed_at")
    TASK_TRANSITIONS.apply(task, actor=actor, action=step, reason=reason, data=data, fields=fields)
    enqueue(notify_task_step, task.pk, step, task.version, target)
    return task


def _source_of(
    *, actor: User, resolution_id: int | None, letter_id: int | None, finding_id: int | None
) -> tuple[str, dict, AgendaItem | None, bool]:
    """The task's source, locked. A confidential resolution or a letter the actor may not see is
    answered as one that does not exist, before anything about its item's state is said."""
    given = [x for x in (resolution_id, letter_id, finding_id) if x]
    if len(given) != 1:
        raise conflict(_("督查任务须来自一项决议、一封来信或一条巡查发现"))
    if resolution_id:
        resolution = Resolution.objects.select_related("item").filter(pk=resolution_id).first()
        hidden = (
            resolution is not None
            and (resolution.confidential or resolution.item.confidential)
            and not AgendaItem.objects.filter(item_visibility_filter(actor), pk=resolution.item_id).exists()
        )
        if resolution is None or hidden:
            raise InvalidTransition(_("决议不存在"), status=404)
        item = AgendaItem.objects.select_for_update().get(pk=resolution.item_id)
        # 两议: only a final resolution is implemented; an item the PO sent on has none until PC.
        if item.state == ItemState.CLOSED:
            # An assigner may not see a confidential item (the task form shows its number only).
            name = resolution.number if resolution.confidential or item.confidential else item.title
            raise conflict(_("议题“%(title)s”已办结，不能再下达任务") % {"title": name})
        if item.state != ItemState.RESOLVED:
            raise conflict(_("议题尚未形成决议，不能下达督查任务"))
        return Task.Source.RESOLUTION, {"resolution": resolution}, item, resolution.confidential
    if letter_id:
        letter = Letter.objects.filter(access.visibility_filter(actor), pk=letter_id).first()
        if letter is None:
            raise InvalidTransition(_("来信不存在"), status=404)
        return Task.Source.LETTER, {"letter": letter}, None, False
    finding = PatrolFinding.objects.filter(pk=finding_id).first()
    if finding is None:
        raise InvalidTransition(_("巡查发现不存在"), status=404)
    return Task.Source.PATROL, {"finding": finding}, None, False


def _check_fields(
    *, track: str, title: str, lead_department: Department | None, leader: User | None, deadline, milestones
) -> None:
    if track not in Track.values:
        raise conflict(_("请选择督查类别"))
    if not clean_text(title):
        raise conflict(_("请填写任务名称"))
    if lead_department is None:
        raise conflict(_("请选择牵头部门"))
    if leader is None or not leader.is_leader:
        raise conflict(_("责任领导须为校领导"))
    if deadline is None:
        raise conflict(_("请填写完成时限"))
    if deadline < today():
        raise conflict(_("完成时限不能早于今天"))
    for m in milestones:
        if not clean_text(m.title):
            raise conflict(_("节点须有名称"))
        if m.due > deadline:
            raise conflict(_("节点“%(title)s”的时限晚于任务完成时限") % {"title": m.title})
        if m.due < today():
            raise conflict(_("节点“%(title)s”的时限不能早于今天") % {"title": m.title})
        if m.weight < 1:
            raise conflict(_("节点权重须为正整数"))


@transaction.atomic
def task_create(
    *,
    actor: User | None,
    track: str,
    title: str,
    lead_department_id: int,
    responsible_leader_id: int,
    deadline: dt.date,
    description: str = "",
    milestones: Sequence[MilestoneSpec] = (),
    resolution_id: int | None = None,
    letter_id: int | None = None,
    finding_id: int | None = None,
    occurrence=None,
    check_mark=None,
    confidential: bool = False,
) -> Task:
    """A task from a resolution (分解落实), a letter, a patrol finding or (actor None) a calendar duty.
    A confidential resolution's tasks are confidential whatever `confidential` says; any other
    task is when asked (a letter's, say)."""
    if occurrence is None and check_mark is None:
        source, link, item, inherited = _source_of(
            actor=actor, resolution_id=resolution_id, letter_id=letter_id, finding_id=finding_id
        )
        finding_leader = link["finding"].leader_id if source == Task.Source.PATROL else None
        if not access.can_create_task(actor, source, finding_leader_id=finding_leader):
            if source == Task.Source.LETTER:
                raise forbidden(_("只有党委书记或党委办公室可以把来信转为督查任务"))
            if source == Task.Source.PATROL:
                raise forbidden(_("只有巡查领导本人或督查部门可以把巡查发现转为督查任务"))
            access.check_assign(actor)
        if (
            source == Task.Source.RESOLUTION
            and inherited
            and not AgendaItem.objects.filter(item_visibility_filter(actor), pk=item.pk).exists()
        ):
            # A confidential resolution is broken down only by those who may read its item.
            raise forbidden(_("该决议涉密，只有能查阅其议题的人员可以分解督查任务"))
    elif occurrence is not None:
        source, link, item, inherited = Task.Source.DUTY, {"occurrence": occurrence}, None, False
    else:  # a failed item of a branch check (supervision.services.branches)
        source, link, item, inherited = Task.Source.CHECK, {"check_mark": check_mark}, None, False
    confidential = bool(confidential) or inherited
    lead = Department.objects.filter(pk=lead_department_id, active=True).first() if lead_department_id else None
    leader = User.objects.filter(pk=responsible_leader_id, is_active=True).first() if responsible_leader_id else None
    milestones = list(milestones)
    _check_fields(
        track=track, title=title, lead_department=lead, leader=leader, deadline=deadline, milestones=milestones
    )
    task = Task.objects.create(
        track=track,
        source=source,
        item=item,
        title=clean_text(title)[:200],
        description=clean_text(description),
        lead_department=lead,
        responsible_leader=leader,
        deadline=deadline,
        confidential=confidential,
        created_by=actor,
        **link,
    )
    Milestone.objects.bulk_create(
        [
            Milestone(task=task, title=clean_text(m.title)[:200], due=m.due, weight=m.weight, position=i)
            for i, m in enumerate(sorted(milestones, key=lambda m: m.due))
        ]
    )
    audit.record(
        actor=actor,
        verb="task.create",
        target=task,
        to_state=task.state,
        data={
            "source": source,
            "track": track,
            "lead_department": lead.pk,
            "responsible_leader": leader.pk,
            "deadline": deadline.isoformat(),
            "milestones": len(milestones),
            **{f"{k}_id": v.pk for k, v in link.items()},
        },
    )
    enqueue(notify_task_step, task.pk, "create", task.version, task.state)
    return task


@transaction.atomic
def task_report(
    *,
    actor: User,
    task_id: int,
    text: str,
    is_final: bool = False,
    milestone_ids: Iterable[int] = (),
    files: Sequence[UploadedFile] = (),
    links: str = "",
) -> ProgressReport:
    """进展报告 (or, final, 办结报告: evidence required). One report waits for review at a time.
    Evidence: files and phone photos, and links (one a line; supervision.services.evidence)."""
    task = _locked(task_id)
    _who(actor, task, "report")
    if task.state == Task.State.REPORTED:
        raise conflict(_("上一份进展报告尚待审核，审核后才能再次报送"))
    _require(task, "report")
    text = required(text, missing=_("请填写进展情况"))
    check_text(ProgressReport, text=text)
    links = evidence.parse_links(links)
    if is_final and not files:
        raise conflict(_("申请办结须上传佐证材料"))
    open_ids = set(task.milestones.filter(done_at__isnull=True).values_list("pk", flat=True))
    claimed = sorted(_ids(milestone_ids, _("所选节点不属于本任务或已完成")))
    if set(claimed) - open_ids:
        raise conflict(_("所选节点不属于本任务或已完成"))
    if is_final:
        claimed = sorted(open_ids)
    evidence.check_uploads(files)
    report = ProgressReport.objects.create(
        task=task, author=actor, text=text, is_final=is_final, milestones_done=claimed
    )
    names = [evidence.store(Evidence, f, report=report).name for f in files]
    evidence.add_links(links, report=report)
    _move(
        task,
        actor=actor,
        step="report",
        reason=text[:500],
        data={"report": report.pk, "final": is_final, "milestones": claimed, "evidence": names, "links": len(links)},
    )
    return report


def _ids(values: Iterable, refusal: str) -> list[int]:
    """Whole numbers from a form, or a refusal (409) before anything is written."""
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError) as exc:
        raise conflict(refusal or _("数据无效，请刷新后重试")) from exc


def review_decisions(report: ProgressReport) -> list[str]:
    """What the supervisor may answer to `report`: 同意办结 only to a final report (办结报告).
    The review form offers these; task_review accepts nothing else."""
    return [d for d in ReportReview.Decision.values if d != ReportReview.Decision.CLOSE or report.is_final]


def pending_report(task: Task) -> ProgressReport | None:
    return task.reports.filter(review__isnull=True).order_by("-created_at", "-id").first()


@transaction.atomic
def task_review(
    *,
    actor: User,
    task_id: int,
    decision: str,
    comment: str = "",
    rating: str = "",
    report_id: int | None = None,
) -> ReportReview:
    """The supervisor's answer to the waiting report: accept (progress), close (办结) or return."""
    task = _locked(task_id)
    # The three answers share one rule (supervision.access.can_review): who first, whatever the answer.
    _who(actor, task, "accept")
    if decision not in ReportReview.Decision.values:
        raise conflict(_("请选择审核结果"))
    step = decision
    _require(task, step)
    report = pending_report(task)
    if report is None or (report_id is not None and [report.pk] != _ids([report_id], "")):
        raise conflict(_("待审核的报告已变化，请刷新后再审核"))
    # Nobody reviews their own report (an office that both leads a task and supervises its track).
    if report.author_id == actor.pk:
        raise forbidden(_("不能审核本人报送的报告，请由本类督查的其他人员审核"))
    comment = clean_text(comment)
    if decision == ReportReview.Decision.RETURN and not comment:
        raise conflict(_("退回须写明需补充的内容"))
    if rating and rating not in ReportReview.Rating.values:
        raise conflict(_("评价无效"))
    if decision not in review_decisions(report):
        raise conflict(_("只有办结报告才能同意办结"))
    if decision == ReportReview.Decision.CLOSE and not report.evidence.exists():
        raise conflict(_("办结须有佐证材料"))
    review = ReportReview.objects.create(
        report=report, reviewer=actor, decision=decision, comment=comment, rating=rating
    )
    if decision != ReportReview.Decision.RETURN:
        now = timezone.now()
        done = Milestone.objects.filter(task=task, pk__in=report.milestones_done, done_at__isnull=True)
        if decision == ReportReview.Decision.CLOSE:
            done = Milestone.objects.filter(task=task, done_at__isnull=True)
        done.update(done_at=now, done_report=report)
    _move(task, actor=actor, step=step, reason=comment, data={"report": report.pk, "rating": rating})
    if decision == ReportReview.Decision.CLOSE:
        _close_item_if_done(actor, task)
    return review


def _close_item_if_done(actor: User, task: Task) -> None:
    """The item closes when its last task closes (every resolution of the item counts)."""
    if task.item_id is None:
        return
    # The item's row first: two reviews closing its last two tasks, or a new task made for it
    # (task_create locks it too), queue here, and each counts the open tasks only after the
    # other has committed. Without the lock both closers see the other's task still open.
    item = AgendaItem.objects.select_for_update().filter(pk=task.item_id).only("state").first()
    if item is None or item.state != ItemState.RESOLVED:
        return
    if Task.objects.filter(item_id=task.item_id).exclude(state=Task.State.CLOSED).exists():
        return
    count = Task.objects.filter(item_id=task.item_id).count()
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("督查任务 %(n)s 项全部办结") % {"n": count}
    item_services.item_close(actor=actor, item_id=task.item_id, reason=reason, data={"last_task": task.pk})


@transaction.atomic
def item_follow(*, actor: User, item_id: int, follow: bool) -> bool:
    """关注: the person is told whenever a task of the item changes state."""
    if not actor.is_authenticated:
        raise forbidden(_("请先登录"))
    if follow:
        # Following lets a person see the item's tasks (access.task_visibility_filter): only an
        # item, or a task of it, that the person already sees may be followed.
        sees = AgendaItem.objects.filter(item_visibility_filter(actor), pk=item_id).exists() or (
            Task.objects.filter(access.task_visibility_filter(actor), item_id=item_id).exists()
        )
        if not sees:
            raise InvalidTransition(_("议题不存在"), status=404)
        Follow.objects.get_or_create(item_id=item_id, person=actor)
    else:
        Follow.objects.filter(item_id=item_id, person=actor).delete()
    return follow


def task_viewed(*, actor: User, task: Task) -> None:
    """Every view of a confidential task (its page or its evidence) is on record."""
    if task.confidential:
        audit.record(actor=actor, verb="task.view", target=task)
