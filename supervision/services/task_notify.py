"""Who is told when a supervision task moves, is escalated or is urged (jobs, safe to repeat)."""

from django.conf import settings
from django.utils import translation

from core.links import Link
from core.notify import link_for, message
from core.reminders import remind
from decisions.models import AgendaItem
from org.models import Role, User
from supervision.models import (
    TRACK_SUPERVISOR_ROLES,
    Task,
)


def task_link(task: Task) -> Link:
    """Where a message about `task` leads: its page (every task kind of core.notify.KINDS)."""
    return link_for("task.step", task.pk)


def supervisors(track: str) -> list[User]:
    role = TRACK_SUPERVISOR_ROLES[track]
    return list(User.objects.filter(is_active=True, role_assignments__role=role).distinct())


def department_heads(department_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role_assignments__role=Role.DEPT_HEAD, role_assignments__department=department_id
        ).distinct()
    )


def task_people(task: Task, *, with_supervisors: bool = False) -> list[User]:
    # 协办: the co-operating departments' heads hear what the lead's head hears.
    partners = task.partners.values_list("department_id", flat=True)
    people = [task.responsible_leader, *department_heads(task.lead_department_id)]
    people += [head for d in partners for head in department_heads(d)]
    if with_supervisors:
        people += supervisors(task.track)
    return list({p.pk: p for p in people}.values())


def followers(task: Task) -> list[User]:
    """The item's submitter and everyone who follows it (not for a confidential task)."""
    if task.item_id is None or task.confidential:
        return []
    people = list(User.objects.filter(follows__item_id=task.item_id, is_active=True))
    item = AgendaItem.objects.select_related("submitter").get(pk=task.item_id)
    return list({p.pk: p for p in [item.submitter, *people]}.values())


def notify_task_step(task_id: int, step: str, version: int, state: str = "") -> int:
    """Job: tell who must act next, and the item's followers, of the state the step produced
    (the task may have moved on by the time the job runs). Keyed per task version: safe to repeat."""
    from core.notify import notify

    task = Task.objects.select_related("responsible_leader").get(pk=task_id)
    key = f"task:{task.pk}:v{version}:{step}"
    secret = task.confidential
    with translation.override(settings.LANGUAGE_CODE):
        state_label = Task.State(state or task.state).label
        if step == "create":
            who = task_people(task)
            text = message("task.created", confidential=secret, title=task.title, deadline=task.deadline)
        elif step == "report":
            who = supervisors(task.track)
            text = message("task.reported", confidential=secret, title=task.title)
        else:
            who = task_people(task)
            text = message("task.step", confidential=secret, title=task.title, state=state_label)
        sent = notify(recipients=who, key=key, text=text, link=task_link(task))
        watchers = [p for p in followers(task) if p.pk not in {w.pk for w in who}]
        if watchers:
            text = message("task.followed", confidential=secret, title=task.title, state=state_label)
            sent += notify(recipients=watchers, key=key, text=text, link=task_link(task))
    return sent


def notify_escalation(task_id: int, level: int) -> int:
    """Job: an escalated task reaches the people of its level, once each (reminder rows)."""
    task = Task.objects.select_related("responsible_leader").get(pk=task_id)
    named = {"confidential": task.confidential, "title": task.title, "deadline": task.deadline}
    with translation.override(settings.LANGUAGE_CODE):
        if level >= 3:
            people = [
                *User.objects.filter(is_active=True, role_assignments__role=Role.SECRETARY),
                *task_people(task),
            ]
            text = message("task.escalated", **named)
        elif level == 2:
            people = supervisors(task.track)
            text = message("task.overdue_supervise", **named)
        else:
            people = task_people(task)
            text = message("task.overdue", **named)
    created = 0
    for person in {p.pk: p for p in people}.values():
        created += remind(
            recipient=person, key=f"task-escalation:{task.pk}:{level}:{person.pk}", text=text, link=task_link(task)
        )
    return created
