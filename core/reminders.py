"""Reminders: created idempotently by sweeps, delivered per channel with retries.

    remind(...)        a row per (key); a second call with the same key does nothing
    deliver_due()      sends every due delivery once; a failure waits 1, 2, 4 … minutes and
                       is tried again, and after REMINDER_MAX_ATTEMPTS it is kept for a person
                       to look at, never dropped

Once, even when a worker is killed mid-job (rq then runs the job again):

- in-app: the Notification is written in the same transaction that marks the delivery sent, so
  a crash rolls back both and the retry sends it, exactly once.
- e-mail, the DingTalk group and the personal work notices (DingTalk, WeCom) leave the database: each is claimed first (state "sending", committed),
  then sent outside any transaction, then marked sent. A retry never takes a claimed row, so a
  crash between "the server has it" and "marked sent" cannot send it twice. The price is
  at-most-once: a crash after the claim but before the message left is not made good by the
  machine, since nobody can tell the two cases apart; after INTERRUPTED_AFTER the row is kept
  for a person ("gave up", with the reason) rather than sent blindly again. For a school office
  a duplicate reminder to a leader is worse than one a person re-sends from the admin. An error
  the channel reports (SMTP refusal, robot errcode) is still retried with backoff: nothing went out.

Rows are taken with SKIP LOCKED on PostgreSQL, so two workers never take the same one.
"""

import json
import logging
import urllib.parse
import urllib.request
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.links import Link, absolute
from core.models import Delivery, Reminder
from core.notify import notify
from core.providers.dingtalk import DingTalk
from core.providers.wecom import WeCom

log = logging.getLogger(__name__)

# A claimed e-mail or DingTalk delivery not marked sent by then was interrupted (its worker died).
# Well beyond a job's run: rq stops a job after its 300 s timeout (RQ_QUEUES), sends time out sooner.
INTERRUPTED_AFTER = timedelta(minutes=15)
_WORK_TITLE = "决策一件事"


def work_notices_on() -> bool:
    """Personal work notices are configured: a DingTalk or WeCom app with its AgentId."""
    dingtalk = settings.DINGTALK_AGENT_ID and DingTalk.configured()
    return bool(settings.WORK_NOTICES and (dingtalk or (settings.WECOM_AGENT_ID and WeCom.configured())))


def channels_for(recipient) -> list[str]:
    """In-app, e-mail if the person has an address and wants it, and the person's own DingTalk work
    notice or WeCom app message where the school's app is configured and they carry its userid.
    The DingTalk group robot carries reminders only where no personal channel is configured: once
    it is, the group is for announcements, and no one's to-do is read out in front of a group."""
    channels = [Delivery.Channel.IN_APP]
    if recipient.email and getattr(recipient, "email_reminders", True):
        channels.append(Delivery.Channel.EMAIL)
    if work_notices_on():
        if settings.DINGTALK_AGENT_ID and DingTalk.configured() and getattr(recipient, "dingtalk_userid", ""):
            channels.append(Delivery.Channel.DINGTALK_WORK)
        if settings.WECOM_AGENT_ID and WeCom.configured() and getattr(recipient, "wecom_userid", ""):
            channels.append(Delivery.Channel.WECOM)
    elif settings.DINGTALK_WEBHOOK_URL:
        channels.append(Delivery.Channel.DINGTALK)
    return channels


PERSONAL = (Delivery.Channel.DINGTALK_WORK, Delivery.Channel.WECOM)


def work_notice(*, recipients, key: str, text: str, link: Link | None = None) -> int:
    """A request to act (会前酝酿, 会签): its in-app notification is written by core.notify; this sends
    the same text to each person's DingTalk work notice or WeCom app message, where configured,
    through the reminders' outbox (a row per person and channel, retried, sent once)."""
    if not work_notices_on():
        return 0
    people = {p.pk: p for p in recipients}.values()
    return sum(remind(recipient=p, key=f"{key}:{p.pk}", text=text, link=link, only=PERSONAL) for p in people)


def remind(*, recipient, key: str, text: str, link: Link | None = None, only=None) -> bool:
    """Create the reminder and its deliveries unless `key` was used before. True if created.
    `link` (core.notify.link_for) is kept as its route name and arguments. `only`: these channels
    of the person's, no others (a producer that wrote the in-app notification itself)."""
    link = link or Link("")
    channels = [c for c in channels_for(recipient) if only is None or c in only]
    if not channels:
        return False
    with transaction.atomic():
        # A concurrent sweep inserting the same key waits on the unique index until this
        # transaction ends, then inserts nothing and finds the deliveries already there.
        Reminder.objects.bulk_create(
            [Reminder(key=key, recipient=recipient, text=text[:500], route=link.route, args=list(link.args))],
            ignore_conflicts=True,
        )
        reminder = Reminder.objects.get(key=key)
        if reminder.deliveries.exists():
            return False
        now = timezone.now()
        Delivery.objects.bulk_create(
            [Delivery(reminder=reminder, channel=c, next_attempt_at=now) for c in channels],
            ignore_conflicts=True,
        )
    return True


