"""Background work for agenda items. Jobs are safe to run any number of times."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation

from core.notify import link_for, message
from core.reminders import remind
from decisions.models import Consultation
from decisions.selectors import waiting_consultations


def remind_consultations() -> dict[str, int]:
    """会前酝酿 pending: a leader asked for a view who has not answered after a day is reminded, once."""
    since = timezone.now() - timedelta(hours=settings.REMINDER_CONSULTATION_HOURS)
    found = created = 0
    with translation.override(settings.LANGUAGE_CODE):
        rows = waiting_consultations(Consultation.objects.filter(requested_at__lte=since)).select_related(
            "item", "consultee"
        )
        for c in rows:
            found += 1
            created += remind(
                recipient=c.consultee,
                key=f"consultation:{c.pk}",
                text=message("item.consultation_pending", confidential=c.item.confidential, title=c.item.title),
                link=link_for("item.consultation_pending", c.item_id),
            )
    return {"found": found, "created": created, "skipped": found - created}
