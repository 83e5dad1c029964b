"""行事历： the responsibility calendar turns recurring duties into reminders and tasks.

    calendar_sweep         every active duty's periods due within its lead days become
                           occurrences once; the people holding the duty's role are reminded
                           once; a duty with a lead department becomes a supervision task
    calendar_token_get     the person's private iCal feed token (made on first use)
    calendar_token_reset   a new token: the old feed URL stops working at once
    default_duties         the school's recurring duties, as data, for a new school to load

The sweep locks each duty row while it works on it, so two sweeps at once (two workers, or a
worker and `run_jobs`) do each period's work exactly once; the reminder keys and the unique
(duty, period) and task-per-occurrence constraints hold that too.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from core import audit
from core.errors import InvalidTransition
from core.notify import link_for, message
from core.reminders import remind
from org.models import Role, User
from supervision.models import CalendarToken, Duty, DutyOccurrence, Task, Track
from supervision.models.calendar import new_token
from supervision.services.task_notify import task_link
from supervision.services.tasks import task_create

log = logging.getLogger(__name__)


def school_today() -> dt.date:
    """Today in school time (Asia/Shanghai), whatever zone a request may have activated."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def role_holders(role: str) -> list[User]:
    return list(User.objects.filter(is_active=True, role_assignments__role=role).distinct().order_by("pk"))


def _duty_text(duty: Duty, occurrence: DutyOccurrence) -> str:
    # A duty of the responsibility calendar is a routine of the role, never confidential.
    return message(
        "duty.due", confidential=False, title=duty.title, period=occurrence.period, due=occurrence.due.isoformat()
    )


def _duty_task(duty: Duty, occurrence: DutyOccurrence) -> tuple[Task | None, bool]:
    """(the occurrence's task, whether this call made it). Reached only under the duty's row
    lock, so it is made once. A refusal (say, the responsible leader has left) is logged and
    tried again by the next sweep, for as long as the period is not yet due."""
    task = Task.objects.filter(occurrence=occurrence).first()
    if task is not None:
        return task, False
    try:
        task = task_create(
            actor=None,
            occurrence=occurrence,
            track=duty.track,
            title=f"{duty.title}（{occurrence.period}）",
            description=duty.description,
            lead_department_id=duty.lead_department_id,
            responsible_leader_id=duty.responsible_leader_id,
            deadline=occurrence.due,
        )
    except InvalidTransition as exc:
        log.warning("calendar duty %s (%s): no task: %s", duty.pk, occurrence.period, exc.reason)
        return None, False
    return task, True