def _send(delivery: Delivery) -> None:
    reminder = delivery.reminder
    if delivery.channel == Delivery.Channel.IN_APP:
        link = Link(reminder.route, tuple(reminder.args))
        notify(recipients=[reminder.recipient], key=f"reminder:{reminder.key}", text=reminder.text, link=link)
    elif delivery.channel == Delivery.Channel.EMAIL:
        # The text comes from core.notify.message: a confidential object is not named in it.
        link = absolute(reminder.url)
        body = reminder.text + (f"\n\n{link}" if link else "")
        # One Message-ID per delivery: a copy re-sent by a person is recognisable as the same message.
        host = urllib.parse.urlsplit(settings.SITE_URL).hostname or "localhost"
        EmailMessage(
            f"【决策一件事】{reminder.text[:60]}",
            body,
            None,
            [reminder.recipient.email],
            headers={"Message-ID": f"<reminder-delivery-{delivery.pk}@{host}>"},
        ).send()
    elif delivery.channel == Delivery.Channel.DINGTALK_WORK:
        # The person's own work notice: the text is core.notify.message's, the link opens in DingTalk.
        userid = reminder.recipient.dingtalk_userid
        if not userid:
            raise ValueError("the recipient no longer carries a DingTalk userid")
        DingTalk().send_work_notice(userid=userid, title=_WORK_TITLE, text=reminder.text, url=absolute(reminder.url))
    elif delivery.channel == Delivery.Channel.WECOM:
        userid = reminder.recipient.wecom_userid
        if not userid:
            raise ValueError("the recipient no longer carries a WeCom userid")
        WeCom().send_app_message(userid=userid, title=_WORK_TITLE, text=reminder.text, url=absolute(reminder.url))
    elif delivery.channel == Delivery.Channel.DINGTALK:
        payload = json.dumps({"msgtype": "text", "text": {"content": group_text(reminder)}})
        request = urllib.request.Request(  # noqa: S310 - the URL is the administrator's webhook setting
            settings.DINGTALK_WEBHOOK_URL, data=payload.encode("utf-8"), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            answer = json.loads(response.read() or b"{}")
        if answer.get("errcode", 0) != 0:
            raise RuntimeError(f"DingTalk answered {answer}")


def group_text(reminder: Reminder) -> str:
    """What the DingTalk group reads: whom a reminder waits for and where, never what it is about.
    The whole group sees it, not only the person, so no one's work is named there, confidential
    or not; the link opens it for whoever may see it."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _("【决策一件事】%(person)s，您有一条新的待办提醒，请登录查看。") % {"person": reminder.recipient}
    link = absolute(reminder.url)
    return f"{text}\n{link}" if link else text


def may_resend(user) -> bool:
    """Sending a reminder again is the keeper's call (the admin's deliveries page)."""
    return user.is_active and user.is_staff and user.has_perm("core.change_delivery")


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def _due(state: str):
    skip_locked = connection.features.has_select_for_update_skip_locked
    qs = Delivery.objects.filter(state=state, next_attempt_at__lte=timezone.now())
    return qs.select_for_update(skip_locked=True) if skip_locked else qs.select_for_update()


def _attempt(delivery: Delivery) -> str:
    """Send one taken delivery and record the outcome: "sent", "retried" or "gave_up"."""
    # In-app is written inside the caller's transaction: a savepoint lets its failure be recorded.
    inside = transaction.atomic() if delivery.channel == Delivery.Channel.IN_APP else nullcontext()
    try:
        with inside:
            _send(delivery)
    except Exception as exc:  # noqa: BLE001 - any failure of a channel is recorded and retried
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if delivery.attempts >= settings.REMINDER_MAX_ATTEMPTS:
            delivery.state, outcome = Delivery.State.GAVE_UP, "gave_up"
        else:
            delivery.state, outcome = Delivery.State.PENDING, "retried"
            delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
        log.warning("reminder delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc)
    else:
        delivery.state, outcome = Delivery.State.SENT, "sent"
        delivery.sent_at = timezone.now()
    delivery.save(update_fields=["state", "attempts", "next_attempt_at", "last_error", "sent_at"])
    return outcome


def give_up_interrupted() -> int:
    """Claimed deliveries whose worker died mid-send: kept for a person, never sent again blindly."""
    with transaction.atomic():
        ids = list(_due(Delivery.State.SENDING).values_list("id", flat=True))
        if ids:
            log.warning("reminder deliveries %s were interrupted while sending; kept for a person", ids)
        return Delivery.objects.filter(pk__in=ids, state=Delivery.State.SENDING).update(
            state=Delivery.State.GAVE_UP,
            last_error="发送过程中断（发送进程被终止），无法确认是否已送达。请向接收人核实，需要时选择“立即重新发送”。",
        )


def deliver_due(*, limit: int = 200) -> dict[str, int]:
    """Job: send what is due. Returns counts (sent, retried, gave_up). Safe to run twice, and
    safe to run again after a worker was killed in the middle of it (see the module docstring)."""
    counts = {"sent": 0, "retried": 0, "gave_up": give_up_interrupted()}
    for _n in range(limit):
        with transaction.atomic():
            delivery = _due(Delivery.State.PENDING).select_related("reminder__recipient")
            delivery = delivery.order_by("next_attempt_at", "id").first()
            if delivery is None:
                break
            delivery.attempts += 1
            if delivery.channel == Delivery.Channel.IN_APP:
                # Sent and marked in this one transaction: exactly once.
                counts[_attempt(delivery)] += 1
                continue
            # Claimed and committed before anything leaves the database; the deadline rides in
            # next_attempt_at, where give_up_interrupted() looks for it.
            delivery.state = Delivery.State.SENDING
            delivery.next_attempt_at = timezone.now() + INTERRUPTED_AFTER
            delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
        counts[_attempt(delivery)] += 1
    return counts
