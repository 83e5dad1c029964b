"""Campus patrols (校园周巡查).

    finding_record        a leader (or an office for a leader) records what a patrol found

Each writes one audit event. A finding becomes a supervision task through
supervision.services.task_create(finding_id=…).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict, forbidden
from core.text import check_text, clean_text
from org.models import Department, User
from supervision import access
from supervision.models import PatrolFinding


@transaction.atomic
def finding_record(
    *,
    actor: User,
    patrolled_on: dt.date | None,
    place: str,
    text: str,
    department_id: int | None = None,
    leader_id: int | None = None,
) -> PatrolFinding:
    """A finding of the week's patrol. The leader who patrolled is the actor, or, when an office
    records it for them, `leader_id` (a school leader)."""
    if not access.can_record_patrol(actor):
        raise forbidden(_("只有校领导或办公室可以记录校园巡查"))
    leader = actor
    if leader_id and int(leader_id) != actor.pk:
        if not access.records_patrols_for_leaders(actor):
            raise forbidden(_("只有办公室可以代领导记录巡查"))
        leader = User.objects.filter(pk=leader_id, is_active=True).first()
        if leader is None or not leader.is_leader:
            raise conflict(_("巡查领导须为校领导"))
    place, text = clean_text(place), clean_text(text)
    if not place or not text:
        raise conflict(_("请填写巡查地点和发现的问题"))
    check_text(PatrolFinding, place=place[:200], text=text)
    if patrolled_on is None:
        raise conflict(_("请填写巡查日期"))
    if patrolled_on > timezone.localdate():
        raise conflict(_("巡查日期不能晚于今天"))
    department = None
    if department_id:
        department = Department.objects.filter(pk=department_id, active=True).first()
        if department is None:
            raise conflict(_("涉及部门不存在或已停用"))
    finding = PatrolFinding.objects.create(
        leader=leader, patrolled_on=patrolled_on, place=place[:200], text=text, department=department
    )
    data = {"place": place, "department": department.pk if department else None}
    if leader != actor:
        data["for_leader"] = leader.pk
    audit.record(actor=actor, verb="patrol.record", target=finding, data=data)
    return finding
