"""决而未果: a resolution that needs no supervision task says why, on record."""

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, conflict, forbidden
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
