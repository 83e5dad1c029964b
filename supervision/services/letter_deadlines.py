"""书记信箱 reply deadlines, swept daily (config/cron.py → supervision.jobs.remind_letters).

    letters_sweep   open letters within MAILBOX_REMIND_DAYS_BEFORE working days of their reply
                    deadline: those who answer them are reminded, once per letter and person;
                    past it: escalated to the Party secretary and the discipline secretary, once,
                    with an audit event (system actor)

Reminders are keyed rows (core.reminders), so running the sweep twice sends nothing twice.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import translation

from core import audit
from core.models import Reminder
from core.notify import link_for, message
from core.reminders import remind
from org.models import Role, User
from supervision.models import Letter
from supervision.services.mailbox import answerers
from supervision.workdays import add_working_days


def _forward_heads(letter: Letter) -> list[User]:
    departments = letter.forwards.values("department_id")
    return list(
        User.objects.filter(
            is_active=True, role_assignments__role=Role.DEPT_HEAD, role_assignments__department__in=departments
        ).distinct()
    )


def letters_sweep(today: dt.date) -> dict[str, int]:
    horizon = add_working_days(today, settings.MAILBOX_REMIND_DAYS_BEFORE)
    reminded = escalated = 0
    open_letters = Letter.objects.filter(state=Letter.State.OPEN, reply_due__isnull=False).order_by("reply_due", "pk")
    with translation.override(settings.LANGUAGE_CODE):
        for letter in open_letters.filter(reply_due__gte=today, reply_due__lte=horizon):
            text = message("letter.due_soon", confidential=True, deadline=letter.reply_due.isoformat())
            for person in {p.pk: p for p in [*answerers(), *_forward_heads(letter)]}.values():
                reminded += remind(
                    recipient=person,
                    key=f"letter-due:{letter.pk}:{person.pk}",
                    text=text,
                    link=link_for("letter.due_soon", letter.pk),
                )
        for letter in open_letters.filter(reply_due__lt=today):
            escalated += letter_escalate(letter=letter)
    return {"reminded": reminded, "escalated": escalated}


@transaction.atomic
def letter_escalate(*, letter: Letter) -> int:
    """A letter past its reply deadline goes to the Party secretary and the discipline secretary
    (督办), once: the audit event is written with the first reminder."""
    key = f"letter-overdue:{letter.pk}"
    if Reminder.objects.filter(key__startswith=key + ":").exists():
        return 0
    people = User.objects.filter(
        is_active=True, role_assignments__role__in=(Role.SECRETARY, Role.DISCIPLINE)
    ).distinct()
    text = message("letter.overdue", confidential=True, deadline=letter.reply_due.isoformat())
    for person in people:
        remind(recipient=person, key=f"{key}:{person.pk}", text=text, link=link_for("letter.overdue", letter.pk))
    audit.record(actor=None, verb="letter.escalate", target=letter, data={"reply_due": letter.reply_due.isoformat()})
    return 1
