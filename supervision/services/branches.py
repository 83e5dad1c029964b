"""党支部建设: the party office's monthly checks (推磨式检查), the branches' self-checks, their
rectification tasks and the branches' 三会一课 records.

    branch_check_record   the party office checks a branch, once per branch and month; every item
                          not met becomes a rectification task (整改任务) of the branch, with a deadline
    branch_self_check     a branch checks itself on the same checklist, once a month (not graded)
    org_life_record       a branch's 支部党员大会, 支委会, 党小组会 or 党课, as held

Each writes its audit event in its own transaction.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict, forbidden
from core.text import check_text, clean_text
from org.models import Department, Role, User
from supervision import access
from supervision.models import BranchCheck, BranchCheckItem, BranchCheckMark, BranchMeeting, OrgLife, Track
from supervision.services.tasks import task_create

# A failed item is to be put right within this many days of the check, unless the checker says otherwise.
RECTIFY_DAYS = 30


def _branch(branch_id) -> Department:
    branch = Department.objects.filter(pk=branch_id, kind=Department.Kind.BRANCH).first()
    if branch is None:
        raise conflict(_("请选择党支部"))
    return branch


def _month(year, month) -> tuple[int, int]:
    try:
        year, month = int(year), int(month)
    except (TypeError, ValueError) as exc:
        raise conflict(_("月份无效")) from exc
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise conflict(_("月份无效"))
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise conflict(_("不能检查尚未到来的月份"))
    return year, month


def _already(branch, year, month, kind) -> str:
    word = _("已自查") if kind == BranchCheck.Kind.SELF else _("已检查")
    return _("%(branch)s %(year)s年%(month)s月%(word)s") % {
        "branch": branch,
        "year": year,
        "month": month,
        "word": word,
    }


def _record(*, actor: User, branch: Department, year, month, met: dict[int, bool], note: str, kind: str) -> BranchCheck:
    year, month = _month(year, month)
    items = list(BranchCheckItem.objects.filter(active=True))
    if not items:
        raise conflict(_("尚未设置支部检查项目，请管理员在后台添加"))
    if BranchCheck.objects.filter(branch=branch, year=year, month=month, kind=kind).exists():
        raise conflict(_already(branch, year, month, kind))
    score = sum(i.points for i in items if met.get(i.pk))
    try:
        with transaction.atomic():
            check = BranchCheck.objects.create(
                kind=kind,
                branch=branch,
                year=year,
                month=month,
                checker=actor,
                score=score,
                full_score=sum(i.points for i in items),
                note=clean_text(note),
            )
    except IntegrityError as exc:
        raise conflict(_already(branch, year, month, kind)) from exc
    BranchCheckMark.objects.bulk_create(
        [
            BranchCheckMark(check_row=check, item=i, met=bool(met.get(i.pk)), points=i.points if met.get(i.pk) else 0)
            for i in items
        ]
    )
    verb = "branch.self_check" if kind == BranchCheck.Kind.SELF else "branch.check"
    audit.record(
        actor=actor, verb=verb, target=check, data={"branch": branch.pk, "year": year, "month": month, "score": score}
    )
    return check


def rectification_leader() -> User | None:
    """Rectification answers to the Party secretary, who leads branch building (党建第一责任人)."""
    return User.objects.filter(is_active=True, role_assignments__role=Role.SECRETARY).distinct().order_by("pk").first()


@transaction.atomic
def branch_check_record(
    *,
    actor: User,
    branch_id: int,
    year: int,
    month: int,
    met: dict[int, bool],
    note: str = "",
    rectify_by: dt.date | None = None,
) -> BranchCheck:
    """One party office check per branch and month; the score is the points of the items met.
    Each item not met becomes a rectification task of the branch on the branch track, due by
    `rectify_by` (default: RECTIFY_DAYS after today)."""
    if not access.can_check_branches(actor):
        raise forbidden(_("只有党委办公室可以开展支部月度检查"))
    branch = _branch(branch_id)
    today = timezone.localdate()
    rectify_by = rectify_by or today + dt.timedelta(days=RECTIFY_DAYS)
    if rectify_by < today:
        raise conflict(_("整改时限不能早于今天"))
    check = _record(
        actor=actor, branch=branch, year=year, month=month, met=met, note=note, kind=BranchCheck.Kind.OFFICE
    )
    failed = [m for m in check.marks.select_related("item").order_by("item__position", "item_id") if not m.met]
    leader = rectification_leader() if failed else None
    if failed and leader is None:
        raise conflict(_("尚未设置党委书记，无法为未达标项目下达整改任务"))
    for mark in failed:
        task_create(
            actor=actor,
            check_mark=mark,
            track=Track.BRANCH,
            title=_("整改：%(item)s（%(year)s年%(month)s月检查）")
            % {"item": mark.item.title, "year": check.year, "month": check.month},
            description=check.note,
            lead_department_id=branch.pk,
            responsible_leader_id=leader.pk,
            deadline=rectify_by,
        )
    return check


@transaction.atomic
def branch_self_check(
    *, actor: User, branch_id: int, year: int, month: int, met: dict[int, bool], note: str = ""
) -> BranchCheck:
    """A branch's own monthly check (自查) on the party office's checklist, by its secretary."""
    branch = _branch(branch_id)
    if not access.can_self_check(actor, branch):
        raise forbidden(_("只有本支部书记可以填报支部自查"))
    return _record(actor=actor, branch=branch, year=year, month=month, met=met, note=note, kind=BranchCheck.Kind.SELF)


@transaction.atomic
def org_life_record(
    *, actor: User, branch_id: int, kind: str, held_on: dt.date | None, topic: str, attendees: int = 0
) -> BranchMeeting:
    """One 三会一课 meeting a branch held: recorded by its secretary or the party office."""
    branch = _branch(branch_id)
    if not access.can_record_org_life(actor, branch):
        raise forbidden(_("只有本支部书记或党委办公室可以登记三会一课"))
    if kind not in OrgLife.values:
        raise conflict(_("请选择会议类型"))
    if held_on is None:
        raise conflict(_("请填写召开日期"))
    if held_on > timezone.localdate():
        raise conflict(_("召开日期不能晚于今天"))
    topic = clean_text(topic)
    if not topic:
        raise conflict(_("请填写会议主题"))
    check_text(BranchMeeting, topic=topic[:200])
    if attendees is None or attendees < 0:
        raise conflict(_("参加人数不能为负数"))
    row = BranchMeeting.objects.create(
        branch=branch, kind=kind, held_on=held_on, topic=topic[:200], attendees=attendees, recorded_by=actor
    )
    audit.record(
        actor=actor,
        verb="branch.org_life",
        target=row,
        data={"branch": branch.pk, "kind": kind, "held_on": held_on.isoformat()},
    )
    return row
