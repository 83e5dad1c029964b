"""Reminders: created idempotently by sweeps, delivered per channel with retries.

    remind(...)        a row per (key); a second call with the same key does nothing
    deliver_due()      sends every due delivery once; a failure waits 1, 2, 4 … minutes and
                       is tried again, and after REMINDER_MAX_ATTEMPTS it is kept for a person
                       to look at, never dropped

Each delivery row is locked while it is sent (SKIP LOCKED on PostgreSQL), so two workers never
send the same one. A crash between sending and committing sends it again later: reminders are
delivered at least once, and the in-app channel exactly once (its Notification is keyed).
"""

import json
import logging
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from core.models import Delivery, Reminder
from core.notify import notify

log = logging.getLogger(__name__)


def channels_for(recipient) -> list[str]:
    channels = [Delivery.Channel.IN_APP]
    if recipient.email and getattr(recipient, "email_reminders", True):
        channels.append(Delivery.Channel.EMAIL)
    if settings.DINGTALK_WEBHOOK_URL:
        channels.append(Delivery.Channel.DINGTALK)
    return channels


def remind(*, recipient, key: str, text: str, url: str = "") -> bool:
    """Create the reminder and its deliveries unless `key` was used before. True if created."""
    with transaction.atomic():
        # A concurrent sweep inserting the same key waits on the unique index until this
        # transaction ends, then inserts nothing and finds the deliveries already there.
        Reminder.objects.bulk_create(
            [Reminder(key=key, recipient=recipient, text=text[:500], url=url)], ignore_conflicts=True
        )
        reminder = Reminder.objects.get(key=key)
        if reminder.deliveries.exists():
            return False
        now = timezone.now()
        Delivery.objects.bulk_create(
            [Delivery(reminder=reminder, channel=c, next_attempt_at=now) for c in channels_for(recipient)],
            ignore_conflicts=True,
        )
    return True


def _send(delivery: Delivery) -> None:
    reminder = delivery.reminder
    if delivery.channel == Delivery.Channel.IN_APP:
        notify(recipients=[reminder.recipient], key=f"reminder:{reminder.key}", text=reminder.text, url=reminder.url)
    elif delivery.channel == Delivery.Channel.EMAIL:
        body = reminder.text + (f"\n\n{settings.SITE_URL.rstrip('/')}{reminder.url}" if reminder.url else "")
        send_mail(f"【决策一件事】{reminder.text[:60]}", body, None, [reminder.recipient.email])
    elif delivery.channel == Delivery.Channel.DINGTALK:
        payload = json.dumps({"msgtype": "text", "text": {"content": f"{reminder.recipient}:{reminder.text}"}})
        request = urllib.request.Request(  # noqa: S310 - the URL is the administrator's webhook setting
            settings.DINGTALK_WEBHOOK_URL, data=payload.encode("utf-8"), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            answer = json.loads(response.read() or b"{}")
        if answer.get("errcode", 0) != 0:
            raise RuntimeError(f"DingTalk answered {answer}")


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def deliver_due(*, limit: int = 200) -> dict[str, int]:
    """Job: send what is due. Returns counts (sent, retried, gave_up)."""
    counts = {"sent": 0, "retried": 0, "gave_up": 0}
    skip_locked = connection.features.has_select_for_update_skip_locked
    for _ in range(limit):
        with transaction.atomic():
            qs = Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=timezone.now())
            qs = qs.select_for_update(skip_locked=True) if skip_locked else qs.select_for_update()
            delivery = qs.select_related("reminder__recipient").order_by("next_attempt_at", "id").first()
            if delivery is None:
                break
            delivery.attempts += 1
            try:
                _send(delivery)
            except Exception as exc:  # noqa: BLE001 - any failure of a channel is recorded and retried
                delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if delivery.attempts >= settings.REMINDER_MAX_ATTEMPTS:
                    delivery.state = Delivery.State.GAVE_UP
                    counts["gave_up"] += 1
                else:
                    delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
                    counts["retried"] += 1
                log.warning("reminder delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc)
            else:
                delivery.state = Delivery.State.SENT
                delivery.sent_at = timezone.now()
                counts["sent"] += 1
            delivery.save(update_fields=["state", "attempts", "next_attempt_at", "last_error", "sent_at"])
    return counts
