"""协办: co-operating departments of a task and their own parts.

    task_partners_add  name co-operating departments (an assigner, or whoever made the task)
    part_report        a co-operating department's head reports their part, with evidence

The lead department reads the parts on the task's page and reports the whole to the
supervisor (supervision.services.tasks.task_report): the task's state moves on the lead's
report only, so reviews, escalation and scoring stay one per task.
"""

from collections.abc import Iterable, Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, conflict, forbidden
from core.text import check_text, required
from org.models import Department, User
from supervision import access
from supervision.models import PartEvidence, PartReport, Task, TaskPartner
from supervision.services import evidence


def _visible_locked(actor: User, task_id: int) -> Task:
    task = Task.objects.filter(access.task_visibility_filter(actor), pk=task_id).first() if actor else None
    if task is None:
        raise InvalidTransition(_("督查任务不存在"), status=404)
    return Task.objects.select_for_update().get(pk=task_id)


def add_partners(task: Task, department_ids: Iterable[int], *, actor: User | None) -> list[TaskPartner]:
    """Within a locked task's transaction: the departments named, checked, written once each."""
    ids = sorted({int(d) for d in department_ids})
    if task.lead_department_id in ids:
        raise conflict(_("牵头部门不能同时作为协办部门"))
    found = list(Department.objects.filter(pk__in=ids, active=True))
    if len(found) != len(ids):
        raise conflict(_("所选协办部门不存在或已停用"))
    have = set(task.partners.values_list("department_id", flat=True))
    return TaskPartner.objects.bulk_create(
        [TaskPartner(task=task, department=d, added_by=actor) for d in found if d.pk not in have]
    )


@transaction.atomic
def task_partners_add(*, actor: User, task_id: int, department_ids: Iterable[int]) -> list[TaskPartner]:
    task = _visible_locked(actor, task_id)
    if not access.can_name_partners(actor, task):
        raise forbidden(_("只有下达任务的部门可以指定协办部门"))
    if not task.is_open:
        raise conflict(_("任务已办结，不能再指定协办部门"))
    added = add_partners(task, department_ids, actor=actor)
    if not added:
        raise conflict(_("请选择尚未指定的协办部门"))
    audit.record(actor=actor, verb="task.partners", target=task, data={"added": [p.department_id for p in added]})
    return added


@transaction.atomic
def part_report(
    *,
    actor: User,
    task_id: int,
    department_id: int,
    text: str,
    files: Sequence[UploadedFile] = (),
    links: str = "",
) -> PartReport:
    task = _visible_locked(actor, task_id)
    if department_id not in access.partner_departments(actor, task):
        raise forbidden(_("只有协办部门负责人可以报送本部门承担部分的进展"))
    if not task.is_open:
        raise conflict(_("任务已办结，不能再报送协办进展"))
    text = required(text, missing=_("请填写承担部分的进展"))
    check_text(PartReport, text=text)
    links = evidence.parse_links(links)
    evidence.check_uploads(files)
    part = PartReport.objects.create(task=task, department_id=department_id, author=actor, text=text)
    names = [evidence.store(PartEvidence, f, part=part).name for f in files]
    evidence.add_links(links, part=part)
    audit.record(
        actor=actor,
        verb="task.part_report",
        target=task,
        reason=text[:500],
        data={"part": part.pk, "department": department_id, "evidence": names, "links": len(links)},
    )
    return part
