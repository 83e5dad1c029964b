"""The supervisor's own actions on tasks, and the escalation policy.

    task_escalate         不落实： the supervisor hands a task on to the Party secretary (level 3)
    task_urge             催办， once a day per task
    tasks_bulk            one of the supervisor's actions on many tasks, each on its own
    task_escalate_overdue  the daily sweep's policy: overdue → level 1 (the responsible leader
                          and heads told), still overdue SUPERVISION_ESCALATE_DAYS later → level 2
                          (the track's supervisors told)

Escalation is compare-and-set on the task row: safe to run twice, and two at once.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, conflict
from core.jobs import enqueue
from core.notify import message
from core.reminders import remind
from core.text import clean_text, required
from org.models import User
from supervision.models import (
    TASK_TRANSITIONS,
    Task,
    TaskEscalation,
)
from supervision.services.task_notify import notify_escalation, task_link, task_people
from supervision.services.tasks import _ids, _locked, task_review, today


def _escalate(task: Task, *, level: int, actor: User | None, reason: str) -> bool:
    """Raise the task to `level` once (compare-and-set); False if it was there already."""
    moved = Task.objects.filter(pk=task.pk, escalation_level__lt=level).exclude(state=Task.State.CLOSED)
    if not moved.update(escalation_level=level):
        return False
    TaskEscalation.objects.create(task=task, level=level, by=actor, reason=reason)
    audit.record(actor=actor, verb=TASK_TRANSITIONS["escalate"].verb, target=task, reason=reason, data={"level": level})
    return True


@transaction.atomic
def task_escalate(*, actor: User, task_id: int, reason: str) -> TaskEscalation:
    """不落实： the supervisor hands the task on to the Party secretary (level 3)."""
    task = _locked(task_id)
    TASK_TRANSITIONS.check(actor, task, "escalate")
    reason = required(reason, missing=_("督办升级须写明理由"))
    if not _escalate(task, level=3, actor=actor, reason=reason):
        raise conflict(_("该任务已升级督办"))
    enqueue(notify_escalation, task.pk, 3)
    return task.escalations.order_by("-id").first()


@transaction.atomic
def task_urge(*, actor: User, task_id: int, note: str = "") -> int:
    """催办： the department head and responsible leader are reminded; once a day per task."""
    task = _locked(task_id)
    TASK_TRANSITIONS.check(actor, task, "urge")
    day = today().isoformat()
    audit.record(
        actor=actor, verb=TASK_TRANSITIONS["urge"].verb, target=task, reason=clean_text(note), data={"day": day}
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = message("task.urged", confidential=task.confidential, title=task.title, deadline=task.deadline)
    sent = 0
    for person in task_people(task):
        sent += remind(recipient=person, key=f"task-urge:{task.pk}:{day}:{person.pk}", text=text, link=task_link(task))
    return sent


BULK_ACTIONS = ("accept", "close", "urge", "escalate")


def tasks_bulk(
    *,
    actor: User,
    action: str,
    task_ids: Iterable[int],
    comment: str = "",
    report_ids: dict[int, int] | None = None,
) -> list[tuple[int, str]]:
    """The same action on many tasks, each in its own transaction: one refusal stops none of the
    others. Returns (task id, reason) for every task that was refused. `report_ids` are the
    reports the supervisor saw waiting (task id → report id, 0 for none): accepting or closing
    refuses a task whose waiting report is another by now."""
    if action not in BULK_ACTIONS:
        raise conflict(_("未知的批量操作"))
    refused = []
    for task_id in dict.fromkeys(_ids(task_ids, _("所选任务无效"))):
        try:
            if action in ("accept", "close"):
                seen = None if report_ids is None else report_ids.get(task_id, 0)
                task_review(actor=actor, task_id=task_id, decision=action, comment=comment, report_id=seen)
            elif action == "urge":
                task_urge(actor=actor, task_id=task_id, note=comment)
            else:
                task_escalate(actor=actor, task_id=task_id, reason=comment)
        except InvalidTransition as e:
            refused.append((task_id, e.reason))
    return refused


# --- the overdue policy (the daily sweep, supervision.jobs.remind_tasks) -----------------------


def escalate_days() -> int:
    return int(getattr(settings, "SUPERVISION_ESCALATE_DAYS", 3))


def task_escalate_overdue(*, task: Task, today: dt.date) -> tuple[int, int]:
    """Level 1 once the deadline has passed (responsible leader and heads told), level 2 once it
    is still overdue more than SUPERVISION_ESCALATE_DAYS days later (the track's supervisors
    told). A sweep that missed days does both at once. Returns (escalations, reminders)."""
    late = (today - task.deadline).days
    levels = [1] + ([2] if late > escalate_days() else [])
    escalated = reminded = 0
    for level in levels:
        if level == 1:
            reason = _("逾期未办结（时限 %(deadline)s），系统自动督办") % {"deadline": task.deadline.isoformat()}
        else:
            reason = _("逾期 %(days)s 天仍未办结（时限 %(deadline)s），系统提请督查部门督办") % {
                "days": late,
                "deadline": task.deadline.isoformat(),
            }
        # The level and its reminders commit together: a crash between them loses nothing,
        # and a concurrent sweep's compare-and-set waits on this row, then finds it done.
        with transaction.atomic():
            if TASK_TRANSITIONS.state_refuses(task, "escalate") is None and _escalate(
                task, level=level, actor=None, reason=reason
            ):
                escalated += 1
                reminded += notify_escalation(task.pk, level)
    return escalated, reminded


def overdue_tasks(today: dt.date):
    """The open tasks the sweep escalates: past their deadline and not yet at level 2."""
    return (
        Task.objects.filter(state__in=TASK_TRANSITIONS["escalate"].sources, deadline__lt=today, escalation_level__lt=2)
        .select_related("responsible_leader")
        .order_by("deadline", "pk")
    )
