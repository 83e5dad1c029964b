"""Campus patrols （校园周巡查） and the party office's monthly branch checks （支部月度检查）.

    finding_record        a leader (or an office for a leader) records what a patrol found
    branch_check_record   the party office checks a branch, once per branch and month

Each writes one audit event. A finding becomes a supervision task through
supervision.services.task_create(finding_id=…).
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict, forbidden
from core.text import check_text, clean_text
from org.models import Department, User
from supervision import access
from supervision.models import BranchCheck, BranchCheckItem, BranchCheckMark, PatrolFinding


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


@transaction.atomic
def branch_check_record(
    *, actor: User, branch_id: int, year: int, month: int, met: dict[int, bool], note: str = ""
) -> BranchCheck:
    """One check per branch and month; the score is the points of the items met."""
    if not access.can_check_branches(actor):
        raise forbidden(_("只有党委办公室可以开展支部月度检查"))
    branch = Department.objects.filter(pk=branch_id, kind=Department.Kind.BRANCH).first()
    if branch is None:
        raise conflict(_("请选择党支部"))
    try:
        year, month = int(year), int(month)
    except (TypeError, ValueError) as exc:
        raise conflict(_("月份无效")) from exc
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise conflict(_("月份无效"))
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise conflict(_("不能检查尚未到来的月份"))
    items = list(BranchCheckItem.objects.filter(active=True))
    if not items:
        raise conflict(_("尚未设置支部检查项目，请管理员在后台添加"))
    if BranchCheck.objects.filter(branch=branch, year=year, month=month).exists():
        raise conflict(_("%(branch)s %(year)s年%(month)s月已检查") % {"branch": branch, "year": year, "month": month})
    score = sum(i.points for i in items if met.get(i.pk))
    try:
        with transaction.atomic():
            check = BranchCheck.objects.create(
                branch=branch,
                year=year,
                month=month,
                checker=actor,
                score=score,
                full_score=sum(i.points for i in items),
                note=clean_text(note),
            )
    except IntegrityError as exc:
        raise conflict(
            _("%(branch)s %(year)s年%(month)s月已检查") % {"branch": branch, "year": year, "month": month}
        ) from exc
    BranchCheckMark.objects.bulk_create(
        [
            BranchCheckMark(check_row=check, item=i, met=bool(met.get(i.pk)), points=i.points if met.get(i.pk) else 0)
            for i in items
        ]
    )
    audit.record(
        actor=actor,
        verb="branch.check",
        target=check,
        data={"branch": branch.pk, "year": year, "month": month, "score": score},
    )
    return check