def calendar_sweep(today: dt.date | None = None) -> dict[str, int]:
    """For every active duty, each period due within [today, today + lead_days] is created once;
    a duty with a lead department gets its supervision task, and on creation the holders of the
    duty's role are reminded (key `duty:<occurrence>:<person>`, linking to the task if any).
    Safe to run any number of times, also two at once. Figures: found/created/skipped count
    reminders, as the other sweeps do; occurrences and tasks what this run made; refused the
    tasks refused (logged, tried again next run)."""
    today = today or school_today()
    figures = {"found": 0, "created": 0, "skipped": 0, "occurrences": 0, "tasks": 0, "refused": 0}
    duty_ids = list(Duty.objects.filter(active=True).order_by("pk").values_list("pk", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        for duty_id in duty_ids:
            with transaction.atomic():
                # One sweep at a time per duty: a second one waits here, then finds the work done.
                duty = Duty.objects.select_for_update().filter(pk=duty_id, active=True).first()
                if duty is None:
                    continue
                for period, due in duty.due_dates(today, today + dt.timedelta(days=duty.lead_days)):
                    occurrence, new = DutyOccurrence.objects.get_or_create(
                        duty=duty, period=period, defaults={"due": due}
                    )
                    task = None
                    if duty.lead_department_id:
                        task, made = _duty_task(duty, occurrence)
                        figures["tasks"] += made
                        figures["refused"] += task is None
                    if not new:
                        continue
                    figures["occurrences"] += 1
                    text = _duty_text(duty, occurrence)
                    link = task_link(task) if task else link_for("duty.due")
                    for person in role_holders(duty.role):
                        figures["found"] += 1
                        figures["created"] += remind(
                            recipient=person, key=f"duty:{occurrence.pk}:{person.pk}", text=text, link=link
                        )
    figures["skipped"] = figures["found"] - figures["created"]
    return figures


# --- the feed's token ---------------------------------------------------------------------------


def calendar_token_get(*, person: User) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(person=person)
    return token


@transaction.atomic
def calendar_token_reset(*, person: User) -> CalendarToken:
    """重新生成链接： the old URL stops working as soon as this commits."""
    token, created = CalendarToken.objects.select_for_update().get_or_create(person=person)
    if not created:
        token.token = new_token()
        token.save(update_fields=["token", "created_at"])
    audit.record(actor=person, verb="calendar.token_reset", target=token)
    return token


# --- the school's recurring duties (seed 002, DOMAIN.md 四督查) -----------------------------------


def default_duties() -> list[dict]:
    """The recurring duties of the responsibility calendar （行事历）， as plain data.

    Each dict has Duty's own fields (title, description, role, track, rhythm, month, day,
    lead_days) and two names to resolve when loading: `lead_department`, a department's name
    (None: a reminder only, no task), and `responsible_leader_role`, the role of the leader
    who answers for the task (the first active holder; None when there is no task).
    `month` is the month within the period (quarterly 1–3, half-yearly 1–6, yearly 1–12).
    """
    return [
        {
            "title": "党支部建设月度检查",
            "description": "党委办公室按支部检查表逐项检查各党支部“三会一课”、主题党日、党员发展与教育管理，记录得分和检查意见。",
            "role": Role.PARTY_OFFICE.value,
            "track": Track.BRANCH.value,
            "rhythm": Duty.Rhythm.MONTHLY.value,
            "month": 1,
            "day": 25,
            "lead_days": 7,
            "lead_department": "党委办公室",
            "responsible_leader_role": Role.SECRETARY.value,
            "discharge": Duty.Discharge.BRANCH_CHECK.value,
        },
        {
            "title": "全教会月度通报",
            "description": "汇编本月党委会决定和部门重大工作，在全教会通报（月度通报由系统于次月1日生成，请核对后发布）。",
            "role": Role.PARTY_OFFICE.value,
            "track": Track.BRANCH.value,
            "rhythm": Duty.Rhythm.MONTHLY.value,
            "month": 1,
            "day": 28,
            "lead_days": 3,
            "lead_department": None,
            "responsible_leader_role": None,
        },
        {
            "title": "书记信箱来信办理情况月度梳理",
            "description": "核对本月来信是否每信必复（回复百分百），未回复的督促办理。",
            "role": Role.PARTY_OFFICE.value,
            "track": Track.TASK.value,
            "rhythm": Duty.Rhythm.MONTHLY.value,
            "month": 1,
            "day": 26,
            "lead_days": 3,
            "lead_department": None,
            "responsible_leader_role": None,
        },
        {
            "title": "督查任务完成情况季度复盘",
            "description": "纪委对本季度决议事项的督查任务逐项复盘：按期办结、逾期、升级督办情况，形成督查报告报党委会。",
            "role": Role.DISCIPLINE.value,
            "track": Track.TASK.value,
            "rhythm": Duty.Rhythm.QUARTERLY.value,
            "month": 3,
            "day": 20,
            "lead_days": 10,
            "lead_department": "纪委办公室",
            "responsible_leader_role": Role.DISCIPLINE.value,
        },
        {
            "title": "督查任务落实情况半年报告",
            "description": "纪委汇总半年督查数据（按部门、按督查类别的按期与逾期情况），向党委会专题报告。",
            "role": Role.DISCIPLINE.value,
            "track": Track.TASK.value,
            "rhythm": Duty.Rhythm.HALF_YEARLY.value,
            "month": 6,
            "day": 25,
            "lead_days": 14,
            "lead_department": "纪委办公室",
            "responsible_leader_role": Role.DISCIPLINE.value,
        },
        {
            "title": "部门工作绩效半年评价",
            "description": "校务办对照年初部门工作目标（目标书）和年中进度表，对各部门工作绩效进行评价打分，偏离平均值较大的标出说明。",
            "role": Role.AFFAIRS_OFFICE.value,
            "track": Track.PERFORMANCE.value,
            "rhythm": Duty.Rhythm.HALF_YEARLY.value,
            "month": 6,
            "day": 20,
            "lead_days": 14,
            "lead_department": "校务办公室",
            "responsible_leader_role": Role.PRINCIPAL.value,
        },
        {
            "title": "部门年度工作目标下达",
            "description": "年初下达各部门年度工作目标（目标书），明确可衡量、有时限的任务，作为年中进度表和年末成绩单的依据。",
            "role": Role.AFFAIRS_OFFICE.value,
            "track": Track.PERFORMANCE.value,
            "rhythm": Duty.Rhythm.YEARLY.value,
            "month": 2,
            "day": 28,
            "lead_days": 14,
            "lead_department": "校务办公室",
            "responsible_leader_role": Role.PRINCIPAL.value,
        },
        {
            "title": "重点项目建设进度季度检查",
            "description": "校务办对照项目节点检查重点项目建设进度和成果，滞后的督促整改。",
            "role": Role.AFFAIRS_OFFICE.value,
            "track": Track.PROJECT.value,
            "rhythm": Duty.Rhythm.QUARTERLY.value,
            "month": 3,
            "day": 15,
            "lead_days": 7,
            "lead_department": "校务办公室",
            "responsible_leader_role": Role.PRINCIPAL.value,
        },
        {
            "title": "党支部书记抓党建述职评议",
            "description": "组织各党支部书记年度抓党建工作述职评议，结果作为支部年度考核和评先评优依据。",
            "role": Role.PARTY_OFFICE.value,
            "track": Track.BRANCH.value,
            "rhythm": Duty.Rhythm.YEARLY.value,
            "month": 12,
            "day": 20,
            "lead_days": 21,
            "lead_department": "党委办公室",
            "responsible_leader_role": Role.SECRETARY.value,
        },
        {
            "title": "党支部建设成效年度考核",
            "description": "汇总全年支部月度检查得分，评定支部建设成效等次，报党委会审定。",
            "role": Role.PARTY_OFFICE.value,
            "track": Track.BRANCH.value,
            "rhythm": Duty.Rhythm.YEARLY.value,
            "month": 12,
            "day": 28,
            "lead_days": 14,
            "lead_department": "党委办公室",
            "responsible_leader_role": Role.SECRETARY.value,
        },
        {
            "title": "党建工作责任制落实情况年度述职",
            "description": "党委书记履行全面从严治党第一责任人职责情况年度述职，部门负责人同步述职。",
            "role": Role.SECRETARY.value,
            "track": Track.BRANCH.value,
            "rhythm": Duty.Rhythm.YEARLY.value,
            "month": 1,
            "day": 20,
            "lead_days": 14,
            "lead_department": None,
            "responsible_leader_role": None,
        },
    ]


@transaction.atomic
def duties_load_defaults() -> int:
    """Load default_duties() where no duty of that title exists yet. Returns how many were added.
    The lead department is found by name and the responsible leader is the first active holder
    of the named role; a duty whose department or leader is missing here only reminds."""
    from org.models import Department

    added = 0
    for data in default_duties():
        if Duty.objects.filter(title=data["title"]).exists():
            continue
        fields = {k: v for k, v in data.items() if k not in ("lead_department", "responsible_leader_role")}
        department = (
            Department.objects.filter(name=data["lead_department"]).first() if data["lead_department"] else None
        )
        leader = (
            User.objects.filter(is_active=True, role_assignments__role=data["responsible_leader_role"]).first()
            if department
            else None
        )
        if department and leader:
            fields.update(lead_department=department, responsible_leader=leader)
        duty = Duty(**fields)
        duty.full_clean()
        duty.save()
        added += 1
    return added
