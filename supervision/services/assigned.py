"""Tasks that do not come from a resolution (工作部署): the school affairs office hands out the
department-performance and annual work-plan tasks (年度工作要点), the party office the branch
tasks. They run on the same tracks as every other task: the same reports, reviews, escalation
and scoring (supervision.services.tasks and .supervising).
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict, forbidden
from core.jobs import enqueue
from core.text import clean_text
from org.models import Department, User
from supervision import access
from supervision.models import Milestone, Task, Track
from supervision.services.partners import add_partners
from supervision.services.task_notify import notify_task_step
from supervision.services.tasks import MilestoneSpec, _check_fields

# The track each kind of assignment is supervised on (DOMAIN.md, 四督查).
PLAN_TRACK = {
    Task.Plan.PERFORMANCE: Track.PERFORMANCE,
    Task.Plan.WORK_PLAN: Track.PERFORMANCE,
    Task.Plan.BRANCH: Track.BRANCH,
}


@transaction.atomic
def task_assign(
    *,
    actor: User,
    plan: str,
    title: str,
    lead_department_id: int,
    responsible_leader_id: int,
    deadline: dt.date,
    description: str = "",
    milestones: Sequence[MilestoneSpec] = (),
    partner_ids: Iterable[int] = (),
    confidential: bool = False,
) -> Task:
    if plan not in PLAN_TRACK:
        raise conflict(_("请选择工作部署类别"))
    if not access.can_assign_plan(actor, plan):
        if plan == Task.Plan.BRANCH:
            raise forbidden(_("党支部工作任务由党委办公室下达"))
        raise forbidden(_("部门工作绩效和年度工作要点任务由校务办下达"))
    track = PLAN_TRACK[plan]
    lead = Department.objects.filter(pk=lead_department_id, active=True).first() if lead_department_id else None
    leader = User.objects.filter(pk=responsible_leader_id, is_active=True).first() if responsible_leader_id else None
    milestones = list(milestones)
    _check_fields(
        track=track, title=title, lead_department=lead, leader=leader, deadline=deadline, milestones=milestones
    )
    if plan == Task.Plan.BRANCH and lead.kind != Department.Kind.BRANCH:
        raise conflict(_("党支部工作任务的牵头部门须为党支部"))
    task = Task.objects.create(
        track=track,
        source=Task.Source.ASSIGNED,
        plan=plan,
        title=clean_text(title)[:200],
        description=clean_text(description),
        lead_department=lead,
        responsible_leader=leader,
        deadline=deadline,
        confidential=bool(confidential),
        created_by=actor,
    )
    Milestone.objects.bulk_create(
        [
            Milestone(task=task, title=clean_text(m.title)[:200], due=m.due, weight=m.weight, position=i)
            for i, m in enumerate(sorted(milestones, key=lambda m: m.due))
        ]
    )
    partners = add_partners(task, partner_ids, actor=actor)
    audit.record(
        actor=actor,
        verb="task.create",
        target=task,
        to_state=task.state,
        data={
            "source": task.source,
            "plan": plan,
            "track": track,
            "lead_department": lead.pk,
            "responsible_leader": leader.pk,
            "deadline": deadline.isoformat(),
            "milestones": len(milestones),
            "partners": [p.department_id for p in partners],
        },
    )
    enqueue(notify_task_step, task.pk, "create", task.version, task.state)
    return task
