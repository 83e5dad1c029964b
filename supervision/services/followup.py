"""决而未果: a resolution that needs no supervision task says why, on record."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, conflict, forbidden
from core.notify import link_for, message
from core.reminders import remind
from core.text import check_text, required
from meetings.models import Resolution
from supervision import access
from supervision.models import NoTaskReason, Task


@transaction.atomic
def resolution_no_task(*, actor, resolution_id: int, reason: str) -> NoTaskReason:
    """Record why a resolution needs no supervision task (e.g. a notice or a rule to keep): it leaves
    the 决而未果 queue. Once; a resolution that already has a task needs no such reason."""
    refusal = access.may_record_no_task(actor)
    if refusal:
        raise forbidden(refusal)
    try:
        resolution = Resolution.objects.select_for_update().get(pk=resolution_id)
    except Resolution.DoesNotExist as exc:
        raise InvalidTransition(_("决议不存在"), status=404) from exc
    reason = required(reason, missing=_("请写明无需布置督查任务的理由"))
    check_text(NoTaskReason, reason=reason)
    if Task.objects.filter(resolution=resolution).exists():
        raise conflict(_("该决议已布置督查任务，无需登记理由"))
    if NoTaskReason.objects.filter(resolution=resolution).exists():
        raise conflict(_("该决议已登记无需督查的理由"))
    row = NoTaskReason.objects.create(resolution=resolution, reason=reason, recorded_by=actor)
    audit.record(actor=actor, verb="resolution.no_task", target=resolution, reason=reason)
    return row


def unfollowed_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """决而未果: a passed resolution calling for action that still has no supervision task and no reason
    on record after DecisionPolicy.unfollowed_escalate_days is escalated, once, to those
    access.unfollowed_escalated_to names (reminders keyed per resolution and person, so a second run
    sends nothing twice). Figures: found, the resolutions; created, the new reminders."""
    from decisions.models import DecisionPolicy
    from supervision.selectors.unfollowed import age_days, unfollowed_resolutions

    now = now or timezone.now()
    days = DecisionPolicy.current().unfollowed_escalate_days
    rows = unfollowed_resolutions().filter(issued_at__lte=now - dt.timedelta(days=days))
    people = access.unfollowed_escalated_to()
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
