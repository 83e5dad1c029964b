"""Background work for supervision （四督查）： machine reminders, not memory （从人脑提醒变成机脑提醒）.

    remind_tasks     tasks due soon → reminded; overdue → escalated (level 1, then level 2)
    remind_letters   书记信箱 letters near / past their reply deadline → reminded / escalated
    remind_unfollowed 决而未果: resolutions without a task or a reason → escalated
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
    """决而未果: resolutions still without a task or a reason after the configured days escalated
    (supervision.services.followup.unfollowed_sweep)."""
    from supervision.services.followup import unfollowed_sweep

    return unfollowed_sweep()
