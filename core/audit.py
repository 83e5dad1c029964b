"""Writing to the audit log. Services call `record`; nothing else writes AuditEvent."""

from typing import Any

from django.db import models

from core.models import AuditEvent


def target_type_of(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def record(
    *,
    actor,
    verb: str,
    target: models.Model,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        verb=verb,
        target_type=target_type_of(target),
        target_id=target.pk,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )


def record_each(*, actor, verb: str, targets: list[models.Model]) -> None:
    """The same event on several records, in one INSERT (e.g. a page that shows several)."""
    if len(targets) == 1:  # a single INSERT needs no transaction of its own
        target = targets[0]
        AuditEvent.objects.create(actor=actor, verb=verb, target_type=target_type_of(target), target_id=target.pk)
        return
    AuditEvent.objects.bulk_create(
        [AuditEvent(actor=actor, verb=verb, target_type=target_type_of(t), target_id=t.pk) for t in targets]
    )


def history_of(obj: models.Model):
    return AuditEvent.objects.filter(target_type=target_type_of(obj), target_id=obj.pk).select_related("actor")
