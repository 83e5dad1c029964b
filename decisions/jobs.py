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


def remind_reviews() -> dict[str, int]:
    """Each open step of a review chain reminds its holders after DecisionPolicy.review_remind_days and
    is escalated (督办) after review_escalate_days: the department head's 审阅 to the leader in charge,
    the leader's 审核 and the office's 审批 to the requested body's chair. Each once per step
    (compare-and-set on the row, and the reminder's key)."""
    from decisions.access import review_escalation_to, review_holders
    from decisions.models import OPEN_REVIEW_STATES, DecisionPolicy, ItemReview

    policy = DecisionPolicy.current()
    now = timezone.now()
    found = created = 0
    with translation.override(settings.LANGUAGE_CODE):
        remind_before = now - timedelta(days=policy.review_remind_days)
        rows = ItemReview.objects.filter(
            state__in=OPEN_REVIEW_STATES, opened_at__lte=remind_before, reminded_at__isnull=True
        ).select_related("item", "item__requested_body", "assignee", "department")
        for r in rows:
            if not ItemReview.objects.filter(pk=r.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            found += 1
            text = message("item.review_pending", confidential=r.item.confidential, title=r.item.title, step=r.label)
            for person in review_holders(r):
                created += remind(
                    recipient=person, key=f"review:{r.pk}:remind:{person.pk}", text=text,
                    link=link_for("item.review_pending", r.item_id),
                )  # fmt: skip
        escalate_before = now - timedelta(days=policy.review_escalate_days)
        rows = ItemReview.objects.filter(
            state__in=OPEN_REVIEW_STATES, opened_at__lte=escalate_before, escalated_at__isnull=True
        ).select_related("item", "item__requested_body__chair", "department")
        for r in rows:
            if not ItemReview.objects.filter(pk=r.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            found += 1
            days = (now - r.opened_at).days
            text = message(
                "item.review_escalated", confidential=r.item.confidential, title=r.item.title, step=r.label, days=days
            )
            for person in review_escalation_to(r):
                created += remind(
                    recipient=person, key=f"review:{r.pk}:escalate:{person.pk}", text=text,
                    link=link_for("item.review_escalated", r.item_id),
                )  # fmt: skip
    return {"found": found, "created": created}
