"""Background work for supervision （四督查）： machine reminders, not memory （从人脑提醒变成机脑提醒）.

    remind_tasks     tasks due soon → reminded; overdue → escalated (level 1, then level 2)
    remind_letters   书记信箱 letters near / past their reply deadline → reminded / escalated
    sweep_calendar   the responsibility calendar's duties → occurrences, reminders, tasks

Jobs take nothing, call services, and are safe to run twice, and two at once: reminders are
keyed, escalations are compare-and-set on the task row.
"""

import datetime as dt

from django.conf import settings
from django.utils import translation

from core.notify import message
from core.reminders import remind
from supervision.models import Task
from supervision.services.calendar import calendar_sweep, school_today
from supervision.services.supervising import overdue_tasks, task_escalate_overdue
from supervision.services.task_notify import task_link, task_people


def due_soon_days() -> int:
    return int(getattr(settings, "SUPERVISION_DUE_SOON_DAYS", 3))


def _due_soon_text(task: Task) -> str:
    return message(
        "task.due_soon", confidential=task.confidential, title=task.title, deadline=task.deadline.isoformat()
    )


def remind_tasks(today: dt.date | None = None) -> dict[str, int]:
    """督查任务 due within SUPERVISION_DUE_SOON_DAYS days (default 3): the responsible leader and
    the lead department's heads are reminded once per deadline (a moved deadline reminds again).
    Overdue (before today, school time): escalated to level 1, then to level 2 (see
    supervision.services.supervising). Figures: found, the reminders this run looked for (due-soon ones, and
    those of the escalations it made); created, the new ones; skipped, the rest; escalated, the
    levels it raised."""
    today = today or school_today()
    found = created = escalated = 0
    open_tasks = Task.objects.exclude(state=Task.State.CLOSED).select_related("responsible_leader")
    with translation.override(settings.LANGUAGE_CODE):
        for task in overdue_tasks(today):
            steps, reminded = task_escalate_overdue(task=task, today=today)
            escalated += steps
            found += reminded
            created += reminded
        soon = open_tasks.filter(deadline__gte=today, deadline__lte=today + dt.timedelta(days=due_soon_days()))
        for task in soon.order_by("deadline", "pk"):
            text = _due_soon_text(task)
            for person in task_people(task):
                found += 1
                created += remind(
                    recipient=person,
                    key=f"task-due:{task.pk}:{task.deadline.isoformat()}:{person.pk}",
                    text=text,
                    link=task_link(task),
                )
    return {"found": found, "created": created, "skipped": found - created, "escalated": escalated}


def remind_letters(today: dt.date | None = None) -> dict[str, int]:
    """书记信箱: letters near their reply deadline reminded, those past it escalated
    (supervision.services.letter_deadlines)."""
    from supervision.services.letter_deadlines import letters_sweep

    return letters_sweep(today or school_today())


def sweep_calendar() -> dict[str, int]:
    """行事历： today's duties (see supervision.services.calendar.calendar_sweep)."""
    return calendar_sweep()


def remind_unfollowed() -> dict[str, int]:
    """决而未果: a passed resolution calling for action that still has no supervision task and no reason
    on record after DecisionPolicy.unfollowed_escalate_days is escalated, once: to the party office,
    the discipline committee and the Party secretary (reminders keyed per resolution and person)."""
    from django.utils import timezone

    from core.notify import link_for
    from decisions.models import DecisionPolicy
    from org.models import MeetingBody, RoleAssignment, User
    from supervision.access import UNFOLLOWED_WATCHERS
    from supervision.selectors.unfollowed import age_days, unfollowed_resolutions

    now = timezone.now()
    days = DecisionPolicy.current().unfollowed_escalate_days
    rows = unfollowed_resolutions().filter(issued_at__lte=now - dt.timedelta(days=days))
    watchers = list(
        User.objects.filter(
            is_active=True,
            pk__in=RoleAssignment.objects.filter(role__in=UNFOLLOWED_WATCHERS).values("user_id"),
        )
    )
    secretary = MeetingBody.objects.filter(code=MeetingBody.Code.PC).values_list("chair_id", flat=True).first()
    people = watchers + [u for u in User.objects.filter(pk=secretary) if u not in watchers]
    found = created = 0
    with translation.override(settings.LANGUAGE_CODE):
        for r in rows:
            found += 1
            text = message(
                "resolution.unfollowed", confidential=r.confidential or r.item.confidential,
                number=r.number, days=age_days(r, now),
            )  # fmt: skip
            for person in people:
                created += remind(
                    recipient=person, key=f"unfollowed:{r.pk}:{person.pk}", text=text,
                    link=link_for("resolution.unfollowed"),
                )  # fmt: skip
    return {"found": found, "created": created}
