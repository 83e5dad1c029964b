"""Campus patrols (校园周巡查) and the party office's monthly branch checks (支部月度检查)."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict, forbidden
from org.models import Department, User
from supervision import access
from supervision.models import BranchCheck, BranchCheckItem, BranchCheckMark, PatrolFinding


@transaction.atomic
def finding_record(
    *, actor: User, patrolled_on: dt.date, place: str, text: str, department_id: int | None = None
) -> PatrolFinding:
    if not access.can_record_patrol(actor):
        raise forbidden(_("只有校领导或办公室可以记录校园巡查"))
    place, text = (place or "").strip(), (text or "").strip()
    if not place or not text:
        raise conflict(_("请填写巡查地点和发现的问题"))
    if patrolled_on is None or patrolled_on > timezone.localdate():
        raise conflict(_("巡查日期不能晚于今天"))
    department = Department.objects.filter(pk=department_id).first() if department_id else None
    finding = PatrolFinding.objects.create(
        leader=actor, patrolled_on=patrolled_on, place=place[:200], text=text, department=department
    )
    audit.record(actor=actor, verb="patrol.record", target=finding, data={"place": place})
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
    if not 1 <= int(month) <= 12:
        raise conflict(_("月份无效"))
    items = list(BranchCheckItem.objects.filter(active=True))
    if not items:
        raise conflict(_("尚未设置支部检查项目,请管理员在后台添加"))
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
                note=(note or "").strip(),
            )
    except IntegrityError as exc:
        raise conflict(_("该支部本月已检查")) from exc
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
